"""Days and cancellation purposes on the pages in the reader's language (#19): a date of
authorization, of an initial report or a statement period is ISO in English (what auditors
compare) and the language's own long form in French and Spanish; a cancellation's purpose is
said in words with its code beside it (IMP, OP, OMGE) in an `<abbr>`. Links and form values
keep ISO dates."""

from __future__ import annotations

import re
from datetime import date

import pytest
from fastapi.testclient import TestClient
from http_world import HttpWorld, ok
from test_initial_reports_pages import REPORT
from test_scenarios_over_http import STEPS
from test_users_page import browser_session

ABBR = '<abbr title="[^"]+">{code}</abbr>'


def reader(world: HttpWorld, name: str, language: str) -> TestClient:
    browser = browser_session(world.api, name)
    browser.cookies.set("article6_language", language)
    return browser


def read(browser: TestClient, path: str) -> str:
    page = browser.get(path)
    assert page.status_code == 200, (path, page.text)
    return page.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_days_are_iso_in_english_and_the_readers_own_in_french_and_spanish(
    world: HttpWorld,
) -> None:
    for step in STEPS.values():
        step(world)
    ok(world.api["xxa.admin"].post("/api/v1/parties/XXA/initial-reports", REPORT), 201)
    year = date.today().year
    english, french, spanish = (reader(world, "xxa.admin", code) for code in ("en", "fr", "es"))

    for path in ("/authorizations", "/authorizations/XXA-NDC-2025-001"):
        assert ">2025-04-01<" in read(english, path)
        assert "1 avril 2025" in read(french, path) and ">2025-04-01<" not in read(french, path)
        assert "1 de abril de 2025" in read(spanish, path)

    reports = read(french, "/initial-reports")
    assert "1 mai 2025" in reports and ">2025-05-01<" not in reports
    assert "1 de mayo de 2025" in read(spanish, "/initial-reports")
    assert ">2025-05-01<" in read(english, "/initial-reports")

    statements = read(french, "/reports")
    assert f"1 janvier {year}" in statements
    assert f"start={year}-01-01" in statements  # the statement's link keeps ISO

    entities = read(french, "/admin/entities")
    entity = re.search(r'href="(/admin/entities/[^"?]+)"', entities)
    assert entity, entities
    assert "1 mars 2025" in read(french, entity.group(1))
    assert "2025-03-01" in read(english, entity.group(1))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_cancellation_purpose_is_said_in_words_with_its_code_beside(world: HttpWorld) -> None:
    for step in STEPS.values():
        step(world)
    french, spanish = (reader(world, "xxa.admin", code) for code in ("fr", "es"))

    actions = read(french, "/actions")
    imp = ABBR.format(code="IMP")
    assert re.search(f"Annuler — fins d&#39;atténuation internationales \\({imp}\\)", actions)
    assert "Annuler — autres fins (OP)" in actions  # OP has no entry in the glossary
    omge = ABBR.format(code="OMGE")
    assert re.search(f"Annuler — atténuation globale des émissions mondiales \\({omge}\\)", actions)
    assert "Annuler — volontaire<" in actions and "Annuler — voluntary" not in actions
    assert re.search(
        f"Cancelar — fines de mitigación internacional \\({imp}\\)", read(spanish, "/actions")
    )

    transactions = read(french, "/transactions")
    assert re.search(
        f"Annulation — fins d&#39;atténuation internationales \\({imp}\\)", transactions
    )
    cancelled = re.search(
        r'href="/transactions/(XXA01-\d+)">[^<]*</a></td>\s*<td[^>]*>Annulation — ', transactions
    )
    assert cancelled, transactions
    page = read(french, f"/transactions/{cancelled.group(1)}")
    assert re.search(f"<dd>fins d&#39;atténuation internationales \\({imp}\\)", page), page
    answer = ok(
        world.api["xxa.admin"].get(f"/api/v1/parties/XXA/transactions/{cancelled.group(1)}"), 200
    )
    assert answer["cancellation_purpose"] == "IMP"  # the API keeps the code
