"""Issue 18's acceptance in the browser: XXC has incoming transfers wait for its acceptance;
XXA transfers NDC ITMOs to XXC (the seed's scenario 2a). XXC's administrator finds the transfer
under Incoming transfers, refuses a second one with a reason and accepts the first; the units
arrive, the refused ones go back. XXA withdraws a third from its transaction page before XXC
answers; the units come back. Each page is axe clean, at desktop and phone width."""

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
from article6.services import acceptances, units
from article6.services import commands as c

PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def people(sqlite_site: Site, browser: Any) -> Iterator[SignedIn]:
    yield from signed_in_pages(sqlite_site, browser)


def test_the_acquiring_party_refuses_one_transfer_and_accepts_another(
    sqlite_site: Site, people: SignedIn
) -> None:
    registry, world = sqlite_site.registry, sqlite_site.world
    acceptances.set_acceptance(registry, demo.XXC_ADMIN, c.SetAcceptance(acceptance_days=14))
    before = sum(demo.holdings(registry, world).values())
    accepted = demo.scenario_2a(registry, world)[-1].record
    refused = units.transfer_internationally(
        registry,
        demo.XXA_ADMIN,
        c.TransferInternationally(
            source_account=world["XXA Party amo_holding"],
            destination_account=world["XXC Party itmo_holding"],
            units=c.UnitSelection(quantity=1_000, authorization_id=demo.NDC_AUTHORIZATION),
        ),
    ).record
    itmo = "XXC Party itmo_holding"
    assert demo.holdings(registry, world)[itmo] == 0

    xxc = people("xxc.admin")
    xxc.goto("/incoming-transfers")
    for transaction in (accepted, refused):
        assert xxc.locator(f"section[data-transaction='{transaction}']").is_visible()
    assert serious(Axe().run(xxc)) == []
    screenshot(xxc, "incoming-transfers")

    xxc.locator(f"#reason-{refused}").fill("No contract for these")
    xxc.get_by_role("button", name=f"Refuse {refused}").click()
    xxc.wait_for_url(re.compile(r"/incoming-transfers\?done=refuse"))
    assert "went back to the transferring account" in xxc.locator("#done").inner_text()
    xxc.get_by_role("button", name=f"Accept {accepted}").click()
    xxc.wait_for_url(re.compile(r"/incoming-transfers\?done=accept"))
    assert "No transfer is waiting" in xxc.locator("main").inner_text()

    assert demo.holdings(registry, world)[itmo] > 0
    assert sum(demo.holdings(registry, world).values()) == before


def test_the_transferring_party_withdraws_a_transfer_waiting_for_acceptance(
    sqlite_site: Site, people: SignedIn
) -> None:
    registry, world = sqlite_site.registry, sqlite_site.world
    acceptances.set_acceptance(registry, demo.XXC_ADMIN, c.SetAcceptance(acceptance_days=14))
    source, itmo = "XXA Party amo_holding", "XXC Party itmo_holding"
    before = demo.holdings(registry, world)
    waiting = units.transfer_internationally(
        registry,
        demo.XXA_ADMIN,
        c.TransferInternationally(
            source_account=world[source],
            destination_account=world[itmo],
            units=c.UnitSelection(quantity=700, authorization_id=demo.NDC_AUTHORIZATION),
        ),
    ).record

    xxa = people("xxa.admin")
    xxa.goto(f"/transactions/{waiting}")
    withdraw = xxa.locator("#withdraw-transfer")
    assert withdraw.is_visible()
    assert "Waiting for the acquiring Party" in xxa.locator("main").inner_text()
    assert serious(Axe().run(xxa)) == []
    xxa.get_by_label("Why (optional)").fill("Sent to the wrong account")
    withdraw.scroll_into_view_if_needed()
    screenshot(xxa, "transaction-withdraw")
    xxa.get_by_role("button", name="Withdraw this transfer").click()
    xxa.wait_for_url(re.compile(r"done=withdraw"))
    assert "Withdrawn; the units are released." in xxa.locator("main").inner_text()
    assert not xxa.locator("#withdraw-transfer").count()
    assert serious(Axe().run(xxa)) == []

    after = demo.holdings(registry, world)
    assert after[source] == before[source] and after[itmo] == before[itmo]
    assert sum(after.values()) == sum(before.values())  # no unit created or lost
    xxc = people("xxc.admin")
    xxc.goto("/incoming-transfers")
    assert not xxc.locator(f"section[data-transaction='{waiting}']").count()

    xxa = people("xxa.user")
    xxa.goto("/incoming-transfers")
    assert "No transfer is waiting for XXA" in xxa.locator("main").inner_text()


def test_the_setting_form_reads_well_on_a_phone(sqlite_site: Site, people: SignedIn) -> None:
    xxc = people("xxc.admin")
    xxc.set_viewport_size(PHONE)
    try:
        xxc.goto("/incoming-transfers")
        xxc.get_by_label("Wait for our acceptance").check()
        xxc.get_by_label("Days to accept (1 to 90)").fill("10")
        assert serious(Axe().run(xxc)) == []
        xxc.get_by_role("button", name="Save the setting").click()
        xxc.wait_for_url(re.compile(r"/incoming-transfers\?done=setting"))
        assert "wait 10 days" in xxc.locator("#done").inner_text()
        screenshot(xxc, "incoming-transfers-phone")
    finally:
        xxc.set_viewport_size(browser_site.VIEWPORT)
