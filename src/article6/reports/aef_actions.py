"""AEF Table 3 (actions) derived from the ledger, as a generator: no table is held in memory.

Table 3 reads the moved ranges of completed transactions (never the live blocks) and maps each
range to the actions it is for the reporting Party through the one table of
`domain.reported_actions` (docs/aef.md explains every mapping).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from article6.domain.accounts import CancellationPurpose
from article6.domain.identifiers import unit_identifier
from article6.domain.nomenclature import ActionSubtype, ActionType, Metric
from article6.domain.reported_actions import RECORDED, reported_actions, role_of
from article6.domain.transactions import TransactionKind
from article6.reports.aef import ActionDateTime, Cells, cells
from article6.reports.aef_spec import NA, TABLE

# Table 3 ----------------------------------------------------------------------------------


def actions_of(moved: Any, party: str) -> list[tuple[ActionType, str | None]]:
    """The AEF actions one moved range is for `party` (an empty list: not reported), read from
    `reported_actions.EVENT_MAPPINGS` by the transaction's kind, the Party's role in it and
    whether the range is the Party's first transfer.

    `moved` carries the range's attributes, its transaction's kind, cancellation purpose and
    initiating Party (`party_code`), and the Parties of the source and destination accounts."""
    kind = TransactionKind(moved.kind)
    role = role_of(kind, party, moved.party_code, moved.source_party, moved.destination_party)
    first = bool(moved.first_transfer_subtype) and moved.first_transferring_party == party
    purpose = (
        CancellationPurpose(moved.cancellation_purpose) if moved.cancellation_purpose else None
    )
    return [
        (action, moved.first_transfer_subtype if subtype is RECORDED else subtype)
        for action, subtype in reported_actions(kind, role, first, purpose)
    ]


def _using_columns(moved: Any, party: str) -> dict[str, Any]:
    """Fields 22-25 of a use or cancellation (and of a first transfer at use or cancellation)."""
    entity = moved.using_entity or NA
    if moved.kind == TransactionKind.USE:
        return {"purpose": NA, "using_party": NA, "using_entity": NA, "ndc_year": moved.ndc_year}
    purpose = moved.cancellation_purpose
    named = purpose in (CancellationPurpose.IMP, CancellationPurpose.OP)
    return {
        "purpose": moved.purpose or NA,
        "using_party": party if named else NA,
        "using_entity": entity,
        "ndc_year": NA,
    }


NOT_APPLICABLE_PARTIES = {
    "transferring_party": NA,
    "acquiring_party": NA,
    "purpose": NA,
    "using_party": NA,
    "using_entity": NA,
    "ndc_year": NA,
}


def action_values(
    moved: Any, party: str, registry_id: str, action: ActionType, subtype: str | None
) -> dict[str, Any]:
    """The Table 3 fields of one action on one moved range that do not depend on the range's
    serials or its transaction's date and identifier (those `_ActionTemplate.cells` fills in)."""
    values: dict[str, Any] = dict(NOT_APPLICABLE_PARTIES)
    if action is ActionType.AUTHORIZATION:
        pass  # fields 20-25 are for transfers, acquisitions, uses and cancellations
    elif action is ActionType.ACQUISITION:
        values["transferring_party"] = moved.transferring_party
    elif action is ActionType.TRANSFER:
        values["acquiring_party"] = moved.acquiring_party
    elif action is ActionType.FIRST_TRANSFER:
        if subtype == ActionSubtype.FIRST_TRANSFER_TO_ANOTHER_PARTY:
            values["acquiring_party"] = moved.acquiring_party
        elif moved.kind == TransactionKind.CANCELLATION:
            values.update(_using_columns(moved, party))
            values["ndc_year"] = NA
    else:
        values.update(_using_columns(moved, party))
    ghg = moved.metric == Metric.GHG
    values.update(
        action_type=action.value,
        action_subtype=None if subtype is None else str(subtype),
        cooperative_approach_id=moved.cooperative_approach_id,
        authorization_id=moved.authorization_id,
        first_transferring_party=moved.first_transferring_party,
        registry_id=registry_id,
        underlying_registry=moved.underlying_registry or NA,
        metric=moved.metric,
        gwp_values=moved.gwp_values,
        non_ghg_metric=NA if ghg else moved.non_ghg_metric,
        mitigation_type=moved.mitigation_type,
        vintage=moved.vintage,
        non_ghg_quantity=NA if ghg else None,
    )
    return values


ACTION_RANGE_COLUMNS = (
    # the transaction
    "transaction_id",
    "transaction",
    "finished_at",
    # the range
    "registry_id",
    "serial_first",
    "serial_last",
    "underlying_first",
    "non_ghg_per_unit",
    # what decides the range's actions and their other fields (`ACTION_KEY`)
    "kind",
    "party_code",
    "first_transfer_subtype",
    "first_transferring_party",
    "cancellation_purpose",
    "source_party",
    "destination_party",
    "transferring_party",
    "acquiring_party",
    "ndc_year",
    "purpose",
    "using_entity",
    "cooperative_approach_id",
    "authorization_id",
    "underlying_registry",
    "metric",
    "gwp_values",
    "non_ghg_metric",
    "mitigation_type",
    "vintage",
)
"""The columns `action_rows` reads, in this order (the store selects them by these names)."""

