"""A command's statements in few round trips (PostgreSQL): writes whose answer nothing waits for
are held back and sent together, in psycopg's pipeline mode, with the next statement that needs
an answer, or with the COMMIT.

`later` sends a write this way (on SQLite it runs at once: the database is in-process, a round
trip costs nothing). `claim_later` does the same for a statement whose rows are read only when
asked (`Answer.first`), the idempotency claim. The next statement run the ordinary way joins the
batch, and its answer, like every held-back one, arrives before it returns: one round trip for
all of them. The COMMIT closes the batch, so a command's last writes, its journal entry and its
idempotency outcome commit in one round trip. A write refused in the batch (a constraint, a
deadlock) fails the statement that sent it, or the commit, as if it had run alone; a rollback
discards the batch.

Statements are still executed in the order written: shrink-before-grow of the unit blocks (the
exclusion constraint checks each statement) holds within a batch as it does one by one.
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable
from typing import Any

import psycopg
from sqlalchemy import Connection, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Insert

_PIPELINE = "article6_pipeline"  # the open psycopg pipeline of a DBAPI connection
_HOLDING_BACK = "article6_holding_back"  # set while `later` sends a statement into the pipeline
_ANSWERS = "article6_answers"  # the answers the open pipeline owes
_watched: weakref.WeakSet[Engine] = weakref.WeakSet()


def watch(engine: Engine) -> None:
    """Close each batch with the statement that needs an answer, the commit or the rollback."""
    if engine.dialect.name != "postgresql" or engine in _watched:
        return
    _watched.add(engine)
    event.listen(engine, "after_cursor_execute", _answered)
    event.listen(engine, "commit", _commit)
    event.listen(engine, "rollback", _rollback)


def later(connection: Connection, statement: Any, parameters: Any = None) -> None:
    """Run a write whose result nothing reads: on PostgreSQL in the next round trip."""
    if not _pipelined(connection):
        connection.execute(statement, parameters)
        return
    _open(connection)
    connection.info[_HOLDING_BACK] = True
    try:
        connection.execute(statement, parameters)
    finally:
        connection.info.pop(_HOLDING_BACK, None)


class Answer:
    """The first row of a statement sent in a batch, read once the batch has gone. With
    `missing`, no row at all is an error, raised by whichever statement carried the batch."""

    def __init__(
        self,
        connection: Connection,
        cursor: Any = None,
        row: Any = None,
        missing: Callable[[], Exception] | None = None,
    ) -> None:
        self._connection = connection
        self._cursor = cursor
        self._row = None if row is None else tuple(row)
        self._missing = missing

    @property
    def sent(self) -> bool:
        return self._cursor is None

    def first(self) -> tuple[Any, ...] | None:
        """The first row, sending the batch now if nothing has sent it yet."""
        if self._cursor is not None:
            _close(self._connection)
        return self._row

    def _settle(self) -> None:
        cursor, self._cursor = self._cursor, None
        row = cursor.fetchone()
        cursor.close()
        self._row = None if row is None else tuple(row)
        if self._row is None and self._missing is not None:
            raise self._missing()


_COMPILED: dict[tuple[int, str], str] = {}


def claim_later(
    connection: Connection,
    statement: Insert,
    parameters: dict[str, Any],
    missing: Callable[[], Exception] | None = None,
) -> Answer:
    """Send a statement whose first row is read later (`Answer.first`): on PostgreSQL with the
    next statement, on SQLite at once. With `missing`, no row raises it (then, or when the
    batch goes). Its SQL is compiled once; its parameters are plain values."""
    if not _pipelined(connection):
        row = connection.execute(statement, parameters).first()
        if row is None and missing is not None:
            raise missing()
        return Answer(connection, row=row)
    key = (id(statement), connection.dialect.name)
    sql = _COMPILED.get(key)
    if sql is None:
        sql = _COMPILED[key] = str(statement.compile(dialect=connection.dialect))
    _open(connection)
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    cursor.execute(sql, parameters)
    answer = Answer(connection, cursor=cursor, missing=missing)
    connection.info.setdefault(_ANSWERS, []).append(answer)
    return answer


def _pipelined(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql" and connection.engine in _watched


def _open(connection: Connection) -> None:
    if _PIPELINE not in connection.info:
        driver = connection.connection.driver_connection
        pipeline = driver.pipeline()  # type: ignore[union-attr]
        pipeline.__enter__()
        connection.info[_PIPELINE] = pipeline


def _close(connection: Connection) -> None:
    """Send the batch and wait for every answer in it (one round trip)."""
    pipeline = connection.info.pop(_PIPELINE, None)
    answers: list[Answer] = connection.info.pop(_ANSWERS, [])
    if pipeline is not None:
        pipeline.__exit__(None, None, None)
    for answer in answers:
        answer._settle()


def _answered(connection: Connection, *_arguments: Any) -> None:
    if not connection.info.get(_HOLDING_BACK):
        _close(connection)


def _commit(connection: Connection) -> None:
    """The batch and the COMMIT in one round trip; the driver's own commit then finds nothing
    to do."""
    pipeline = connection.info.get(_PIPELINE)
    if pipeline is None:
        return
    try:
        driver = connection.connection.driver_connection
        driver.execute("COMMIT")  # type: ignore[union-attr]
        _close(connection)
    except psycopg.Error as error:
        connection.info.pop(_PIPELINE, None)
        connection.info.pop(_ANSWERS, None)
        raise DBAPIError.instance(
            "COMMIT", None, error, psycopg.Error, dialect=connection.dialect
        ) from error


def _rollback(connection: Connection) -> None:
    """Discard the batch: its writes roll back with the rest."""
    pipeline = connection.info.pop(_PIPELINE, None)
    connection.info.pop(_ANSWERS, None)
    if pipeline is None:
        return
    with contextlib.suppress(psycopg.Error):  # the transaction is rolled back anyway
        pipeline.__exit__(None, None, None)
