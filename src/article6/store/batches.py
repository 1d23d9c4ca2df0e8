"""A command's statements in few round trips (PostgreSQL): statements whose answer the command
does not need at once are held back and sent together, in psycopg's pipeline mode, with the next
statement that needs an answer, or with the COMMIT.

`later` sends a write this way (on SQLite it runs at once: the database is in-process, a round
trip costs nothing); `read_later` a read whose rows are asked for later (`Answer.all`): the
idempotency claim, reads that do not depend on each other. The next statement run the ordinary
way joins the batch, and its answer, like every held-back one, arrives before it returns: one
round trip for all of them. The COMMIT closes the batch, so a command's last writes, its journal
entry and its idempotency outcome commit in one round trip. A statement refused in the batch (a
constraint, a deadlock) fails the statement that carried it, or the commit, as if it had run
alone; a rollback discards the batch.

Statements are still executed in the order written: shrink-before-grow of the unit blocks (the
exclusion constraint checks each statement) holds within a batch as it does one by one.

`later(..., merged=True)` marks a write that neither reads nor constrains what the writes next to
it write (a transaction's moved ranges, its journal entry, the idempotency outcome): consecutive
such writes go as one statement, a data-modifying `WITH` (its parts see one snapshot and run in
no set order, so only independent writes may share it, and a second row of the same statement
starts the next one). Any other statement, the COMMIT included, sends them first.
"""

from __future__ import annotations

import contextlib
import re
import weakref
from collections.abc import Callable
from typing import Any, cast

import psycopg
from psycopg import pq
from psycopg.rows import namedtuple_row
from sqlalchemy import Connection, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Insert, Select

_PIPELINE = "article6_pipeline"  # the open psycopg pipeline of a DBAPI connection
_HOLDING_BACK = "article6_holding_back"  # set while `later` sends a statement into the pipeline
_ANSWERS = "article6_answers"  # the answers the open pipeline owes
_MERGED = "article6_merged"  # the independent writes waiting to go as one statement
_watched: weakref.WeakSet[Engine] = weakref.WeakSet()


def watch(engine: Engine) -> None:
    """Close each batch with the statement that needs an answer, the commit or the rollback."""
    if engine.dialect.name != "postgresql" or engine in _watched:
        return
    _watched.add(engine)
    event.listen(engine, "before_cursor_execute", _send_merged)
    event.listen(engine, "after_cursor_execute", _answered)
    event.listen(engine, "commit", _commit)
    event.listen(engine, "rollback", _rollback)


def later(
    connection: Connection, statement: Any, parameters: Any = None, merged: bool = False
) -> None:
    """Run a write whose result nothing reads: on PostgreSQL in the next round trip. Its SQL is
    compiled once per set of columns given and handed to the driver with the parameters' types
    processed as SQLAlchemy would; a statement with defaults computed in Python or expanding
    parameters runs through SQLAlchemy instead. `merged`: in one statement with the merged
    writes next to it (see the module docstring), each row a part."""
    if not _pipelined(connection):
        connection.execute(statement, parameters)
        return
    rows: list[dict[str, Any]] = parameters if isinstance(parameters, list) else [parameters or {}]
    compiled = _compiled_write(connection, statement, rows[0])
    _open(connection)
    if compiled is not None and merged:
        for row in rows:
            waiting = connection.info.setdefault(_MERGED, [])
            if any(sql == compiled.string for sql, _values in waiting):
                _send_merged(connection)  # the parts' order is not kept: one per statement
                waiting = connection.info.setdefault(_MERGED, [])
            waiting.append((compiled.string, _bound(compiled, row)))
        return
    _send_merged(connection)
    if compiled is None:
        connection.info[_HOLDING_BACK] = True
        try:
            connection.execute(statement, parameters)
        finally:
            connection.info.pop(_HOLDING_BACK, None)
        return
    sql, names = _numbered(compiled.string)
    values = [[bound[name] for name in names] for bound in (_bound(compiled, row) for row in rows)]
    for row_values in values:
        _HeldBack(_driver(connection)).execute(sql, row_values)


_WRITES: dict[tuple[int, str, tuple[str, ...]], Any] = {}


def _compiled_write(connection: Connection, statement: Any, row: dict[str, Any]) -> Any | None:
    """The statement compiled for these columns (statements are module constants: built once),
    or None when the driver cannot be handed it as it is."""
    keys = tuple(sorted(row))
    key = (id(statement), connection.dialect.name, keys)
    compiled = _WRITES.get(key)
    if compiled is None:
        compiled = statement.compile(dialect=connection.dialect, column_keys=list(keys))
        if (
            compiled.insert_prefetch
            or compiled.update_prefetch
            or compiled.post_compile_params
            or compiled.literal_execute_params
        ):
            compiled = False
        _WRITES[key] = compiled
    return compiled or None


