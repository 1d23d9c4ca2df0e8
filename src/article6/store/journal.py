"""The append-only, hash-chained journal of every state change.

Each entry's hash covers its own content and the previous entry's hash, so changing or removing
any entry breaks every hash after it. The head row orders the chain.

Chaining needs one lock that orders every entry. On SQLite writers are serialised anyway, so a
command chains its entry itself. On PostgreSQL a command that held the head row to its commit
would make every command commit one at a time; there a command writes its entry to
`journal_pending` (no shared row touched) and, once committed, seals: under one advisory lock
the sealer moves every committed pending entry onto the chain in one short transaction. A
command waiting for the lock usually finds its entry already sealed by the one before it (group
sealing). An entry a crash left pending is sealed by the next command, at start-up or before
verification.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, bindparam, func, select, text, update
from sqlalchemy.engine import Engine

from article6.store import batches
from article6.store.schema import journal, journal_head, journal_pending

GENESIS = "0" * 64
SEAL_LOCK = 6_200_001  # the advisory lock key that orders sealers (PostgreSQL)
SEAL_BATCH = 2000
SEAL_PATIENCE_MS = 5000  # how long a command waits, after its commit, to seal
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
    sealed just after commit on PostgreSQL (see the module docstring)."""
    entry = {
        "recorded_at": at,
        "actor": actor,
        "event": event,
        "party_code": party,
        "subject": subject,
        "body": canonical(body),
    }
    if connection.dialect.name == "postgresql":
        batches.later(connection, _INSERT_PENDING, entry)  # with the command's next round trip
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
    """Chain every committed pending entry, in the order they were recorded; return how many.

    Idempotent and safe from any number of processes: sealers queue on one advisory lock,
    which writes nothing, so a sealer that finds nothing pending commits without a flush.
    Three round trips a batch: take the lock; read the batch with the head; move the batch
    onto the chain and advance the head in one statement."""
    if engine.dialect.name != "postgresql":
        return 0
    with engine.connect() as connection:
        return seal_on(connection)


def seal_on(connection: Connection, patience_ms: int | None = None) -> int:
    """`seal` on a connection not in a transaction (the command's own, once committed).

    With `patience_ms`, give up (PostgreSQL's lock_timeout, an error) rather than wait longer
    for the lock: a stuck sealer then delays nobody's answer, and the entries stay pending
    for the next one."""
    sealed = 0
    connection.info.pop(PENDING_FLAG, None)
    with connection.begin():
        # The lock first, in its own statement: a statement's snapshot is taken when it
        # starts, so reading in the same statement could see entries just sealed by another.
        if patience_ms is None:
            connection.execute(_LOCK_SEALERS)
        else:  # one round trip: no parameters, so both statements go in one simple query
            connection.exec_driver_sql(
                f"SET LOCAL lock_timeout = {int(patience_ms)}; "
                f"SELECT pg_advisory_xact_lock({SEAL_LOCK})"
            )
        while True:
            rows = connection.execute(_PENDING_BATCH).all()
            if not rows:
                return sealed
            seq, previous = int(rows[0].head_seq), str(rows[0].head_hash)
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
            # By id, never by range: an entry committed since the batch was read stays pending.
            connection.execute(
                _MOVE_ONTO_CHAIN, {"chain": canonical(chain), "seq": seq, "digest": previous}
            )
            sealed += len(rows)
            if len(rows) < SEAL_BATCH:
                return sealed


_LOCK_SEALERS = select(func.pg_advisory_xact_lock(SEAL_LOCK))
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
_MOVE_ONTO_CHAIN = text(
    """
    WITH chain AS (
        SELECT * FROM json_to_recordset(CAST(:chain AS json))
            AS c(id bigint, seq bigint, previous_hash text, hash text)
    ), moved AS (
        DELETE FROM journal_pending p USING chain WHERE p.id = chain.id
        RETURNING p.recorded_at, p.actor, p.event, p.party_code, p.subject, p.body,
            chain.seq, chain.previous_hash, chain.hash
    ), chained AS (
        INSERT INTO journal
            (seq, recorded_at, actor, event, party_code, subject, body, previous_hash, hash)
        SELECT seq, recorded_at, actor, event, party_code, subject, body, previous_hash, hash
        FROM moved
    )
    UPDATE journal_head SET seq = :seq, hash = :digest WHERE id = 1
    """
)


def pending_count(connection: Connection) -> int:
    return int(connection.execute(select(func.count()).select_from(journal_pending)).scalar_one())


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
    waiting = pending_count(connection)
    if waiting:
        problems.append(f"{waiting} committed journal entries are not chained yet")
    return problems
