"""Reports over HTTP after the seed's scenarios: the AEF in each format, statements,
certificates, and the public report that anyone may read without signing in."""

from __future__ import annotations

import io
import json
import re
import zipfile
from datetime import UTC, date, datetime

import openpyxl
from http_world import HttpWorld, holdings, ok
from sqlalchemy import inspect, text
from test_scenarios_over_http import STEPS
from test_users_page import browser_session

from article6.services.checkpoints import take_checkpoint
from article6.store import journal

YEAR = str(date.today().year)


def test_reports_over_http_after_the_four_scenarios(world: HttpWorld):
    """One world for every report (building it over HTTP is the expensive part)."""
    for step in STEPS.values():
        step(world)
    the_aef_draft_reports_the_first_transfers_of_the_scenarios(world)
    the_aef_comes_as_zipped_csv_and_as_a_workbook(world)
    an_entity_does_not_read_its_partys_aef(world)
    a_statement_and_a_certificate_of_the_corsia_cancellation(world)
    the_public_report_needs_no_sign_in_and_names_no_entity(world)
    the_reports_page_links_the_current_year_as_provisional(world)
    # The year ends: everything below reads the AEF of a finished year.
    world.api.clock.moment = datetime(int(YEAR) + 1, 1, 15, 9, 0, tzinfo=UTC)
    the_reports_page_links_every_year_from_the_first_action(world)
    reading_a_finished_years_aef_writes_nothing(world)
    a_later_action_leaves_the_finished_year_as_it_was_and_a_submission_freezes_it(world)


def the_aef_draft_reports_the_first_transfers_of_the_scenarios(played: HttpWorld):
    xxa = played.api["xxa.admin"]
    response = xxa.get(f"/api/v1/parties/XXA/aef/{YEAR}?format=json")
    assert response.status_code == 200, response.text
    document = json.loads(response.content)
    text = json.dumps(document)
    assert "First transfer to another Party" in text
    assert "Use or cancellation" in text
    assert "CORSIA" in text


def the_aef_comes_as_zipped_csv_and_as_a_workbook(played: HttpWorld):
    xxa = played.api["xxa.admin"]
    zipped = xxa.get(f"/api/v1/parties/XXA/aef/{YEAR}?format=csv")
    assert zipped.status_code == 200
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as bundle:
        assert len(bundle.namelist()) == 5
    workbook = xxa.get(f"/api/v1/parties/XXA/aef/{YEAR}?format=xlsx")
    assert workbook.status_code == 200
    sheets = openpyxl.load_workbook(io.BytesIO(workbook.content), read_only=True).sheetnames
    assert sheets[:2] == ["Index", "Summary information"] and len(sheets) == 7


def an_entity_does_not_read_its_partys_aef(played: HttpWorld):
    response = played.api["green.group.a"].get(f"/api/v1/parties/XXA/aef/{YEAR}")
    assert response.status_code == 403
    assert response.json()["checks"][0]["check"] == "C4002"


def a_statement_and_a_certificate_of_the_corsia_cancellation(played: HttpWorld):
    xxa = played.api["xxa.admin"]
    account = played["XXA Party amo_holding"]
    statement = ok(
        xxa.get(
            f"/api/v1/parties/XXA/accounts/{account}/statement?start=2021-01-01&end={YEAR}-12-31"
        ),
        200,
    )
    assert statement["account"] == account
    cancellations = ok(xxa.get("/api/v1/parties/XXA/transactions?kind=cancellation"), 200)
    identifier = cancellations["items"][-1]["identifier"]
    certificate = xxa.get(f"/api/v1/parties/XXA/transactions/{identifier}/certificate?format=html")
    assert certificate.status_code == 200
    assert "CORSIA" in certificate.text


def the_public_report_needs_no_sign_in_and_names_no_entity(played: HttpWorld):
    client = played.api.client
    checkpoint = take_checkpoint(played.api.registry, None)
    assert checkpoint is not None
    report = client.get("/api/v1/public/parties/XXA")
    assert report.status_code == 200
    assert "Green Group A" not in report.text
    shown = report.json()["checkpoint"]
    assert (shown["seq"], shown["hash"], shown["key_fingerprint"]) == (
        checkpoint.seq,
        checkpoint.hash,
        checkpoint.fingerprint,
    )
    page = client.get("/api/v1/public/parties/XXA?format=html")
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert checkpoint.hash in page.text and checkpoint.fingerprint in page.text


