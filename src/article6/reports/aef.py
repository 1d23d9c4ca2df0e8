"""AEF rows derived from the ledger, as generators: nothing here holds a table in memory.

Table 3 reads the moved ranges of completed transactions (never the live blocks) and maps each
range to the actions it is for the reporting Party (docs/aef.md explains every mapping). Table 4
comes from the frozen year-end holdings snapshot, which `holdings_at` reconstructs from the
moved ranges by a sweep over serial numbers. Each function takes rows and yields rows, so the
same code serves a draft export, a submission and the benchmark.
"""

from __future__ import annotations

import heapq
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from article6.domain.accounts import CancellationPurpose, UnitState
from article6.domain.nomenclature import ActionSubtype, ActionType, Metric, Purpose
from article6.domain.transactions import TransactionKind
from article6.reports.aef_spec import LIST_SEPARATOR, NA, TABLE, TableSpec

Cells = tuple[Any, ...]


def year_start(year: int) -> datetime:
    return datetime(year, 1, 1, tzinfo=UTC)


def year_end(year: int) -> datetime:
    """The reporting boundary: 31 December 23:59:59.999999 UTC (RULES.md 9.6)."""
    return year_start(year + 1) - timedelta(microseconds=1)


def aef_date(value: date | datetime) -> str:
    """dd/mm/yyyy of the UTC day (a naive datetime is UTC)."""
    if isinstance(value, datetime) and value.tzinfo is not None and value.utcoffset():
        value = value.astimezone(UTC)
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


def cells(spec: TableSpec, values: dict[str, Any]) -> Cells:
    return tuple(map(values.get, spec.keys))


@dataclass(frozen=True)
class AEFTable:
    spec: TableSpec
    rows: Iterable[Cells]


@dataclass
class AEFDocument:
    """One Party's AEF for one reported year: five tables whose rows are produced on demand."""

    party: str
    year: int
    version: str
    tables: list[AEFTable] = field(default_factory=list)


# Table 1 ----------------------------------------------------------------------------------


def submission_row(party: Any, year: int, version: str, submitted: date) -> Cells:
    return cells(
        TABLE[1],
        {
            "party": party.code,
            "version": version,
            "reported_year": year,
            "date_of_submission": aef_date(submitted),
            "ndc_first_year": party.ndc_first_year,
            "ndc_last_year": party.ndc_last_year,
        },
    )


# Table 2 ----------------------------------------------------------------------------------


def _joined(values: Iterable[str] | None) -> str | None:
    text = LIST_SEPARATOR.join(values or ())
    return text or None


def authorization_rows(rows: Iterable[Any]) -> Iterator[Cells]:
    """One row per authorization version. A revoked version says so in field 19."""
    for row in rows:
        purpose = Purpose(row.purposes)
        oimp = purpose is not Purpose.NDC
        info = [row.additional_information] if row.additional_information else []
        if row.revoked:
            info.append("Revoked in this version.")
        yield cells(
            TABLE[2],
            {
                "authorization_id": row.authorization_id,
                "date_of_authorization": aef_date(row.date_of_authorization),
                "cooperative_approach_id": row.cooperative_approach_id,
                "version": row.version,
                "authorized_quantity": row.authorized_quantity,
                "metric": row.metric,
                "gwp_values": row.gwp_values,
                "non_ghg_metric": row.non_ghg_metric if row.metric == Metric.NON_GHG else NA,
                "sectors": _joined(row.sectors),
                "activity_types": _joined(row.activity_types),
                "purposes": row.purposes,
                "authorized_parties": _joined(row.authorized_parties),
                "authorized_entities": _joined(row.authorized_entities),
                "oimp_authorized": (row.oimp_authorized if oimp else NA),
                "timeframe": f"{row.timeframe_first} - {row.timeframe_last}"
                if row.timeframe_first is not None and row.timeframe_last is not None
                else None,
                "terms_and_conditions": row.terms_and_conditions,
                "first_transfer_definition": row.first_transfer_definition if oimp else NA,
                "additional_information": " ".join(info) or None,
            },
        )


# Table 3 ----------------------------------------------------------------------------------

CANCELLATION_ACTION: dict[str, tuple[ActionType, ActionSubtype | None]] = {
    CancellationPurpose.IMP: (ActionType.USE, None),
    CancellationPurpose.OP: (ActionType.CANCELLATION, ActionSubtype.OTHER_CANCELLATIONS),
    CancellationPurpose.OMGE: (ActionType.VOLUNTARY_CANCELLATION, ActionSubtype.VOLUNTARY_OMGE),
    CancellationPurpose.VOLUNTARY: (ActionType.VOLUNTARY_CANCELLATION, None),
}
"""What a cancellation is in the AEF, by its purpose (docs/aef.md)."""


