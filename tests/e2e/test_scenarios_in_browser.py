"""The seed's four scenarios (1a, 2a, 1b, 2b) in a real browser, as the seed's users, through
the pages only; then what the pages promise besides: refusals in plain words that keep what
was typed, a unit's whole history, new authorization versions, issuance, keyboard use, the
phone-width layout and an automated accessibility check of the main pages.

The walk has a registry of its own; every other test looks at a second registry on which the
scenarios ran through the services, so no test depends on another having run before it (one
worker under xdist, for the browser).
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from browser_site import (
    SignedIn,
    Site,
    make_site,
    require_chromium,
    screenshot,
    signed_in_pages,
)
from walk import SCENARIO_WALKS, act, assert_shown, fill, preview, shown_holdings

from article6.demo import world as demo
from article6.services.reads.ledger import verify_registry

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]


@pytest.fixture(scope="module")
def after_scenarios(
    tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path
) -> Iterator[Site]:
    """A registry of its own on which the seed's four scenarios ran through the services: what
    the tests after the walk look at, whether or not the walk ran, and in any order."""
    require_chromium()
    path = tmp_path_factory.mktemp("after-scenarios") / "registry.db"
    shutil.copy(sqlite_template, path)
    for site in make_site(f"sqlite:///{path}"):
        for _, _, scenario, _ in demo.SCENARIOS:
            scenario(site.registry, site.world)
        yield site


@pytest.fixture(scope="module")
def as_user_after(after_scenarios: Site, browser: Any) -> Iterator[SignedIn]:
    yield from signed_in_pages(after_scenarios, browser)


def test_each_scenario_leaves_the_holdings_the_seed_expects(
    sqlite_site: Site, as_user: SignedIn
) -> None:
    """The four scenarios build on each other (1b cancels what 1a left), so one test walks them
    in the seed's order and checks the holdings after each."""
    for code, _, _, expected in demo.SCENARIOS:
        SCENARIO_WALKS[code](sqlite_site, as_user, shots=True)
        found = demo.holdings(sqlite_site.registry, sqlite_site.world)
        assert {name: found[name] for name in expected} == expected, f"after scenario {code}"
        assert sum(found.values()) == demo.ISSUED
        assert verify_registry(sqlite_site.registry) == []


def test_a_refused_form_names_the_check_and_keeps_what_was_typed(
    after_scenarios: Site, as_user_after: SignedIn
) -> None:
    xxc = as_user_after("xxc.admin")
    before = shown_holdings(xxc, after_scenarios)
    xxc.goto("/actions/use")
    fill(
        xxc,
        {
            "source_account": after_scenarios.account("XXC Party itmo_holding"),
            "ndc_year": "2040",
            "quantity": "1000",
        },
    )
    xxc.get_by_role("button", name="Check what will happen").click()
    alert = xxc.get_by_role("alert")
    assert "C5001" in alert.inner_text()
    assert "NDC implementation period" in alert.inner_text()
    assert xxc.locator("#ndc_year").input_value() == "2040"
    assert xxc.locator("#ndc_year").get_attribute("aria-invalid") == "true"
    assert xxc.locator("#quantity").input_value() == "1000"
    screenshot(xxc, "refused-form")
    assert shown_holdings(xxc, after_scenarios) == before


def test_the_manual_first_transfer_record_is_refused_for_ndc_units_with_its_check(
    after_scenarios: Site, as_user_after: SignedIn
) -> None:
    xxa = as_user_after("xxa.admin")
    before = shown_holdings(xxa, after_scenarios)
    xxa.goto("/transactions?first_transfer=true")
    xxa.get_by_role("link", name="Record a first transfer manually").click()
    fill(
        xxa,
        {
            "account": after_scenarios.account("XXA Party amo_holding"),
            "reason": "Recorded by the administrator",
            "quantity": "1000",
            "authorization_filter": demo.NDC_AUTHORIZATION,
        },
    )
    xxa.get_by_role("button", name="Check what will happen").click()
    assert "C3008" in xxa.get_by_role("alert").inner_text()
    assert xxa.locator("#reason").input_value() == "Recorded by the administrator"
    assert shown_holdings(xxa, after_scenarios) == before


