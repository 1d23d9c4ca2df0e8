"""The append-only, hash-chained journal of every state change.

Each entry's hash covers its own content and the previous entry's hash, so changing or removing
any entry breaks every hash after it. The head row orders the chain.

Chaining orders every entry. On SQLite writers are serialised anyway, so a command chains its
entry itself. On PostgreSQL a command that held the head row to its commit would make every
command commit one at a time; there a command writes its entry to `journal_pending` (no shared
row touched) and, once committed, wakes its process's sealer (`store.journal_sealer`), which
chains every committed pending entry off the request path. Sealing holds no lock across a round
trip: the batch is read with the head, hashed, and moved onto the chain by one statement that
does nothing if the head moved meanwhile, so sealers in several processes never wait for one
another's clients. An entry a crash left pending is sealed by any process's next round, at
start-up, or before verification; readers that must see the whole chain seal first.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, select, text, update
from sqlalchemy.engine import Engine

from article6.store import batches
from article6.store.schema import journal, journal_head, journal_pending

GENESIS = "0" * 64
SEAL_BATCH = 2000  # entries chained by one statement
SEAL_ATTEMPTS = 1000  # batches and lost races one call may go through before it gives up
PENDING_FLAG = "article6_journal_pending"


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


_ADVANCE_HEAD = (
    update(journal_head)
    .where(journal_head.c.id == 1)
    .values(seq=journal_head.c.seq + 1)
    .returning(journal_head.c.seq, journal_head.c.hash)
)
_INSERT_ENTRY = journal.insert()
_SEAL_HEAD = update(journal_head).where(journal_head.c.id == 1).values(hash=bindparam("digest"))


def append(
    connection: Connection,
    *,
    actor: str,
    event: str,
    party: str | None,
    subject: str | None,
    body: dict[str, Any],
    at: datetime,
) -> None:
    """Record an entry in the command's transaction: chained now on SQLite, pending until
    the sealer chains it after commit on PostgreSQL (see the module docstring)."""
    entry = {
        "recorded_at": at,
        "actor": actor,
        "event": event,
        "party_code": party,
        "subject": subject,
        "body": canonical(body),
    }
    if connection.dialect.name == "postgresql":
        # With the command's next round trip, in one statement with its other merged writes.
        batches.later(connection, _INSERT_PENDING, entry, merged=True)
        connection.info[PENDING_FLAG] = True
    else:
        _chain(connection, entry)


_INSERT_PENDING = journal_pending.insert().inline()  # no RETURNING: nothing waits for it


def _chain(connection: Connection, entry: dict[str, Any]) -> None:
    """Chain one entry onto the head. The head row stays locked until commit."""
    head = connection.execute(_ADVANCE_HEAD).one()
    seq, previous = int(head.seq), str(head.hash)
    digest = entry_hash(
        previous,
        seq,
        entry["recorded_at"],
        entry["actor"],
        entry["event"],
        entry["party_code"],
        entry["subject"],
        entry["body"],
    )
    connection.execute(
        _INSERT_ENTRY, {**entry, "seq": seq, "previous_hash": previous, "hash": digest}
    )
    connection.execute(_SEAL_HEAD, {"digest": digest})


def seal(engine: Engine) -> int:
    """Chain every entry committed before the call, in the order they were recorded; return
    how many this call chained (others may have chained the rest).

    Safe from any number of threads and processes, and holds no lock across a round trip: the
    batch and the head are read in one statement, hashed here, and moved onto the chain in a
    second statement that does nothing unless the head is still the one read (another sealer
    got there first: read again). Two round trips a batch; one when nothing is pending."""
    if engine.dialect.name != "postgresql":
        return 0
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        return seal_on(connection)


def seal_on(connection: Connection) -> int:
    """`seal` on a connection in autocommit mode: each statement commits on its own."""
    sealed = 0
    waiting: set[int] | None = None  # what was pending at the first read, if it was all read
    for _ in range(SEAL_ATTEMPTS):
        rows = connection.execute(_PENDING_BATCH).all()
        pending = {int(row.id) for row in rows}
        if waiting is None and len(rows) < SEAL_BATCH:
            waiting = pending
        if not rows or (waiting is not None and not waiting & pending):
            return sealed  # everything pending at the start is chained, by us or another
        start_seq, start_hash = int(rows[0].head_seq), str(rows[0].head_hash)
        seq, previous = start_seq, start_hash
        chain = []
        for row in rows:
            seq += 1
            digest = entry_hash(
                previous,
                seq,
                row.recorded_at,
                row.actor,
                row.event,
                row.party_code,
                row.subject,
                row.body,
            )
            chain.append({"id": row.id, "seq": seq, "previous_hash": previous, "hash": digest})
            previous = digest
        moved = connection.execute(
            _MOVE_ONTO_CHAIN,
            {
                "chain": canonical(chain),
                "count": len(chain),
                "from_seq": start_seq,
                "from_hash": start_hash,
                "seq": seq,
                "digest": previous,
            },
        ).scalar_one()
        sealed += int(moved)
        if moved and len(rows) < SEAL_BATCH:
            return sealed
    raise RuntimeError(f"journal: the head moved under {SEAL_ATTEMPTS} sealing attempts in a row")


_PENDING_BATCH = (
    select(
        journal_pending,
        journal_head.c.seq.label("head_seq"),
        journal_head.c.hash.label("head_hash"),
    )
    .select_from(journal_pending.join(journal_head, journal_head.c.id == 1))
    .order_by(journal_pending.c.id)
    .limit(SEAL_BATCH)
)
# All or nothing in one statement: the head advances only from the head the chain was hashed
# on and only while every entry of the batch is still pending; the entries move only if it
# did. Two sealers racing queue on the head row for the length of this statement, and the
# second, re-reading the head, finds it moved and changes nothing.
_MOVE_ONTO_CHAIN = text(
    """
    WITH chain AS (
        SELECT * FROM json_to_recordset(CAST(:chain AS json))
            AS c(id bigint, seq bigint, previous_hash text, hash text)
    ), head AS (
        UPDATE journal_head SET seq = :seq, hash = :digest
        WHERE id = 1 AND seq = :from_seq AND hash = :from_hash
            AND (SELECT count(*) FROM journal_pending p JOIN chain ON p.id = chain.id) = :count
        RETURNING 1
    ), moved AS (
        DELETE FROM journal_pending p USING chain
        WHERE p.id = chain.id AND EXISTS (SELECT FROM head)
        RETURNING p.recorded_at, p.actor, p.event, p.party_code, p.subject, p.body,
            chain.seq, chain.previous_hash, chain.hash
    ), chained AS (
        INSERT INTO journal
            (seq, recorded_at, actor, event, party_code, subject, body, previous_hash, hash)
        SELECT seq, recorded_at, actor, event, party_code, subject, body, previous_hash, hash
        FROM moved
        RETURNING 1
    )
    SELECT count(*) FROM chained
    """
)


def pending_count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(journal_pending)).scalar_one())


def check_entries(
    rows: Sequence[Row[Any]], previous: str, last_seq: int
) -> tuple[list[str], str, int]:
    """Check consecutive journal rows that follow entry `last_seq` of hash `previous`: each
    numbered next, chained to the one before and hashing to its own hash. The problems found,
    and the hash and number of the last row (the ones given when there is none)."""
    problems: list[str] = []
    for row in rows:
        if row.seq != last_seq + 1:
            problems.append(f"journal entry {last_seq + 1} is missing (next is {row.seq})")
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
        previous, last_seq = row.hash, row.seq
    return problems, previous, last_seq


def verify_chain(connection: Connection, batch: int = 5000) -> list[str]:
    """Recompute every hash in order; return a sentence per break found."""
    problems: list[str] = []
    previous = GENESIS
    last_seq = 0
    while True:
        rows = connection.execute(
            select(journal).where(journal.c.seq > last_seq).order_by(journal.c.seq).limit(batch)
        ).all()
        if not rows:
            break
        found, previous, last_seq = check_entries(rows, previous, last_seq)
        problems += found
    head = connection.execute(select(journal_head.c.seq, journal_head.c.hash)).one()
    if head.seq != last_seq or head.hash != previous:
        problems.append(f"the journal head ({head.seq}) does not match the last entry ({last_seq})")
    waiting = pending_count(connection)
    if waiting:
        problems.append(f"{waiting} committed journal entries are not chained yet")
    return problems