def actions_of(moved: Any, party: str) -> list[tuple[ActionType, str | None]]:
    """The AEF actions one moved range is for `party` (an empty list: not reported).

    `moved` carries the range's attributes, its transaction's kind, cancellation purpose and
    initiating Party (`party_code`), and the Parties of the source and destination accounts.
    """
    kind = moved.kind
    initiated = moved.party_code == party
    found: list[tuple[ActionType, str | None]] = []
    if initiated and moved.first_transfer_subtype and moved.first_transferring_party == party:
        found.append((ActionType.FIRST_TRANSFER, moved.first_transfer_subtype))
        if kind == TransactionKind.CANCELLATION:
            found.append(CANCELLATION_ACTION[moved.cancellation_purpose])
    elif initiated and kind == TransactionKind.INTERNATIONAL_TRANSFER:
        found.append((ActionType.TRANSFER, None))
    elif initiated and kind == TransactionKind.USE:
        found.append((ActionType.USE, None))
    elif initiated and kind == TransactionKind.CANCELLATION:
        found.append(CANCELLATION_ACTION[moved.cancellation_purpose])
    if (
        kind == TransactionKind.INTERNATIONAL_TRANSFER
        and moved.destination_party == party
        and moved.source_party != party
    ):
        found.append((ActionType.ACQUISITION, None))
    return found


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
    if action is ActionType.ACQUISITION:
        values["transferring_party"] = moved.source_party
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
        action_subtype=subtype,
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

    __slots__ = ("ghg", "template")

    DATE, INFO = _AT["action_date"], _AT["additional_information"]
    FIRST, LAST, QUANTITY = _AT["first_id"], _AT["last_id"], _AT["quantity"]
    UNIT_FIRST, UNIT_LAST = _AT["first_unit_id"], _AT["last_unit_id"]
    NON_GHG_QUANTITY = _AT["non_ghg_quantity"]

    def __init__(self, values: dict[str, Any]) -> None:
        self.template = cells(TABLE[3], values)
        self.ghg = values["metric"] == Metric.GHG

    def cells(
        self,
        first: int,
        last: int,
        underlying: int | None,
        per_unit: str | None,
        day: str,
        info: str,
    ) -> Cells:
        row = list(self.template)
        quantity = last - first + 1
        row[self.DATE] = day
        row[self.INFO] = info
        row[self.FIRST] = first
        row[self.LAST] = last
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
        day = aef_date(head[_FINISHED])
        info = f"Registry transaction {head[_IDENTIFIER]}"
        if len(group) == 1:
            for template in actions(head):
                yield template.cells(
                    head[_FIRST], head[_LAST], head[_UNDERLYING], head[_PER_UNIT], day, info
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
            for _, first, last, underlying, per_unit, template in slots[slot]:
                yield template.cells(first, last, underlying, per_unit, day, info)

    group: list[Any] = []
    for row in moved:
        if group and group[0][_TX] != row[_TX]:
            yield from transaction(group)
            group = []
        group.append(row)
    if group:
        yield from transaction(group)


# Table 4 ----------------------------------------------------------------------------------

SNAPSHOT_COLUMNS = (
    "cooperative_approach_id",
    "authorization_id",
    "first_transferring_party",
    "vintage",
    "metric",
    "gwp_values",
    "non_ghg_metric",
    "non_ghg_per_unit",
    "mitigation_type",
    "underlying_registry",
)

MOVE_COLUMNS = (
    "id",
    "registry_id",
    "serial_first",
    "serial_last",
    "underlying_first",
    "destination_account_id",
    "to_state",
    *SNAPSHOT_COLUMNS,
)
"""The columns `latest_moves` and `holdings_at` read, in this order."""

_ID, _REGISTRY, _SERIAL_FIRST, _SERIAL_LAST, _UNDERLYING_FIRST, _DESTINATION, _TO_STATE = range(7)
_ATTRIBUTES = slice(7, None)


def latest_moves(moves: Iterable[Any]) -> Iterator[tuple[Any, int, int]]:
    """Split serial space into segments and give, for each, the latest move covering it.

    `moves` (`MOVE_COLUMNS`) come ordered by (registry_id, serial_first); a move's recency is
    its `id` (moved ranges are recorded when their transaction completes). A sweep with a heap
    of the moves covering the current serial yields (move, first, last) segments; memory is
    bounded by how many moves overlap at one serial, not by how many there are.
    """
    heap: list[tuple[int, int, Any]] = []
    push, pop = heapq.heappush, heapq.heappop
    registry: str | None = None
    position = 0
    for move in moves:
        first = move[_SERIAL_FIRST]
        if move[_REGISTRY] != registry:
            while heap:  # the rest of the previous registry's serials
                while heap and heap[0][1] < position:
                    pop(heap)
                if not heap:
                    break
                _, last, top = heap[0]
                yield top, position, last
                position = last + 1
            registry = move[_REGISTRY]
            position = first
        else:
            until = first - 1
            while heap:  # the serials before this move's
                while heap and heap[0][1] < position:
                    pop(heap)
                if not heap or position > until:
                    break
                _, last, top = heap[0]
                end = last if last < until else until
                yield top, position, end
                position = end + 1
            if position < first:
                position = first
        push(heap, (-move[_ID], move[_SERIAL_LAST], move))
    while heap:
        while heap and heap[0][1] < position:
            pop(heap)
        if not heap:
            break
        _, last, top = heap[0]
        yield top, position, last
        position = last + 1


def holdings_at(moves: Iterable[Any], account_ids: set[int]) -> Iterator[dict[str, Any]]:
    """The ITMO ranges held in `account_ids` after the given moves (`MOVE_COLUMNS`): per
    serial, the latest move decides where it is; ranges ending in the Party's accounts as ITMOs
    are held. Contiguous ranges with equal attributes are merged. Rows are snapshot rows
    (store columns)."""
    itmo = UnitState.ITMO.value
    pending: list[Any] | None = None  # origin, first, last, underlying, attributes

    def row(piece: list[Any]) -> dict[str, Any]:
        origin, first, last, underlying, attributes = piece
        return {
            "origin_registry_id": origin,
            "serial_first": first,
            "serial_last": last,
            "underlying_first": underlying,
            **dict(zip(SNAPSHOT_COLUMNS, attributes, strict=True)),
        }

    for move, first, last in latest_moves(moves):
        if move[_DESTINATION] not in account_ids or move[_TO_STATE] != itmo:
            continue
        underlying = move[_UNDERLYING_FIRST]
        if underlying is not None:
            underlying += first - move[_SERIAL_FIRST]
        attributes = tuple(move[_ATTRIBUTES])
        if (
            pending is not None
            and pending[4] == attributes
            and _continues(pending, move[_REGISTRY], first, underlying)
        ):
            pending[2] = last
            continue
        if pending is not None:
            yield row(pending)
        pending = [move[_REGISTRY], first, last, underlying, attributes]
    if pending is not None:
        yield row(pending)


def _continues(piece: list[Any], origin: str, first: int, underlying: int | None) -> bool:
    """A held segment continues the previous piece: same origin, contiguous serials and
    underlying units."""
    if piece[0] != origin or piece[2] + 1 != first:
        return False
    if piece[3] is None or underlying is None:
        return piece[3] is None and underlying is None
    return bool(piece[3] + (piece[2] - piece[1] + 1) == underlying)


def holding_rows(snapshot: Iterable[Any], registry_id: str) -> Iterator[Cells]:
    """Table 4 from the stored snapshot rows; the registry is the one holding the ITMOs."""
    spec = TABLE[4]
    for row in snapshot:
        quantity = row.serial_last - row.serial_first + 1
        ghg = row.metric == Metric.GHG
        if ghg:
            non_ghg_quantity = NA
        else:
            per_unit = Decimal(row.non_ghg_per_unit) if row.non_ghg_per_unit else Decimal(0)
            non_ghg_quantity = str((per_unit * quantity).normalize())
        underlying = row.underlying_first
        yield cells(
            spec,
            {
                "cooperative_approach_id": row.cooperative_approach_id,
                "authorization_id": row.authorization_id,
                "first_transferring_party": row.first_transferring_party,
                "registry_id": registry_id,
                "first_id": row.serial_first,
                "last_id": row.serial_last,
                "underlying_registry": row.underlying_registry or NA,
                "first_unit_id": NA if underlying is None else underlying,
                "last_unit_id": NA if underlying is None else underlying + quantity - 1,
                "metric": row.metric,
                "gwp_values": row.gwp_values,
                "non_ghg_metric": NA if ghg else row.non_ghg_metric,
                "quantity": quantity,
                "non_ghg_quantity": non_ghg_quantity,
                "mitigation_type": row.mitigation_type,
                "vintage": row.vintage,
            },
        )


# Table 5 ----------------------------------------------------------------------------------


def entity_rows(rows: Iterable[Any], until: datetime) -> Iterator[Cells]:
    """One row per authorized entity and cooperative approach. Field 8 gives the entity's
    registry ID (the one Tables 2 and 3 use) and any suspension or revocation recorded by the
    end of the year."""
    for row in rows:
        info = [f"Registry ID {row.identifier}."]
        if row.additional_information:
            info.append(row.additional_information)
        changed = row.status_changed_at
        if changed is not None and changed.tzinfo is None:
            changed = changed.replace(tzinfo=UTC)
        if row.status != "active" and changed is not None and changed <= until:
            info.append(f"Authorization {row.status} on {aef_date(changed)}.")
        yield cells(
            TABLE[5],
            {
                "date_of_authorization": aef_date(row.date_of_authorization),
                "name": row.name,
                "country_of_incorporation": row.country_of_incorporation,
                "identification_number": row.identification_number,
                "cooperative_approach_id": row.cooperative_approach_id,
                "conditions": row.conditions,
                "change_and_revocation_conditions": row.change_and_revocation_conditions,
                "additional_information": " ".join(info) or None,
            },
        )
