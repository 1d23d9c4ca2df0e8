"""Reports over HTTP after the seed's scenarios: the AEF in each format, statements,
certificates, and the public report that anyone may read without signing in."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import openpyxl
from http_world import HttpWorld, ok
from test_scenarios_over_http import STEPS

from article6.services.checkpoints import take_checkpoint

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
    assert len(sheets) == 5


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