_TX, _IDENTIFIER, _FINISHED, _ORIGIN, _FIRST, _LAST, _UNDERLYING, _PER_UNIT = range(8)
ACTION_KEY = slice(8, None)
"""The columns on which the actions of a range and all their constant fields depend: ranges
alike in these share one `_ActionTemplate` per action (most ranges of a year are alike)."""
_KEY_NAMES = ACTION_RANGE_COLUMNS[ACTION_KEY]
TEMPLATE_CACHE = 4096
"""Distinct keys kept at most (the cache is emptied when full, so memory stays flat)."""


_AT = {key: index for index, key in enumerate(TABLE[3].keys)}


class _ActionTemplate:
    """The cells of one action on ranges alike; `cells` adds a range's own fields."""

    __slots__ = ("approach", "ghg", "party", "template", "vintage")

    DATE, INFO = _AT["action_date"], _AT["additional_information"]
    FIRST, LAST, QUANTITY = _AT["first_id"], _AT["last_id"], _AT["quantity"]
    UNIT_FIRST, UNIT_LAST = _AT["first_unit_id"], _AT["last_unit_id"]
    NON_GHG_QUANTITY = _AT["non_ghg_quantity"]

    def __init__(self, values: dict[str, Any]) -> None:
        self.template = cells(TABLE[3], values)
        self.ghg = values["metric"] == Metric.GHG
        self.approach = values["cooperative_approach_id"]
        self.party = values["first_transferring_party"]
        self.vintage = values["vintage"]

    def cells(
        self,
        origin: str,
        first: int,
        last: int,
        underlying: int | None,
        per_unit: str | None,
        day: ActionDateTime,
        info: str,
    ) -> Cells:
        """The row of the range `first`-`last` of the originating registry `origin`: First and
        Last ID are the units' full identifiers (6/CMA.4 annex I para 5)."""
        row = list(self.template)
        quantity = last - first + 1
        row[self.DATE] = day
        row[self.INFO] = info
        row[self.FIRST] = unit_identifier(self.approach, origin, self.party, first, self.vintage)
        row[self.LAST] = unit_identifier(self.approach, origin, self.party, last, self.vintage)
        row[self.QUANTITY] = quantity
        if underlying is None:
            row[self.UNIT_FIRST] = row[self.UNIT_LAST] = NA
        else:
            row[self.UNIT_FIRST] = underlying
            row[self.UNIT_LAST] = underlying + quantity - 1
        if not self.ghg:
            amount = Decimal(per_unit) if per_unit else Decimal(0)
            row[self.NON_GHG_QUANTITY] = str((amount * quantity).normalize())
        return tuple(row)


def _templates(key: tuple[Any, ...], party: str, registry_id: str) -> list[_ActionTemplate]:
    moved = SimpleNamespace(**dict(zip(_KEY_NAMES, key, strict=True)))
    return [
        _ActionTemplate(action_values(moved, party, registry_id, action, subtype))
        for action, subtype in actions_of(moved, party)
    ]


def _joins(piece: list[Any], row: Any, template: _ActionTemplate) -> bool:
    """A range continues the previous piece of its action: same origin registry, contiguous
    serials and underlying units, equal fields."""
    if piece[0] != row[_ORIGIN] or piece[2] + 1 != row[_FIRST] or piece[4] != row[_PER_UNIT]:
        return False
    if piece[5] is not template and piece[5].template != template.template:
        return False
    if piece[3] is None or row[_UNDERLYING] is None:
        return piece[3] is None and row[_UNDERLYING] is None
    return bool(piece[3] + (piece[2] - piece[1] + 1) == row[_UNDERLYING])


def action_rows(moved: Iterable[Any], party: str, registry_id: str) -> Iterator[Cells]:
    """Table 3 from the moved ranges of completed transactions (`ACTION_RANGE_COLUMNS`), in
    completion order; within a transaction, each action's ranges in serial order, contiguous
    equal ranges merged."""
    templates: dict[tuple[Any, ...], list[_ActionTemplate]] = {}

    def actions(row: Any) -> list[_ActionTemplate]:
        key = tuple(row[ACTION_KEY])
        found = templates.get(key)
        if found is None:
            if len(templates) >= TEMPLATE_CACHE:
                templates.clear()
            found = templates[key] = _templates(key, party, registry_id)
        return found

    def transaction(group: list[Any]) -> Iterator[Cells]:
        head = group[0]
        day = ActionDateTime(head[_FINISHED])
        info = f"Registry transaction {head[_IDENTIFIER]}"
        if len(group) == 1:
            for template in actions(head):
                yield template.cells(
                    head[_ORIGIN],
                    head[_FIRST],
                    head[_LAST],
                    head[_UNDERLYING],
                    head[_PER_UNIT],
                    day,
                    info,
                )
            return
        slots: dict[int, list[list[Any]]] = {}
        for row in sorted(group, key=lambda r: (r[_ORIGIN], r[_FIRST])):
            for slot, template in enumerate(actions(row)):
                pieces = slots.setdefault(slot, [])
                if pieces and _joins(pieces[-1], row, template):
                    pieces[-1][2] = row[_LAST]
                    continue
                pieces.append(
                    [
                        row[_ORIGIN],
                        row[_FIRST],
                        row[_LAST],
                        row[_UNDERLYING],
                        row[_PER_UNIT],
                        template,
                    ]
                )
        for slot in sorted(slots):
            for origin, first, last, underlying, per_unit, template in slots[slot]:
                yield template.cells(origin, first, last, underlying, per_unit, day, info)

    group: list[Any] = []
    for row in moved:
        if group and group[0][_TX] != row[_TX]:
            yield from transaction(group)
            group = []
        group.append(row)
    if group:
        yield from transaction(group)
