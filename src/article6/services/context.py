"""The registry handle the services run against, and the command runner.

`execute` gives every command the same frame: who asks (an Actor, or the credentials a request
presented, read in the command's transaction: `Caller`), then idempotency (a replay returns the
first outcome), then the command in one database transaction that commits whole or not at all,
with a short retry when PostgreSQL reports a deadlock or serialisation failure.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Protocol, TypeVar

from pydantic import BaseModel
from sqlalchemy import Connection
from sqlalchemy.engine import Engine

from article6.domain.access import Actor
from article6.domain.checks import Check, refuse
from article6.domain.wording import words
from article6.store import batches, idempotency, journal, replication
from article6.store.database import (
    ConstraintViolation,
    DriverError,
    make_engine,
    retryable,
    unit_of_work,
)
from article6.store.migrate import upgrade

R = TypeVar("R", bound=BaseModel)

MAX_ATTEMPTS = 5


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass
class Registry:
    """What a service needs: the database engine and a clock (replaceable in tests)."""

    engine: Engine
    clock: Callable[[], datetime] = field(default=utc_now)
    rehearsing: Connection | None = None
    """A rehearsal's connection (`services.preview.rehearsal`): every command then runs in a
    savepoint of its transaction, which is rolled back when the rehearsal ends."""
    reader: Engine | None = None
    """A read replica (a streaming standby) for the reads that may lag: see `read_engine`."""

    @classmethod
    def open(
        cls, url: str | None = None, migrate: bool = True, read_url: str | None = None
    ) -> Registry:
        engine = make_engine(url)
        if migrate:
            upgrade(engine)
        journal.seal(engine)  # what a crash left unchained
        return cls(engine, reader=replication.make_read_engine(read_url) if read_url else None)

    @property
    def read_engine(self) -> Engine:
        """Where the public report, statements, AEF drafts and unit search are read: the read
        replica when one is configured, else the database. Nothing that must see a write just
        made (a command, its receipt, the pages that follow it) reads here."""
        if self.reader is None or self.rehearsing is not None:
            return self.engine
        return self.reader

    def __post_init__(self) -> None:
        batches.watch(self.engine)

    def now(self) -> datetime:
        return self.clock()


class Caller(Protocol):
    """Whoever asks for a command, known once the command's transaction has read them
    (`presented_credentials.PresentedCredentials`)."""

    def actor_in(
        self, connection: Connection, registry: Registry
    ) -> tuple[Actor, Callable[[], None]]:
        """The Actor, read with the command's first statement, refused (C4009, C4011, C4014,
        C4006) as any request's credentials are; and what `execute` calls before it commits or
        answers, which raises `CallerChanged` if the read did not name that Actor."""
        ...


class CallerChanged(Exception):
    """The credentials read in a command's transaction no longer name the Actor the command
    ran as: it is rolled back and runs again, reading them first."""


def request_hash(name: str, command: BaseModel) -> str:
    body = json.dumps([name, command.model_dump(mode="json")], sort_keys=True)
    return hashlib.sha256(body.encode()).hexdigest()


def execute(
    registry: Registry,
    caller: Actor | Caller,
    command: BaseModel,
    handler: Callable[[Connection, Registry, Actor], R],
    result: type[R],
    idempotency_key: str | None = None,
) -> R:
    """Run `handler` as one transaction, honouring the idempotency key; a `Caller` is read
    first, in the same transaction (its refusal leaves no trace, the key unclaimed)."""
    name = type(command).__name__
    digest = request_hash(name, command)
    scope = ""
    if idempotency_key is not None and not (0 < len(idempotency_key) <= 200):
        raise refuse(
            Check.C1011, "idempotency_key", words("an idempotency key has 1 to 200 characters")
        )
    for attempt in range(MAX_ATTEMPTS):
        try:
            with _transaction(registry) as connection:
                actor, stands = _actor(caller, connection, registry)
                scope = f"{actor.party or '-'}:{actor.name}"
                claim = (
                    None
                    if idempotency_key is None
                    else idempotency.claim_with_next(
                        connection, scope, idempotency_key, digest, registry.now()
                    )
                )
                try:
                    outcome = handler(connection, registry, actor)
                except Exception as met:
                    if not isinstance(met, DriverError):  # a refusal is told only to the
                        stands()  # Actor the credentials still name (a database error: none)
                    if claim is not None and not claim.sent:
                        claim.first()  # a taken key replays, whatever the command met
                    raise
                stands()
                if idempotency_key is not None:
                    if claim is not None and not claim.sent:
                        claim.first()
                    idempotency.record_outcome(
                        connection, scope, idempotency_key, outcome.model_dump_json()
                    )
                return outcome
        except CallerChanged:
            continue  # the next attempt reads the caller before anything else
        except idempotency.KeyTaken:
            with _transaction(registry) as connection:
                replay = _replay(connection, scope, str(idempotency_key), digest, result)
            if replay is not None:
                return replay
            raise LookupError(f"idempotency key {idempotency_key} vanished") from None
        except ConstraintViolation:
            if idempotency_key is None or attempt == MAX_ATTEMPTS - 1:
                raise
            # Another request with the same key committed first: its outcome is ours.
            continue
        except DriverError as error:
            if not retryable(error) or attempt == MAX_ATTEMPTS - 1:
                raise
            continue
    raise RuntimeError("unreachable")


def _actor(
    caller: Actor | Caller, connection: Connection, registry: Registry
) -> tuple[Actor, Callable[[], None]]:
    if isinstance(caller, Actor):
        return caller, _stands
    return caller.actor_in(connection, registry)


def _stands() -> None:
    """An Actor given by the caller needs no read."""


@contextmanager
def _transaction(registry: Registry) -> Iterator[Connection]:
    """The command's database transaction, or in a rehearsal a savepoint of the rehearsal's."""
    if registry.rehearsing is None:
        with unit_of_work(registry.engine) as connection:
            yield connection
        return
    with registry.rehearsing.begin_nested():
        yield registry.rehearsing


def _replay(connection: Connection, scope: str, key: str, digest: str, result: type[R]) -> R | None:
    row = idempotency.claimed(connection, scope, key)
    if row is None:
        return None
    if row.request_hash != digest:
        raise refuse(
            Check.C1010,
            "idempotency_key",
            words("this key was already used for a different request"),
        )
    return result.model_validate_json(row.outcome)
