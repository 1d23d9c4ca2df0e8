"""The administration screens finished in the browser: a wrong signed-confirmation code on the
Approvals page comes back to that page with the refusal beside the request's code field and
nothing changed; XXA's administrator opens an account (shown first, then confirmed); the
secretariat grants and revokes a registry-wide role on a user's roles page, and is refused
granting one to itself (C4028, beside the field); XXA revokes Green Group A for CA0001, the
confirm step saying its units stay where they are. Every screen is axe clean and fits a 390 px
phone; the screenshots go to docs/screenshots. No unit is created or lost."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from browser_site import SignedIn, Site, signed_in_pages
from sqlalchemy import delete, select
from test_administration_in_browser import clean

from article6.demo import world as demo
from article6.domain.accounts import CancellationPurpose
from article6.services import commands as c
from article6.services import safeguards, units
from article6.store import schema
from article6.store.database import unit_of_work

GREEN_AMO = "XXA Green Group A amo_holding"


@pytest.fixture(scope="module")
def finishing_site(sqlite_site: Site) -> Site:
    """Green Group A holds 5,000 CORSIA units and asks to cancel them; XXA requires signed
    confirmation; XXA's OP cancellation account is missing (a section opened before that
    kind of account existed)."""
    registry, world = sqlite_site.registry, sqlite_site.world
    demo.scenario_1a(registry, world)  # CORSIA-authorized units in XXA's AMO account
    units.transfer_units(
        registry,
        demo.XXA_ADMIN,
        c.TransferUnits(
            source_account=world["XXA Party amo_holding"],
            destination_account=world[GREEN_AMO],
            units=c.UnitSelection(quantity=5_000, authorization_id=demo.CORSIA_AUTHORIZATION),
        ),
    )
    units.cancel_units(
        registry,
        demo.GREEN_GROUP_A,
        c.CancelUnits(
            source_account=world[GREEN_AMO],
            purpose=CancellationPurpose.IMP,
            purpose_text="CORSIA",
            units=c.UnitSelection(quantity=5_000),
        ),
    )
    safeguards.set_safeguards(
        registry,
        demo.XXA_ADMIN,
        safeguards.SetSafeguards(trusted_only=False, signed_confirmation=True),
    )
    with unit_of_work(registry.engine) as connection:
        found = connection.execute(
            select(schema.accounts.c.id).where(
                schema.accounts.c.identifier == world["XXA Party op_cancellation"]
            )
        ).scalar_one()
        connection.execute(delete(schema.holdings).where(schema.holdings.c.account_id == found))
        connection.execute(delete(schema.accounts).where(schema.accounts.c.id == found))
    return sqlite_site


@pytest.fixture(scope="module")
def people(finishing_site: Site, browser: Any) -> Iterator[SignedIn]:
    yield from signed_in_pages(finishing_site, browser)


def total(site: Site) -> int:
    return sum(demo.holdings(site.registry, site.world).values())


def test_the_administration_screens_finished(finishing_site: Site, people: SignedIn) -> None:
    site = finishing_site
    found: dict[str, list[str]] = {}
    before = total(site)
    xxa = people("xxa.admin")

    # A wrong code on the Approvals page: back on the page, the refusal beside the field.
    xxa.goto("/approvals")
    request = xxa.locator("section[data-transaction]").first
    transaction = request.get_attribute("data-transaction")
    request.get_by_label("Code from your authenticator app").fill("000000")
    request.get_by_role("button", name=f"Approve {transaction}").click()
    xxa.wait_for_url(re.compile(f"/approvals/{transaction}/approve$"))
    assert xxa.locator("h1").inner_text() == "Approvals"
    beside = xxa.locator(f"#code-{transaction}-error")
    assert "C4021" in beside.inner_text() and "second-factor code" in beside.inner_text()
    assert xxa.locator(f"#code-{transaction}").get_attribute("aria-invalid") == "true"
    assert "Traceback" not in xxa.content()
    clean(xxa, found, "approvals-wrong-code")
    xxa.goto(f"/transactions/{transaction}")
    assert "awaiting approval" in xxa.locator("main").inner_text().lower()
    assert total(site) == before

    # An account opened: shown first, then confirmed.
    xxa.goto("/admin/accounts")
    form = xxa.locator("#open-account")
    form.get_by_label("Kind of account").select_option("op_cancellation")
    form.get_by_label(re.compile("^Cooperative approach")).select_option("CA0001")
    form.get_by_label("Holder").select_option("PARTY")
    clean(xxa, found)
    form.get_by_role("button", name="Check what will happen").click()
    xxa.locator("#preview-account").wait_for()
    number = xxa.locator("#preview-account").inner_text()
    assert number.startswith("XXA01-")
    clean(xxa, found, "admin-account-open")
    xxa.get_by_role("button", name="Confirm: open the account").click()
    xxa.locator("#done").wait_for()
    assert number in xxa.locator("#done").inner_text()
    assert xxa.locator(f"tr[data-account='{number}']").get_attribute("data-status") == "open"
    # Again: refused beside the field (C4029), nothing opened.
    form = xxa.locator("#open-account")
    form.get_by_label("Kind of account").select_option("op_cancellation")
    form.get_by_label(re.compile("^Cooperative approach")).select_option("CA0001")
    form.get_by_role("button", name="Check what will happen").click()
    xxa.locator("#kind-error").wait_for()
    assert "C4029" in xxa.locator("#kind-error").inner_text()
    clean(xxa, found)

    # A registry-wide role granted and revoked by the secretariat; never to oneself.
    secretariat = people("secretariat.admin")
    secretariat.goto("/users/xxa.user/roles")
    if "/section" in secretariat.url:
        secretariat.get_by_role("button", name="Continue").click()
        secretariat.goto("/users/xxa.user/roles")
    wide = secretariat.locator("#registry-wide")
    wide.get_by_label("Registry-wide role").select_option("auditor")
    wide.get_by_role("button", name="Grant the registry-wide role").click()
    secretariat.locator("#done").wait_for()
    assert "Auditor (registry-wide)" in secretariat.locator("#user-roles").inner_text()
    clean(secretariat, found, "admin-user-roles-registry-wide")
    secretariat.get_by_role("button", name=re.compile("^Revoke the registry-wide role")).click()
    secretariat.locator("#done").wait_for()
    assert "registry-wide" not in secretariat.locator("#user-roles").inner_text()
    secretariat.goto("/users/secretariat.admin/roles")
    wide = secretariat.locator("#registry-wide")
    wide.get_by_label("Registry-wide role").select_option("auditor")
    wide.get_by_role("button", name="Grant the registry-wide role").click()
    secretariat.locator("#wide-role-error").wait_for()
    assert "C4028" in secretariat.locator("#wide-role-error").inner_text()
    clean(secretariat, found)

    # Green Group A revoked for CA0001: the confirm step says what becomes of its units.
    xxa.goto("/admin/entities/XXA-E0001")
    xxa.get_by_role("button", name="Revoke XXA-E0001 for CA0001").click()
    xxa.locator("#preview-holdings").wait_for()
    held = xxa.locator("#preview-holdings").inner_text()
    assert "5,000 units of CA0001 stay in its accounts" in held
    assert site.account(GREEN_AMO) in held
    assert "C3005" in xxa.locator("#preview-outcome").inner_text()
    clean(xxa, found, "admin-entity-revoke")
    xxa.get_by_role("button", name="Confirm: revoke").click()
    xxa.locator("#done").wait_for()
    assert xxa.locator("tr[data-approach=CA0001]").get_attribute("data-status") == "revoked"
    assert total(site) == before
    assert {page: problems for page, problems in found.items() if problems} == {}
