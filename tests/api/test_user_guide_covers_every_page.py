"""The user guide covers every screen: each page the web app serves (a GET route answering
HTML, read from the app's own router) is named in `docs/user-guide*.md` by its address, a
placeholder such as `{entity}` standing for any value (`/admin/entities/XXA-E0001`). A new
page fails this test until the guide says what it is for."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

DOCS = Path(__file__).resolve().parents[2] / "docs"
NAMED = r"[`(\s]{path}[`)\s?.,;:]"
"""An address as the guide writes it: in backticks or a link, or standing as a word."""


def routes(within: Any, prefix: str = "") -> Iterator[tuple[str, APIRoute]]:
    """Every route of the app with its full address, included routers walked (FastAPI keeps
    an included router whole, as `original_router` with its `include_context`)."""
    for route in within.routes:
        if isinstance(route, APIRoute):
            yield prefix + route.path, route
        elif hasattr(route, "original_router"):
            context = getattr(route, "include_context", None)
            yield from routes(route.original_router, prefix + getattr(context, "prefix", ""))
        elif hasattr(route, "routes") and not hasattr(route, "app"):
            yield from routes(route, prefix + getattr(route, "path", ""))


def pages(client: TestClient) -> set[str]:
    """The addresses of the pages people open: GET routes declared to answer HTML, outside
    the API."""
    found = set()
    for path, route in routes(client.app.router):  # type: ignore[attr-defined]
        declared = getattr(route.response_class, "value", route.response_class)
        if "GET" in route.methods and declared is HTMLResponse and not path.startswith("/api/"):
            found.add(path)
    return found


def pattern(path: str) -> re.Pattern[str]:
    """`path` as the guide may write it: each `{placeholder}` (with any `:converter`) is the
    placeholder itself or a value."""
    parts = re.split(r"(\{[^}]+\})", path)
    body = "".join(
        rf"(?:\{{{re.escape(p[1:-1].split(':')[0])}\}}|[^\s`)/?]+)"
        if p.startswith("{")
        else re.escape(p)
        for p in parts
    )
    return re.compile(NAMED.format(path=body))


def test_the_app_serves_the_pages_this_test_reads(client: TestClient):
    served = pages(client)
    assert {"/", "/admin/accounts", "/approvals", "/users/{user}/roles"} <= served
    assert not any(p.startswith("/api/") for p in served)


def test_the_user_guide_names_every_page(client: TestClient):
    guide = "\n".join(p.read_text(encoding="utf-8") for p in sorted(DOCS.glob("user-guide*.md")))
    missing = sorted(path for path in pages(client) if not pattern(path).search(guide))
    assert missing == [], f"pages the user guide does not name: {missing}"


def test_the_guide_s_links_to_its_own_sections_resolve():
    """The table of pages points at headings that exist (GitHub's anchors)."""
    guide = (DOCS / "user-guide.md").read_text(encoding="utf-8")
    anchors = {
        re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")
        for heading in re.findall(r"^#+ (.*)$", guide, re.M)
    }
    linked = set(re.findall(r"\]\(#([^)]+)\)", guide))
    assert linked and linked <= anchors, sorted(linked - anchors)
