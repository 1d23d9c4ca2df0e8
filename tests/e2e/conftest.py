"""Browser test fixtures: a served registry per module (SQLite, and PostgreSQL when it
answers), Chromium, and a signed-in page per user."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_site import (
    CHROMIUM,
    LAUNCH_ARGS,
    SignedIn,
    Site,
    make_site,
    require_chromium,
    require_postgres_for_browser,
    signed_in_pages,
)


@pytest.fixture(scope="module")
def sqlite_site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    require_chromium()
    path = tmp_path_factory.mktemp("web") / "registry.db"
    shutil.copy(sqlite_template, path)
    yield from make_site(f"sqlite:///{path}")


@pytest.fixture(scope="module")
def postgres_site(postgres_databases: Any) -> Iterator[Site]:
    require_chromium()
    require_postgres_for_browser(postgres_databases)
    url = postgres_databases.fresh()
    yield from make_site(url)
    postgres_databases.drop(url)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def as_user(sqlite_site: Site, browser: Any) -> Iterator[SignedIn]:
    yield from signed_in_pages(sqlite_site, browser)


@pytest.fixture(scope="module")
def as_user_on_postgres(postgres_site: Site, browser: Any) -> Iterator[SignedIn]:
    yield from signed_in_pages(postgres_site, browser)
