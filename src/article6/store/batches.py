"""A command's statements in few round trips (PostgreSQL): statements whose answer the command
does not need at once are held back and sent together, in libpq's pipeline mode, with the next
statement that needs an answer, or with the COMMIT.

`later` sends a write this way (on SQLite it runs at once: the database is in-process, a round
trip costs nothing); `read_later` a read whose rows are asked for later (`Answer.all`): the
idempotency claim, reads that do not depend on each other. The next statement run the ordinary
way joins the batch, and its answer, like every held-back one, arrives before it returns: one
round trip for all of them. The COMMIT closes the batch, so a command's last writes, its journal
entry and its idempotency outcome commit in one round trip. A statement refused in the batch (a
constraint, a deadlock) fails the statement that carried it, or the commit, as if it had run
alone; a rollback discards the batch.

The batch talks to libpq itself (psycopg's connection underneath: its adapters, its wait loop
and its cache of prepared statements, which it empties on a rollback): each statement is
prepared the first time a connection sends it and then sent as one Bind/Execute, and the
batch's answers are read up to its one Sync. psycopg's own pipeline made a cursor, a queue
entry and a result-processing generator per statement: a third of a transfer's Python work
(0.76 against 0.26 ms for 15 statements in 5 round trips, measured). A statement run through
SQLAlchemy while a batch is open joins it the same way (`do_execute`), prepared as psycopg
would prepare it. This leans on psycopg's internals (its query conversion, its cache of prepared
statements, a cursor's results), as its pinned version has them: an upgrade of psycopg runs
`tests/integration` on PostgreSQL first.

Statements are still executed in the order written: shrink-before-grow of the unit blocks (the
exclusion constraint checks each statement) holds within a batch as it does one by one.

`later(..., merged=True)` marks a write that neither reads nor constrains what the writes next to
it write (a transaction's moved ranges, its journal entry, the idempotency outcome): consecutive
such writes go as one statement, a data-modifying `WITH` (its parts see one snapshot and run in
no set order, so only independent writes may share it, and a second row of the same statement
starts the next one). Any other statement, the COMMIT included, sends them first.
"""

from __future__ import annotations

import collections
import contextlib
import re
import weakref
from collections.abc import Callable, Generator
from typing import Any, NamedTuple

import psycopg
from psycopg import errors, pq
from psycopg._preparing import Prepare
from psycopg._queries import PostgresQuery, PostgresRawQuery
from psycopg.adapt import Transformer
from psycopg.waiting import Ready, Wait
from sqlalchemy import Connection, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.sql import Insert, Select

_BATCH = "article6_batch"  # the open batch of a DBAPI connection
_DRIVER = "article6_driver"  # what a DBAPI connection keeps between batches (`_Driver`)
_HOLDING_BACK = "article6_holding_back"  # set while `later` sends a statement through SQLAlchemy
_watched: weakref.WeakSet[Engine] = weakref.WeakSet()
_TUPLES_OK = pq.ExecStatus.TUPLES_OK
_FATAL_ERROR = pq.ExecStatus.FATAL_ERROR
_PIPELINE_SYNC = pq.ExecStatus.PIPELINE_SYNC
_PIPELINE_ABORTED = pq.ExecStatus.PIPELINE_ABORTED


def watch(engine: Engine) -> None:
    """Close each batch with the statement that needs an answer, the commit or the rollback."""
    if engine.dialect.name != "postgresql" or engine in _watched:
        return
    _watched.add(engine)
    event.listen(engine, "before_cursor_execute", _before_statement)
    event.listen(engine, "do_execute", _join)
    event.listen(engine, "do_execute_no_params", _join_without_parameters)
    event.listen(engine, "commit", _commit)
    event.listen(engine, "rollback", _rollback)


