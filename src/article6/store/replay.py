"""Replay: rebuild every account's blocks and holdings from the history and compare them with
the live tables.

The other invariants compare the live tables with each other, so a database administrator who
moves a block (`UPDATE unit_blocks SET account_id = …`) and adjusts `holdings` to match passes
them. Replay reads only what is appended: the moved ranges of every transaction (in the order
they were written, which follows commit order for any one range: every change of a block happens
under its account's holdings lock), each joined with its transaction for the destination
account, and, for a transaction still pending, the ranges its journal entry says it reserved.

What the history does not hold, and replay therefore does not check: the mitigation activity
(a descriptive element not copied into the moved ranges; the issuance's journal entry names
it), and the exact ranges a pending transaction reserved when its journal entry predates their
recording (then the reserved quantity of the transaction row stands in for them).

Memory is bounded by the number of live ranges, not the length of history: the state is one
interval map per registry keyed by serial range, updated range by range as the history streams
past in keyset pages.
"""

from __future__ import annotations

import json
from bisect import bisect_right
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy import Connection, and_, select

from article6.store.block_rows import ATTRIBUTE_COLUMNS
from article6.store.schema import (
    journal,
    transaction_blocks,
    transactions,
)

PAGE = 20_000
PENDING = ("awaiting_approval", "awaiting_acceptance", "proposed", "checked")
RESERVING_EVENTS = (
    "TransactionAwaitingApproval",
    "TransferAwaitingAcceptance",
    "ExternalTransferProposed",
)
LEFT_THE_REGISTRY = "external_transfer"
ARRIVES_FIRST_TRANSFERRED = "acquisition"
MOST_DIFFERENCES = 10


@dataclass(frozen=True, slots=True)
class Lot:
    """What every serial of a range is: where it is, in which state, with which attributes.
    The underlying serial is kept as an offset from the serial, so a split changes nothing."""

    account_id: int
    state: str
    first_transferred: bool
    reserved_by: int | None
    attributes: tuple[Any, ...]
    underlying_offset: int | None


Span = tuple[str, int, int, Lot]  # registry, first serial, last serial, what they are


