"""The Article 6.4 mechanism registry's side of pull and view: what it holds of the authorized
A6.4ERs a query selects, and every action on their serials, as the answer it will sign.

It answers within the query's own scope: the Party named (its authorizations only) or, for
the IR's registry-wide query, every authorization. A page (1.2) holds at most `limit` blocks,
after the query's cursor, and names the next cursor when more may follow. Its history is never
cut at `limit` (1.4): it is every action on the page's serials (`domain.pull_pages`), and the
page holds fewer blocks when that keeps its history within `limit` actions, so that a peer of
1.2 or 1.3, which counts the history against `limit`, still takes it. Its first block always
comes whole with its history, up to the protocol's bound, beyond which the page says its
history was cut short rather than let it pass for the whole.
"""

from __future__ import annotations

from bisect import bisect_left
from datetime import datetime
from typing import Any

from sqlalchemy import Connection

from article6.domain.messages import (
    A64ERAction,
    AttestedHoldings,
    HeldA64ER,
    MechanismHoldingsQuery,
    QueryBy,
)
from article6.domain.pull_pages import (
    HISTORY_BOUND,
    Window,
    cursor_serial,
    next_cursor,
    serial_window,
    touching,
)
from article6.store import mechanism_holdings
from article6.store.database import aware


def attested_holdings(
    connection: Connection, registry_id: str, query: MechanismHoldingsQuery, now: datetime
) -> AttestedHoldings:
    """The answer to `query` as this registry's ledger stands now."""
    by_serial = query.by is QueryBy.SERIAL
    first, last = (query.first, query.last) if by_serial else (None, None)
    blocks = mechanism_holdings.authorized_blocks(
        connection,
        party=query.party,
        account=query.account if query.by is QueryBy.ACCOUNT else None,
        first=first,
        last=last,
        authorization_id=(query.authorization_id if query.by is QueryBy.AUTHORIZATION else None),
        limit=query.limit,
        after=cursor_serial(query.cursor),
    )
    more = len(blocks) == query.limit
    kept, found = len(blocks), []
    while True:  # fewer blocks while their history passes the bound; the first always
        found = mechanism_holdings.actions_on(
            connection, _window(query, blocks, kept, more), query.party, HISTORY_BOUND + 1
        )
        if len(found) <= HISTORY_BOUND or kept <= 1:
            break
        kept = max(1, kept // 2)
    truncated = len(found) > HISTORY_BOUND
    if not truncated:
        kept = _within_limit(query, blocks, kept, more, found)
    meets = touching(_window(query, blocks, kept, more))
    following = next_cursor(blocks[kept - 1].serial_last if kept < len(blocks) or more else None)
    return AttestedHoldings(
        mechanism_registry=registry_id,
        addressee=query.requesting_registry,
        query=query,
        answered_at=now,
        holdings=[_held(b, first, last) for b in blocks[:kept]],
        history=[_action(a) for a in found[:HISTORY_BOUND] if meets(a.serial_first, a.serial_last)],
        next_cursor=following if blocks else None,
        history_truncated=True if truncated else None,
    )


def _window(query: MechanismHoldingsQuery, blocks: list[Any], kept: int, more: bool) -> Window:
    """The serials of a page of the first `kept` blocks (`more`: blocks may follow them)."""
    if query.by is QueryBy.SERIAL:
        followed = kept < len(blocks) or more
        return serial_window(query, blocks[kept - 1].serial_last if followed and kept else None)
    return [(b.serial_first, b.serial_last) for b in blocks[:kept]]


def _within_limit(
    query: MechanismHoldingsQuery, blocks: list[Any], kept: int, more: bool, found: list[Any]
) -> int:
    """The most blocks, one at least, whose page's history is `limit` actions at most: each
    action counts from the first page size whose window it touches."""
    if kept <= 1 or len(found) <= query.limit:
        return kept
    if query.by is QueryBy.SERIAL:
        ends = [_window(query, blocks, size, more)[-1][1] for size in range(1, kept + 1)]
        entries = [bisect_left(ends, a.serial_first) + 1 for a in found]
    else:
        lasts = [b.serial_last for b in blocks[:kept]]
        entries = [bisect_left(lasts, a.serial_first) + 1 for a in found]
    counted = [0] * (kept + 2)
    for entry in entries:
        counted[min(entry, kept + 1)] += 1
    size, total = 1, counted[0] + counted[1]
    while size < kept and total + counted[size + 1] <= query.limit:
        size += 1
        total += counted[size]
    return size


def _held(block: Any, first: int | None, last: int | None) -> HeldA64ER:
    return HeldA64ER(
        first=max(block.serial_first, first or block.serial_first),
        last=min(block.serial_last, last or block.serial_last),
        account=block.account,
        account_kind=block.account_kind,
        party=block.account_party,
        host_party=block.first_transferring_party,
        state=block.state,
        vintage=block.vintage,
        mitigation_activity=block.mitigation_activity,
        authorization_id=block.authorization_id,
        authorization_version=block.authorization_version,
        first_transferred=block.first_transferred,
    )


def _action(action: Any) -> A64ERAction:
    return A64ERAction(
        transaction_id=action.identifier,
        kind=action.kind,
        subtype=action.mechanism_subtype,
        status=action.status,
        at=aware(action.finished_at or action.created_at),
        first=action.serial_first,
        last=action.serial_last,
        from_state=action.from_state,
        to_state=action.to_state,
        source_account=action.source_account,
        destination_account=action.destination_account,
        authorization_id=action.authorization_id,
    )