def later(
    connection: Connection, statement: Any, parameters: Any = None, merged: bool = False
) -> None:
    """Run a write whose result nothing reads: on PostgreSQL in the next round trip. Its SQL is
    compiled once per set of columns given and handed to the driver with the parameters' types
    processed as SQLAlchemy would; a statement with defaults computed in Python or expanding
    parameters runs through SQLAlchemy instead (and joins the batch all the same). `merged`: in
    one statement with the merged writes next to it (see the module docstring), each row a part."""
    if not _pipelined(connection):
        connection.execute(statement, parameters)
        return
    rows: list[dict[str, Any]] = parameters if isinstance(parameters, list) else [parameters or {}]
    compiled = _compiled_write(connection, statement, rows[0])
    batch = _open(connection)
    if compiled is not None and merged:
        for row in rows:
            if any(sql == compiled.string for sql, _values in batch.merged):
                batch.send_merged()  # the parts' order is not kept: one per statement
            batch.merged.append((compiled.string, _bound(compiled, row)))
        return
    batch.send_merged()
    if compiled is None:
        connection.info[_HOLDING_BACK] = True
        try:
            connection.execute(statement, parameters)
        finally:
            connection.info.pop(_HOLDING_BACK, None)
        return
    sql, names = _numbered(compiled.string)
    for bound in (_bound(compiled, row) for row in rows):
        batch.write(sql, [bound[name] for name in names])


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
        rows: list[Any] | None = None,
        missing: Callable[[], Exception] | None = None,
        judge: Callable[[list[Any]], None] | None = None,
        sql: bytes = b"",
    ) -> None:
        self._connection = connection
        self._waiting = rows is None
        self._rows = rows or []
        self._missing = missing
        self._judge = judge
        self._sql = sql

    @property
    def sent(self) -> bool:
        return not self._waiting

    def all(self) -> list[Any]:
        """The rows (named tuples), sending the batch now if nothing has sent it yet. A
        statement the database refused raises as SQLAlchemy would have raised it (a constraint
        as `IntegrityError`, a deadlock retryable), whichever statement it was."""
        if self._waiting:
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

    def _settle(self, result: pq.abc.PGresult, driver: _Driver) -> None:
        self._waiting = False
        if result.status == _TUPLES_OK:
            row = _ROWS.get(self._sql)
            if row is None:
                row = _ROWS[self._sql] = _row_type(result)
            transformer = driver.transformer
            transformer.set_pgresult(result)
            self._rows = transformer.load_rows(0, result.ntuples, row._make)
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
    batch = _open(connection)
    batch.send_merged()
    sql, names = _numbered(compiled.string)
    values = compiled.construct_params(parameters)
    answer = Answer(connection, missing=missing, judge=judge, sql=sql)
    batch.write(sql, [values[name] for name in names], answer)
    return answer


_PLACEHOLDER = re.compile(r"%\((\w+)\)s|%%")
_NUMBERED: dict[tuple[str, int], tuple[bytes, tuple[str, ...]]] = {}
_ROWS: dict[bytes, Any] = {}
"""The row type of each statement read in batches, by its SQL: its columns never change."""


def _numbered(sql: str, start: int = 0) -> tuple[bytes, tuple[str, ...]]:
    """A compiled statement's SQL with its named placeholders numbered from `start + 1` (`$n`,
    as the server takes them) and the names in that order, worked out once per statement: the
    driver then sends it as it is. psycopg would parse the named form again on every execution
    of a statement longer than its cache takes (the candidates' read is 7,000 characters)."""
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


class _Joined(NamedTuple):
    """A statement SQLAlchemy ran while the batch was open: its cursor gets the answer."""

    cursor: Any


class _Preparing(NamedTuple):
    """A statement whose preparation psycopg's cache must learn the outcome of (psycopg's own
    bookkeeping, kept: on a rollback it deallocates what it prepared, ours included)."""

    sent: int  # its place in the batch
    key: Any
    prepare: Prepare
    name: bytes


class _Driver:
    """What a DBAPI connection keeps from batch to batch: psycopg's adapters bound to it (one
    transformer: a connection runs one statement at a time)."""

    def __init__(self, driver: psycopg.Connection[Any]) -> None:
        self.connection = driver
        self.pgconn = driver.pgconn
        self.transformer = Transformer(driver)


def _row_type(result: pq.abc.PGresult) -> Any:
    """A named tuple of the result's columns, as psycopg's `namedtuple_row` makes."""
    names = [(result.fname(column) or b"").decode() for column in range(result.nfields)]
    return collections.namedtuple("Row", names, rename=True)


