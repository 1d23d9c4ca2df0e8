"""Pages of the journal in order (keyset on seq): the whole registry's or one Party section's,
filtered by event, subject and time."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, select

from article6.domain.filters import JournalFilter
from article6.store.schema import journal


def entries_page(
    connection: Connection,
    party: str | None,
    where: JournalFilter,
    *,
    after: int | None,
    limit: int,
) -> Sequence[Row[*tuple[Any, ...]]]:
    """Up to `limit` + 1 entries in order (with `party`, only that section's): the extra row
    tells whether a next page exists."""
    query = select(journal)
    if party is not None:
        query = query.where(journal.c.party_code == party)
    if after is not None:
        query = query.where(journal.c.seq > after)
    if where.event is not None:
        query = query.where(journal.c.event == where.event)
    if where.subject is not None:
        query = query.where(journal.c.subject == where.subject)
    if where.since is not None:
        query = query.where(journal.c.recorded_at >= where.since)
    if where.until is not None:
        query = query.where(journal.c.recorded_at < where.until)
    return connection.execute(query.order_by(journal.c.seq).limit(limit + 1)).all()
