"""Issue 17 in the browser: the reports page lists the years with actions and names the ZIP;
quantity and serial range that disagree move nothing; the public pages (the Parties, their
reports readable on a phone, the decision's notice); the API documentation with no network."""

from __future__ import annotations

from typing import Any

from axe_playwright_python.sync_playwright import Axe
from browser_site import VIEWPORT, SignedIn, Site, screenshot
from test_scenarios_in_browser import serious
from walk import fill

from article6.demo import world as demo

NOTICE = (
    "do not constitute an endorsement by the secretariat or by Parties to the Paris Agreement "
    "of the quality of any mitigation outcomes involved"
)
PHONE = {"width": 390, "height": 844}


def test_the_reports_page_lists_every_year_with_actions_and_calls_the_zip_a_zip(
    sqlite_site: Site, as_user: SignedIn
) -> None:
    xxa = as_user("xxa.admin")
    xxa.goto("/reports")
    this_year = sqlite_site.registry.now().year  # the world's actions are dated now
    years = [
        int(y)
        for y in xxa.locator("[data-aef-year]").evaluate_all(
            "items => items.map(i => i.dataset.aefYear)"
        )
    ]
    assert years[0] == this_year
    assert years == list(range(this_year, years[-1] - 1, -1))
    line = xxa.locator(f'[data-aef-year="{this_year}"]')
    assert line.get_by_role("link", name="CSV", exact=True).count() == 0
    zipped = line.get_by_role("link", name="CSV files (ZIP)")
    download = xxa.request.get(zipped.get_attribute("href"))
    assert download.ok and download.body()[:2] == b"PK"


def test_the_public_report_link_opens_the_readable_page(as_user: SignedIn) -> None:
    xxa = as_user("xxa.admin")
    xxa.goto("/reports")
    xxa.get_by_role("link", name="XXA's public report").click()
    xxa.wait_for_url("**/api/v1/public/parties/XXA?format=html")
    assert xxa.get_by_role("heading", level=1).inner_text().endswith("public report")
    assert NOTICE in xxa.locator("#no-endorsement").inner_text()


def test_quantity_500_with_range_80001_to_80010_is_refused_in_the_form_and_moves_nothing(
    sqlite_site: Site, as_user: SignedIn
) -> None:
    before = demo.holdings(sqlite_site.registry, sqlite_site.world)
    xxa = as_user("xxa.admin")
    xxa.goto("/actions/transfer")
    fill(
        xxa,
        {
            "source_account": sqlite_site.account("XXA Party mo_holding"),
            "destination_account": sqlite_site.account("XXA Green Group A mo_holding"),
            "quantity": "500",
            "ranges": "80001-80010",
        },
    )
    xxa.get_by_role("button", name="Check what will happen").click()
    xxa.locator("[role=alert]").wait_for()
    assert xxa.locator("#preview").count() == 0  # no preview, nothing to confirm
    quantity_error = xxa.locator("#quantity-error").inner_text()
    ranges_error = xxa.locator("#ranges-error").inner_text()
    assert quantity_error.startswith("C1005") and "(500)" in quantity_error
    assert (
        ranges_error.startswith("C1005") and "hold 10 units, not the quantity 500" in ranges_error
    )
    assert xxa.locator("#quantity").get_attribute("aria-invalid") == "true"
    assert xxa.locator("#ranges").get_attribute("aria-invalid") == "true"
    after = demo.holdings(sqlite_site.registry, sqlite_site.world)
    assert after == before
    assert sum(after.values()) == sum(before.values())


def test_public_lists_the_parties_with_a_section_and_their_reports_fit_a_phone(
    sqlite_site: Site, browser: Any
) -> None:
    anyone = browser.new_context(viewport=PHONE, base_url=sqlite_site.base_url)
    page = anyone.new_page()
    page.goto("/public")
    assert NOTICE in page.locator("#no-endorsement").inner_text()
    assert serious(Axe().run(page)) == []
    listed = page.locator("[data-party]").evaluate_all("items => items.map(i => i.dataset.party)")
    assert listed == ["XXA", "XXC"]
    assert not overflows(page)
    page.get_by_role("link", name="(XXA)").click()
    page.wait_for_url("**/api/v1/public/parties/XXA?format=html")
    assert NOTICE in page.locator("#no-endorsement").inner_text()
    authorizations = page.locator("table").first
    assert authorizations.locator("td").first.get_attribute("data-label") == "Authorization ID"
    assert not overflows(page), "the public report runs off a 390 px screen"
    assert serious(Axe().run(page)) == []
    screenshot(page, "public-report-phone")
    anyone.close()


def overflows(page: Any) -> bool:
    return bool(
        page.evaluate("document.documentElement.scrollWidth > document.documentElement.clientWidth")
    )


def test_the_api_documentation_renders_with_nothing_from_another_site(
    sqlite_site: Site, browser: Any
) -> None:
    offline = browser.new_context(viewport=VIEWPORT, base_url=sqlite_site.base_url)
    elsewhere: list[str] = []

    def only_this_site(route: Any) -> None:
        if route.request.url.startswith(sqlite_site.base_url):
            route.continue_()
        else:
            elsewhere.append(route.request.url)
            route.abort("internetdisconnected")

    offline.route("**/*", only_this_site)
    page = offline.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto("/api/docs")
    page.wait_for_selector("#swagger-ui .opblock", timeout=20_000)
    scripts = page.locator("script[src]").evaluate_all("items => items.map(s => s.src)")
    assert scripts and all(s.startswith(sqlite_site.base_url + "/") for s in scripts)
    assert elsewhere == [] and failed == []
    offline.close()
