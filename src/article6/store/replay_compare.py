"""Replay's comparison: the blocks and holdings rebuilt from the history (`store.replay`)
walked beside the live tables, range by range and account by account, naming the first accounts
and serial ranges where they differ."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import Connection, select

from article6.store.block_rows import ATTRIBUTE_COLUMNS
from article6.store.replay import (
    MOST_DIFFERENCES,
    PAGE,
    Lot,
    Replay,
    SerialMap,
    Span,
    attributes_of,
    offset_of,
    rebuild,
)
from article6.store.schema import accounts, holdings, unit_blocks


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
                    attributes=attributes_of(row),
                    underlying_offset=offset_of(row),
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