def aef_links(page: str) -> dict[str, str]:
    """Year -> its line on the reports page (tags removed)."""
    return {
        year: re.sub(r"<[^>]+>", "", line).strip()
        for year, line in re.findall(r'<li data-aef-year="(\d+)">(.*?)</li>', page)
    }


def the_aef_lines(played: HttpWorld, current: str) -> dict[str, str]:
    """The reports page's AEF lines: every year from the first action's (an authorization or a
    transaction) to `current`, newest first, only `current` provisional."""
    page = browser_session(played.api, "xxa.admin").get("/reports")
    assert page.status_code == 200, page.text
    assert f'href="/api/v1/parties/XXA/aef/{current}?format=csv">CSV files (ZIP)</a>' in page.text
    lines = aef_links(page.text)
    years = list(lines)
    assert years == [str(y) for y in range(int(current), int(years[-1]) - 1, -1)]
    assert lines[current] == (
        f"AEF {current} (provisional: {current} is not finished): XLSX · CSV files (ZIP) · JSON"
        " · corresponding adjustment inputs"
    )
    assert all(
        line == f"AEF {year}: XLSX · CSV files (ZIP) · JSON · corresponding adjustment inputs"
        for year, line in lines.items()
        if year != current
    )
    return lines


def the_reports_page_links_the_current_year_as_provisional(played: HttpWorld):
    assert YEAR in the_aef_lines(played, YEAR)


def the_reports_page_links_every_year_from_the_first_action(played: HttpWorld):
    lines = the_aef_lines(played, str(int(YEAR) + 1))
    assert (
        lines[YEAR]
        == f"AEF {YEAR}: XLSX · CSV files (ZIP) · JSON · corresponding adjustment inputs"
    )


def row_counts(played: HttpWorld) -> dict[str, int]:
    """Rows in every table, as an auditor counts them: with the journal sealed first, since the
    background sealer moves entries from `journal_pending` onto the chain at any moment."""
    engine = played.api.registry.engine
    journal.seal(engine)
    with engine.connect() as db:
        return {
            name: db.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()
            for name in inspect(engine).get_table_names()
        }


def aef_json(played: HttpWorld, party: str, query: str = "") -> list[dict[str, object]]:
    response = played.api[f"{party.lower()}.admin"].get(
        f"/api/v1/parties/{party}/aef/{YEAR}?format=json{query}"
    )
    assert response.status_code == 200, response.text
    tables: list[dict[str, object]] = json.loads(response.content)["tables"]
    return tables


def reading_a_finished_years_aef_writes_nothing(played: HttpWorld):
    xxa = played.api.sign_in("xxa.admin")
    browser = browser_session(played.api, "xxa.admin")
    before = row_counts(played)
    for year in (YEAR, "2023"):  # a year with actions, and one with nothing to report
        for fmt in ("json", "csv", "xlsx"):
            assert xxa.get(f"/api/v1/parties/XXA/aef/{year}?format={fmt}").status_code == 200
    assert browser.get("/reports").status_code == 200
    assert row_counts(played) == before
    assert before["holdings_snapshots"] == before["holdings_snapshot_rows"] == 0


def a_later_action_leaves_the_finished_year_as_it_was_and_a_submission_freezes_it(
    played: HttpWorld,
):
    xxc = played.api.sign_in("xxc.admin")
    first = aef_json(played, "XXC")
    held = holdings(played.api)["XXC Party itmo_holding"]
    assert held > 0 and first[3]["rows"]
    ok(
        xxc.post(
            "/api/v1/parties/XXC/uses",
            {
                "source_account": played["XXC Party itmo_holding"],
                "ndc_year": int(YEAR) + 1,
                "units": {"quantity": held},
            },
        )
    )
    assert aef_json(played, "XXC")[2:4] == first[2:4]  # Tables 3 and 4 of the finished year

    submitted = ok(xxc.post(f"/api/v1/parties/XXC/aef/{YEAR}/submissions"))

    assert submitted["version"] == "1.0"
    assert aef_json(played, "XXC", "&version=1.0")[3] == first[3]
    assert row_counts(played)["holdings_snapshots"] == 1