class SerialMap:
    """Disjoint serial ranges of one registry, each with its lot; adjacent equal lots merge."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ranges: dict[int, tuple[int, Lot]] = {}

    def __len__(self) -> int:
        return len(self.starts)

    def pieces(self, first: int, last: int) -> list[tuple[int, int, Lot]]:
        """The held parts of [first, last], clipped to it, in serial order."""
        found = []
        index = max(bisect_right(self.starts, first) - 1, 0)
        while index < len(self.starts) and self.starts[index] <= last:
            start = self.starts[index]
            end, lot = self.ranges[start]
            if end >= first:
                found.append((max(start, first), min(end, last), lot))
            index += 1
        return found

    def assign(self, first: int, last: int, lot: Lot | None) -> None:
        """Make [first, last] hold `lot` (or nothing), trimming what was there.

        A range replaced exactly (the usual move of a whole block) changes no list position:
        only splits and merges shift the sorted list of starts."""
        starts, ranges = self.starts, self.ranges
        index = max(bisect_right(starts, first) - 1, 0)
        inside: list[int] = []  # positions of the starts within [first, last], contiguous
        tail: tuple[int, Lot] | None = None  # what is left after `last` of the last range
        while index < len(starts) and starts[index] <= last:
            start = starts[index]
            end, old = ranges[start]
            if end >= first:
                if start < first:
                    ranges[start] = (first - 1, old)
                else:
                    inside.append(index)
                if end > last:
                    tail = (end, old)
            index += 1
        present = bool(inside) and starts[inside[0]] == first
        doomed = inside[1:] if present and lot is not None else inside
        for position in doomed:
            del ranges[starts[position]]
        if doomed:
            del starts[doomed[0] : doomed[-1] + 1]
        if tail is not None:
            self._put(last + 1, tail[0], tail[1])
        if lot is None:
            return
        before = self._ending_at(first - 1)
        after = ranges.get(last + 1)
        if after is not None and after[1] == lot:
            self._drop(last + 1)
            last = after[0]
        if before is not None and before[1] == lot:
            if present:
                self._drop(first)
            ranges[before[0]] = (last, lot)
        elif present:
            ranges[first] = (last, lot)
        else:
            self._put(first, last, lot)

    def _ending_at(self, serial: int) -> tuple[int, Lot] | None:
        index = bisect_right(self.starts, serial) - 1
        if index < 0:
            return None
        start = self.starts[index]
        end, lot = self.ranges[start]
        return (start, lot) if end == serial else None

    def _put(self, first: int, last: int, lot: Lot) -> None:
        index = bisect_right(self.starts, first)
        self.starts.insert(index, first)
        self.ranges[first] = (last, lot)

    def _drop(self, start: int) -> None:
        index = bisect_right(self.starts, start) - 1
        del self.starts[index]
        del self.ranges[start]

    def walk(self) -> Iterator[tuple[int, int, Lot]]:
        for start in self.starts:
            end, lot = self.ranges[start]
            yield start, end, lot


def attributes_of(row: Any) -> tuple[Any, ...]:
    return tuple(getattr(row, column) for column in ATTRIBUTE_COLUMNS)


def offset_of(row: Any) -> int | None:
    return None if row.underlying_first is None else int(row.underlying_first) - row.serial_first


_MOVED = (
    select(
        transaction_blocks,
        transactions.c.identifier,
        transactions.c.kind,
        transactions.c.destination_account_id,
    )
    .select_from(transaction_blocks.join(transactions))
    .order_by(transaction_blocks.c.id)
    .limit(PAGE)
)


def _moved_ranges(connection: Connection) -> Iterator[Any]:
    last = 0
    while True:
        rows = connection.execute(_MOVED.where(transaction_blocks.c.id > last)).all()
        yield from rows
        if len(rows) < PAGE:
            return
        last = rows[-1].id


@dataclass
class Replay:
    maps: dict[str, SerialMap]
    problems: list[str]
    unknown_reservations: dict[int, tuple[int, int]]  # transaction id -> (source, quantity)


def rebuild(connection: Connection) -> Replay:
    """Replay every moved range, then the reservations of the transactions still pending."""
    maps: dict[str, SerialMap] = {}
    problems: list[str] = []
    for row in _moved_ranges(connection):
        serials = maps.setdefault(row.registry_id, SerialMap())
        held = serials.pieces(row.serial_first, row.serial_last)
        if row.from_state is not None:
            if sum(b - a + 1 for a, b, _ in held) != row.serial_last - row.serial_first + 1:
                problems.append(
                    f"replay: {row.identifier} moves {row.registry_id} serials "
                    f"{row.serial_first}-{row.serial_last}, which the history does not hold"
                )
            elif any(lot.state != row.from_state for _, _, lot in held):
                problems.append(
                    f"replay: {row.identifier} moves {row.registry_id} serials "
                    f"{row.serial_first}-{row.serial_last} from {row.from_state}, but the "
                    f"history has them in another state"
                )
        if row.kind == LEFT_THE_REGISTRY:
            serials.assign(row.serial_first, row.serial_last, None)
            continue
        flagged = (
            row.first_transfer_subtype is not None
            or row.kind == ARRIVES_FIRST_TRANSFERRED
            or any(lot.first_transferred for _, _, lot in held)
        )
        lot = Lot(
            account_id=row.destination_account_id,
            state=row.to_state,
            first_transferred=flagged,
            reserved_by=None,
            attributes=attributes_of(row),
            underlying_offset=offset_of(row),
        )
        serials.assign(row.serial_first, row.serial_last, lot)
    unknown = _reserve(connection, maps, problems)
    return Replay(maps, problems, unknown)


def _reserve(
    connection: Connection, maps: dict[str, SerialMap], problems: list[str]
) -> dict[int, tuple[int, int]]:
    """Mark the ranges each pending transaction reserved, as its latest reserving journal
    entry records them. A transaction whose entries record no ranges is returned, with its
    source account and quantity, so the comparison can stand its quantity in for them."""
    unknown: dict[int, tuple[int, int]] = {}
    pending = connection.execute(
        select(
            transactions.c.id,
            transactions.c.identifier,
            transactions.c.source_account_id,
            transactions.c.quantity,
        )
        .where(transactions.c.status.in_(PENDING))
        .order_by(transactions.c.id)
    ).all()
    for transaction in pending:
        bodies = connection.execute(
            select(journal.c.body)
            .where(
                and_(
                    journal.c.subject == transaction.identifier,
                    journal.c.event.in_(RESERVING_EVENTS),
                )
            )
            .order_by(journal.c.seq.desc())
        ).scalars()
        ranges = next((r for r in (json.loads(b).get("ranges") for b in bodies) if r), None)
        if ranges is None:
            unknown[transaction.id] = (transaction.source_account_id, transaction.quantity)
            continue
        for registry, first, last, *_ in ranges:
            serials = maps.setdefault(registry, SerialMap())
            held = serials.pieces(first, last)
            if sum(b - a + 1 for a, b, _ in held) != last - first + 1:
                problems.append(
                    f"replay: {transaction.identifier} reserves {registry} serials "
                    f"{first}-{last}, which the history does not hold"
                )
            for a, b, lot in held:
                serials.assign(a, b, replace(lot, reserved_by=transaction.id))
    return unknown
