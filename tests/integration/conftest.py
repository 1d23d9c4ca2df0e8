"""The small world most integration tests start from.

The world is built through the services once per session and database kind, then copied into
each test's fresh database (a file copy on SQLite, `CREATE DATABASE … TEMPLATE` on
PostgreSQL): every test gets the same registry at a fraction of the cost of rebuilding it.
"""

from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest
from small_world import SmallWorld, build_small_world
from sqlalchemy import text
from sqlalchemy.exc import OperationalError

from article6.services.context import Registry
from article6.store.database import make_engine


class WorldTemplates:
    """One built small world per database kind, made on first use."""

    def __init__(self, directory: Path, sqlite_template: Path, postgres: Any) -> None:
        self.directory = directory
        self.sqlite_template = sqlite_template
        self.postgres = postgres
        self.built: dict[str, tuple[str, SmallWorld]] = {}

    def _build(self, url: str) -> SmallWorld:
        engine = make_engine(url)
        try:
            world = build_small_world(Registry(engine))
        finally:
            engine.dispose()
        if url.startswith("sqlite:///"):
            # Fold the write-ahead log into the file, so that copying the file copies it all.
            connection = sqlite3.connect(url.removeprefix("sqlite:///"))
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            connection.close()
        return world

    def template(self, kind: str) -> tuple[str, SmallWorld]:
        if kind not in self.built:
            if kind == "sqlite":
                path = self.directory / "world.db"
                shutil.copy(self.sqlite_template, path)
                self.built[kind] = (str(path), self._build(f"sqlite:///{path}"))
            else:
                url = self.postgres.fresh()
                self.built[kind] = (url.rsplit("/", 1)[-1], self._build(url))
        return self.built[kind]

    def copy_into(self, database_url: str) -> SmallWorld:
        if database_url.startswith("sqlite:///"):
            source, world = self.template("sqlite")
            shutil.copy(source, database_url.removeprefix("sqlite:///"))
        else:
            template, world = self.template("postgres")
            name = database_url.rsplit("/", 1)[-1]
            self.postgres.drop(database_url)
            copy_database(self.postgres.admin, template, name)
        return SmallWorld(accounts=dict(world.accounts), activity=world.activity)


def copy_database(admin: Any, template: str, name: str, attempts: int = 5) -> None:
    """`CREATE DATABASE … TEMPLATE`, which needs the template idle: a background thread of the
    build (the journal's sealer finishing its round, autovacuum) may still hold a session on it
    for a moment, so such sessions are ended and the copy tried again."""
    for attempt in range(attempts):
        with admin.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :template AND pid <> pg_backend_pid()"
                ),
                {"template": template},
            )
            try:
                connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
                return
            except OperationalError:
                if attempt == attempts - 1:
                    raise
        time.sleep(0.2)


@pytest.fixture(scope="session")
def world_templates(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path, postgres_databases: Any
) -> WorldTemplates:
    return WorldTemplates(tmp_path_factory.mktemp("world"), sqlite_template, postgres_databases)


@pytest.fixture
def world(registry: Registry, database_url: str, world_templates: WorldTemplates) -> SmallWorld:
    """The small world of small_world.py in this test's database."""
    registry.engine.dispose()  # nothing may hold the database while it is replaced
    return world_templates.copy_into(database_url)
