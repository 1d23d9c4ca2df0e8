"""Idempotency keys: claimed before any check of a command, its outcome recorded in the same
transaction, so a replay finds the first outcome. The statements are built once: every command
with a key runs them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from article6.store.schema import idempotency_keys

_KEY_MATCHES = (idempotency_keys.c.scope == bindparam("claimed_scope")) & (
    idempotency_keys.c.key == bindparam("claimed_key")
)
_RECORD_OUTCOME = idempotency_keys.update().where(_KEY_MATCHES)
_FIND_KEY = select(idempotency_keys.c.request_hash, idempotency_keys.c.outcome).where(_KEY_MATCHES)
_CLAIM: dict[str, Any] = {}  # the claim's insert statement, built once per dialect


@dataclass(frozen=True)
class ClaimedKey:
    """A claimed key: the hash of the request that claimed it, and the outcome to replay."""

    request_hash: str
    outcome: str


def claim(connection: Connection, scope: str, key: str, digest: str, at: datetime) -> bool:
    """Insert the key unless it exists, in one round trip; True if this request now owns it.

    A concurrent request holding the same key makes the insert wait for it to finish; if it
    committed, nothing is inserted and its outcome is replayed."""
    dialect = connection.dialect.name
    statement = _CLAIM.get(dialect)
    if statement is None:
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = _CLAIM[dialect] = (
            insert(idempotency_keys)
            .on_conflict_do_nothing(index_elements=["scope", "key"])
            .returning(idempotency_keys.c.scope)
        )
    row = connection.execute(
        statement,
        {"scope": scope, "key": key, "request_hash": digest, "outcome": "", "created_at": at},
    ).first()
    return row is not None


def record_outcome(connection: Connection, scope: str, key: str, outcome: str) -> None:
    """Store the outcome a replay of the key returns."""
    connection.execute(
        _RECORD_OUTCOME,
        {"claimed_scope": scope, "claimed_key": key, "outcome": outcome},
    )


def claimed(connection: Connection, scope: str, key: str) -> ClaimedKey | None:
    """The claimed key with its request hash and outcome, if it exists."""
    row = connection.execute(_FIND_KEY, {"claimed_scope": scope, "claimed_key": key}).first()
    return None if row is None else ClaimedKey(row.request_hash, row.outcome)
