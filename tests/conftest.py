"""Test databases: every test that needs one gets a fresh database built by the real
migrations, on SQLite and on PostgreSQL.

PostgreSQL runs whenever the server answers (ARTICLE6_TEST_POSTGRES, default
postgresql://postgres@127.0.0.1:5432/postgres). Locally a missing server skips those tests
with a message; with CI=true a missing server fails the run.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from article6.services.context import Registry
from article6.store.database import make_engine
from article6.store.migrate import upgrade

POSTGRES_ADMIN = os.environ.get(
    "ARTICLE6_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
IN_CI = os.environ.get("CI", "").lower() == "true"
HOW_TO_ENABLE = (
    "PostgreSQL is not answering at 127.0.0.1:5432; start it with "
    "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` "
    "or set ARTICLE6_TEST_POSTGRES"
)


def _postgres_answers() -> bool:
    try:
        engine = create_engine(POSTGRES_ADMIN, connect_args={"connect_timeout": 3})
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
        engine.dispose()
        return True
    except Exception:
        return False


POSTGRES_UP = _postgres_answers()


def require_postgres() -> None:
    if not POSTGRES_UP:
        if IN_CI:
            pytest.fail(HOW_TO_ENABLE + " (CI=true: PostgreSQL tests may not be skipped)")
        pytest.skip(HOW_TO_ENABLE)


class PostgresDatabases:
    """Creates each test's database from a template migrated once per session."""

    def __init__(self) -> None:
        self.admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
        self.template = f"article6_template_{uuid.uuid4().hex[:10]}"
        self.created: list[str] = []
        self.ready = False

    def url(self, name: str) -> str:
        base = POSTGRES_ADMIN.rsplit("/", 1)[0]
        return f"{base}/{name}"

    def _prepare(self) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{self.template}"'))
        engine = make_engine(self.url(self.template))
        upgrade(engine)
        engine.dispose()
        self.ready = True

    def fresh(self) -> str:
        if not self.ready:
            self._prepare()
        name = f"article6_test_{uuid.uuid4().hex[:12]}"
        with self.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{self.template}"'))
        self.created.append(name)
        return self.url(name)

    def drop(self, name_or_url: str) -> None:
        name = name_or_url.rsplit("/", 1)[-1]
        with self.admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))

    def close(self) -> None:
        for name in [*self.created, self.template]:
            with contextlib.suppress(Exception):
                self.drop(name)
        self.admin.dispose()


@pytest.fixture(scope="session")
def postgres_databases() -> Iterator[PostgresDatabases | None]:
    if not POSTGRES_UP:
        yield None
        return
    databases = PostgresDatabases()
    yield databases
    databases.close()


@pytest.fixture(scope="session")
def postgres_server() -> str | None:
    """The PostgreSQL server's URL, for a test that creates its own scratch databases there."""
    return POSTGRES_ADMIN if POSTGRES_UP else None


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    engine = make_engine(f"sqlite:///{path}")
    upgrade(engine)
    engine.dispose()
    return path


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(
    request: pytest.FixtureRequest,
    tmp_path: Path,
    sqlite_template: Path,
    postgres_databases: PostgresDatabases | None,
) -> Iterator[str]:
    """A fresh, migrated database: once on SQLite, once on PostgreSQL."""
    if request.param == "sqlite":
        path = tmp_path / "registry.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    require_postgres()
    assert postgres_databases is not None
    url = postgres_databases.fresh()
    yield url
    postgres_databases.drop(url)


@pytest.fixture
def postgres_url(postgres_databases: PostgresDatabases | None) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database (for concurrency and locking tests)."""
    require_postgres()
    assert postgres_databases is not None
    url = postgres_databases.fresh()
    yield url
    postgres_databases.drop(url)


@pytest.fixture
def registry(database_url: str) -> Iterator[Registry]:
    registry = Registry(make_engine(database_url))
    yield registry
    registry.engine.dispose()
