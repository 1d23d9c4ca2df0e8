"""Where a page of a pull starts and ends (protocol 1.2 cursors) and which serials it covers
(1.4: the serials whose whole history it carries), the same on both sides: the 6.4 registry
chooses a page by these rules and the asking registry checks the page by them."""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Sequence

from article6.domain.messages import AttestedHoldings, MechanismHoldingsQuery, QueryBy

HISTORY_BOUND = 5000
"""Actions a page lists at most (1.4): a page is cut to fewer blocks to keep its whole history
within `limit` actions, but its first block always comes with its history, up to this bound;
beyond it the page says its history was cut short (`history_truncated`)."""

Window = list[tuple[int, int]]
"""The serial ranges of a page, lowest first."""


def cursor_serial(cursor: str | None) -> int | None:
    """The serial a page continues after (`s<serial>`, 1.2); None for a first page."""
    return int(cursor[1:]) if cursor else None


def next_cursor(last_serial: int | None) -> str | None:
    """The cursor of the page after one that ends at `last_serial` (None: it was the last)."""
    return None if last_serial is None else f"s{last_serial}"


def serial_window(query: MechanismHoldingsQuery, end: int | None) -> Window:
    """A query by serial covers its range from after its cursor up to `end` (a page followed
    by another ends at its last block; the last page at the query's last serial)."""
    if query.first is None or query.last is None:
        return []
    after = cursor_serial(query.cursor)
    start = max(query.first, after + 1) if after is not None else query.first
    stop = min(query.last, end) if end is not None else query.last
    return [(start, stop)] if start <= stop else []


def page_window(query: MechanismHoldingsQuery, attested: AttestedHoldings) -> Window:
    """The serials a page covers: for a query by serial, its range up to the next cursor;
    otherwise the ranges the page holds."""
    if query.by is QueryBy.SERIAL:
        return serial_window(query, cursor_serial(attested.next_cursor))
    return sorted((h.first, h.last) for h in attested.holdings)


def touching(window: Sequence[tuple[int, int]]) -> Callable[[int, int], bool]:
    """Whether serials `first`–`last` meet the window (sorted, disjoint ranges)."""
    lasts = [last for _first, last in window]

    def meets(first: int, last: int) -> bool:
        at = bisect_left(lasts, first)
        return at < len(window) and window[at][0] <= last

    return meets