def test_an_entity_is_refused_the_partys_account_in_plain_words(
    after_scenarios: Site, as_user_after: SignedIn
) -> None:
    green = as_user_after("green.group.a")
    green.goto(f"/accounts/{after_scenarios.account('XXA Party amo_holding')}")
    assert green.locator("h1").inner_text() == "Not allowed"
    assert "C4002" in green.get_by_role("alert").inner_text()
    screenshot(green, "refused-page")


def test_a_serial_number_shows_that_units_whole_history(
    after_scenarios: Site, as_user_after: SignedIn
) -> None:
    xxa = as_user_after("xxa.admin")
    xxa.goto(f"/accounts/{after_scenarios.account('XXA Party imp_cancellation')}")
    screenshot(xxa, "account-detail")
    first_block = xxa.locator("#blocks tbody tr a.mono").first
    serial = first_block.inner_text().split("-")[3]
    xxa.goto("/units")
    xxa.get_by_label("Serial number or identifier").fill(serial)
    xxa.get_by_role("button", name="Search").click()
    assert xxa.locator("#unit-state").inner_text() == "cancelled"
    kinds = xxa.locator("table tbody tr td:nth-child(2)").all_inner_texts()
    assert kinds[0].startswith("Issuance")
    assert kinds[1].startswith("Authorization")
    assert kinds[-1].startswith("Cancellation") and "First transfer" in kinds[-1]
    screenshot(xxa, "unit-history")


def test_recording_an_authorization_again_adds_a_version_and_keeps_the_first(
    after_scenarios: Site, as_user_after: SignedIn
) -> None:
    xxa = as_user_after("xxa.admin")
    xxa.goto(f"/authorizations/{demo.CORSIA_AUTHORIZATION}")
    xxa.get_by_role("link", name="Record a new version").click()
    assert xxa.locator("#authorization_id").input_value() == demo.CORSIA_AUTHORIZATION
    fill(xxa, {"terms_and_conditions": "Cancellations for CORSIA only, 2024 vintage."})
    xxa.get_by_role("button", name="Record").click()
    xxa.wait_for_url(re.compile(r"/authorizations/.*\?done="))
    headings = xxa.locator("section h3").all_inner_texts()
    assert headings[:2] == ["Version 2 (current)", "Version 1"]
    screenshot(xxa, "authorization-versions")


def test_issuance_through_the_form_adds_mos_to_the_mo_holding_account(
    after_scenarios: Site, as_user_after: SignedIn
) -> None:
    xxa = as_user_after("xxa.admin")
    before = shown_holdings(xxa, after_scenarios)["XXA Party mo_holding"]
    xxa.goto("/actions/issue")
    activity = xxa.locator("#mitigation_activity option").nth(1).get_attribute("value")
    act(
        xxa,
        "/actions/issue",
        {"mitigation_activity": str(activity), "vintage": "2024", "quantity": "1000"},
        first_transfer=False,
        waits=False,
    )
    assert_shown(xxa, after_scenarios, {"XXA Party mo_holding": before + 1_000})
    found = demo.holdings(after_scenarios.registry, after_scenarios.world)
    assert sum(found.values()) == demo.ISSUED + 1_000
    assert verify_registry(after_scenarios.registry) == []


