"""Issue 19 in the browser: scenario 1a walked in French after choosing Français with the
language switch, scenario 2b in Spanish because the browser asks for it (Accept-Language), and
the dashboard in Arabic, right to left. Every page walked passes the axe check in its language.

The expected words are read from the catalogs (what a translator wrote is what the page must
say), with a few literal ones so that a catalog said in English would not pass. One registry for
the module; each user signs in once and keeps their page.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from babel.numbers import format_decimal
from browser_site import VIEWPORT, Site, screenshot
from test_scenarios_in_browser import serious
from walk import (
    CORSIA,
    NDC,
    Look,
    act,
    approve,
    assert_shown,
    confirm,
    fill,
    first_transfer_said,
    preview,
    said_in,
    spoken,
)

from article6.demo import world as demo

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]

AXE = Axe()
Walker = Callable[[str, str | None], Any]


def quantity_in(code: str, value: int) -> str:
    return value.__format__(",") if code == "en" else format_decimal(value, locale=code)


@pytest.fixture(scope="module")
def axe_found() -> dict[str, list[str]]:
    """Serious or critical axe violations per page walked, by language and address."""
    return {}


@pytest.fixture(scope="module")
def as_speaker(sqlite_site: Site, browser: Any) -> Iterator[Walker]:
    """A page per user, signed in on first use in a browser asking for `accept_language` (none:
    Chromium's own English); the sign-in form is found by its fields, in any language."""
    contexts: list[Any] = []
    pages: dict[str, Any] = {}

    def page_of(name: str, accept_language: str | None = None) -> Any:
        if name not in pages:
            headers = {"Accept-Language": accept_language} if accept_language else {}
            context = browser.new_context(
                viewport=VIEWPORT, base_url=sqlite_site.base_url, extra_http_headers=headers
            )
            contexts.append(context)
            page = context.new_page()
            page.set_default_timeout(15_000)
            page.goto("/sign-in")
            page.locator("#name").fill(name)
            page.locator("#password").fill(sqlite_site.users[name][0])
            page.locator("#code").fill(sqlite_site.code(name))
            page.locator("form[action='/sign-in'] button[type=submit]").click()
            page.wait_for_url(lambda url: "/sign-in" not in url)
            pages[name] = page
        return pages[name]

    yield page_of
    for context in contexts:
        context.close()


def axe_check(page: Any, found: dict[str, list[str]]) -> None:
    results = AXE.run(page)
    problems = serious(results)
    problems += [
        str(n["target"]) + " " + n.get("failureSummary", "")[:200]
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
        for n in v["nodes"]
    ]
    if problems:
        found[f"{spoken(page)} {page.url}"] = problems


def looking(found: dict[str, list[str]], code: str | None = None) -> Look:
    """On every page walked: the axe check, and (given `code`) that the page speaks it."""

    def look(page: Any) -> None:
        if code is not None:
            assert spoken(page) == code, (page.url, spoken(page))
        axe_check(page, found)

    return look


def scenarios_done_through_services(site: Site, codes: tuple[str, ...]) -> None:
    """What the walked scenario builds on, done through the services when no earlier test
    walked it (each test runs alone too)."""
    for code, _, scenario, expected in demo.SCENARIOS:
        if code not in codes:
            continue
        found = demo.holdings(site.registry, site.world)
        if {name: found[name] for name in expected} != expected:
            scenario(site.registry, site.world)


def test_scenario_1a_in_french_after_choosing_francais_with_the_switch(
    sqlite_site: Site, as_speaker: Walker, axe_found: dict[str, list[str]]
) -> None:
    xxa = as_speaker("xxa.admin", None)
    xxa.goto("/")
    assert spoken(xxa) == "en"
    switch = xxa.locator("#language-switch")
    assert switch.get_by_label("Language").is_visible()
    switch.get_by_label("Language").select_option("fr")
    switch.get_by_label("Language").focus()
    screenshot(xxa, "language-switch")
    switch.get_by_role("button", name="Change language").click()
    xxa.wait_for_load_state()

    assert spoken(xxa) == "fr"
    assert xxa.evaluate("document.documentElement.dir") == "ltr"
    assert xxa.locator("nav.main a[aria-current=page]").inner_text() == "Tableau de bord"
    assert xxa.get_by_role("button", name="Changer de langue").is_visible()
    assert xxa.locator("#holdings-heading").inner_text() == said_in("fr", "Holdings")
    # 100 000: the French group their digits with a (narrow) no-break space.
    assert re.fullmatch("100[\u202f\u00a0]000", xxa.locator("#total-held").inner_text())
    assert xxa.locator("#total-held").inner_text() == quantity_in("fr", 100_000)
    # The chart is drawn in the reader's language too: its labels and its numbers.
    assert xxa.locator("svg.chart .chart-value").first.text_content() == quantity_in("fr", 100_000)
    label = str(xxa.locator("svg.chart .chart-label").first.text_content())
    assert label.startswith(said_in("fr", "MO Holding") + " · "), label
    axe_check(xxa, axe_found)

    xxa.goto(f"/authorizations/{CORSIA}")
    axe_check(xxa, axe_found)
    xxa.get_by_role("link", name=said_in("fr", "Link to MO blocks")).click()
    xxa.wait_for_url(re.compile("/actions/link"))
    # Typed the French way: the quantity's digits grouped with spaces.
    fill(xxa, {"account": sqlite_site.account("XXA Party mo_holding"), "quantity": "20 000"})
    xxa.get_by_role("button", name="Vérifier ce qui va se passer").click()
    xxa.locator("#preview").wait_for()
    axe_check(xxa, axe_found)
    assert first_transfer_said(xxa, "No")
    confirm(xxa, look=looking(axe_found, "fr"))
    linked = {"XXA Party mo_holding": 80_000, "XXA Party amo_holding": 20_000}
    assert_shown(xxa, sqlite_site, linked)
    axe_check(xxa, axe_found)

    # A deliberately wrong field: refused in French, with the check's stable code, the field
    # marked and what was typed kept.
    cancel = {
        "source_account": sqlite_site.account("XXA Party amo_holding"),
        "purpose_text": "CORSIA",
        "quantity": "10000",
        "authorization_filter": CORSIA,
    }
    xxa.goto("/actions/cancel?purpose=IMP")
    fill(xxa, {**cancel, "quantity": "dix mille"})
    xxa.get_by_role("button", name=said_in("fr", "Check what will happen")).click()
    alert = xxa.get_by_role("alert")
    refusal = alert.inner_text()
    assert refusal.startswith(said_in("fr", "Not done: the registry refused this"))
    assert refusal.startswith("Non effectué")
    assert "C1005" in refusal  # the check's code, the same in every language
    assert "doit être un nombre entier" in refusal, refusal
    assert said_in("fr", "units") + ", " + said_in("fr", "quantity") in refusal, refusal
    assert xxa.locator("#quantity").input_value() == "dix mille"
    assert xxa.locator("#quantity").get_attribute("aria-invalid") == "true"
    axe_check(xxa, axe_found)

    preview(xxa, "/actions/cancel?purpose=IMP", cancel, look=looking(axe_found, "fr"))
    assert first_transfer_said(xxa, "Yes")
    confirm(xxa, look=looking(axe_found, "fr"))
    assert first_transfer_said(xxa, "Yes")
    assert xxa.locator("h1 + p .badge").first.inner_text() == said_in("fr", "Completed")
    screenshot(xxa, "scenario-1a-fr")
    assert_shown(xxa, sqlite_site, demo.SCENARIOS[0][3])
    assert xxa.locator("h1").inner_text() == "Comptes"
    axe_check(xxa, axe_found)
    assert axe_found == {}


def test_scenario_2b_in_spanish_because_the_browser_asks_for_it(
    sqlite_site: Site, as_speaker: Walker, axe_found: dict[str, list[str]]
) -> None:
    """Green Group A, Green C Entity and XXC's administrator read Spanish without touching the
    switch. XXA's administrator chose French in 1a: his choice is kept on his account, above
    his browser's Accept-Language, so he chooses Spanish with the switch. Every step of the
    walk is asserted Spanish."""
    scenarios_done_through_services(sqlite_site, ("1a", "2a", "1b"))
    xxa = as_speaker("xxa.admin", "es")
    xxa.goto("/")
    if spoken(xxa) != "es":  # French from 1a: remembered, so it outranks the browser
        assert spoken(xxa) == "fr"
        switch = xxa.locator("#language-switch")
        switch.get_by_label(said_in("fr", "Language")).select_option("es")
        switch.get_by_role("button", name=said_in("fr", "Change language")).click()
        xxa.wait_for_load_state()
    assert spoken(xxa) == "es"
    green_a, green_c = as_speaker("green.group.a", "es"), as_speaker("green.c.entity", "es")
    xxc = as_speaker("xxc.admin", "es")
    spanish = looking(axe_found, "es")
    for page in (xxa, green_a, green_c, xxc):
        page.goto("/")
        spanish(page)
        assert page.locator("nav.main a[aria-current=page]").inner_text() == "Panel"
    # 20.000 ITMOs at XXC since 2a: Spanish groups with a dot.
    assert xxc.locator("#total-held").inner_text() == "20.000" == quantity_in("es", 20_000)

    act(
        xxa,
        "/actions/transfer",
        {
            "source_account": sqlite_site.account("XXA Party amo_holding"),
            "destination_account": sqlite_site.account("XXA Green Group A amo_holding"),
            "quantity": "8.000",  # typed the Spanish way
            "authorization_filter": NDC,
        },
        first_transfer=False,
        waits=False,
        look=spanish,
    )
    request = act(
        green_a,
        "/actions/international-transfer",
        {
            "source_account": sqlite_site.account("XXA Green Group A amo_holding"),
            "destination_account": sqlite_site.account("XXC Green C Entity itmo_holding"),
            "quantity": "8 000",
        },
        first_transfer=True,
        waits=True,
        look=spanish,
    )
    assert green_a.locator("h1 + p .badge").first.inner_text() == said_in("es", "Awaiting approval")
    approve(xxa, request, first_transfer=True, look=spanish)
    assert first_transfer_said(xxa, "Yes")
    assert_shown(green_c, sqlite_site, {"XXC Green C Entity itmo_holding": 8_000})
    spanish(green_c)
    handover = act(
        green_c,
        "/actions/transfer",
        {
            "source_account": sqlite_site.account("XXC Green C Entity itmo_holding"),
            "destination_account": sqlite_site.account("XXC Party itmo_holding"),
            "quantity": "3000",
        },
        first_transfer=False,
        waits=True,
        look=spanish,
    )
    approve(xxc, handover, look=spanish)

    # A deliberately wrong field: a year outside XXC's NDC period, refused in Spanish with its
    # stable check code.
    use = {"source_account": sqlite_site.account("XXC Party itmo_holding"), "quantity": "3000"}
    xxc.goto("/actions/use")
    fill(xxc, {**use, "ndc_year": "2040"})
    xxc.get_by_role("button", name="Comprobar lo que sucederá").click()
    refusal = xxc.get_by_role("alert").inner_text()
    assert refusal.startswith(said_in("es", "Not done: the registry refused this")), refusal
    assert "C5001" in refusal
    assert "NDC implementation period" not in refusal, refusal
    assert xxc.locator("#ndc_year").get_attribute("aria-invalid") == "true"
    spanish(xxc)

    act(
        xxc,
        "/actions/use",
        {**use, "ndc_year": "2025"},
        first_transfer=False,
        waits=False,
        look=spanish,
    )
    expected = demo.SCENARIOS[3][3]
    assert_shown(xxc, sqlite_site, expected)
    assert xxc.locator("h1").inner_text() == "Cuentas"
    spanish(xxc)
    assert_shown(xxa, sqlite_site, expected)
    spanish(xxa)
    xxc.goto("/transactions")
    assert xxc.locator("h1").inner_text() == said_in("es", "Transactions")
    spanish(xxc)
    xxc.goto("/")
    screenshot(xxc, "scenario-2b-es")
    assert axe_found == {}


def test_the_dashboard_in_arabic_reads_right_to_left_with_codes_left_to_right(
    sqlite_site: Site, as_speaker: Walker, axe_found: dict[str, list[str]]
) -> None:
    scenarios_done_through_services(sqlite_site, ("1a",))
    user = as_speaker("xxa.user", "ar")
    user.goto("/")
    assert spoken(user) == "ar"
    assert user.evaluate("document.documentElement.dir") == "rtl"
    dashboard = said_in("ar", "Dashboard")
    assert dashboard == "لوحة المعلومات"
    assert user.locator("nav.main a[aria-current=page]").inner_text() == dashboard
    # The navigation starts on the right: its first link right of its second, near the edge.
    links = user.locator("nav.main a")
    first, second = links.nth(0).bounding_box(), links.nth(1).bounding_box()
    assert first["x"] > second["x"]
    assert first["x"] + first["width"] > VIEWPORT["width"] / 2
    brand = user.locator(".brand").bounding_box()
    assert brand["x"] > VIEWPORT["width"] / 2
    # A cooperative approach's code and a transaction's identifier still read left to right.
    code = user.locator("#holdings tbody tr td:nth-child(2) bdi").first
    assert re.fullmatch(r"CA\d+", code.inner_text()), code.inner_text()
    assert code.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert user.locator("a.txid").first.evaluate("e => getComputedStyle(e).direction") == "ltr"
    quantity = user.locator("#holdings td.num").first
    assert quantity.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert user.locator("#total-held").evaluate("e => getComputedStyle(e).direction") == "ltr"
    label = str(user.locator("svg.chart .chart-label").first.text_content())
    assert label.startswith(said_in("ar", "MO Holding")), label
    # Nothing pushes the page sideways.
    assert user.evaluate("document.documentElement.scrollWidth") <= VIEWPORT["width"]
    screenshot(user, "dashboard-ar-rtl")
    axe_check(user, axe_found)
    for path in ("/accounts", "/transactions"):
        user.goto(path)
        assert user.evaluate("document.documentElement.dir") == "rtl"
        axe_check(user, axe_found)
        if path == "/accounts":  # an account number such as XXA-…: left to right
            number = user.locator("tr[data-account] td.mono").first
            assert number.inner_text().startswith("XXA")
            assert number.evaluate("e => getComputedStyle(e).direction") == "ltr"
    assert user.locator("h1").inner_text() == said_in("ar", "Transactions")
    assert axe_found == {}
