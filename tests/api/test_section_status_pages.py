"""Suspending, reopening and closing a Party's section on the secretariat's page: the overview
links each section's status, a confirm step says what happens to the holdings before anything
changes, closing is refused while holding accounts hold units (with the count, even when the
confirm is forced), the reason is required, and no one but the secretariat reaches the page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from http_world import HttpWorld
from test_users_page import browser_session, form

from article6.demo.world import SECRETARIAT
from article6.services.reads.ledger import journal
from article6.services.section_status import standing

STATUS = "/admin/sections/XXA/status"


def held_by(world: HttpWorld, party: str) -> int:
    return standing(world.api.registry, SECRETARIAT, party).held


def secretariat_of(world: HttpWorld) -> TestClient:
    """The secretariat's browser, in a section as its pages need (any section will do)."""
    browser = browser_session(world.api, "secretariat.admin")
    chosen = form(browser, "/section", {"party": "XXC", "next": "/admin/overview"})
    assert chosen.status_code == 303, chosen.text
    return browser


def test_the_overview_links_each_sections_status(world: HttpWorld):
    secretariat = secretariat_of(world)
    overview = secretariat.get("/admin/overview")
    assert overview.status_code == 200
    assert re.search(r'<a href="/admin/sections/XXA/status"[^>]*>Open</a>', overview.text)
    page = secretariat.get(STATUS)
    assert page.status_code == 200 and 'data-status="open"' in page.text
    assert f'data-held="{held_by(world, "XXA")}"' in page.text


def test_suspending_is_confirmed_first_then_journaled_with_its_reason(world: HttpWorld):
    secretariat = secretariat_of(world)
    asked = form(secretariat, STATUS, {"status": "suspended", "reason": "audit of the ledger"})
    assert asked.status_code == 200, asked.text
    assert "nothing leaves the section" in asked.text
    assert "Units sent to it from elsewhere are still credited" in asked.text
    assert 'name="step" value="confirm"' in asked.text
    assert standing(world.api.registry, SECRETARIAT, "XXA").status == "open"  # not yet

    done = form(
        secretariat,
        STATUS,
        {"status": "suspended", "reason": "audit of the ledger", "step": "confirm"},
    )
    assert done.status_code == 303 and done.headers["location"] == f"{STATUS}?done=suspended"
    assert standing(world.api.registry, SECRETARIAT, "XXA").status == "suspended"
    entry = journal(world.api.registry, SECRETARIAT, None, limit=500).items[-1]
    assert entry.event == "SectionStatusChanged" and entry.party == "XXA"
    assert "audit of the ledger" in entry.body
    assert "The section is now suspended" in secretariat.get(f"{STATUS}?done=suspended").text


def test_closing_a_section_that_holds_units_shows_the_count_and_is_refused(world: HttpWorld):
    held = held_by(world, "XXA")
    assert held > 0
    secretariat = secretariat_of(world)
    asked = form(secretariat, STATUS, {"status": "closed", "reason": "leaving"})
    assert asked.status_code == 200
    assert f"still hold {held:,} units" in asked.text
    assert 'name="step" value="confirm"' not in asked.text  # no button to press
    forced = form(secretariat, STATUS, {"status": "closed", "reason": "leaving", "step": "confirm"})
    assert forced.status_code == 409 and "C4026" in forced.text
    assert f"still holds {held:,} units" in forced.text
    assert standing(world.api.registry, SECRETARIAT, "XXA").status == "open"
    assert held_by(world, "XXA") == held  # nothing moved, nothing lost


def test_a_change_without_a_reason_is_refused_naming_the_field(world: HttpWorld):
    secretariat = secretariat_of(world)
    refused = form(secretariat, STATUS, {"status": "suspended", "reason": "  ", "step": "confirm"})
    assert refused.status_code == 422
    assert 'id="reason-error"' in refused.text
    assert standing(world.api.registry, SECRETARIAT, "XXA").status == "open"


def test_only_the_secretariat_reaches_the_page(world: HttpWorld):
    for name in ("xxa.admin", "xxc.admin", "xxa.auditor"):
        browser = browser_session(world.api, name)
        assert browser.get(STATUS).status_code == 403, name
        posted = form(browser, STATUS, {"status": "suspended", "reason": "mine", "step": "confirm"})
        assert posted.status_code == 403 and "C4002" in posted.text, name
    assert standing(world.api.registry, SECRETARIAT, "XXA").status == "open"
