"""Nothing that sign-in, enrolment or their pages answer tells an attacker whether a password
was right: a code in other digits than ASCII's, a missing code, or an enrolment of a user who
is already enrolled is answered as a wrong code or password would be, and counted and journaled
like one (C4009, C4010)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from http_world import Api, Caller

from article6.domain.access import Role
from article6.settings import Settings

SETTINGS = Settings()
NAME = "secretariat.admin"
# Six digits each, as str.isdigit() sees them, none of them ASCII.
FOREIGN_DIGITS = [
    "١٢٣٤٥٦",  # Arabic-Indic
    "۱۲۳۴۵۶",  # Extended Arabic-Indic (Persian)
    "１２３４５６",  # fullwidth
    "१२३४५६",  # Devanagari
    "¹²³⁴⁵⁶",  # superscripts: digits to isdigit(), not decimals
    "𝟏𝟐𝟑𝟒𝟓𝟔",  # mathematical bold
]


@pytest.fixture
def secretariat(api: Api) -> Caller:
    """The secretariat, and a registry-wide auditor who reads the journal (so that reading it
    does not sign the secretariat in and reset its count)."""
    signed = api.bootstrap_secretariat()
    api.add_user(NAME, "reader", Role.AUDITOR)
    return signed


def answer(response: httpx.Response) -> tuple[Any, ...]:
    """Everything a client sees of a refusal."""
    problem = response.json()
    checks = [(c["check"], c["field"]) for c in problem["checks"]]
    return response.status_code, checks, problem["detail"], response.headers.get("retry-after")


def failures(api: Api, name: str = NAME) -> list[dict[str, Any]]:
    """The journaled failures naming `name`, oldest first."""
    reader = api.sign_in("reader")
    items = reader.get("/api/v1/journal?limit=500").json()["items"]
    return [
        json.loads(e["body"])
        for e in items
        if e["event"] == "SignInFailed" and e["subject"] == name
    ]


# --- finding: codes in digits other than ASCII's --------------------------------------------


@pytest.mark.parametrize("route", ["/api/v1/tokens", "/api/v1/session"])
def test_foreign_digits_with_the_right_password_are_a_wrong_code_counted_and_journaled(
    api: Api, secretariat: Caller, route: str
):
    seen = []
    for code in ["000000", *FOREIGN_DIGITS]:
        api.clock.advance(600)  # past any throttling wait: each attempt is checked
        response = api.client.post(
            route, json={"name": NAME, "password": api.passwords[NAME], "code": code}
        )
        seen.append(answer(response))
    assert seen == [(401, [("C4009", "name")], seen[0][2], None)] * len(seen)
    counted = failures(api)
    assert [f["reason"] for f in counted] == ["second factor"] * len(seen)
    assert [f["failures"] for f in counted] == list(range(1, len(seen) + 1))


def test_foreign_digits_lock_the_name_like_any_wrong_code(api: Api, secretariat: Caller):
    for _ in range(SETTINGS.lock_after):
        api.clock.advance(600)
        api.client.post(
            "/api/v1/tokens",
            json={"name": NAME, "password": api.passwords[NAME], "code": FOREIGN_DIGITS[0]},
        )
    right = api.client.post(
        "/api/v1/tokens",
        json={"name": NAME, "password": api.passwords[NAME], "code": api.code(NAME)},
    )
    assert answer(right)[:2] == (429, [("C4010", "name")])


def test_enrolment_confirmation_takes_foreign_digits_as_a_wrong_code(api: Api, secretariat: Caller):
    ok = secretariat.post(
        "/api/v1/users", {"name": "new.user", "display_name": "N", "password": "x" * 12}
    )
    assert ok.status_code == 201
    credentials = {"name": "new.user", "password": "x" * 12}
    assert api.client.post("/api/v1/enrolment", json=credentials).status_code == 201
    seen = []
    for code in ["000000", *FOREIGN_DIGITS]:
        api.clock.advance(600)
        response = api.client.post(
            "/api/v1/enrolment/confirmation", json={**credentials, "code": code}
        )
        seen.append(answer(response))
    assert seen == [(401, [("C4009", "name")], seen[0][2], None)] * len(seen)
    assert [f["reason"] for f in failures(api, "new.user")] == ["enrolment code"] * len(seen)


def page_client(api: Api) -> TestClient:
    """A browser of its own (no cookies of the API client's)."""
    return TestClient(api.client.app, follow_redirects=False)


def test_the_sign_in_page_takes_foreign_digits_as_a_wrong_code(api: Api, secretariat: Caller):
    browser = page_client(api)
    pages = []
    for code in ["000000", *FOREIGN_DIGITS]:
        api.clock.advance(600)
        response = browser.post(
            "/sign-in", data={"name": NAME, "password": api.passwords[NAME], "code": code}
        )
        assert response.status_code == 401, code
        assert "C4009" in response.text
        pages.append(response.text)
    assert len(set(pages)) == 1
    assert [f["reason"] for f in failures(api)] == ["second factor"] * len(pages)


def test_the_enrolment_page_takes_foreign_digits_as_a_wrong_code(api: Api, secretariat: Caller):
    secretariat.post(
        "/api/v1/users", {"name": "new.user", "display_name": "N", "password": "x" * 12}
    )
    browser = page_client(api)
    started = browser.post("/enrolment", data={"name": "new.user", "password": "x" * 12})
    assert started.status_code == 200
    for code in ["000000", *FOREIGN_DIGITS]:
        api.clock.advance(600)
        response = browser.post(
            "/enrolment", data={"name": "new.user", "password": "x" * 12, "code": code}
        )
        assert response.status_code == 401, code
        assert "C4009" in response.text
    assert len(failures(api, "new.user")) == 1 + len(FOREIGN_DIGITS)


# --- finding: a missing code ----------------------------------------------------------------


@pytest.mark.parametrize(
    "route", ["/api/v1/tokens", "/api/v1/session", "/api/v1/enrolment/confirmation"]
)
def test_a_missing_code_is_a_required_field_not_a_party_code(
    api: Api, secretariat: Caller, route: str
):
    for body in (
        {"name": NAME, "password": api.passwords[NAME]},
        {"name": NAME, "password": api.passwords[NAME], "code": ""},
    ):
        response = api.client.post(route, json=body)
        assert response.status_code == 422
        assert [(c["check"], c["field"]) for c in response.json()["checks"]] == [("C1011", "code")]


def test_the_sign_in_page_reports_a_missing_code_as_a_required_field(api: Api, secretariat: Caller):
    response = page_client(api).post(
        "/sign-in", data={"name": NAME, "password": api.passwords[NAME], "code": " "}
    )
    assert response.status_code == 422
    assert "C1011" in response.text and "C1001" not in response.text


def test_a_party_code_is_still_the_party_code_check(api: Api, secretariat: Caller):
    party = {"code": "XXAA", "name": "Party", "ndc_first_year": 2021, "ndc_last_year": 2030}
    response = secretariat.post("/api/v1/parties", party)
    assert response.status_code == 422
    assert [(c["check"], c["field"]) for c in response.json()["checks"]] == [("C1001", "code")]


# --- finding: enrolment of a user already enrolled --------------------------------------------


@pytest.mark.parametrize("route", ["/api/v1/enrolment", "/api/v1/enrolment/confirmation"])
def test_enrolling_an_enrolled_user_answers_alike_whether_or_not_the_password_is_right(
    api: Api, secretariat: Caller, route: str
):
    seen = []
    for password in (api.passwords[NAME], "not the password"):
        api.clock.advance(600)
        body = {"name": NAME, "password": password}
        if route.endswith("confirmation"):
            body["code"] = api.code(NAME)
        seen.append(answer(api.client.post(route, json=body)))
    nobody = api.client.post(route, json={**body, "name": "no.such.user"})
    assert seen[0] == seen[1] == answer(nobody)
    assert seen[0][:2] == (401, [("C4009", "name")])
    assert len(failures(api)) == 2  # both counted, the right password too


def test_enrolment_attempts_on_an_enrolled_user_lock_the_name(api: Api, secretariat: Caller):
    for _ in range(SETTINGS.lock_after):
        api.clock.advance(600)
        api.client.post("/api/v1/enrolment", json={"name": NAME, "password": api.passwords[NAME]})
    right = api.client.post(
        "/api/v1/tokens",
        json={"name": NAME, "password": api.passwords[NAME], "code": api.code(NAME)},
    )
    assert answer(right)[:2] == (429, [("C4010", "name")])


def test_the_enrolment_page_answers_an_enrolled_user_as_a_wrong_password(
    api: Api, secretariat: Caller
):
    browser = page_client(api)
    right = browser.post("/enrolment", data={"name": NAME, "password": api.passwords[NAME]})
    api.clock.advance(600)
    wrong = browser.post("/enrolment", data={"name": NAME, "password": "not the password"})
    assert right.status_code == wrong.status_code == 401
    assert right.text == wrong.text
