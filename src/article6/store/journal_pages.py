"""Pages of the journal in order (keyset on seq): the whole registry's or one Party section's,
filtered by event, subject and time."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select

from article6.store.schema import journal


def entries_after(
    connection: Connection, after_seq: int, limit: int, party: str | None, subject: str | None
) -> Sequence[Row[*tuple[Any, ...]]]:
    """Up to `limit` entries after `after_seq`; with `party`, only that section's."""
    query = select(journal).where(journal.c.seq > after_seq)
    if party is not None:
        query = query.where(journal.c.party_code == party)
    if subject is not None:
        query = query.where(journal.c.subject == subject)
    return connection.execute(query.order_by(journal.c.seq).limit(limit)).all()


def entries_page(
    connection: Connection,
    party: str | None,
    *,
    after: int | None,
    limit: int,
    event: str | None,
    subject: str | None,
    since: datetime | None,
    until: datetime | None,
) -> Sequence[Row[*tuple[Any, ...]]]:
    """Up to `limit` + 1 entries in order: the extra row tells whether a next page exists."""
    query = select(journal)
    if party is not None:
        query = query.where(journal.c.party_code == party)
    if after is not None:
        query = query.where(journal.c.seq > after)
    if event is not None:
        query = query.where(journal.c.event == event)
    if subject is not None:
        query = query.where(journal.c.subject == subject)
    if since is not None:
        query = query.where(journal.c.recorded_at >= since)
    if until is not None:
        query = query.where(journal.c.recorded_at < until)
    return connection.execute(query.order_by(journal.c.seq).limit(limit + 1)).all()
