"""The authorization IDs Parties use (`1006.4/2810`, RULES.md 11.2) over HTTP: recorded, linked
to units, read back by path, and exported in the AEF; and the IDs and dates the API refuses."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import datetime
from typing import Any
from urllib.parse import quote

import openpyxl
from http_world import HttpWorld, ok
from test_users_page import browser_session

THAILAND = "1006.4/2810"
AUTHORIZATION = {
    "date_of_authorization": "2025-05-01",
    "cooperative_approach": "CA0001",
    "sectors": ["Energy generation"],
    "activity_types": ["Solar"],
    "purposes": "NDC",
}


def refusals(response: Any) -> list[tuple[str, str]]:
    assert response.status_code == 422, response.text
    return [(c["check"], c["field"]) for c in response.json()["checks"]]


def test_an_authorization_id_with_a_slash_and_a_dot_works_end_to_end(world: HttpWorld):
    xxa = world.api["xxa.admin"]
    recorded = ok(
        xxa.post(
            "/api/v1/parties/XXA/authorizations",
            {**AUTHORIZATION, "authorization_id": THAILAND},
        )
    )
    assert recorded["record"] == f"{THAILAND} v1"
    ok(
        xxa.post(
            "/api/v1/parties/XXA/authorization-links",
            {
                "account": world["XXA Party mo_holding"],
                "authorization_id": THAILAND,
                "units": {"quantity": 10},
            },
        )
    )

    for path in (THAILAND, quote(THAILAND, safe="")):
        versions = ok(xxa.get(f"/api/v1/parties/XXA/authorizations/{path}/versions"), 200)
        assert [(v["authorization_id"], v["version"]) for v in versions] == [(THAILAND, 1)]

    workbook = xxa.get("/api/v1/parties/XXA/aef/2025?format=xlsx")
    assert workbook.status_code == 200, workbook.text
    book = openpyxl.load_workbook(io.BytesIO(workbook.content), read_only=True)
    sheet = book["Table 2 Authorizations"]  # the official layout: the fields from column B
    table2 = [row for row in sheet.iter_rows(values_only=True) if row[1] == THAILAND]
    assert [(row[1], row[2], row[4]) for row in table2] == [(THAILAND, datetime(2025, 5, 1), 1)]

    zipped = xxa.get("/api/v1/parties/XXA/aef/2025?format=csv")
    with zipfile.ZipFile(io.BytesIO(zipped.content)) as bundle:
        name = next(n for n in bundle.namelist() if n.startswith("table2"))
        rows = list(csv.reader(io.StringIO(bundle.read(name).decode("utf-8-sig"))))
    assert [row[0] for row in rows if row[0] == THAILAND] == [THAILAND]


def test_the_pages_link_an_authorization_id_url_encoded(world: HttpWorld):
    """`/` stays a path separator the route takes whole; `#`, `?` and spaces are encoded."""
    xxa = world.api["xxa.admin"]
    for identifier in (THAILAND, "CHE/THA #1?"):
        ok(
            xxa.post(
                "/api/v1/parties/XXA/authorizations",
                {**AUTHORIZATION, "authorization_id": identifier},
            )
        )
    browser = browser_session(world.api, "xxa.admin")
    listing = browser.get("/authorizations")
    assert 'href="/authorizations/1006.4/2810"' in listing.text
    assert 'href="/authorizations/CHE/THA%20%231%3F"' in listing.text
    for path, shown in (("1006.4/2810", THAILAND), ("CHE/THA%20%231%3F", "CHE/THA #1?")):
        page = browser.get(f"/authorizations/{path}")
        assert page.status_code == 200, page.text
        assert f"<h1>Authorization {shown}</h1>" in page.text
        assert f'href="/authorizations/new?version_of={path}"' in page.text


def test_control_characters_and_65_characters_are_refused_c1004(world: HttpWorld):
    xxa = world.api["xxa.admin"]
    for identifier in ("1006.4\u00012810", "1006.4/2810\n", " 1006.4/2810", "x" * 65):
        response = xxa.post(
            "/api/v1/parties/XXA/authorizations",
            {**AUTHORIZATION, "authorization_id": identifier},
        )
        assert refusals(response) == [("C1004", "authorization_id")], identifier
    assert xxa.get("/api/v1/parties/XXA/authorizations/x%01y/versions").status_code == 422


def test_an_authorization_dated_in_the_future_or_before_2021_is_refused_c1009(world: HttpWorld):
    """Dated 28/02/2042 (after the registry's today) or before decision 2/CMA.3 applied."""
    xxa = world.api["xxa.admin"]
    for dated in ("2042-02-28", "2020-12-31"):
        response = xxa.post(
            "/api/v1/parties/XXA/authorizations",
            {**AUTHORIZATION, "authorization_id": "XXA-DATED", "date_of_authorization": dated},
        )
        assert response.status_code == 422, response.text
        assert [(c["check"], c["field"]) for c in response.json()["checks"]] == [
            ("C1009", "date_of_authorization")
        ], dated