class _Batch:
    """The statements sent since the batch opened, each with what waits for its answer: an
    `Answer`, a joined statement's cursor, or nothing (a write, a preparation, BEGIN, COMMIT,
    whose answer is only checked)."""

    def __init__(self, driver: _Driver) -> None:
        self.driver = driver
        self.waiting: list[Answer | _Joined | None] = []
        self.preparing: list[_Preparing] = []
        self.merged: list[tuple[str, dict[str, Any]]] = []
        """The independent writes waiting to go as one statement."""

    def send(
        self,
        query: PostgresQuery | PostgresRawQuery,
        waiting: Answer | _Joined | None = None,
        prepare: bool | None = True,
    ) -> None:
        """Queue the statement in libpq's buffer (pipeline mode): it goes with the batch. It
        is prepared the first time the connection sends it (`prepare`), or as psycopg would
        decide (None: after a few runs), in psycopg's cache of prepared statements."""
        pgconn = self.driver.pgconn
        cache = self.driver.connection._prepared
        prepared, name = cache.get(query, prepare)
        if prepared is Prepare.SHOULD:
            pgconn.send_prepare(name, query.query, param_types=query.types)
            self.waiting.append(None)
        if prepared is Prepare.NO:
            pgconn.send_query_params(
                query.query, query.params, param_formats=query.formats, param_types=query.types
            )
        else:
            pgconn.send_query_prepared(name, query.params, param_formats=query.formats)
        key = cache.maybe_add_to_cache(query, prepared, name)
        if key is not None:
            self.preparing.append(_Preparing(len(self.waiting), key, prepared, name))
        self.waiting.append(waiting)

    def write(self, sql: bytes, values: list[Any], answer: Answer | None = None) -> None:
        query = PostgresRawQuery(self.driver.transformer)
        query.convert(sql, values)
        self.send(query, answer)

    def send_merged(self) -> None:
        """Send the merged writes waiting, as one statement, ahead of whatever goes next."""
        if not self.merged:
            return
        parts: list[bytes] = []
        values: list[Any] = []
        for sql, row in self.merged:
            part, names = _numbered(sql, len(values))
            parts.append(part)
            values += [row[name] for name in names]
        self.merged = []
        *first, last = parts
        parts_before = b", ".join(
            b"w%d AS (%s)" % (index, part) for index, part in enumerate(first)
        )
        self.write(b"WITH %s %s" % (parts_before, last) if first else last, values)

    def go(self) -> None:
        """Send the batch with its Sync and read every answer (one round trip); raise the first
        error any statement met, else settle the answers in the order they were sent."""
        driver = self.driver
        pgconn = driver.pgconn
        pgconn.pipeline_sync()
        try:
            answers: list[list[Any]] = driver.connection.wait(_round_trip(pgconn))
        except BaseException:
            with contextlib.suppress(psycopg.Error):
                pgconn.exit_pipeline_mode()
            raise
        pgconn.exit_pipeline_mode()
        cache = driver.connection._prepared
        for preparing in self.preparing:
            cache.validate(
                preparing.key, preparing.prepare, preparing.name, answers[preparing.sent]
            )
        refused: psycopg.Error | None = None
        for results in answers:
            if results[0].status == _FATAL_ERROR:
                refused = errors.error_from_result(results[0], encoding=pgconn._encoding)
                break
            if results[0].status == _PIPELINE_ABORTED:
                refused = errors.PipelineAborted("pipeline aborted")
                break
        if refused is not None:
            raise refused
        if cache._to_flush:  # statements the cache let go: deallocated on the server
            driver.connection.wait(cache.maintain_gen(driver.connection))
        for waiting, results in zip(self.waiting, answers, strict=True):
            if isinstance(waiting, Answer):
                waiting._settle(results[0], driver)
            elif isinstance(waiting, _Joined):
                waiting.cursor._check_results(results)
                waiting.cursor._set_results(results)


def _round_trip(pgconn: Any) -> Generator[Wait, Ready | int, list[list[Any]]]:
    """psycopg's wait loop drives this: write the batch (reading meanwhile, so that a long
    batch cannot stall on a full socket), then read each statement's results, up to the Sync."""
    answers: list[list[Any]] = []
    results: list[Any] = []
    while True:
        flushed = pgconn.flush() == 0
        while not pgconn.is_busy():
            result = pgconn.get_result()
            if result is None:
                if results:
                    answers.append(results)
                    results = []
                    continue
                break
            if result.status == _PIPELINE_SYNC:
                return answers
            results.append(result)
        ready = yield Wait.R if flushed else Wait.RW
        if ready & Ready.R:
            pgconn.consume_input()


