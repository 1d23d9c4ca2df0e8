"""Idempotency keys: claimed before any check of a command, its outcome recorded in the same
transaction, so a replay finds the first outcome. The statements are built once: every command
with a key runs them. On PostgreSQL neither costs a round trip of its own (`store.batches`): the
claim goes with the command's first statement, the outcome with its COMMIT."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, bindparam, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from article6.store import batches
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


class KeyTaken(Exception):
    """The key was claimed by a request that committed first: its outcome is to be replayed."""


def _claim_statement(dialect: str) -> Any:
    statement = _CLAIM.get(dialect)
    if statement is None:
        insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
        statement = _CLAIM[dialect] = (
            insert(idempotency_keys)
            .on_conflict_do_nothing(index_elements=["scope", "key"])
            .returning(idempotency_keys.c.scope)
        )
    return statement


def claim(connection: Connection, scope: str, key: str, digest: str, at: datetime) -> bool:
    """Insert the key unless it exists, in one round trip; True if this request now owns it.

    A concurrent request holding the same key makes the insert wait for it to finish; if it
    committed, nothing is inserted and its outcome is replayed."""
    row = connection.execute(
        _claim_statement(connection.dialect.name),
        {"scope": scope, "key": key, "request_hash": digest, "outcome": "", "created_at": at},
    ).first()
    return row is not None


def claim_with_next(
    connection: Connection, scope: str, key: str, digest: str, at: datetime
) -> batches.Answer:
    """`claim`, sent with the command's first statement (`store.batches`): if the key was taken,
    that statement raises `KeyTaken` before the command sees its rows. `Answer.first` settles
    the claim for a command that sent no statement."""
    return batches.read_later(
        connection,
        _claim_statement(connection.dialect.name),
        {"scope": scope, "key": key, "request_hash": digest, "outcome": "", "created_at": at},
        missing=KeyTaken,
    )


def record_outcome(connection: Connection, scope: str, key: str, outcome: str) -> None:
    """Store the outcome a replay of the key returns (on PostgreSQL, with the COMMIT)."""
    batches.later(
        connection,
        _RECORD_OUTCOME,
        {"claimed_scope": scope, "claimed_key": key, "outcome": outcome},
        merged=True,
    )


def claimed(connection: Connection, scope: str, key: str) -> ClaimedKey | None:
    """The claimed key with its request hash and outcome, if it exists."""
    row = connection.execute(_FIND_KEY, {"claimed_scope": scope, "claimed_key": key}).first()
    return None if row is None else ClaimedKey(row.request_hash, row.outcome)