def _bound(compiled: Any, row: dict[str, Any]) -> dict[str, Any]:
    values = compiled.construct_params(row, escape_names=False)
    processors = compiled._bind_processors
    bound = {
        name: processors[name](value) if name in processors else value
        for name, value in values.items()
    }
    escaped = compiled.escaped_bind_names
    return {escaped.get(name, name): value for name, value in bound.items()} if escaped else bound


class Answer:
    """The rows of a statement sent in a batch, read once the batch has gone. With `missing`,
    no row at all is an error, raised by whichever statement carried the batch; `judge` is
    given the rows as they arrive, and what it raises is raised the same way (the answers of a
    batch are judged in the order their statements were sent)."""

    def __init__(
        self,
        connection: Connection,
        cursor: Any = None,
        rows: list[Any] | None = None,
        missing: Callable[[], Exception] | None = None,
        judge: Callable[[list[Any]], None] | None = None,
    ) -> None:
        self._connection = connection
        self._cursor = cursor
        self._rows = rows or []
        self._missing = missing
        self._judge = judge

    @property
    def sent(self) -> bool:
        return self._cursor is None

    def all(self) -> list[Any]:
        """The rows (named tuples), sending the batch now if nothing has sent it yet. A
        statement the database refused raises as SQLAlchemy would have raised it (a constraint
        as `IntegrityError`, a deadlock retryable), whichever statement it was."""
        if self._cursor is not None:
            try:
                _close(self._connection)
            except psycopg.Error as error:
                raise DBAPIError.instance(
                    "(a batch)", None, error, psycopg.Error, dialect=self._connection.dialect
                ) from error
        return self._rows

    def first(self) -> Any | None:
        rows = self.all()
        return rows[0] if rows else None

    def _settle(self) -> None:
        cursor, self._cursor = self._cursor, None
        result = cursor.pgresult  # not `description`: it builds a column list to be tested
        self._rows = (
            cursor.fetchall()
            if result is not None and result.status == pq.ExecStatus.TUPLES_OK
            else []
        )
        cursor.close()
        if not self._rows and self._missing is not None:
            raise self._missing()
        if self._judge is not None:
            self._judge(self._rows)


_COMPILED: dict[tuple[int, str], Any] = {}


def read_later(
    connection: Connection,
    statement: Select[Any] | Insert,
    parameters: dict[str, Any],
    missing: Callable[[], Exception] | None = None,
    judge: Callable[[list[Any]], None] | None = None,
) -> Answer:
    """Send a statement whose rows are read later (`Answer.all`): on PostgreSQL with the next
    statement, on SQLite at once. With `missing`, no row raises it; `judge` is given the rows
    and may raise (then, or when the batch goes). Its SQL is compiled once (no expanding
    parameters); rows are named tuples of the driver's values, with no SQLAlchemy type
    processing."""
    if not _pipelined(connection):
        rows = list(connection.execute(statement, parameters))
        if not rows and missing is not None:
            raise missing()
        if judge is not None:
            judge(rows)
        return Answer(connection, rows=rows)
    key = (id(statement), connection.dialect.name)
    compiled = _COMPILED.get(key)
    if compiled is None:
        compiled = _COMPILED[key] = statement.compile(dialect=connection.dialect)
    _open(connection)
    _send_merged(connection)
    sql, names = _numbered(compiled.string)
    values = compiled.construct_params(parameters)
    cursor = _HeldBack(_driver(connection), row_factory=namedtuple_row)
    cursor.execute(sql, [values[name] for name in names])
    answer = Answer(connection, cursor=cursor, missing=missing, judge=judge)
    connection.info.setdefault(_ANSWERS, []).append(answer)
    return answer


_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")
_NUMBERED: dict[tuple[str, int], tuple[bytes, tuple[str, ...]]] = {}


def _numbered(sql: str, start: int = 0) -> tuple[bytes, tuple[str, ...]]:
    """A compiled statement's SQL with its named placeholders numbered from `start + 1` (`$n`,
    as the server takes them) and the names in that order, worked out once per statement: the
    driver then sends it as it is (`psycopg.RawCursor`). psycopg would parse the named form
    again on every execution of a statement longer than its cache takes (the candidates' read
    is 7,000 characters)."""
    numbered = _NUMBERED.get((sql, start))
    if numbered is None:
        names: list[str] = []

        def number(placeholder: re.Match[str]) -> str:
            name = placeholder.group(1)
            if name is None:
                return "%"  # `%%` is a literal `%` in the named form, and as it is in the raw one
            if name not in names:
                names.append(name)
            return f"${start + names.index(name) + 1}"

        numbered = _NUMBERED[(sql, start)] = (
            _PLACEHOLDER.sub(number, sql).encode(),
            tuple(names),
        )
    return numbered


