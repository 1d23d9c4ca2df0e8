"""The registry handle the services run against, and the command runner.

`execute` gives every command the same frame: idempotency first (a replay returns the first
outcome), then the command in one database transaction that commits whole or not at all, with a
short retry when PostgreSQL reports a deadlock or serialisation failure.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy import Connection, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, IntegrityError

from article6.domain.access import Actor
from article6.domain.checks import Check, refuse
from article6.store.database import make_engine, unit_of_work
from article6.store.migrate import upgrade
from article6.store.schema import idempotency_keys

R = TypeVar("R", bound=BaseModel)

RETRYABLE = {"40P01", "40001"}  # deadlock detected, serialization failure
MAX_ATTEMPTS = 5


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Registry:
    """What a service needs: the database engine and a clock (replaceable in tests)."""

    engine: Engine
    clock: Callable[[], datetime] = field(default=utc_now)

    @classmethod
    def open(cls, url: str | None = None, migrate: bool = True) -> Registry:
        engine = make_engine(url)
        if migrate:
            upgrade(engine)
        return cls(engine)

    def now(self) -> datetime:
        return self.clock()


def request_hash(name: str, command: BaseModel) -> str:
    body = json.dumps([name, command.model_dump(mode="json")], sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


def execute(
    registry: Registry,
    actor: Actor,
    command: BaseModel,
    handler: Callable[[Connection, Registry, Actor], R],
    result: type[R],
    idempotency_key: str | None = None,
) -> R:
    """Run `handler` as one transaction, honouring the idempotency key."""
    name = type(command).__name__
    digest = request_hash(name, command)
    scope = f"{actor.party or '-'}:{actor.name}"
    if idempotency_key is not None and not (0 < len(idempotency_key) <= 200):
        raise refuse(Check.C1011, "idempotency_key", "an idempotency key has 1 to 200 characters")
    for attempt in range(MAX_ATTEMPTS):
        try:
            with unit_of_work(registry.engine) as connection:
                if idempotency_key is not None:
                    replay = _replay(connection, scope, idempotency_key, digest, result)
                    if replay is not None:
                        return replay
                    connection.execute(
                        idempotency_keys.insert().values(
                            scope=scope,
                            key=idempotency_key,
                            request_hash=digest,
                            outcome="",
                            created_at=registry.now(),
                        )
                    )
                outcome = handler(connection, registry, actor)
                if idempotency_key is not None:
                    connection.execute(
                        idempotency_keys.update()
                        .where(
                            (idempotency_keys.c.scope == scope)
                            & (idempotency_keys.c.key == idempotency_key)
                        )
                        .values(outcome=outcome.model_dump_json())
                    )
                return outcome
        except IntegrityError:
            if idempotency_key is None or attempt == MAX_ATTEMPTS - 1:
                raise
            # Another request with the same key committed first: its outcome is ours.
            continue
        except DBAPIError as error:
            code = getattr(error.orig, "sqlstate", None)
            if code not in RETRYABLE or attempt == MAX_ATTEMPTS - 1:
                raise
            continue
    raise RuntimeError("unreachable")


def _replay(connection: Connection, scope: str, key: str, digest: str, result: type[R]) -> R | None:
    row = connection.execute(
        select(idempotency_keys).where(
            (idempotency_keys.c.scope == scope) & (idempotency_keys.c.key == key)
        )
    ).first()
    if row is None:
        return None
    if row.request_hash != digest:
        raise refuse(
            Check.C1010, "idempotency_key", "this key was already used for a different request"
        )
    return result.model_validate_json(row.outcome)