def test_sign_in_and_the_pages_work_by_keyboard_alone(after_scenarios: Site, browser: Any) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    page = context.new_page()
    page.goto(f"{after_scenarios.base_url}/")
    assert page.url.endswith("/sign-in?next=/")
    screenshot(page, "sign-in")
    assert page.evaluate("document.activeElement.id") == "name"  # focused on arrival
    page.keyboard.type("xxa.user")
    page.keyboard.press("Tab")
    page.keyboard.type(after_scenarios.users["xxa.user"][0])
    page.keyboard.press("Tab")
    page.keyboard.type(after_scenarios.code("xxa.user"))
    page.keyboard.press("Enter")
    page.wait_for_url(f"{after_scenarios.base_url}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "main"
    assert page.locator(".who").inner_text().startswith("xxa.user · Party user")
    context.close()


def test_the_dashboard_fits_a_phone(after_scenarios: Site, as_user_after: SignedIn) -> None:
    xxa = as_user_after("xxa.admin")
    xxa.set_viewport_size({"width": 390, "height": 844})
    try:
        xxa.goto("/")
        assert xxa.evaluate("document.documentElement.scrollWidth") <= 390
        assert xxa.locator("svg.chart").bounding_box()["width"] <= 390
        screenshot(xxa, "dashboard-phone")
    finally:
        xxa.set_viewport_size({"width": 1280, "height": 800})


MAIN_PAGES = [
    "/",
    "/accounts",
    "/transactions",
    "/approvals",
    "/actions/transfer",
    f"/authorizations/{demo.NDC_AUTHORIZATION}",
    "/authorizations/new",
    "/units?q=1",
    "/password",
    "/users",
]


def test_the_main_pages_have_no_serious_accessibility_violations(
    after_scenarios: Site, as_user_after: SignedIn, browser: Any
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    xxa = as_user_after("xxa.admin")
    pages = [*MAIN_PAGES, f"/accounts/{after_scenarios.account('XXA Party amo_holding')}"]
    xxa.goto("/transactions")
    pages.append(xxa.locator("table a.mono").first.get_attribute("href"))
    found: dict[str, list[str]] = {}
    for path in pages:
        xxa.goto(path)
        found[path] = serious(axe.run(xxa))
    preview(
        xxa,
        "/actions/cancel?purpose=voluntary",
        {"source_account": after_scenarios.account("XXA Party amo_holding"), "quantity": "1"},
    )
    found["confirmation"] = serious(axe.run(xxa))
    signed_out = browser.new_context()
    page = signed_out.new_page()
    page.goto(f"{after_scenarios.base_url}/sign-in")
    found["/sign-in"] = serious(axe.run(page))
    signed_out.close()
    assert {path: problems for path, problems in found.items() if problems} == {}


def serious(results: Any) -> list[str]:
    return [
        f"{v['id']}: {v['help']} ({len(v['nodes'])} elements)"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


REPORT_VIOLATIONS = (
    "document.addEventListener('securitypolicyviolation', e => "
    "console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
)


def watch_policy(page: Any, violations: list[str]) -> None:
    """Collect what the browser says it blocked under the Content-Security-Policy."""
    page.add_init_script(REPORT_VIOLATIONS)
    page.on(
        "console",
        lambda m: (
            violations.append(f"{page.url}: {m.text}")
            if "Content Security Policy" in m.text or "CSP violation" in m.text
            else None
        ),
    )


def test_no_page_breaks_the_content_security_policy(
    after_scenarios: Site, as_user_after: SignedIn, browser: Any
) -> None:
    """Every page, signed out and signed in, and the print-ready reports: the browser reports
    no blocked script, style or frame (an inline script or style attribute would be blocked)."""
    violations: list[str] = []
    signed_out = browser.new_context(base_url=after_scenarios.base_url)
    page = signed_out.new_page()
    watch_policy(page, violations)
    for path in ("/sign-in", "/enrolment", "/api/v1/public/parties/XXA?format=html"):
        page.goto(path)
    page.goto("/api/docs")  # Swagger UI, served with the registry, renders the API under the policy
    page.wait_for_selector("#swagger-ui .opblock", timeout=20_000)
    signed_out.close()
    xxa = as_user_after("xxa.admin")
    watch_policy(xxa, violations)
    account = after_scenarios.account("XXA Party amo_holding")
    for path in [
        *MAIN_PAGES,
        "/actions",
        "/activities",
        "/authorizations",
        "/reports",
        "/transactions?first_transfer=true",
        f"/accounts/{account}",
        f"/api/v1/parties/XXA/accounts/{account}/statement?start=2021-01-01&end=2030-12-31"
        "&format=html",
        "/no-such-page",
    ]:
        xxa.goto(path)
        assert xxa.evaluate("document.querySelectorAll('[style]').length") == 0, path
    xxa.goto("/")
    assert violations == []
