"""The journal's signed checkpoints: the registry's own, its fallback signing key, the entry a
checkpoint names, and at the hub every registry's checkpoints with their verdicts."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Connection, func, select

from article6.store.checkpoint_schema import (
    checkpoint_key,
    hub_journal_checkpoints,
    journal_checkpoints,
)
from article6.store.database import is_postgres
from article6.store.schema import journal, journal_head


@dataclass(frozen=True)
class FallbackKey:
    """The key a registry without a protocol identity signs its checkpoints with."""

    private_key: str
    public_key: str
    created_at: datetime


@dataclass(frozen=True)
class SignedCheckpoint:
    """A checkpoint the registry signed: the chain's entry `seq` and its hash, when, with what."""

    seq: int
    hash: str
    signed_at: datetime
    public_key: str
    signature: str


@dataclass(frozen=True)
class ReceivedCheckpoint:
    """A registry's checkpoint as the hub received it, with its verdict."""

    registry_id: str
    checkpoint: SignedCheckpoint
    received_at: datetime
    verdict: str
    detail: str | None


def fallback_key(connection: Connection) -> FallbackKey | None:
    row = connection.execute(
        select(
            checkpoint_key.c.private_key, checkpoint_key.c.public_key, checkpoint_key.c.created_at
        ).where(checkpoint_key.c.id == 1)
    ).first()
    return None if row is None else FallbackKey(**row._asdict())


def insert_fallback_key(connection: Connection, key: FallbackKey) -> None:
    connection.execute(checkpoint_key.insert().values(id=1, **asdict(key)))


def head(connection: Connection, lock: bool = False) -> tuple[int, str]:
    """The journal's last sealed entry; `lock` holds it until commit (PostgreSQL), so that
    checkpoints are taken one at a time and recorded, and sent, in the order of the chain."""
    query = select(journal_head.c.seq, journal_head.c.hash)
    if lock and is_postgres(connection):
        query = query.with_for_update()
    row = connection.execute(query).one()
    return int(row.seq), str(row.hash)


def entry_hash(connection: Connection, seq: int) -> str | None:
    found = connection.execute(select(journal.c.hash).where(journal.c.seq == seq)).scalar()
    return None if found is None else str(found)


_SIGNED = (
    journal_checkpoints.c.seq,
    journal_checkpoints.c.hash,
    journal_checkpoints.c.signed_at,
    journal_checkpoints.c.public_key,
    journal_checkpoints.c.signature,
)


def record(connection: Connection, checkpoint: SignedCheckpoint) -> None:
    connection.execute(journal_checkpoints.insert().values(**asdict(checkpoint)))


def latest(connection: Connection) -> SignedCheckpoint | None:
    row = connection.execute(
        select(*_SIGNED).order_by(journal_checkpoints.c.id.desc()).limit(1)
    ).first()
    return None if row is None else SignedCheckpoint(**row._asdict())


def hub_record(connection: Connection, received: ReceivedCheckpoint) -> None:
    connection.execute(
        hub_journal_checkpoints.insert().values(
            registry_id=received.registry_id,
            received_at=received.received_at,
            verdict=received.verdict,
            detail=received.detail,
            **asdict(received.checkpoint),
        )
    )


def hub_hashes_at(connection: Connection, registry_id: str, seq: int) -> list[str]:
    """The hashes the hub accepted for one entry of a registry's journal."""
    return list(
        connection.execute(
            select(hub_journal_checkpoints.c.hash).where(
                hub_journal_checkpoints.c.registry_id == registry_id,
                hub_journal_checkpoints.c.seq == seq,
                hub_journal_checkpoints.c.verdict == "accepted",
            )
        ).scalars()
    )


def hub_latest_seq(connection: Connection, registry_id: str) -> int | None:
    found = connection.execute(
        select(func.max(hub_journal_checkpoints.c.seq)).where(
            hub_journal_checkpoints.c.registry_id == registry_id,
            hub_journal_checkpoints.c.verdict == "accepted",
        )
    ).scalar()
    return None if found is None else int(found)


def hub_checkpoints(connection: Connection, registry_id: str) -> list[ReceivedCheckpoint]:
    """A registry's checkpoints as the hub received them, in order."""
    hub = hub_journal_checkpoints.c
    query = select(hub_journal_checkpoints).where(hub.registry_id == registry_id).order_by(hub.id)
    return [
        ReceivedCheckpoint(
            registry_id=row.registry_id,
            checkpoint=SignedCheckpoint(
                row.seq, row.hash, row.signed_at, row.public_key, row.signature
            ),
            received_at=row.received_at,
            verdict=row.verdict,
            detail=row.detail,
        )
        for row in connection.execute(query)
    ]
