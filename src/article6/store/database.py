"""Engines and the unit of work: one command, one database transaction.

SQLite runs in WAL mode and takes the write lock at `BEGIN IMMEDIATE`, so two writers never
interleave. PostgreSQL runs at READ COMMITTED and the repositories lock rows in a fixed order.
"""

from __future__ import annotations

import logging
import os
import select
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TypeVar, overload

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, DisconnectionError, IntegrityError

from article6.store import holdings, journal, journal_sealer

DEFAULT_URL = "sqlite:///article6.db"
log = logging.getLogger(__name__)

DriverError = DBAPIError
"""Any error the database reported through its driver; see `retryable`."""
ConstraintViolation = IntegrityError
"""A write a constraint refused, as when a concurrent command took the same key first."""
RETRYABLE = {"40P01", "40001"}  # deadlock detected, serialization failure
T = TypeVar("T")


def database_url(explicit: str | None = None) -> str:
    return explicit or os.environ.get("ARTICLE6_DATABASE_URL") or DEFAULT_URL


def printable_url(url: str) -> str:
    """A URL fit to print: without any password."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the configured database"


def normalise(url: str) -> str:
    """Accept plain `postgresql://` URLs and use the psycopg 3 driver for them; a libpq
    multi-host URL (`user@h1:p1,h2:p2/db`) becomes SQLAlchemy's form (`user@/db?host=h1:p1&
    host=h2:p2`), which SQLAlchemy needs and psycopg hands to libpq as the same host list."""
    for prefix in ("postgresql://", "postgres://", "postgresql+psycopg://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + _hosts_as_parameters(url[len(prefix) :])
    return url


def _hosts_as_parameters(rest: str) -> str:
    """`[user@]h1[:p1],h2[:p2][/db][?query]` with the hosts moved into `host=` parameters;
    anything with one host or none is returned as it is."""
    authority, slash, tail = rest.partition("/")
    if not slash:
        authority, question, query = rest.partition("?")
        tail = question + query
    user, at, hosts = authority.rpartition("@")
    if "," not in hosts:
        return rest
    path, question, query = tail.partition("?")
    parameters = [f"host={host}" for host in hosts.split(",") if host]
    if query:
        parameters.append(query)
    return f"{user}{at}/{path}?{'&'.join(parameters)}"


def make_engine(url: str | None = None, **options: Any) -> Engine:
    resolved = normalise(database_url(url))
    if resolved.startswith("sqlite"):
        engine = create_engine(
            resolved,
            connect_args={"timeout": 30, "check_same_thread": False},
            **options,
        )
        _sqlite_immediate_transactions(engine)
        return engine
    options.setdefault("pool_size", 10)
    options.setdefault("max_overflow", 20)
    engine = create_engine(resolved, isolation_level="READ COMMITTED", **options)
    _discard_dead_connections(engine)
    return engine


def _discard_dead_connections(engine: Engine) -> None:
    """Instead of a ping before every use (a round trip each time): a pooled connection is
    pinged only when its socket has something to read while idle, which is how a server that
    ended the connection (a restart, `pg_terminate_backend`) shows. A dead one is replaced
    before the unit of work sends anything; one that dies later fails its statement, and
    `once_more_if_disconnected` runs a read again on a fresh connection."""

    @event.listens_for(engine, "checkout")
    def on_checkout(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        try:
            if quiet(dbapi_connection.fileno()):
                return
            engine.dialect.do_ping(dbapi_connection)
        except Exception as error:
            raise DisconnectionError("the server ended this pooled connection") from error


def quiet(socket: int) -> bool:
    """Nothing to read on an idle connection's socket: no error, no end of stream (a poll,
    no round trip)."""
    poller = select.poll()
    poller.register(socket, select.POLLIN)
    return not poller.poll(0)


def _sqlite_immediate_transactions(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def on_begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "IMMEDIATE")
        connection.exec_driver_sql(f"BEGIN {mode}")


@contextmanager
def unit_of_work(engine: Engine, read_only: bool = False) -> Iterator[Connection]:
    """A transaction that commits only if the block finishes; any exception rolls it back.

    After a commit that recorded journal entries, the process's sealer is woken to chain them
    (`store.journal_sealer`); the caller does not wait for it."""
    options = {"sqlite_begin": "DEFERRED"} if read_only else {}
    with engine.connect().execution_options(**options) as connection:
        try:
            with connection.begin():
                yield connection
        except BaseException:
            connection.info.pop(journal.PENDING_FLAG, None)
            raise
        finally:
            holdings.dismount(connection)  # riders no lock carried: not the next command's
        if connection.info.pop(journal.PENDING_FLAG, False):  # committed: chain the entries
            journal_sealer.wake(engine)


@contextmanager
def single_read(engine: Engine) -> Iterator[Connection]:
    """A connection for one read statement, outside any transaction (autocommit): two round
    trips fewer than BEGIN … COMMIT around it, for the reads every request makes first."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        yield connection


def once_more_if_disconnected(work: Callable[[], T]) -> T:
    """Run `work`, a read (safe to run twice), again once if its connection turned out dead:
    the failure invalidated it and the pool's older connections, so the second run starts on
    a fresh one."""
    try:
        return work()
    except DBAPIError as error:
        if not error.connection_invalidated:
            raise
        log.warning("database: connection lost; running the read again on a fresh one")
    return work()


def retryable(error: DBAPIError) -> bool:
    """A deadlock or serialisation failure (PostgreSQL): the whole transaction may run again."""
    return getattr(error.orig, "sqlstate", None) in RETRYABLE


def is_postgres(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


@overload
def aware(moment: datetime) -> datetime: ...
@overload
def aware(moment: None) -> None: ...
def aware(moment: datetime | None) -> datetime | None:
    """An instant as the database hands it back, made timezone-aware: SQLite returns naive UTC,
    PostgreSQL an aware value, and the two must compare alike."""
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
