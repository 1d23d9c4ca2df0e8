"""Consistent copies of the registry's database and their restoration into a scratch database.

A copy must be one instant of the ledger, with the journal head of that same instant: on SQLite
the online backup API copies a snapshot and the head is read from the copy itself; on
PostgreSQL `pg_dump` runs on a snapshot exported by the transaction that reads the head, so the
dump and the head recorded beside it cannot disagree, however busy the registry is.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, create_engine, select, text
from sqlalchemy.engine import make_url

from article6.store.database import make_engine, normalise
from article6.store.journal import GENESIS
from article6.store.registry_state import schema_revision
from article6.store.schema import journal, journal_head

SQLITE_FILE = "registry.sqlite3"
POSTGRES_DIRECTORY = "pg_dump"


class BackupFailed(RuntimeError):
    """A copy or a restore that could not be made; the message says why, for the operator."""


@dataclass(frozen=True)
class JournalMark:
    """The journal's sealed head at the instant of the copy: its last entry's number and hash."""

    seq: int
    hash: str


@dataclass(frozen=True)
class Copy:
    """What a copy holds: its kind (`sqlite` or `postgresql`), its files, the head it holds and
    the schema revision it was taken at."""

    kind: str
    files: tuple[Path, ...]
    mark: JournalMark
    revision: str | None


def head(connection: Connection) -> JournalMark:
    row = connection.execute(select(journal_head.c.seq, journal_head.c.hash)).first()
    if row is None:
        return JournalMark(0, GENESIS)
    return JournalMark(int(row.seq), str(row.hash))


def hash_at(connection: Connection, seq: int) -> str | None:
    """The hash of entry `seq` of the chain (GENESIS before the first), or None if absent."""
    if seq == 0:
        return GENESIS
    found = connection.execute(select(journal.c.hash).where(journal.c.seq == seq)).scalar()
    return None if found is None else str(found)


def kind_of(url: str) -> str:
    resolved = normalise(url)
    if resolved.startswith("sqlite"):
        return "sqlite"
    if resolved.startswith("postgresql"):
        return "postgresql"
    raise BackupFailed(
        f"backups are made of SQLite or PostgreSQL databases, not {url.split(':')[0]}"
    )


def sqlite_path(url: str) -> Path:
    database = make_url(normalise(url)).database
    if not database or database == ":memory:":
        raise BackupFailed("an in-memory SQLite database has nothing to back up")
    return Path(database)


def libpq(url: str) -> tuple[str, dict[str, str]]:
    """A URL for the PostgreSQL client programs, and the environment carrying its password
    (kept off their command line, where any user of the machine could read it)."""
    parsed = make_url(normalise(url))
    environment = dict(os.environ)
    if parsed.password is not None:
        environment["PGPASSWORD"] = str(parsed.password)
    plain = parsed.set(drivername="postgresql", password=None)
    return plain.render_as_string(hide_password=False), environment


def copy(url: str, destination: Path) -> Copy:
    """Copy the database at `url` into the empty directory `destination`."""
    if kind_of(url) == "sqlite":
        return _copy_sqlite(sqlite_path(url), destination)
    return _copy_postgres(url, destination)


def _copy_sqlite(source: Path, destination: Path) -> Copy:
    if not source.is_file():
        raise BackupFailed(f"there is no SQLite database at {source}")
    target = destination / SQLITE_FILE
    origin = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    copied = sqlite3.connect(target)
    try:
        origin.backup(copied)  # one step: a snapshot taken under one read transaction
    finally:
        copied.close()
        origin.close()
    engine = make_engine(f"sqlite:///{target}")
    try:
        with engine.connect() as connection:
            mark, schema = head(connection), schema_revision(connection)
    finally:
        engine.dispose()
    return Copy("sqlite", (target,), mark, schema)


def _copy_postgres(url: str, destination: Path) -> Copy:
    target = destination / POSTGRES_DIRECTORY
    client_url, environment = libpq(url)
    engine = create_engine(normalise(url), isolation_level="REPEATABLE READ")
    try:
        with engine.connect() as connection, connection.begin():
            snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar_one()
            mark, schema = head(connection), schema_revision(connection)
            _run(
                [
                    "pg_dump",
                    "--format=directory",
                    f"--snapshot={snapshot}",
                    "--no-owner",
                    "--no-privileges",
                    f"--file={target}",
                    f"--dbname={client_url}",
                ],
                environment,
                "pg_dump",
            )
    finally:
        engine.dispose()
    files = tuple(sorted(path for path in target.rglob("*") if path.is_file()))
    return Copy("postgresql", files, mark, schema)


@contextmanager
def restored(kind: str, backup: Path, scratch_server: str | None) -> Iterator[str]:
    """The copy in `backup` restored into a scratch database, whose URL is yielded; the scratch
    database is removed afterwards, whatever happened."""
    if kind == "sqlite":
        directory = Path(tempfile.mkdtemp(prefix="article6-restore-"))
        try:
            shutil.copy(backup / SQLITE_FILE, directory / SQLITE_FILE)
            yield f"sqlite:///{directory / SQLITE_FILE}"
        finally:
            shutil.rmtree(directory, ignore_errors=True)
        return
    if scratch_server is None or kind_of(scratch_server) != "postgresql":
        raise BackupFailed(
            "a PostgreSQL backup is restored into a scratch database on a PostgreSQL server: "
            "give its URL with --scratch (or set ARTICLE6_DATABASE_URL)"
        )
    name = f"article6_restore_{uuid.uuid4().hex[:10]}"
    server = make_url(normalise(scratch_server))
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    scratch = server.set(database=name).render_as_string(hide_password=False)
    try:
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        client_url, environment = libpq(scratch)
        _run(
            [
                "pg_restore",
                "--exit-on-error",
                "--no-owner",
                "--no-privileges",
                f"--dbname={client_url}",
                str(backup / POSTGRES_DIRECTORY),
            ],
            environment,
            "pg_restore",
        )
        yield scratch
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _run(command: list[str], environment: dict[str, str], program: str) -> None:
    if shutil.which(program) is None:
        raise BackupFailed(f"{program} is not installed (PostgreSQL's client programs)")
    finished = subprocess.run(command, env=environment, capture_output=True, text=True)
    if finished.returncode != 0:
        reason = finished.stderr.strip().splitlines()
        raise BackupFailed(f"{program} failed: {reason[-1] if reason else 'no message'}")
