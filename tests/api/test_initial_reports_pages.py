"""Initial reports over HTTP and on the page: XXA's administrator records the initial report
of CA0001 (two steps on the page, CSRF, an idempotency key), a Party user reads it but may not
record one, and a refused form names the check (C3011)."""

from __future__ import annotations

import re

from http_world import HttpWorld, ok
from test_users_page import browser_session, form

REPORT = {
    "cooperative_approach": "CA0001",
    "kind": "initial",
    "report_date": "2025-05-01",
    "review_reference": "TER/2025/XXA/1",
}


def test_the_administrator_records_the_initial_report_on_the_page(world: HttpWorld) -> None:
    browser = browser_session(world.api, "xxa.admin")
    page = browser.get("/initial-reports")
    assert page.status_code == 200 and "No initial report is recorded." in page.text
    asked = form(browser, "/initial-reports", REPORT)
    assert asked.status_code == 200, asked.text
    assert "Nothing is recorded until you confirm" in asked.text
    assert ok(world.api["xxa.admin"].get("/api/v1/parties/XXA/initial-reports"), 200) == []
    key = re.search(r'name="idempotency_key" value="([^"]+)"', asked.text)
    assert key
    confirm = {**REPORT, "step": "confirm", "idempotency_key": key.group(1)}
    done = form(browser, "/initial-reports", confirm)
    assert done.status_code == 303 and done.headers["location"] == "/initial-reports?done=1"
    again = form(browser, "/initial-reports", confirm)  # a double submission acts once
    assert again.status_code == 303
    listed = ok(world.api["xxa.admin"].get("/api/v1/parties/XXA/initial-reports"), 200)
    assert [(r["cooperative_approach"], r["review_reference"]) for r in listed] == [
        ("CA0001", "TER/2025/XXA/1")
    ]
    shown = browser.get("/initial-reports?done=1").text
    assert "The report is recorded." in shown and "TER/2025/XXA/1" in shown


def test_a_second_initial_report_is_refused_on_the_page_with_its_check(world: HttpWorld) -> None:
    ok(world.api["xxa.admin"].post("/api/v1/parties/XXA/initial-reports", REPORT), 201)
    browser = browser_session(world.api, "xxa.admin")
    refused = form(browser, "/initial-reports", REPORT)
    assert refused.status_code == 422
    assert "C3011" in refused.text and "record an update" in refused.text


def test_a_party_user_reads_but_does_not_record(world: HttpWorld) -> None:
    user = world.api["xxa.user"]
    denied = user.post("/api/v1/parties/XXA/initial-reports", REPORT)
    assert denied.status_code == 403
    assert {c["check"] for c in denied.json()["checks"]} & {"C4002", "C4006", "C4007"}
    assert ok(user.get("/api/v1/parties/XXA/initial-reports"), 200) == []
    page = browser_session(world.api, "xxa.user").get("/initial-reports")
    assert page.status_code == 200 and "Record a report" not in page.text
