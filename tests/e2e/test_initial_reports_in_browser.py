"""Initial reports in a browser: XXA's administrator opens Initial reports from
Authorizations, records the initial report of the approach in two steps (Record…, then
Confirm), and sees it listed; at 390 px wide too. Each page is axe clean (no serious or
critical violation)."""

from __future__ import annotations

from typing import Any

from browser_site import SignedIn, Site


def serious(page: Any) -> list[str]:
    from axe_playwright_python.sync_playwright import Axe

    return [
        f"{v['id']}: {v['help']}"
        for v in Axe().run(page).response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]


def test_the_administrator_records_the_initial_report(sqlite_site: Site, as_user: SignedIn) -> None:
    xxa = as_user("xxa.admin")
    xxa.set_viewport_size({"width": 390, "height": 844})
    xxa.goto("/authorizations")
    xxa.get_by_role("link", name="Initial reports").click()
    xxa.wait_for_url("**/initial-reports")
    assert "No initial report is recorded." in xxa.locator("#initial-reports").inner_text()
    assert serious(xxa) == []

    xxa.get_by_label("Cooperative approach").fill("CA0001")
    xxa.get_by_label("Report", exact=True).select_option("initial")
    xxa.get_by_label("Date of the report").fill("2025-05-01")
    xxa.get_by_label("Reference to the technical expert review report").fill("TER/2025/XXA/1")
    xxa.get_by_role("button", name="Record…").click()
    assert "Nothing is recorded until you confirm" in xxa.locator("#will-record").inner_text()
    assert serious(xxa) == []
    xxa.get_by_role("button", name="Confirm").click()
    xxa.wait_for_url("**/initial-reports?done=1")
    assert "The report is recorded." in xxa.locator("#done").inner_text()
    assert "TER/2025/XXA/1" in xxa.locator("#initial-reports").inner_text()
    wide = xxa.evaluate("document.documentElement.scrollWidth")
    assert wide <= 390
    assert serious(xxa) == []
