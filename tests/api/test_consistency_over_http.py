"""The consistency checks over HTTP and on their page after the seed's scenarios: the
secretariat and a registry-wide auditor read the result, a Party's administrator and a
section's auditor are refused, and the page lists every code."""

from __future__ import annotations

from datetime import date

from http_world import HttpWorld
from test_scenarios_over_http import STEPS
from test_users_page import browser_session, form

YEAR = date.today().year
CODES = 25


def test_the_consistency_checks_over_http_after_the_four_scenarios(world: HttpWorld) -> None:
    for step in STEPS.values():
        step(world)
    the_secretariat_reads_a_consistent_year(world)
    a_registry_wide_auditor_reads_it_too_and_a_party_does_not(world)
    the_page_lists_every_code_and_the_reports_page_links_it(world)


def the_secretariat_reads_a_consistent_year(played: HttpWorld) -> None:
    response = played.api["secretariat.admin"].get(f"/api/v1/aef/{YEAR}/consistency")
    assert response.status_code == 200, response.text
    result = response.json()
    assert result["year"] == YEAR
    assert result["consistent"] is True and result["inconsistencies"] == 0
    assert len(result["codes"]) == CODES
    assert result["codes"][0] == {
        "code": "II01",
        "group": "ITMO integrity",
        "rule": "a Party reports only approaches it participates in",
        "passed": True,
        "found": 0,
        "inconsistencies": [],
    }
    checked = {(f["party"], f["filing"]) for f in result["submissions"] if f["year"] == YEAR}
    assert {("XXA", "consistent"), ("XXC", "consistent")} <= checked
    assert result["checked_at"].endswith("Z")


def a_registry_wide_auditor_reads_it_too_and_a_party_does_not(played: HttpWorld) -> None:
    assert played.api["auditor"].get(f"/api/v1/aef/{YEAR}/consistency").status_code == 200
    for user in ("xxa.admin", "xxa.auditor"):
        refused = played.api[user].get(f"/api/v1/aef/{YEAR}/consistency")
        assert refused.status_code == 403
        assert [c["check"] for c in refused.json()["checks"]] == ["C4006"]
    future = played.api["secretariat.admin"].get(f"/api/v1/aef/{YEAR + 1}/consistency")
    assert future.status_code == 422
    assert [c["check"] for c in future.json()["checks"]] == ["C1019"]


def the_page_lists_every_code_and_the_reports_page_links_it(played: HttpWorld) -> None:
    secretariat = browser_session(played.api, "secretariat.admin")
    form(secretariat, "/section", {"party": "XXA", "next": "/reports"})
    reports = secretariat.get("/reports")
    assert f'href="/aef/{YEAR}/consistency"' in reports.text
    page = secretariat.get(f"/aef/{YEAR}/consistency")
    assert page.status_code == 200, page.text
    assert page.text.count('data-code="') == CODES
    assert 'data-consistency="passed"' in page.text
    assert f'data-filed="XXA-{YEAR}-' in page.text
    administrator = browser_session(played.api, "xxa.admin")
    assert 'href="/aef/' not in administrator.get("/reports").text
    refused = administrator.get(f"/aef/{YEAR}/consistency")
    assert refused.status_code == 403 and "C4006" in refused.text
