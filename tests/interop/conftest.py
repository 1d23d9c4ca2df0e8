"""A hub, the IR and XXB's registry, each on its own migrated SQLite database, sharing one clock
that moves only when a test moves it, and one in-process transport delivering only when a test
calls `settle()`."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from article6.demo.network import Clock, Network, build
from article6.services.context import Registry
from article6.store.database import make_engine


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def databases(tmp_path: Path, sqlite_template: Path) -> dict[str, str]:
    urls = {}
    for name in ("hub", "ir", "xxb", "a64"):
        path = tmp_path / f"{name}.db"
        shutil.copy(sqlite_template, path)
        urls[name] = f"sqlite:///{path}"
    return urls


@pytest.fixture
def registries(databases: dict[str, str], clock: Clock) -> Iterator[dict[str, Registry]]:
    opened = {name: Registry(make_engine(url), clock) for name, url in databases.items()}
    yield opened
    for registry in opened.values():
        registry.engine.dispose()


@pytest.fixture
def network(registries: dict[str, Registry]) -> tuple[Network, dict[str, str]]:
    return build(registries["hub"], registries["ir"], registries["xxb"])
