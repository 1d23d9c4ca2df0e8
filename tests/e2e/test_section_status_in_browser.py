"""The secretariat suspends a section and tries to close one that still holds units, in the
browser: from the overview's Status link, through the confirm step that says what happens to
the holdings, to the journaled change. Every page is axe clean and fits a 390 px phone; the
screenshots go to docs/screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import browser_site
import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_site import SignedIn, Site, screenshot, signed_in_pages
from test_scenarios_in_browser import serious as serious_in

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def people(sqlite_site: Site, browser: Any) -> Iterator[SignedIn]:
    yield from signed_in_pages(sqlite_site, browser)


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
