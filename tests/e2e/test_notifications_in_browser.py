"""Issue 17's notifications in the browser: Green Group A's representative sees the count
beside Notifications after XXA moves units into the entity's account, opens the inbox, marks
the notice read and the count goes; Green C Entity's representative, another section's entity,
is told nothing. The inbox and the choices page are axe clean, at desktop and phone width."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import browser_site
import pytest
from axe_playwright_python.sync_playwright import Axe
from browser_site import SignedIn, Site, screenshot, signed_in_pages
from test_scenarios_in_browser import serious

from article6.demo import world as demo
from article6.services import commands as c
from article6.services import notifications, units

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def people(sqlite_site: Site, browser: Any) -> Iterator[SignedIn]:
    yield from signed_in_pages(sqlite_site, browser)


def test_an_entity_is_told_of_units_received_and_marks_the_notice_read(
    sqlite_site: Site, people: SignedIn
) -> None:
    registry, world = sqlite_site.registry, sqlite_site.world
    demo.scenario_1a(registry, world)
    before = sum(demo.holdings(registry, world).values())
    receipt = units.transfer_units(
        registry,
        demo.XXA_ADMIN,
        c.TransferUnits(
            source_account=world["XXA Party amo_holding"],
            destination_account=world["XXA Green Group A amo_holding"],
            units=c.UnitSelection(quantity=1_500),
        ),
    )
    assert sum(demo.holdings(registry, world).values()) == before
    transaction = receipt.record
    notifications.project_all(registry)

    green = people("green.group.a")
    green.goto("/")
    link = green.locator("#notifications-link")
    assert link.locator(".badge.count").inner_text() == "1"
    link.click()
    green.wait_for_url(re.compile("/notifications$"))
    notice = green.locator(f"li.notification[data-transaction='{transaction}']")
    assert "unread" in (notice.get_attribute("class") or "")
    assert "1,500 units" in notice.inner_text()
    assert world["XXA Green Group A amo_holding"] in notice.inner_text()
    assert serious(Axe().run(green)) == []
    screenshot(green, "notifications-inbox")

    notice.get_by_role("button", name=re.compile("^Mark read")).click()
    green.wait_for_url(re.compile("/notifications"))
    notice = green.locator(f"li.notification[data-transaction='{transaction}']")
    assert "unread" not in (notice.get_attribute("class") or "")
    assert green.locator("#notifications-link .badge.count").count() == 0

    other = people("green.c.entity")
    other.goto("/notifications")
    assert other.locator("#notifications-link .badge.count").count() == 0
    assert transaction not in other.locator("main").inner_text()


def test_the_choices_page_saves_e_mail_for_one_kind(sqlite_site: Site, people: SignedIn) -> None:
    green = people("green.group.a")
    green.set_viewport_size(PHONE)
    try:
        green.goto("/notifications/preferences")
        green.get_by_label("E-mail address").fill("green@example.org")
        green.get_by_role("group", name="Units received").get_by_label(
            "In the registry and by e-mail"
        ).check()
        assert serious(Axe().run(green)) == []
        green.get_by_role("button", name="Save choices").click()
        green.wait_for_url(re.compile(r"/notifications/preferences\?saved=1"))
        assert green.locator("#preferences-saved").is_visible()
        assert green.get_by_label("E-mail address").input_value() == "green@example.org"
        checked = green.get_by_role("group", name="Units received").get_by_label(
            "In the registry and by e-mail"
        )
        assert checked.is_checked()
        screenshot(green, "notification-preferences-phone")
    finally:
        green.set_viewport_size(browser_site.VIEWPORT)
