"""Connections of the event loop's own, for the read every authenticated request makes first.

Run in the thread pool, that read costs a hop (a thread hand-off and its futex wake-ups) on
every request; on the event loop it costs none. PostgreSQL only (SQLite reads in the pool's
threads): psycopg's async connections in autocommit, each statement still compiled by
SQLAlchemy Core, once. A connection the server ended shows as a readable socket while idle and
is dropped before use, as the engine's are (`database.quiet`).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import TypeVar
from weakref import WeakKeyDictionary

from psycopg import AsyncConnection, OperationalError
from psycopg.conninfo import make_conninfo
from psycopg.rows import kwargs_row
from sqlalchemy.dialects.postgresql.psycopg import dialect as psycopg_dialect
from sqlalchemy.engine import Engine
from sqlalchemy.sql import Select

from article6.store import database

CONNECTIONS = 10
"""At most this many per event loop (a worker process has one): a burst of requests waits
for a connection rather than opening one each."""
R = TypeVar("R")
_PER_ENGINE: WeakKeyDictionary[Engine, LoopReads] = WeakKeyDictionary()


@dataclass
class _OnLoop:
    """One event loop's connections: the idle ones, and a slot for each it may have open."""

    idle: list[AsyncConnection] = field(default_factory=list)
    slots: asyncio.Semaphore = field(default_factory=lambda: asyncio.Semaphore(CONNECTIONS))


class LoopReads:
    """Async connections to the engine's database, kept per event loop and reused across
    requests."""

    def __init__(self, engine: Engine) -> None:
        # As the engine's own dialect connects: a multi-host URL (`?host=h1:p1&host=h2:p2`)
        # becomes libpq's `host=h1,h2 port=p1,p2`, which a URL's repeated `host` would not.
        _args, options = engine.dialect.create_connect_args(engine.url)
        self.conninfo = make_conninfo(
            "", **{name: value for name, value in options.items() if isinstance(value, str | int)}
        )
        self.loops: WeakKeyDictionary[asyncio.AbstractEventLoop, _OnLoop] = WeakKeyDictionary()

    async def rows(self, sql: str, parameters: Mapping[str, object], row: type[R]) -> list[R]:
        """The rows of one read (SQL from `compiled`), each as a `row`; run again once on a
        fresh connection if the first turns out dead (a read may run twice)."""
        for attempt in (1, 2):
            async with self.connection() as connection:
                cursor = connection.cursor(row_factory=kwargs_row(row))
                try:
                    await cursor.execute(sql, parameters)
                except OperationalError:
                    if attempt == 2 or not connection.broken:
                        raise
                    continue
                return await cursor.fetchall()
        raise RuntimeError("unreachable")

    @asynccontextmanager
    async def connection(self) -> AsyncIterator[AsyncConnection]:
        loop = asyncio.get_running_loop()
        own = self.loops.get(loop)
        if own is None:
            own = self.loops[loop] = _OnLoop()
        async with own.slots:
            connection = await self._take(own)
            try:
                yield connection
            except BaseException:
                await connection.close()
                raise
            if connection.broken:  # the server ended it: the idle ones are likely ended too
                stale, own.idle = [connection, *own.idle], []
                for ended in stale:
                    await ended.close()
            else:
                own.idle.append(connection)

    async def _take(self, own: _OnLoop) -> AsyncConnection:
        while own.idle:
            connection = own.idle.pop()
            if not connection.closed and database.quiet(connection.fileno()):
                return connection
            await connection.close()  # the server ended it while it was idle
        return await AsyncConnection.connect(self.conninfo, autocommit=True)


def of(engine: Engine) -> LoopReads | None:
    """The engine's loop connections; None on SQLite, whose reads stay in the thread pool."""
    if engine.dialect.name != "postgresql":
        return None
    found = _PER_ENGINE.get(engine)
    if found is None:
        found = _PER_ENGINE[engine] = LoopReads(engine)
    return found


def compiled(statement: Select[object]) -> str:
    """`statement` as the SQL psycopg runs, with `%(name)s` placeholders: compiled once."""
    return str(statement.compile(dialect=psycopg_dialect()))  # type: ignore[no-untyped-call]
