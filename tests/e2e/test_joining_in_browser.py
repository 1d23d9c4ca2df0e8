"""Joining in the browser, as the people involved do it: a Party's focal point fills the public
request on a phone, the secretariat opens the section from its list and copies the enrolment
link, and the nominated administrator follows it, chooses a password, sets up the second factor
and signs in to their new section. Each page is axe clean; screenshots of each step."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_site import (
    VIEWPORT,
    SignedIn,
    Site,
    screenshot,
    signed_in_pages,
)

from article6.domain import totp

PHONE = {"width": 390, "height": 844}


def serious(page: Any) -> list[str]:
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} elements)"
        for v in Axe().run(page).response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


@pytest.fixture(scope="module")
def people(sqlite_site: Site, browser: Any) -> Iterator[SignedIn]:
    yield from signed_in_pages(sqlite_site, browser)


def test_a_party_joins_and_its_administrator_enrols_through_the_link(
    sqlite_site: Site, browser: Any, people: SignedIn
) -> None:
    visitor = browser.new_context(viewport=PHONE, base_url=sqlite_site.base_url).new_page()
    visitor.set_default_timeout(15_000)
    visitor.goto("/join")
    assert serious(visitor) == []
    for label, value in (
        ("Party code (three capital letters)", "XXE"),
        ("Name of the Party", "Party XXE"),
        ("First year of the NDC implementation period", "2021"),
        ("Last year of the NDC implementation period", "2030"),
    ):
        visitor.get_by_label(label, exact=True).fill(value)
    visitor.locator("#focal_point_name").fill("Focal Point")
    visitor.locator("#focal_point_email").fill("focal@example.org")
    visitor.locator("#admin1_name").fill("xxe.admin")
    visitor.locator("#admin1_display_name").fill("XXE Administrator")
    visitor.locator("#admin1_email").fill("admin@example.org")
    visitor.get_by_role("button", name="Send the request").click()
    visitor.locator(".refusals, [role=alert]").first.wait_for()
    assert "C1024" in visitor.content()  # the terms are not accepted yet
    visitor.get_by_label("The Party accepts the terms of participation", exact=False).check()
    visitor.get_by_role("button", name="Send the request").click()
    visitor.locator("#joining-submitted").wait_for()
    screenshot(visitor, "joining-request-phone")

    secretariat = people("secretariat.admin")
    secretariat.goto("/joining-requests")
    assert serious(secretariat) == []
    secretariat.get_by_role("button", name="Open the section of XXE").click()
    secretariat.locator("#enrolment-links").wait_for()
    assert serious(secretariat) == []
    screenshot(secretariat, "joining-requests-opened")
    url = secretariat.locator(".link-url").first.inner_text()

    newcomer = browser.new_context(viewport=PHONE, base_url=sqlite_site.base_url).new_page()
    newcomer.set_default_timeout(15_000)
    newcomer.goto(url)
    assert serious(newcomer) == []
    newcomer.get_by_label("New password", exact=True).fill("xxe admin's own password")
    newcomer.get_by_label("New password again", exact=True).fill("xxe admin's own password")
    newcomer.get_by_role("button", name="Continue").click()
    secret = newcomer.locator("p:has-text('Secret:') .mono").inner_text()
    assert serious(newcomer) == []
    screenshot(newcomer, "enrolment-link-second-factor")
    newcomer.get_by_label("Password").fill("xxe admin's own password")
    newcomer.get_by_label("Code from the app").fill(totp.code_at(secret, datetime.now(UTC)))
    newcomer.get_by_role("button", name="Confirm").click()
    newcomer.get_by_text("Your authenticator is set up").wait_for()

    newcomer.set_viewport_size(VIEWPORT)
    newcomer.goto("/sign-in")
    newcomer.get_by_label("User name").fill("xxe.admin")
    newcomer.get_by_label("Password").fill("xxe admin's own password")
    later = datetime.now(UTC) + timedelta(seconds=totp.STEP_SECONDS)
    newcomer.get_by_label("Second-factor code").fill(totp.code_at(secret, later))
    newcomer.get_by_role("button", name="Sign in").click()
    newcomer.wait_for_url(lambda u: "/sign-in" not in u)
    assert "XXE section" in newcomer.content()
    newcomer.goto("/delegations")
    assert serious(newcomer) == []
    screenshot(newcomer, "delegations")

    # the link works once
    again = browser.new_context(base_url=sqlite_site.base_url).new_page()
    again.goto(url)
    again.get_by_label("New password", exact=True).fill("an attacker's password")
    again.get_by_label("New password again", exact=True).fill("an attacker's password")
    again.get_by_role("button", name="Continue").click()
    assert "C4024" in again.content()
