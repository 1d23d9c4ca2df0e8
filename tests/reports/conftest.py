"""The seed's world after its four scenarios, run in 2025 and reported in January 2026."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from scenario_world import Reported, run_scenarios

from article6.services.context import Registry
from article6.store.database import make_engine


@pytest.fixture
def reported(registry: Registry) -> Reported:
    """Scenarios 1a, 2a, 1b, 2b on SQLite and on PostgreSQL; the clock stands in 2026."""
    return run_scenarios(registry)


@pytest.fixture(scope="module")
def reported_once(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[Reported]:
    """The same on one SQLite database shared by a module's tests (they only read)."""
    path = tmp_path_factory.mktemp("reported") / "registry.db"
    shutil.copy(sqlite_template, path)
    registry = Registry(make_engine(f"sqlite:///{path}"))
    yield run_scenarios(registry)
    registry.engine.dispose()
