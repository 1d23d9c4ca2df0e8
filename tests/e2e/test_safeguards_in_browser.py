"""Issue 17's safeguards in the browser: XXA keeps a list of trusted destinations and requires
signed confirmation. XXA's Party user previews an international transfer to XXC (not on the
list): the confirm page says it will wait for approval, shows the reference of what the code
confirms and asks for the code; confirmed with the code, the transfer waits, and no unit is
created or lost. The confirm page and the list's page are axe clean, at desktop and phone
width."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import browser_site
import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_site import SignedIn, Site, screenshot, signed_in_pages
from test_scenarios_in_browser import serious

from article6.demo import world as demo
from article6.domain import totp
from article6.services import safeguards
from article6.services.reads import ledger

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def guarded_site(sqlite_site: Site) -> Site:
    """Scenario 2a played, and XXA keeping a trusted list and signed confirmation."""
    demo.scenario_2a(sqlite_site.registry, sqlite_site.world)
    safeguards.set_safeguards(
        sqlite_site.registry,
        demo.XXA_ADMIN,
        safeguards.SetSafeguards(trusted_only=True, signed_confirmation=True),
    )
    return sqlite_site


@pytest.fixture(scope="module")
def people(guarded_site: Site, browser: Any) -> Iterator[SignedIn]:
    yield from signed_in_pages(guarded_site, browser)


def total(site: Site) -> int:
    return sum(
        a.quantity
        for party in ("XXA", "XXC")
        for a in ledger.accounts(site.registry, demo.SECRETARIAT, party)
    )


def next_code(site: Site, name: str) -> str:
    """The authenticator's next code: the sign-in spent the current one, and a code is
    accepted once."""
    return totp.code_at(site.users[name][1], datetime.now(UTC) + timedelta(seconds=30))


def test_the_confirm_page_asks_for_the_code_and_says_the_transfer_waits(
    guarded_site: Site, people: SignedIn
) -> None:
    site = guarded_site
    before = total(site)
    user = people("xxa.user")
    user.goto("/actions/international-transfer")
    user.get_by_label("From account").select_option(site.account("XXA Party amo_holding"))
    user.get_by_label(re.compile("^To account")).fill(site.account("XXC Party itmo_holding"))
    user.get_by_label(re.compile("^Quantity")).fill("2500")
    user.get_by_label(re.compile("^Only units under authorization")).select_option(
        demo.NDC_AUTHORIZATION
    )
    user.get_by_role("button", name="Check what will happen").click()
    user.wait_for_url(re.compile("/actions/international-transfer$"))

    assert "not on XXA's list" in user.locator("#preview-trust").inner_text()
    assert "Waits for approval" in user.locator("#preview-outcome").inner_text()
    reference = user.locator("#confirmation-reference").inner_text()
    assert re.fullmatch(r"[0-9A-F]{4}( [0-9A-F]{4}){3}", reference)
    code = user.get_by_label("Code from your authenticator app")
    assert code.get_attribute("autocomplete") == "one-time-code"
    assert serious(Axe().run(user)) == []
    user.locator("#preview-outcome").evaluate("e => e.scrollIntoView()")
    screenshot(user, "confirm-signed-trusted")
    user.set_viewport_size(PHONE)
    try:
        assert serious(Axe().run(user)) == []
        width = user.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"the confirm page scrolls sideways at 390 px ({width})"
        code.scroll_into_view_if_needed()
        screenshot(user, "confirm-signed-trusted-phone")
    finally:
        user.set_viewport_size(browser_site.VIEWPORT)

    code.fill(next_code(site, "xxa.user"))
    user.get_by_role("button", name="Confirm").click()
    user.wait_for_url(re.compile(r"/transactions/[^?]+\?done=international-transfer"))
    assert "awaiting approval" in user.locator("main").inner_text().lower()
    assert total(site) == before


def test_the_list_page_is_clean_and_adds_an_account(guarded_site: Site, people: SignedIn) -> None:
    site = guarded_site
    admin = people("xxa.admin")
    admin.goto("/trusted-destinations")
    assert "On" in admin.locator("#trusted-only").inner_text()
    admin.get_by_label("Account number to add").fill(site.account("XXC Party itmo_holding"))
    admin.get_by_role("button", name="Add to the list").click()
    admin.wait_for_url(re.compile(r"/trusted-destinations\?done=added"))
    row = admin.locator(f"tr[data-account='{site.account('XXC Party itmo_holding')}']")
    assert row.count() == 1
    assert serious(Axe().run(admin)) == []
    screenshot(admin, "trusted-destinations")
    admin.set_viewport_size(PHONE)
    try:
        assert serious(Axe().run(admin)) == []
    finally:
        admin.set_viewport_size(browser_site.VIEWPORT)
