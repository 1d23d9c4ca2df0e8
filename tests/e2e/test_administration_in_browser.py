"""The administrator's day and the secretariat's day through the administration screens, in
the browser: XXA's Party Section Administrator adds a second administrator, switches four
eyes on (refused, C4017 beside the field, while they are alone), disables and enables a user,
records an entity and suspends and reinstates it, blocks and unblocks an account; the
secretariat reads every section at once and manages another section's users. Every screen is
axe clean and fits a 390 px phone; the screenshots go to docs/screenshots."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import browser_site
import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_site import SignedIn, Site, screenshot, signed_in_pages
from test_scenarios_in_browser import serious
from walk import fill

from article6.demo import world as demo

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def people(sqlite_site: Site, browser: Any) -> Iterator[SignedIn]:
    yield from signed_in_pages(sqlite_site, browser)


def clean(page: Any, found: dict[str, list[str]], shot: str | None = None) -> None:
    """Axe at desktop width, then the page at 390 px: no serious violation, no sideways
    scrolling."""
    found[page.url] = serious(Axe().run(page))
    if shot:
        screenshot(page, shot)
    page.set_viewport_size(PHONE)
    try:
        wide = page.evaluate("document.documentElement.scrollWidth")
        if wide > PHONE["width"]:
            found[page.url + " at 390 px"] = [f"{wide} px wide"]
    finally:
        page.set_viewport_size(browser_site.VIEWPORT)


def confirm_user_action(page: Any, user: str, label: str) -> None:
    page.goto("/users")
    page.get_by_role("button", name=f"{label} of {user}").click()
    page.get_by_role("button", name=re.compile(f"^Confirm: {label.lower()}")).click()
    page.locator("#done").wait_for()


def test_the_administrator_s_day(sqlite_site: Site, people: SignedIn) -> None:
    found: dict[str, list[str]] = {}
    xxa = people("xxa.admin")
    xxa.goto("/")
    xxa.get_by_role("navigation", name="Main").get_by_role("link", name="Administration").click()
    xxa.wait_for_url("**/admin")
    clean(xxa, found, "admin-landing")

    # Four eyes while alone: refused, the check beside the choice.
    xxa.get_by_role("link", name="Approval policies").click()
    xxa.get_by_role("button", name="Switch four eyes on for Internal transfer").click()
    xxa.locator("#refusals").wait_for()
    assert "C4017" in xxa.locator("#refusals").inner_text()
    assert "four eyes" in xxa.locator("#refusals").inner_text()
    clean(xxa, found, "admin-four-eyes-refused")

    # A second administrator, then four eyes on.
    xxa.goto("/users/new")
    fill(
        xxa,
        {
            "name": "xxa.deputy",
            "display_name": "XXA deputy administrator",
            "password": "a long first passphrase",
            "role": "administrator",
        },
    )
    clean(xxa, found, "admin-user-new")
    xxa.get_by_role("button", name="Add the user").click()
    xxa.locator("#done").wait_for()
    assert "Party Section Administrator of XXA" in xxa.locator("#user-roles").inner_text()
    clean(xxa, found, "admin-user-roles")
    xxa.goto("/admin/approval-policies")
    xxa.get_by_role("button", name="Switch four eyes on for Internal transfer").click()
    xxa.locator("#done").wait_for()
    assert xxa.locator("tr[data-kind=internal_transfer]").get_attribute("data-four-eyes") == "true"
    clean(xxa, found, "admin-approval-policies")

    # A Party user disabled: their open page goes to the sign-in; enabled again.
    user = people("xxa.user")
    confirm_user_action(xxa, "xxa.user", "Disable")
    user.goto("/")
    assert "/sign-in" in user.url
    xxa.goto("/users?status=disabled")
    assert xxa.locator("tr[data-user]").all_inner_texts()[0].startswith("xxa.user")
    clean(xxa, found, "admin-users-disabled")
    confirm_user_action(xxa, "xxa.user", "Enable")
    assert "can sign in again" in xxa.locator("#done").inner_text()

    # An entity recorded, suspended and reinstated.
    xxa.goto("/admin/entities")
    fill(
        xxa,
        {
            "name": "Blue Carbon Ltd",
            "country_of_incorporation": "XXA",
            "identification_number": "BC-2026-1",
            "cooperative_approach": "CA0001",
            "date_of_authorization": "2025-06-01",
        },
    )
    clean(xxa, found, "admin-entities")
    xxa.get_by_role("button", name="Record the entity").click()
    xxa.locator("#done").wait_for()
    identifier = xxa.url.split("/admin/entities/")[1].split("?")[0]
    xxa.get_by_role("button", name=f"Suspend {identifier} for CA0001").click()
    xxa.locator("#done").wait_for()
    assert xxa.locator("tr[data-approach=CA0001]").get_attribute("data-status") == "suspended"
    clean(xxa, found, "admin-entity-suspended")
    xxa.get_by_role("button", name=f"Reinstate {identifier} for CA0001").click()
    xxa.locator("#done").wait_for()
    assert xxa.locator("tr[data-approach=CA0001]").get_attribute("data-status") == "active"

    # An account blocked and unblocked; closing one that holds units is refused.
    holding = sqlite_site.account("XXA Party mo_holding")
    xxa.goto("/admin/accounts")
    row = xxa.locator(f"tr[data-account='{holding}']")
    row.get_by_role("button", name=re.compile("^Block ")).click()
    xxa.locator("#done").wait_for()
    assert xxa.locator(f"tr[data-account='{holding}']").get_attribute("data-status") == "blocked"
    clean(xxa, found, "admin-accounts")
    xxa.locator(f"tr[data-account='{holding}']").get_by_role(
        "button", name=re.compile("^Unblock ")
    ).click()
    xxa.locator("#done").wait_for()
    xxa.locator(f"tr[data-account='{holding}']").get_by_role(
        "button", name=re.compile("^Close ")
    ).click()
    assert "C4001" in xxa.locator("main").inner_text()
    assert sum(demo.holdings(sqlite_site.registry, sqlite_site.world).values()) == 100_000
    assert {page: problems for page, problems in found.items() if problems} == {}


def test_the_secretariat_s_day(sqlite_site: Site, people: SignedIn) -> None:
    found: dict[str, list[str]] = {}
    secretariat = people("secretariat.admin")
    secretariat.goto("/admin")
    if "/section" in secretariat.url:
        secretariat.get_by_role("button", name="Continue").click()
        secretariat.wait_for_url("**/admin")
    clean(secretariat, found)
    secretariat.get_by_role("link", name="Overview of every section").click()
    secretariat.wait_for_url("**/admin/overview")
    assert secretariat.locator("svg.chart").count() == 1
    rows = secretariat.locator("#sections tr[data-party]")
    assert {r.get_attribute("data-party") for r in rows.all()} >= {"XXA", "XXC"}
    clean(secretariat, found, "admin-overview")
    secretariat.set_viewport_size(PHONE)
    try:
        assert secretariat.locator("svg.chart").bounding_box()["width"] <= PHONE["width"]
        screenshot(secretariat, "admin-overview-phone")
    finally:
        secretariat.set_viewport_size(browser_site.VIEWPORT)

    # Another section's users: filtered, one disabled and enabled again.
    secretariat.goto("/users")
    fill(secretariat, {"section": "XXC"})
    secretariat.get_by_role("button", name="Show", exact=True).click()
    secretariat.wait_for_url("**section=XXC**")
    shown = {r.get_attribute("data-user") for r in secretariat.locator("tr[data-user]").all()}
    assert shown == {"xxc.admin", "green.c.entity"}
    clean(secretariat, found, "admin-users-by-section")
    confirm_user_action(secretariat, "green.c.entity", "Disable")
    secretariat.goto("/admin/overview")
    assert "1" in secretariat.locator("#sections tr[data-party=XXC] td").last.inner_text()
    confirm_user_action(secretariat, "green.c.entity", "Enable")
    assert {page: problems for page, problems in found.items() if problems} == {}
