"""Walking the pages as a user would, in whatever language the page speaks: fill in a form,
read what will happen, confirm; read the holdings the accounts page shows; and the seed's four
scenarios built from those steps."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from browser_site import SignedIn, Site, screenshot

from article6 import translation
from article6.demo import world as demo

CORSIA, NDC = demo.CORSIA_AUTHORIZATION, demo.NDC_AUTHORIZATION


def shown_holdings(page: Any, site: Site) -> dict[str, int]:
    """The units per account the accounts page shows, by the seed's account names."""
    page.goto("/accounts")
    rows = page.eval_on_selector_all(
        "tr[data-account]",
        "rows => rows.map(r => [r.dataset.account, r.querySelector('[data-quantity]').innerText])",
    )
    names = {identifier: name for name, identifier in site.world.accounts.items()}
    return {names[identifier]: int(re.sub(r"\D", "", shown)) for identifier, shown in rows}


def assert_shown(page: Any, site: Site, expected: dict[str, int]) -> None:
    party = page.locator(".section-tag").inner_text().split()[0]
    shown = shown_holdings(page, site)
    mine = {name: quantity for name, quantity in expected.items() if name.startswith(party)}
    assert {name: shown.get(name) for name in mine} == mine


def fill(page: Any, fields: dict[str, str]) -> None:
    for name, value in fields.items():
        control = page.locator(f"#{name}")
        if control.evaluate("e => e.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)


def spoken(page: Any) -> str:
    """The language the page says it speaks (`<html lang>`)."""
    return str(page.evaluate("document.documentElement.lang"))


def said_in(code: str, message: str, **params: object) -> str:
    """What the catalog of `code` says for `message` (newstyle: %-formatted like `_()`): the
    words a page in that language shows, so one walk reads every language."""
    with translation.speaking(code):
        text = translation.gettext(message)
    return text % params if params else text


def said_on(page: Any, message: str, **params: object) -> str:
    """`message` as the page's own language says it."""
    return said_in(spoken(page), message, **params)


Look = Callable[[Any], None]
"""What a walk does on each page it reaches besides its own steps (an axe check, the language)."""


def nothing(page: Any) -> None:
    return None


def preview(
    page: Any, path: str, fields: dict[str, str], shot: str | None = None, look: Look = nothing
) -> Any:
    """Fill a unit form and ask what will happen, with the button's words in the page's own
    language; returns the page showing it (a preview, not a refusal)."""
    page.goto(path)
    look(page)
    fill(page, fields)
    page.get_by_role("button", name=said_on(page, "Check what will happen")).click()
    page.locator("#preview, [role=alert]").first.wait_for()
    alert = page.locator("[role=alert]")
    assert alert.count() == 0, f"{path} refused: {alert.first.inner_text()}"
    look(page)
    if shot:
        screenshot(page, shot)
    return page


def confirm(page: Any, shot: str | None = None, look: Look = nothing) -> str:
    """Confirm the previewed action; returns the transaction's identifier."""
    page.get_by_role("button", name=said_on(page, "Confirm"), exact=True).click()
    page.wait_for_url(re.compile(r"/transactions/[A-Z0-9-]+\?done="))
    page.locator("#done").wait_for()
    look(page)
    if shot:
        screenshot(page, shot)
    return str(page.url.split("/transactions/")[1].split("?")[0])


def first_transfer_said(page: Any, answer: str) -> bool:
    """Whether the preview's or the transaction's first-transfer line starts Yes/No in the
    page's language."""
    shown = page.locator("#preview-first-transfer, #tx-first-transfer").first.inner_text()
    return str(shown).startswith(said_on(page, answer))


def act(
    page: Any,
    path: str,
    fields: dict[str, str],
    first_transfer: bool,
    waits: bool,
    look: Look = nothing,
) -> str:
    shown = preview(page, path, fields, look=look)
    assert first_transfer_said(shown, "Yes" if first_transfer else "No")
    outcome = shown.locator("#preview-outcome")
    assert (outcome.locator(".badge.awaiting_approval").count() > 0) is waits, outcome.inner_text()
    return confirm(page, look=look)


def approve(
    page: Any,
    transaction: str,
    first_transfer: bool = False,
    shot: str | None = None,
    look: Look = nothing,
) -> None:
    page.goto("/approvals")
    look(page)
    request = page.locator(f"section[data-transaction='{transaction}']")
    assert request.locator(".on-approval").count() == 1
    if spoken(page) == "en":  # who may approve, and what approval would do
        assert "Party Section Administrator" in request.inner_text()
        promised = request.locator(".on-approval").inner_text()
        assert promised.startswith("Completes")
        assert ("first transfer." in promised and "not" not in promised) is first_transfer
    if shot:
        screenshot(page, shot)
    name = said_on(page, "Approve %(transaction)s", transaction=transaction)
    request.get_by_role("button", name=name).click()
    page.wait_for_url(re.compile(rf"/transactions/{transaction}\?done=approve"))
    assert page.locator(".badge.completed").first.inner_text() == said_on(page, "Completed")
    look(page)


def status_of(page: Any) -> str:
    return str(page.locator("h1 + p .badge").first.inner_text())


# --- the seed's scenarios, page by page -------------------------------------------------


def scenario_1a(site: Site, as_user: SignedIn, shots: bool = False) -> None:
    """XXA links its CORSIA authorization to 20,000 MOs and cancels 10,000 for CORSIA: the
    cancellation is the first transfer."""
    xxa = as_user("xxa.admin")
    if shots:
        xxa.goto("/")
        screenshot(xxa, "dashboard-before")
    xxa.goto(f"/authorizations/{CORSIA}")
    xxa.get_by_role("link", name="Link to MO blocks").click()
    xxa.wait_for_url(re.compile("/actions/link"))
    fill(xxa, {"account": site.account("XXA Party mo_holding"), "quantity": "20,000"})
    if shots:
        screenshot(xxa, "form-link-authorization")
    xxa.get_by_role("button", name="Check what will happen").click()
    assert xxa.locator("#preview-first-transfer").inner_text().startswith("No")
    confirm(xxa)
    assert_shown(xxa, site, {"XXA Party mo_holding": 80_000, "XXA Party amo_holding": 20_000})
    preview(
        xxa,
        "/actions/cancel?purpose=IMP",
        {
            "source_account": site.account("XXA Party amo_holding"),
            "purpose_text": "CORSIA",
            "quantity": "10000",
            "authorization_filter": CORSIA,
        },
        shot="preview-cancellation-first-transfer" if shots else None,
    )
    assert xxa.locator("#preview-first-transfer").inner_text().startswith("Yes")
    confirm(xxa, shot="transaction-first-transfer" if shots else None)
    assert xxa.locator("#tx-first-transfer").inner_text().startswith("Yes")
    assert_shown(xxa, site, demo.SCENARIOS[0][3])


def scenario_2a(site: Site, as_user: SignedIn, shots: bool = False) -> None:
    """XXA links its NDC authorization and transfers 20,000 ITMOs to XXC: the first transfer;
    XXC's administrator sees them arrive."""
    xxa = as_user("xxa.admin")
    act(
        xxa,
        "/actions/link",
        {
            "account": site.account("XXA Party mo_holding"),
            "authorization_id": NDC,
            "quantity": "30000",
        },
        first_transfer=False,
        waits=False,
    )
    assert_shown(xxa, site, {"XXA Party mo_holding": 50_000, "XXA Party amo_holding": 40_000})
    act(
        xxa,
        "/actions/international-transfer",
        {
            "source_account": site.account("XXA Party amo_holding"),
            "destination_account": site.account("XXC Party itmo_holding"),
            "quantity": "20000",
            "authorization_filter": NDC,
        },
        first_transfer=True,
        waits=False,
    )
    assert_shown(xxa, site, demo.SCENARIOS[1][3])
    xxc = as_user("xxc.admin")
    xxc.goto("/")
    assert xxc.locator("#total-held").inner_text() == "20,000"
    if shots:
        screenshot(xxc, "dashboard-xxc-after-2a")
    assert_shown(xxc, site, demo.SCENARIOS[1][3])


def scenario_1b(site: Site, as_user: SignedIn, shots: bool = False) -> None:
    """XXA moves 5,000 CORSIA-authorized units to Green Group A, which asks to cancel them for
    CORSIA; XXA approves, and the cancellation is the first transfer."""
    xxa, green = as_user("xxa.admin"), as_user("green.group.a")
    act(
        xxa,
        "/actions/transfer",
        {
            "source_account": site.account("XXA Party amo_holding"),
            "destination_account": site.account("XXA Green Group A amo_holding"),
            "quantity": "5000",
            "authorization_filter": CORSIA,
        },
        first_transfer=False,
        waits=False,
    )
    assert_shown(green, site, {"XXA Green Group A amo_holding": 5_000})
    preview(
        green,
        "/actions/cancel?purpose=IMP",
        {
            "source_account": site.account("XXA Green Group A amo_holding"),
            "purpose_text": "CORSIA",
            "quantity": "5000",
        },
        shot="preview-entity-request" if shots else None,
    )
    assert "once approved" in green.locator("#preview-first-transfer").inner_text()
    request = confirm(green, shot="transaction-awaiting-approval" if shots else None)
    assert status_of(green) == "Awaiting approval"
    approve(xxa, request, first_transfer=True, shot="approvals-inbox" if shots else None)
    assert xxa.locator("#tx-first-transfer").inner_text().startswith("Yes")
    assert_shown(xxa, site, demo.SCENARIOS[2][3])


def scenario_2b(site: Site, as_user: SignedIn, shots: bool = False) -> None:
    """Green Group A transfers 8,000 NDC-authorized units to Green C Entity (approved by XXA:
    the first transfer); Green C Entity passes 3,000 to XXC (approved by XXC), which uses them
    towards its NDC."""
    xxa, xxc = as_user("xxa.admin"), as_user("xxc.admin")
    green_a, green_c = as_user("green.group.a"), as_user("green.c.entity")
    act(
        xxa,
        "/actions/transfer",
        {
            "source_account": site.account("XXA Party amo_holding"),
            "destination_account": site.account("XXA Green Group A amo_holding"),
            "quantity": "8000",
            "authorization_filter": NDC,
        },
        first_transfer=False,
        waits=False,
    )
    request = act(
        green_a,
        "/actions/international-transfer",
        {
            "source_account": site.account("XXA Green Group A amo_holding"),
            "destination_account": site.account("XXC Green C Entity itmo_holding"),
            "quantity": "8000",
        },
        first_transfer=True,
        waits=True,
    )
    approve(xxa, request, first_transfer=True)
    assert xxa.locator("#tx-first-transfer").inner_text().startswith("Yes")
    assert_shown(green_c, site, {"XXC Green C Entity itmo_holding": 8_000})
    handover = act(
        green_c,
        "/actions/transfer",
        {
            "source_account": site.account("XXC Green C Entity itmo_holding"),
            "destination_account": site.account("XXC Party itmo_holding"),
            "quantity": "3000",
        },
        first_transfer=False,
        waits=True,
    )
    approve(xxc, handover)
    act(
        xxc,
        "/actions/use",
        {
            "source_account": site.account("XXC Party itmo_holding"),
            "ndc_year": "2025",
            "quantity": "3000",
        },
        first_transfer=False,
        waits=False,
    )
    expected = demo.SCENARIOS[3][3]
    assert_shown(xxa, site, expected)
    assert_shown(xxc, site, expected)
    if shots:
        xxc.goto("/")
        screenshot(xxc, "dashboard-xxc-after-2b")
        xxa.goto("/")
        screenshot(xxa, "dashboard")


SCENARIO_WALKS = {"1a": scenario_1a, "2a": scenario_2a, "1b": scenario_1b, "2b": scenario_2b}
