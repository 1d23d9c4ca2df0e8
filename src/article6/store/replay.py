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
    accounts,
    holdings,
    journal,
    transaction_blocks,
    transactions,
    unit_blocks,
)

PAGE = 20_000
PENDING = ("awaiting_approval", "proposed", "checked")
RESERVING_EVENTS = ("TransactionAwaitingApproval", "ExternalTransferProposed")
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


def _attributes(row: Any) -> tuple[Any, ...]:
    return tuple(getattr(row, column) for column in ATTRIBUTE_COLUMNS)


def _offset(row: Any) -> int | None:
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
            attributes=_attributes(row),
            underlying_offset=_offset(row),
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


def _live(
    connection: Connection, registry: str, unknown: dict[int, tuple[int, int]]
) -> Iterator[Span]:
    """The live blocks of one registry in serial order, keyset-paged."""
    last = 0
    query = (
        select(unit_blocks)
        .where(unit_blocks.c.registry_id == registry)
        .order_by(unit_blocks.c.serial_first)
        .limit(PAGE)
    )
    while True:
        rows = connection.execute(query.where(unit_blocks.c.serial_first > last)).all()
        for row in rows:
            reserved = row.reserved_by if row.reserved_by not in unknown else None
            yield (
                row.registry_id,
                row.serial_first,
                row.serial_last,
                Lot(
                    account_id=row.account_id,
                    state=row.state,
                    first_transferred=bool(row.first_transferred),
                    reserved_by=reserved,
                    attributes=_attributes(row),
                    underlying_offset=_offset(row),
                ),
            )
        if len(rows) < PAGE:
            return
        last = rows[-1].serial_first


def _registries(connection: Connection, replay: Replay) -> list[str]:
    """Every registry either side knows, in one order both walks follow."""
    live = connection.execute(select(unit_blocks.c.registry_id).distinct()).scalars()
    return sorted(set(live) | set(replay.maps))


_FIELDS = ("account_id", "state", "first_transferred", "reserved_by", "underlying_offset")


def _differing(history: Lot, live: Lot) -> list[str]:
    named = [f for f in _FIELDS if getattr(history, f) != getattr(live, f)]
    named += [
        column
        for column, a, b in zip(ATTRIBUTE_COLUMNS, history.attributes, live.attributes, strict=True)
        if a != b
    ]
    return named


class _Names:
    """Account identifiers for the messages, looked up only for the few accounts named."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def __call__(self, account_id: int | None) -> str:
        if account_id is None:
            return "no account"
        found = self.connection.execute(
            select(accounts.c.identifier).where(accounts.c.id == account_id)
        ).scalar_one_or_none()
        return f"account {found or account_id}"


def compare_blocks(connection: Connection, replay: Replay) -> list[str]:
    """Walk the replayed ranges and the live blocks side by side, range by range; name the
    first ranges where they differ."""
    name = _Names(connection)
    problems: list[str] = []
    registries = _registries(connection, replay)
    ours = (
        (registry, first, last, lot)
        for registry in registries
        for first, last, lot in replay.maps.get(registry, SerialMap()).walk()
    )
    theirs = (
        span
        for registry in registries
        for span in _live(connection, registry, replay.unknown_reservations)
    )
    a = next(ours, None)
    b = next(theirs, None)
    while len(problems) < MOST_DIFFERENCES:
        if a is not None and (b is None or (a[0], a[1]) < (b[0], b[1])):
            end = _until(a, b)
            problems.append(
                f"replay: {a[0]} serials {a[1]}-{end} are in {name(a[3].account_id)} by the "
                f"history, but in no live block"
            )
            a = _advance(a, end, ours)
        elif b is not None and (a is None or (b[0], b[1]) < (a[0], a[1])):
            end = _until(b, a)
            problems.append(
                f"replay: {b[0]} serials {b[1]}-{end} are in {name(b[3].account_id)} in the "
                f"live blocks, but the history holds them nowhere"
            )
            b = _advance(b, end, theirs)
        elif a is not None and b is not None:  # the same registry, from the same serial
            end = min(a[2], b[2])
            if a[3] != b[3]:
                fields = ", ".join(_differing(a[3], b[3]))
                problems.append(
                    f"replay: {a[0]} serials {a[1]}-{end}: the history puts them in "
                    f"{name(a[3].account_id)} ({a[3].state}), the live blocks in "
                    f"{name(b[3].account_id)} ({b[3].state}); differing: {fields}"
                )
            a = _advance(a, end, ours)
            b = _advance(b, end, theirs)
        else:
            break
    return problems


def _until(x: Span, y: Span | None) -> int:
    """The last serial of `x` before `y` starts (`x` starts first)."""
    if y is None or y[0] != x[0]:
        return x[2]
    return min(x[2], y[1] - 1)


def _advance(item: Span, end: int, rest: Iterator[Span]) -> Span | None:
    """What is left of `item` after `end`, or the next item."""
    if item[2] > end:
        return (item[0], end + 1, item[2], item[3])
    return next(rest, None)


def compare_holdings(connection: Connection, replay: Replay) -> list[str]:
    """Each account's quantity and reserved part, summed from the replayed ranges."""
    totals: dict[int, list[int]] = {}
    for serials in replay.maps.values():
        for first, last, lot in serials.walk():
            total = totals.setdefault(lot.account_id, [0, 0])
            total[0] += last - first + 1
            if lot.reserved_by is not None:
                total[1] += last - first + 1
    for source, quantity in replay.unknown_reservations.values():
        totals.setdefault(source, [0, 0])[1] += quantity
    name = _Names(connection)
    problems = []
    seen = set()
    for row in connection.execute(select(holdings).order_by(holdings.c.account_id)):
        seen.add(row.account_id)
        quantity, reserved = totals.get(row.account_id, [0, 0])
        if (int(row.quantity), int(row.reserved)) != (quantity, reserved):
            problems.append(
                f"replay: {name(row.account_id)} holds {row.quantity} (reserved "
                f"{row.reserved}) but the history gives {quantity} (reserved {reserved})"
            )
    problems += [
        f"replay: {name(account)} has {total[0]} units by the history but no holding"
        for account, total in totals.items()
        if account not in seen and total != [0, 0]
    ]
    return problems[:MOST_DIFFERENCES]


def replay(connection: Connection) -> list[str]:
    """Rebuild blocks and holdings from the history; say where they differ from the live
    tables (an empty list means they agree)."""
    rebuilt = rebuild(connection)
    return (
        rebuilt.problems[:MOST_DIFFERENCES]
        + compare_blocks(connection, rebuilt)
        + compare_holdings(connection, rebuilt)
    )
