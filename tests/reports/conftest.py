"""The seed's world after its four scenarios, run in 2025 and reported in January 2026."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest

from article6 import demo
from article6.services.context import Registry
from article6.store.database import make_engine

DURING = datetime(2025, 6, 1, 12, 0, tzinfo=UTC)
AFTER = datetime(2026, 1, 15, 9, 0, tzinfo=UTC)


class Clock:
    """A registry clock the test moves by hand."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Reported:
    registry: Registry
    world: demo.DemoWorld
    clock: Clock


def run_scenarios(registry: Registry) -> Reported:
    clock = Clock(DURING)
    registry.clock = clock
    world = demo.build_world(registry)
    for _code, _title, run, expected in demo.SCENARIOS:
        run(registry, world)
        assert demo.mismatches(registry, world, expected) == []
    clock.now = AFTER
    return Reported(registry, world, clock)


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
