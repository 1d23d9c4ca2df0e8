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
    if isinstance(value, datetime):
        value = (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC)
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
    """The Table 3 fields of one action on one moved range, by field key."""
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
        action_date=aef_date(moved.finished_at),
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
        additional_information=f"Registry transaction {moved.transaction}",
    )
    return values


@dataclass
class Piece:
    """A range with its constant fields, merged with contiguous neighbours before output."""

    origin: str
    first: int
    last: int
    underlying_first: int | None
    per_unit: str | None
    values: dict[str, Any]

    def joins(self, other: Piece) -> bool:
        return (
            self.origin == other.origin
            and self.last + 1 == other.first
            and self.per_unit == other.per_unit
            and self.values == other.values
            and (
                (self.underlying_first is None and other.underlying_first is None)
                or (
                    self.underlying_first is not None
                    and other.underlying_first is not None
                    and self.underlying_first + (self.last - self.first + 1)
                    == other.underlying_first
                )
            )
        )

    def finished(self, spec: TableSpec) -> Cells:
        quantity = self.last - self.first + 1
        values = dict(self.values)
        values.update(first_id=self.first, last_id=self.last, quantity=quantity)
        if self.underlying_first is None:
            values.update(first_unit_id=NA, last_unit_id=NA)
        else:
            values.update(
                first_unit_id=self.underlying_first,
                last_unit_id=self.underlying_first + quantity - 1,
            )
        if values.get("metric") == Metric.GHG:
            values["non_ghg_quantity"] = NA
        else:
            per_unit = Decimal(self.per_unit) if self.per_unit else Decimal(0)
            values["non_ghg_quantity"] = str((per_unit * quantity).normalize())
        return cells(spec, values)


def merged(pieces: Iterable[Piece], spec: TableSpec) -> Iterator[Cells]:
    pending: Piece | None = None
    for piece in pieces:
        if pending is not None and pending.joins(piece):
            pending.last = piece.last
            continue
        if pending is not None:
            yield pending.finished(spec)
        pending = piece
    if pending is not None:
        yield pending.finished(spec)


def _transactions(moved: Iterable[Any]) -> Iterator[list[Any]]:
    """Consecutive moved ranges of one transaction, together (at most the per-transaction block
    limit, so memory stays bounded)."""
    group: list[Any] = []
    for row in moved:
        if group and group[-1].transaction_id != row.transaction_id:
            yield group
            group = []
        group.append(row)
    if group:
        yield group


def action_rows(moved: Iterable[Any], party: str, registry_id: str) -> Iterator[Cells]:
    """Table 3 from the moved ranges of completed transactions, in completion order; within a
    transaction, each action's ranges in serial order, contiguous equal ranges merged."""
    spec = TABLE[3]
    for group in _transactions(moved):
        slots: dict[int, list[Piece]] = {}
        for row in sorted(group, key=lambda r: (r.registry_id, r.serial_first)):
            for slot, (action, subtype) in enumerate(actions_of(row, party)):
                slots.setdefault(slot, []).append(
                    Piece(
                        row.registry_id,
                        row.serial_first,
                        row.serial_last,
                        row.underlying_first,
                        row.non_ghg_per_unit,
                        action_values(row, party, registry_id, action, subtype),
                    )
                )
        for slot in sorted(slots):
            yield from merged(slots[slot], spec)


# Table 4 ----------------------------------------------------------------------------------


def latest_moves(moves: Iterable[Any]) -> Iterator[tuple[Any, int, int]]:
    """Split serial space into segments and give, for each, the latest move covering it.

    `moves` come ordered by (registry_id, serial_first); a move's recency is its `id` (moved
    ranges are recorded when their transaction completes). A sweep with a heap of the moves
    covering the current serial yields (move, first, last) segments; memory is bounded by how
    many moves overlap at one serial, not by how many there are.
    """
    heap: list[tuple[int, int, Any]] = []
    registry: str | None = None
    position = 0

    def flush(until: int | None) -> Iterator[tuple[Any, int, int]]:
        nonlocal position
        while heap:
            while heap and heap[0][1] < position:
                heapq.heappop(heap)
            if not heap or (until is not None and position > until):
                return
            _, last, move = heap[0]
            end = last if until is None else min(last, until)
            yield move, position, end
            position = end + 1

    for move in moves:
        if move.registry_id != registry:
            yield from flush(None)
            heap.clear()
            registry = move.registry_id
            position = move.serial_first
        yield from flush(move.serial_first - 1)
        position = max(position, move.serial_first)
        heapq.heappush(heap, (-move.id, move.serial_last, move))
    yield from flush(None)


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


def holdings_at(moves: Iterable[Any], account_ids: set[int]) -> Iterator[dict[str, Any]]:
    """The ITMO ranges held in `account_ids` after the given moves: per serial, the latest move
    decides where it is; ranges ending in the Party's accounts as ITMOs are held. Contiguous
    ranges with equal attributes are merged. Rows are snapshot rows (store columns)."""
    pending: dict[str, Any] | None = None
    for move, first, last in latest_moves(moves):
        if move.destination_account_id not in account_ids or move.to_state != UnitState.ITMO:
            continue
        underlying = (
            move.underlying_first + (first - move.serial_first)
            if move.underlying_first is not None
            else None
        )
        row = {
            "origin_registry_id": move.registry_id,
            "serial_first": first,
            "serial_last": last,
            "underlying_first": underlying,
            **{column: getattr(move, column) for column in SNAPSHOT_COLUMNS},
        }
        if pending is not None and _continues(pending, row):
            pending["serial_last"] = last
            continue
        if pending is not None:
            yield pending
        pending = row
    if pending is not None:
        yield pending


def _continues(previous: dict[str, Any], row: dict[str, Any]) -> bool:
    if previous["origin_registry_id"] != row["origin_registry_id"]:
        return False
    if previous["serial_last"] + 1 != row["serial_first"]:
        return False
    if any(previous[c] != row[c] for c in SNAPSHOT_COLUMNS):
        return False
    if previous["underlying_first"] is None or row["underlying_first"] is None:
        return previous["underlying_first"] is row["underlying_first"]
    size = previous["serial_last"] - previous["serial_first"] + 1
    return bool(previous["underlying_first"] + size == row["underlying_first"])


def holding_rows(snapshot: Iterable[Any], registry_id: str) -> Iterator[Cells]:
    """Table 4 from the stored snapshot rows; the registry is the one holding the ITMOs."""
    spec = TABLE[4]
    for row in snapshot:
        piece = Piece(
            row.origin_registry_id,
            row.serial_first,
            row.serial_last,
            row.underlying_first,
            row.non_ghg_per_unit,
            {
                "cooperative_approach_id": row.cooperative_approach_id,
                "authorization_id": row.authorization_id,
                "first_transferring_party": row.first_transferring_party,
                "registry_id": registry_id,
                "underlying_registry": row.underlying_registry or NA,
                "metric": row.metric,
                "gwp_values": row.gwp_values,
                "non_ghg_metric": NA if row.metric == Metric.GHG else row.non_ghg_metric,
                "mitigation_type": row.mitigation_type,
                "vintage": row.vintage,
            },
        )
        yield piece.finished(spec)


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
