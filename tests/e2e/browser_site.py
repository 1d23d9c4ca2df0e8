"""Browser tests' world: the registry served by uvicorn on a free local port over a fresh database,
the seed's world with its users, and Debian's Chromium driven by Playwright.

Without /usr/bin/chromium the tests are skipped with a message saying how to install it; with
CI=true they fail instead.
"""

from __future__ import annotations

import os
import socket
import tempfile
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from article6.app import create_app
from article6.demo import users as demo_users
from article6.demo import world as demo
from article6.domain import totp
from article6.services.context import Registry
from article6.settings import Settings
from article6.store.database import make_engine

os.environ.setdefault("ARTICLE6_PASSWORD_COST", "test")

CHROMIUM = os.environ.get("ARTICLE6_CHROMIUM", "/usr/bin/chromium")
IN_CI = os.environ.get("CI", "").lower() == "true"
HOW_TO_ENABLE = f"Chromium is not at {CHROMIUM}; install it with `apt-get install -y chromium`"
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# The tests always take the screenshots; they refresh the ones in docs/ only when asked
# (`ARTICLE6_SCREENSHOTS=docs make test`), so an ordinary run leaves the work tree as it was.
SCREENSHOTS = (
    Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    if os.environ.get("ARTICLE6_SCREENSHOTS") == "docs"
    else Path(tempfile.gettempdir()) / "article6-screenshots"
)
VIEWPORT = {"width": 1280, "height": 800}


def require_postgres_for_browser(databases: Any) -> None:
    if databases is None:
        message = "PostgreSQL is not answering at 127.0.0.1:5432 (see tests/conftest.py)"
        if IN_CI:
            pytest.fail(message + " (CI=true: PostgreSQL tests may not be skipped)")
        pytest.skip(message)


def require_chromium() -> None:
    if not (Path(CHROMIUM).is_file() and os.access(CHROMIUM, os.X_OK)):
        if IN_CI:
            pytest.fail(HOW_TO_ENABLE + " (CI=true: browser tests may not be skipped)")
        pytest.skip(HOW_TO_ENABLE)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@dataclass
class Site:
    """The served registry, its world and the passwords and TOTP secrets of its users."""

    base_url: str
    registry: Registry
    world: demo.DemoWorld
    users: dict[str, tuple[str, str]]
    pages: dict[str, Any] = field(default_factory=dict)

    def code(self, name: str) -> str:
        return totp.code_at(self.users[name][1], datetime.now(UTC))

    def account(self, name: str) -> str:
        return self.world[name]


def serve(registry: Registry) -> Iterator[str]:
    port = free_port()
    config = uvicorn.Config(
        create_app(registry, Settings()),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="off",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    started = threading.Event()

    def wait() -> None:
        while not server.started and thread.is_alive():
            started.wait(0.05)

    wait()
    assert server.started, "the server did not start"
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


def make_site(url: str) -> Iterator[Site]:
    """The seed's world (demo.build_world: 100,000 MOs issued to XXA) and one user per role."""
    registry = Registry(make_engine(url))
    world = demo.build_world(registry)
    users = {
        name: (f"pw-{name}-{totp.new_secret()[:8]}", totp.new_secret())
        for name, *_ in demo_users.DEMO_ROLES
    }
    demo_users.create_demo_users(registry, users)
    for base_url in serve(registry):
        yield Site(base_url, registry, world, users)
    registry.engine.dispose()


SignedIn = Callable[[str], Any]


def signed_in_pages(site: Site, browser: Any) -> Iterator[SignedIn]:
    """A page per user, signed in through the sign-in form on first use (a TOTP code is
    accepted once, so each user signs in once per site)."""
    contexts: list[Any] = []

    def page_of(name: str) -> Any:
        if name not in site.pages:
            context = browser.new_context(viewport=VIEWPORT, base_url=site.base_url)
            contexts.append(context)
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.goto("/sign-in")
            page.get_by_label("User name").fill(name)
            page.get_by_label("Password").fill(site.users[name][0])
            page.get_by_label("Second-factor code").fill(site.code(name))
            page.get_by_role("button", name="Sign in").click()
            page.wait_for_url(lambda url: "/sign-in" not in url)
            site.pages[name] = page
        return site.pages[name]

    yield page_of
    for context in contexts:
        context.close()


def screenshot(page: Any, name: str) -> None:
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"))