class _HeldBack(psycopg.RawCursor[Any]):
    """A cursor whose statement waits in libpq's buffer for the batch's next flush.

    psycopg's `execute` in a pipeline sends the statement, flushes it alone and reads whatever
    answers have arrived: two polls and a write per statement. Here the statement is queued as
    psycopg queues it (its answer expected in order, prepared statements kept) and handed to
    libpq at once, which buffers it in pipeline mode: the statement that needs an answer, or
    the COMMIT, sends the whole batch in one write. (psycopg's own generators, pinned version.)
    """

    def _execute_gen(
        self,
        query: Any,
        params: Any = None,
        *,
        prepare: bool | None = None,
        binary: bool | None = None,
    ) -> Any:
        pipeline = self._conn._pipeline
        if pipeline is None:
            return (yield from super()._execute_gen(query, params, prepare=prepare, binary=binary))
        yield from self._start_query(query)
        query_ = self._convert_query(query, params)
        yield from self._maybe_prepare_gen(query_, prepare=prepare, binary=binary)
        while pipeline.command_queue:
            pipeline.command_queue.popleft()()
        self._last_query = query
        yield from self._conn._prepared.maintain_gen(self._conn)


def _send_merged(connection: Connection, *_arguments: Any) -> None:
    """Send the merged writes waiting, as one statement, ahead of whatever goes next."""
    if connection.invalidated:
        return
    waiting: list[tuple[str, dict[str, Any]]] = connection.info.pop(_MERGED, None) or []
    if not waiting:
        return
    parts: list[bytes] = []
    values: list[Any] = []
    for sql, row in waiting:
        part, names = _numbered(sql, len(values))
        parts.append(part)
        values += [row[name] for name in names]
    *first, last = parts
    parts_before = b", ".join(b"w%d AS (%s)" % (index, part) for index, part in enumerate(first))
    merged = b"WITH %s %s" % (parts_before, last) if first else last
    _HeldBack(_driver(connection)).execute(merged, values)


def _driver(connection: Connection) -> psycopg.Connection[Any]:
    return cast("psycopg.Connection[Any]", connection.connection.driver_connection)


def _pipelined(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql" and connection.engine in _watched


def _open(connection: Connection) -> None:
    """Enter pipeline mode. A transaction not yet begun begins in the batch: its BEGIN is sent
    first, with the statements that follow (psycopg would send it alone and wait for it)."""
    if _PIPELINE not in connection.info:
        driver: Any = connection.connection.driver_connection
        pipeline = driver.pipeline()
        pipeline.__enter__()
        connection.info[_PIPELINE] = pipeline
        if not driver.autocommit and driver.pgconn.transaction_status == pq.TransactionStatus.IDLE:
            driver.pgconn.send_query_params(driver._get_tx_start_command(), None)
            driver._pipeline.result_queue.append(None)  # its result, checked when the batch goes


def _close(connection: Connection) -> None:
    """Send the batch, the merged writes waiting included, and wait for every answer in it
    (one round trip)."""
    if _PIPELINE in connection.info:
        _send_merged(connection)
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
        _send_merged(connection)
        driver = connection.connection.driver_connection
        driver.execute("COMMIT")  # type: ignore[union-attr]
        _close(connection)
    except psycopg.Error as error:
        connection.info.pop(_PIPELINE, None)
        connection.info.pop(_ANSWERS, None)
        connection.info.pop(_MERGED, None)
        raise DBAPIError.instance(
            "COMMIT", None, error, psycopg.Error, dialect=connection.dialect
        ) from error


def _rollback(connection: Connection) -> None:
    """Discard the batch: its writes roll back with the rest. A connection the server ended
    (invalidated) has no batch left to discard, and reading its `info` would raise."""
    if connection.invalidated:
        return
    pipeline = connection.info.pop(_PIPELINE, None)
    connection.info.pop(_ANSWERS, None)
    connection.info.pop(_MERGED, None)
    if pipeline is None:
        return
    with contextlib.suppress(psycopg.Error):  # the transaction is rolled back anyway
        pipeline.__exit__(None, None, None)
