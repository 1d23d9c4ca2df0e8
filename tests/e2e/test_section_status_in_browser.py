"""The secretariat suspends a section and tries to close one that still holds units, in the
browser: from the overview's Status link, through the confirm step that says what happens to
the holdings, to the journaled change. Every page is axe clean and fits a 390 px phone; the
screenshots go to docs/screenshots."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import browser_site
import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_site import SignedIn, Site, make_site, require_chromium, screenshot, signed_in_pages
from test_scenarios_in_browser import serious as serious_in

PORTS = range(18900, 19000)
PHONE = {"width": 390, "height": 844}


def port_in_range() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port for the browser test's registry")


@pytest.fixture(scope="module")
def monkeypatch_module() -> Iterator[pytest.MonkeyPatch]:
    with pytest.MonkeyPatch.context() as patch:
        yield patch


@pytest.fixture(scope="module")
def status_site(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path, monkeypatch_module: Any
) -> Iterator[Site]:
    require_chromium()
    path = tmp_path_factory.mktemp("section-status") / "registry.db"
    shutil.copy(sqlite_template, path)
    monkeypatch_module.setattr(browser_site, "free_port", port_in_range)
    yield from make_site(f"sqlite:///{path}")


@pytest.fixture(scope="module")
def people(status_site: Site, browser: Any) -> Iterator[SignedIn]:
    yield from signed_in_pages(status_site, browser)


def serious(page: Any) -> list[str]:
    return serious_in(Axe().run(page))


def fits_a_phone(page: Any) -> bool:
    width: int = page.evaluate("document.documentElement.scrollWidth")
    return width <= PHONE["width"]


def test_the_secretariat_suspends_a_section_and_cannot_close_one_holding_units(
    people: SignedIn,
) -> None:
    secretariat = people("secretariat.admin")
    secretariat.goto("/admin/overview")
    if "/section" in secretariat.url:
        secretariat.get_by_role("button", name="Continue").click()
        secretariat.wait_for_url("**/admin/overview")
    secretariat.get_by_role("link", name="Status of XXC's section: open").click()
    secretariat.wait_for_url("**/admin/sections/XXC/status")
    assert serious(secretariat) == []
    secretariat.get_by_label("New status").select_option("suspended")
    secretariat.get_by_label("Reason").fill("Audit of the section's accounts")
    secretariat.get_by_role("button", name="Review the change").click()
    secretariat.locator("#consequence").wait_for()
    assert "nothing leaves the section" in secretariat.locator("#consequence").inner_text()
    assert serious(secretariat) == []
    secretariat.set_viewport_size(PHONE)
    try:
        assert fits_a_phone(secretariat)
        screenshot(secretariat, "section-status-confirm-phone")
    finally:
        secretariat.set_viewport_size(browser_site.VIEWPORT)
    secretariat.get_by_role("button", name="Confirm").click()
    secretariat.locator("#done").wait_for()
    assert secretariat.locator("#standing").get_attribute("data-status") == "suspended"

    secretariat.goto("/admin/sections/XXA/status")
    held = int(secretariat.locator("#standing").get_attribute("data-held") or "0")
    assert held > 0
    secretariat.get_by_label("New status").select_option("closed")
    secretariat.get_by_label("Reason").fill("Leaving the registry")
    secretariat.get_by_role("button", name="Review the change").click()
    refused = secretariat.locator("#consequence")
    refused.wait_for()
    assert f"still hold {held:,} units" in refused.inner_text()
    assert secretariat.get_by_role("button", name="Confirm").count() == 0
    assert serious(secretariat) == []
    screenshot(secretariat, "section-status-closing-refused")
