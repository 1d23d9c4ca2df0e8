"""Engines and the unit of work: one command, one database transaction.

SQLite runs in WAL mode and takes the write lock at `BEGIN IMMEDIATE`, so two writers never
interleave. PostgreSQL runs at READ COMMITTED and the repositories lock rows in a fixed order.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, overload

from sqlalchemy import Connection, create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError

from article6.store import journal

DEFAULT_URL = "sqlite:///article6.db"
log = logging.getLogger(__name__)

DriverError = DBAPIError
"""Any error the database reported through its driver; see `retryable`."""
ConstraintViolation = IntegrityError
"""A write a constraint refused, as when a concurrent command took the same key first."""
RETRYABLE = {"40P01", "40001"}  # deadlock detected, serialization failure


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
    return create_engine(resolved, isolation_level="READ COMMITTED", pool_pre_ping=True, **options)


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

    After a commit that recorded journal entries, they are sealed onto the chain."""
    options = {"sqlite_begin": "DEFERRED"} if read_only else {}
    with engine.connect().execution_options(**options) as connection:
        try:
            with connection.begin():
                yield connection
        except BaseException:
            connection.info.pop(journal.PENDING_FLAG, None)
            raise
        if connection.info.pop(journal.PENDING_FLAG, False):  # committed: chain the entries
            try:
                journal.seal_on(connection, journal.SEAL_PATIENCE_MS)
            except DBAPIError:  # the command stands; the next seal chains its entries
                log.warning("journal: sealing after commit failed", exc_info=True)


@contextmanager
def single_read(engine: Engine) -> Iterator[Connection]:
    """A connection for one read statement, outside any transaction (autocommit): two round
    trips fewer than BEGIN … COMMIT around it, for the reads every request makes first."""
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        yield connection


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
