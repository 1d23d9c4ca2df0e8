"""The append-only, hash-chained journal of every state change.

Each entry's hash covers its own content and the previous entry's hash, so changing or removing
any entry breaks every hash after it. The head row is the single lock that orders entries.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select, update

from article6.store.schema import journal, journal_head

GENESIS = "0" * 64


def canonical(body: Any) -> str:
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str, ensure_ascii=False)


def utc_text(moment: datetime) -> str:
    """One rendering of an instant whatever the driver returns (naive UTC or aware)."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment.isoformat(timespec="microseconds")


def entry_hash(
    previous_hash: str,
    seq: int,
    recorded_at: datetime,
    actor: str,
    event: str,
    party: str | None,
    subject: str | None,
    body_text: str,
) -> str:
    material = canonical(
        [previous_hash, seq, utc_text(recorded_at), actor, event, party, subject, body_text]
    )
    return hashlib.sha256(material.encode()).hexdigest()


@dataclass(frozen=True)
class JournalEntry:
    seq: int
    hash: str


_ADVANCE_HEAD = (
    update(journal_head)
    .where(journal_head.c.id == 1)
    .values(seq=journal_head.c.seq + 1)
    .returning(journal_head.c.seq, journal_head.c.hash)
)
_INSERT_ENTRY = journal.insert()
_SEAL_HEAD = update(journal_head).where(journal_head.c.id == 1).values(hash=bindparam("digest"))
_INSERT_AND_SEAL = _SEAL_HEAD.add_cte(
    journal.insert()
    .values({column: bindparam(f"entry_{column.name}") for column in journal.c})
    .cte("entry")
)


def append(
    connection: Connection,
    *,
    actor: str,
    event: str,
    party: str | None,
    subject: str | None,
    body: dict[str, Any],
    at: datetime,
) -> JournalEntry:
    """Chain an entry onto the head. The head row stays locked until commit, so callers append
    as the last thing before committing: every command waits on this one row.

    Advancing the head takes its lock and reads the previous hash in one round trip; on
    PostgreSQL the entry and the new head hash are then written in one more."""
    body_text = canonical(body)
    head = connection.execute(_ADVANCE_HEAD).one()
    seq, previous = int(head.seq), str(head.hash)
    digest = entry_hash(previous, seq, at, actor, event, party, subject, body_text)
    entry = {
        "seq": seq,
        "recorded_at": at,
        "actor": actor,
        "event": event,
        "party_code": party,
        "subject": subject,
        "body": body_text,
        "previous_hash": previous,
        "hash": digest,
    }
    if connection.dialect.name == "postgresql":
        connection.execute(
            _INSERT_AND_SEAL,
            {"digest": digest, **{f"entry_{key}": value for key, value in entry.items()}},
        )
    else:
        connection.execute(_INSERT_ENTRY, entry)
        connection.execute(_SEAL_HEAD, {"digest": digest})
    return JournalEntry(seq, digest)


def verify_chain(connection: Connection, batch: int = 5000) -> list[str]:
    """Recompute every hash in order; return a sentence per break found."""
    problems: list[str] = []
    previous = GENESIS
    expected_seq = 1
    last_seq = 0
    while True:
        rows = connection.execute(
            select(journal).where(journal.c.seq > last_seq).order_by(journal.c.seq).limit(batch)
        ).all()
        if not rows:
            break
        for row in rows:
            if row.seq != expected_seq:
                problems.append(f"journal entry {expected_seq} is missing (next is {row.seq})")
            if row.previous_hash != previous:
                problems.append(f"journal entry {row.seq} does not chain to the entry before it")
            digest = entry_hash(
                row.previous_hash,
                row.seq,
                row.recorded_at,
                row.actor,
                row.event,
                row.party_code,
                row.subject,
                row.body,
            )
            if digest != row.hash:
                problems.append(f"journal entry {row.seq} was altered (hash mismatch)")
            previous = row.hash
            expected_seq = row.seq + 1
            last_seq = row.seq
    head = connection.execute(select(journal_head.c.seq, journal_head.c.hash)).one()
    if head.seq != last_seq or head.hash != previous:
        problems.append(f"the journal head ({head.seq}) does not match the last entry ({last_seq})")
    return problems
