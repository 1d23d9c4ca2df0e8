"""The journal's signed checkpoints: the registry's own, its fallback signing key, the entry a
checkpoint names, and at the hub every registry's checkpoints with their verdicts."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, func, select

from article6.store.checkpoint_schema import (
    checkpoint_key,
    hub_journal_checkpoints,
    journal_checkpoints,
)
from article6.store.database import is_postgres
from article6.store.interop_schema import interop_identity
from article6.store.schema import journal, journal_head


def fallback_key(connection: Connection) -> Row[Any] | None:
    return connection.execute(select(checkpoint_key).where(checkpoint_key.c.id == 1)).first()


def insert_fallback_key(connection: Connection, **values: Any) -> None:
    connection.execute(checkpoint_key.insert().values(id=1, **values))


def public_keys(connection: Connection) -> list[str]:
    """Every key this registry has signed checkpoints with: its protocol identity's, and the
    one it made while it had none."""
    keys = list(connection.execute(select(interop_identity.c.public_key)).scalars())
    keys += connection.execute(select(checkpoint_key.c.public_key)).scalars()
    return keys


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


def record(connection: Connection, **values: Any) -> None:
    connection.execute(journal_checkpoints.insert().values(**values))


def latest(connection: Connection) -> Row[Any] | None:
    return connection.execute(
        select(journal_checkpoints).order_by(journal_checkpoints.c.id.desc()).limit(1)
    ).first()


def hub_record(connection: Connection, **values: Any) -> None:
    connection.execute(hub_journal_checkpoints.insert().values(**values))


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


def hub_checkpoints(connection: Connection, registry_id: str) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(hub_journal_checkpoints)
            .where(hub_journal_checkpoints.c.registry_id == registry_id)
            .order_by(hub_journal_checkpoints.c.id)
        )
    )
