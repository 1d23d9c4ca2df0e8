"""Pages of the journal in order (keyset on seq): the whole registry's or one Party section's,
filtered by event, subject, Party, actor and time; and one entry by its place."""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime

from sqlalchemy import Connection, or_, select

from article6.domain.filters import JournalFilter
from article6.store.schema import journal


@dataclass(frozen=True)
class SealedEntry:
    """A journal entry as the chain holds it: its place, what it says and its hashes."""

    seq: int
    recorded_at: datetime
    actor: str
    event: str
    party_code: str | None
    subject: str | None
    body: str
    previous_hash: str
    hash: str


_ENTRY = select(*(journal.c[f.name] for f in fields(SealedEntry)))


def entries_page(
    connection: Connection,
    party: str | None,
    where: JournalFilter,
    *,
    after: int | None,
    limit: int,
) -> list[SealedEntry]:
    """Up to `limit` + 1 entries in order (with `party`, only that section's): the extra row
    tells whether a next page exists."""
    query = _ENTRY
    if party is not None:
        query = query.where(journal.c.party_code == party)
    if after is not None:
        query = query.where(journal.c.seq > after)
    if where.event is not None:
        query = query.where(journal.c.event == where.event)
    if where.subject is not None:
        query = query.where(journal.c.subject == where.subject)
    if where.party is not None:
        query = query.where(journal.c.party_code == where.party)
    if where.actor is not None:
        # An entry names its actor as `name (role, scope)`: the user, in whatever role.
        query = query.where(
            or_(
                journal.c.actor == where.actor,
                journal.c.actor.startswith(f"{where.actor} (", autoescape=True),
            )
        )
    if where.since is not None:
        query = query.where(journal.c.recorded_at >= where.since)
    if where.until is not None:
        query = query.where(journal.c.recorded_at < where.until)
    rows = connection.execute(query.order_by(journal.c.seq).limit(limit + 1))
    return [SealedEntry(*row) for row in rows]


def entry_at(connection: Connection, seq: int) -> SealedEntry | None:
    row = connection.execute(_ENTRY.where(journal.c.seq == seq)).first()
    return None if row is None else SealedEntry(*row)
