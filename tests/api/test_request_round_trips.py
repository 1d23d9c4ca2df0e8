"""The request path on PostgreSQL: an authenticated `GET /api/v1/me` is one statement in one
round trip (no ping before it, no BEGIN … COMMIT around it), and a pooled connection the
server has ended is replaced, or the read run again, without the caller seeing an error.

Statements are counted where psycopg sends them, on the engine's connections and on the event
loop's own (`store.loop_reads`), pings included."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
from http_world import Api, Caller
from sqlalchemy import Connection, Engine, event, text

from article6.services import sign_in
from article6.services.context import Registry
from article6.services.identity import token_hash
from article6.settings import Settings
from article6.store import database, journal, journal_sealer
from article6.store.database import make_engine

pytestmark = pytest.mark.postgres


@pytest.fixture
def registry(postgres_url: str) -> Iterator[Registry]:
    """PostgreSQL only: the counts and the ended connections are PostgreSQL's."""
    registry = Registry(make_engine(postgres_url))
    yield registry
    registry.engine.dispose()


@dataclass
class Traffic:
    """What the server sent to PostgreSQL: statements (pings among them) and transactions."""

    statements: int = 0
    transactions: int = 0
    pings: int = 0

    @property
    def round_trips(self) -> int:
        """Each statement, and a BEGIN and a COMMIT (or ROLLBACK) per transaction."""
        return self.statements + 2 * self.transactions

    def reset(self) -> None:
        self.statements = self.transactions = self.pings = 0


@pytest.fixture
def traffic(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> Iterator[Traffic]:
    counted = Traffic()
    engine: Engine = registry.engine
    sync_execute, async_execute = psycopg.Cursor.execute, psycopg.AsyncCursor.execute

    def counting_execute(cursor: psycopg.Cursor[Any], *arguments: Any, **options: Any) -> Any:
        counted.statements += 1
        return sync_execute(cursor, *arguments, **options)

    async def counting_async_execute(
        cursor: psycopg.AsyncCursor[Any], *arguments: Any, **options: Any
    ) -> Any:
        counted.statements += 1
        return await async_execute(cursor, *arguments, **options)

    def on_begin(connection: Connection) -> None:
        if connection.get_execution_options().get("isolation_level") != "AUTOCOMMIT":
            counted.transactions += 1  # an autocommit connection sends no BEGIN

    ping = engine.dialect.do_ping

    def counting_ping(dbapi_connection: Any) -> bool:
        counted.pings += 1
        return ping(dbapi_connection)

    monkeypatch.setattr(psycopg.Cursor, "execute", counting_execute)
    monkeypatch.setattr(psycopg.AsyncCursor, "execute", counting_async_execute)
    monkeypatch.setattr(engine.dialect, "do_ping", counting_ping)
    event.listen(engine, "begin", on_begin)
    yield counted
    event.remove(engine, "begin", on_begin)


@pytest.fixture
def secretariat(api: Api) -> Caller:
    return api.bootstrap_secretariat()


def end_every_connection_of(registry: Registry) -> int:
    """`pg_terminate_backend` every backend of the registry's database, from a connection of
    another engine, waiting until each has exited (its socket closed): every connection in the
    registry's pool is then one the server ended; how many. The journal's sealer is let finish
    first, so that no round of its own meets a dead connection and replaces it."""
    journal.seal(registry.engine)
    journal_sealer.sealer_for(registry.engine).halt()
    other = make_engine(str(registry.engine.url))
    try:
        with other.connect() as connection:
            ended = connection.execute(
                text(
                    "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid, 5000)) "
                    "FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            ).scalar_one()
    finally:
        other.dispose()
    return int(ended)


def test_me_is_one_statement_in_one_round_trip(
    secretariat: Caller, traffic: Traffic, registry: Registry
):
    secretariat.get("/api/v1/me")  # the connections open, as under load
    # The sealer chains the bootstrap's journal entries in a round of its own, up to
    # `ROUND_SPACING` later: let it finish first, or its read is counted as the request's.
    journal.seal(registry.engine)
    journal_sealer.sealer_for(registry.engine).halt()
    traffic.reset()

    answer = secretariat.get("/api/v1/me")

    assert answer.status_code == 200, answer.text
    assert answer.json()["name"] == "secretariat.admin"
    assert answer.json()["grants"] == [{"role": "secretariat", "party": None, "entity": None}]
    assert traffic.statements == 1
    assert traffic.transactions == 0
    assert traffic.pings == 0
    assert traffic.round_trips == 1


def test_a_connection_the_server_ended_is_replaced_before_the_next_request(
    api: Api, secretariat: Caller, registry: Registry, traffic: Traffic
):
    assert secretariat.get("/api/v1/me").status_code == 200
    assert end_every_connection_of(registry) >= 2  # the engine's and the event loop's
    traffic.reset()

    assert secretariat.get("/api/v1/me").status_code == 200
    assert traffic.statements == 1  # the ended connection was dropped unused, not tried
    created = secretariat.post(
        "/api/v1/users",
        {"name": "after.restart", "display_name": "After", "password": "a long enough password"},
    )
    assert created.status_code == 201, created.text


def test_a_read_on_a_connection_that_died_unseen_runs_once_more(
    secretariat: Caller, registry: Registry, traffic: Traffic, monkeypatch: pytest.MonkeyPatch
):
    assert secretariat.get("/api/v1/me").status_code == 200
    end_every_connection_of(registry)
    # As if the connection died between the check at checkout and the statement.
    monkeypatch.setattr(database, "quiet", lambda _socket: True)
    traffic.reset()

    answer = secretariat.get("/api/v1/me")

    assert answer.status_code == 200, answer.text
    assert answer.json()["name"] == "secretariat.admin"
    assert traffic.statements == 2  # the authentication's read, failed once, then run again


def test_the_engine_pings_a_connection_the_server_ended_and_replaces_it(
    registry: Registry, traffic: Traffic
):
    """The engine's side: what commands and the thread pool's reads check out."""
    with database.single_read(registry.engine) as connection:
        connection.execute(text("SELECT 1"))
    end_every_connection_of(registry)
    traffic.reset()

    with database.single_read(registry.engine) as connection:
        assert connection.execute(text("SELECT 2")).scalar_one() == 2

    assert traffic.pings == 1  # its socket was readable: pinged, found dead, replaced


def test_the_thread_pools_authentication_also_reads_once_more_on_a_dead_connection(
    secretariat: Caller, registry: Registry, traffic: Traffic, monkeypatch: pytest.MonkeyPatch
):
    """`sign_in.authenticate` (SQLite's path, and any caller off the event loop)."""
    digest = token_hash(Settings(), secretariat.token)
    assert sign_in.authenticate(registry, digest, "token") is not None
    end_every_connection_of(registry)
    monkeypatch.setattr(database, "quiet", lambda _socket: True)
    traffic.reset()

    found = sign_in.authenticate(registry, digest, "token")

    assert found is not None
    assert found.name == "secretariat.admin"
    assert traffic.statements == 2
