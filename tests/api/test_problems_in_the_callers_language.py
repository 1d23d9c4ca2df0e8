"""API problem documents in the caller's language (issue #19): `Accept-Language` chooses the
language of each `title` and `detail`; the check codes, fields, `type` and status never change,
so a client handles a refusal the same way whatever language it reads it in. The response says
which language it used (`Content-Language`), English when none of ours was asked for."""

from __future__ import annotations

from typing import Any

import pytest
from http_world import Api, HttpWorld, build_world

from article6 import translation
from article6.domain.checks import Check
from article6.domain.wording import words
from article6.http.problems import field_words


@pytest.fixture
def world(api: Api) -> HttpWorld:
    return build_world(api, everyone=False)


def refused_transfer(world: HttpWorld, **headers: str) -> Any:
    """500 units asked as a range of 10: refused (C1005) under both fields, nothing moves."""
    return world.api["xxa.admin"].post(
        "/api/v1/parties/XXA/transfers",
        {
            "source_account": world["XXA Party mo_holding"],
            "destination_account": world["XXA Green Group A mo_holding"],
            "units": {
                "quantity": 500,
                "ranges": [{"registry": "XXA01", "first": 80_001, "last": 80_010}],
            },
        },
        headers=headers,
    )


DISAGREEING = words(
    "the quantity ({quantity:,}) is not the number of units in the serial "
    "ranges ({held:,}); give the quantity the ranges hold, or leave the "
    "quantity empty",
    quantity=500,
    held=10,
)


def stable(problem: dict[str, Any]) -> list[tuple[str, str]]:
    return [(c["check"], c["field"]) for c in problem["checks"]]


def test_a_refused_transfer_keeps_its_checks_and_fields_and_is_said_in_french(world: HttpWorld):
    english = refused_transfer(world)
    french = refused_transfer(world, **{"Accept-Language": "fr-CH, fr;q=0.9, en;q=0.5"})

    assert english.status_code == french.status_code == 422, french.text
    assert english.headers["content-language"] == "en"
    assert french.headers["content-language"] == "fr"
    assert french.headers["content-type"].startswith("application/problem+json")
    en, fr = english.json(), french.json()
    assert stable(fr) == stable(en) == [("C1005", "units.quantity"), ("C1005", "units.ranges")]
    assert fr["type"] == en["type"] == "urn:article6:check:C1005"
    assert fr["status"] == en["status"] and fr["instance"] == en["instance"]

    assert en["checks"][0]["detail"] == DISAGREEING
    assert en["title"] == Check.C1005.title
    with translation.speaking("fr"):
        assert fr["title"] == translation.said(Check.C1005.title)
        assert fr["checks"][0]["title"] == translation.said(Check.C1005.title)
        assert fr["checks"][0]["detail"] == translation.said(DISAGREEING)
    assert fr["detail"].startswith(f"C1005 units.quantity: {fr['checks'][0]['detail']}; ")


def test_the_words_are_french_and_the_code_is_the_same(world: HttpWorld):
    english = refused_transfer(world).json()
    french = refused_transfer(world, **{"Accept-Language": "fr"}).json()
    assert french["title"] != english["title"] and french["checks"][0]["check"] == "C1005"
    assert french["checks"][0]["detail"] != english["checks"][0]["detail"]
    assert french["checks"][0]["detail"].startswith("la quantité (500)")
    assert french["title"] == "Quantité et plage"
    # A status with no check of its own is titled from the HTTP layer's own words.
    client = world.api["xxa.admin"].client
    refused = client.delete("/api/v1/parties/XXA/transfers", headers={"Accept-Language": "fr"})
    assert refused.status_code == 405 and refused.headers["content-language"] == "fr"
    assert refused.json()["title"] == "Méthode non autorisée"


def test_no_language_or_one_we_do_not_speak_is_english(world: HttpWorld):
    english = refused_transfer(world)
    for asked in ("de", "*;q=0", "xx-YY, de;q=0.8", ""):
        other = refused_transfer(world, **{"Accept-Language": asked})
        assert other.headers["content-language"] == "en", asked
        assert other.json()["checks"] == english.json()["checks"], asked


def test_a_validation_error_is_said_in_spanish_with_its_field_unchanged(world: HttpWorld):
    caller = world.api["xxa.admin"]
    body = {"source_account": world["XXA Party mo_holding"], "units": {"quantity": 5}}
    english = caller.post("/api/v1/parties/XXA/transfers", body)
    spanish = caller.post("/api/v1/parties/XXA/transfers", body, headers={"Accept-Language": "es"})
    assert english.status_code == spanish.status_code == 422, spanish.text
    assert spanish.headers["content-language"] == "es"
    assert stable(spanish.json()) == stable(english.json())
    [missing] = [c for c in english.json()["checks"] if c["field"] == "destination_account"]
    assert missing["detail"] == "destination account is required"
    [said] = [c for c in spanish.json()["checks"] if c["field"] == "destination_account"]
    with translation.speaking("es"):
        assert said["detail"] == translation.said(
            words("{field} is required", field=field_words(("body", "destination_account")))
        )


def test_the_guard_and_an_unknown_address_answer_in_the_callers_language(world: HttpWorld):
    client = world.api["xxa.admin"].client
    for path, status, check in (
        ("/api/v1/nowhere", 404, "C1012"),
        ("/api/v1/parties/XXA/transfers", 415, "C1015"),
    ):
        answers = {
            language: client.request(
                "GET" if status == 404 else "POST",
                path,
                content=b"x=1",
                headers={"Accept-Language": language, "Content-Type": "text/plain"},
            )
            for language in ("en", "fr", "es")
        }
        for language, answer in answers.items():
            assert answer.status_code == status, answer.text
            assert answer.headers["content-language"] == language
            assert [c["check"] for c in answer.json()["checks"]] == [check]
            with translation.speaking(language):
                assert answer.json()["title"] == translation.said(Check[check].title)
                if status == 404:
                    nowhere = words("nothing at {path}", path=path)
                    assert answer.json()["checks"][0]["detail"] == translation.said(nowhere)
