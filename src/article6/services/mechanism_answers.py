"""The Article 6.4 mechanism registry's side of pull and view: what it holds of the authorized
A6.4ERs a query selects, and the actions on them, as the answer it will sign.

It answers within the query's own scope: the Party named (its authorizations only) or, for
the IR's registry-wide query, every authorization; never more rows than the query allows. A
page (1.2) holds at most `limit` blocks, after the query's cursor; a full page names the next
cursor, and the history of a page covers the serials of its own window only, so pages never
repeat an action on the same serials.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from article6.domain.mechanism_pulls import cursor_serial, next_cursor
from article6.domain.messages import (
    A64ERAction,
    AttestedHoldings,
    HeldA64ER,
    MechanismHoldingsQuery,
    QueryBy,
)
from article6.store import mechanism_holdings
from article6.store.database import aware


def attested_holdings(
    connection: Connection, registry_id: str, query: MechanismHoldingsQuery, now: datetime
) -> AttestedHoldings:
    """The answer to `query` as this registry's ledger stands now."""
    by_serial = query.by is QueryBy.SERIAL
    first, last = (query.first, query.last) if by_serial else (None, None)
    after = cursor_serial(query.cursor)
    blocks = mechanism_holdings.authorized_blocks(
        connection,
        party=query.party,
        account=query.account if query.by is QueryBy.ACCOUNT else None,
        first=first,
        last=last,
        authorization_id=(query.authorization_id if query.by is QueryBy.AUTHORIZATION else None),
        limit=query.limit,
        after=after,
    )
    following = next_cursor(blocks[-1].serial_last if len(blocks) == query.limit else None)
    held = [
        HeldA64ER(
            first=max(b.serial_first, first or b.serial_first),
            last=min(b.serial_last, last or b.serial_last),
            account=b.account,
            account_kind=b.account_kind,
            party=b.account_party,
            host_party=b.first_transferring_party,
            state=b.state,
            vintage=b.vintage,
            mitigation_activity=b.mitigation_activity,
            authorization_id=b.authorization_id,
            authorization_version=b.authorization_version,
            first_transferred=b.first_transferred,
        )
        for b in blocks
    ]
    if by_serial and first is not None and last is not None:
        start = max(first, after + 1) if after is not None else first
        end = min(last, blocks[-1].serial_last) if following else last
        ranges = [(start, end)] if start <= end else []
    else:
        ranges = [(h.first, h.last) for h in held]
    actions = [
        A64ERAction(
            transaction_id=a.identifier,
            kind=a.kind,
            subtype=a.mechanism_subtype,
            status=a.status,
            at=aware(a.finished_at or a.created_at),
            first=a.serial_first,
            last=a.serial_last,
            from_state=a.from_state,
            to_state=a.to_state,
            source_account=a.source_account,
            destination_account=a.destination_account,
            authorization_id=a.authorization_id,
        )
        for a in mechanism_holdings.actions_on(connection, ranges, query.party, query.limit)
    ]
    return AttestedHoldings(
        mechanism_registry=registry_id,
        addressee=query.requesting_registry,
        query=query,
        answered_at=now,
        holdings=held,
        history=actions,
        next_cursor=following,
    )