def _pipelined(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql" and connection.engine in _watched


def _open(connection: Connection) -> _Batch:
    """The connection's open batch, or a new one in pipeline mode. A transaction not yet begun
    begins in the batch: its BEGIN is sent first, with the statements that follow (psycopg
    would send it alone and wait for it)."""
    info = connection.info
    batch: _Batch | None = info.get(_BATCH)
    if batch is not None:
        return batch
    dbapi: Any = connection.connection.driver_connection
    driver: _Driver | None = info.get(_DRIVER)
    if driver is None or driver.connection is not dbapi:
        driver = info[_DRIVER] = _Driver(dbapi)
    batch = info[_BATCH] = _Batch(driver)
    pgconn = driver.pgconn
    pgconn.enter_pipeline_mode()
    if not dbapi.autocommit and pgconn.transaction_status == pq.TransactionStatus.IDLE:
        pgconn.send_query_params(dbapi._get_tx_start_command(), None)
        batch.waiting.append(None)  # its result, checked when the batch goes
    return batch


def _close(connection: Connection) -> None:
    """Send the batch, the merged writes waiting included, and wait for every answer in it
    (one round trip)."""
    batch: _Batch | None = connection.info.pop(_BATCH, None)
    if batch is not None:
        batch.send_merged()
        batch.go()


def _before_statement(
    connection: Connection,
    _cursor: Any,
    _statement: str,
    _parameters: Any,
    _context: Any,
    executemany: bool,
) -> None:
    """A statement SQLAlchemy runs goes after the merged writes waiting; one run for many rows
    (psycopg's own `executemany`) cannot join the batch: the batch goes first."""
    if connection.invalidated:
        return
    batch: _Batch | None = connection.info.get(_BATCH)
    if batch is None:
        return
    if executemany:
        _close(connection)
    else:
        batch.send_merged()


def _join(cursor: Any, statement: str, parameters: Any, context: Any) -> bool:
    """A statement SQLAlchemy runs while a batch is open joins it, and the batch goes now (its
    answer is needed), unless `later` is holding it back."""
    connection: Connection = context.root_connection
    try:
        info = connection.info
    except NotImplementedError:  # the dialect's first look at a new connection: no batch
        return False
    batch: _Batch | None = info.get(_BATCH)
    if batch is None:
        return False  # psycopg runs it
    query = PostgresQuery(batch.driver.transformer)
    query.convert(statement, parameters)
    holding_back = bool(info.get(_HOLDING_BACK))
    cursor._reset()  # as psycopg's `execute` starts: its answer is set when the batch goes
    cursor._last_query = None
    cursor._tx = Transformer(cursor)
    cursor._query = query
    batch.send(query, None if holding_back else _Joined(cursor), prepare=None)
    if not holding_back:
        _close(connection)
    return True


def _join_without_parameters(cursor: Any, statement: str, context: Any) -> bool:
    return _join(cursor, statement, None, context)


def _commit(connection: Connection) -> None:
    """The batch and the COMMIT in one round trip; the driver's own commit then finds nothing
    to do."""
    batch: _Batch | None = connection.info.pop(_BATCH, None)
    if batch is None:
        return
    try:
        batch.send_merged()
        batch.driver.pgconn.send_query_params(b"COMMIT", None)
        batch.waiting.append(None)
        batch.go()
    except psycopg.Error as error:
        raise DBAPIError.instance(
            "COMMIT", None, error, psycopg.Error, dialect=connection.dialect
        ) from error


def _rollback(connection: Connection) -> None:
    """Discard the batch: its writes roll back with the rest. A connection the server ended
    (invalidated) has no batch left to discard, and reading its `info` would raise."""
    if connection.invalidated:
        return
    batch: _Batch | None = connection.info.pop(_BATCH, None)
    if batch is None:
        return
    with contextlib.suppress(psycopg.Error):  # the transaction is rolled back anyway
        batch.go()
