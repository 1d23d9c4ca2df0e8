"""Bad input gets a 4xx problem document naming the check, and changes nothing: unknown codes,
negative, zero or absurd quantities, unknown or foreign accounts, malformed JSON, oversized
bodies, the wrong content type, idempotency replays."""

from __future__ import annotations

import pytest
from http_world import Api, HttpWorld, build_world, ok


@pytest.fixture
def world(api: Api) -> HttpWorld:
    """Only the secretariat and the administrators are needed here."""
    return build_world(api, everyone=False)


def journal_length(world: HttpWorld) -> int:
    entries = world.api["secretariat.admin"].get("/api/v1/journal?limit=500").json()["items"]
    return len([e for e in entries if e["event"] not in ("SignedIn", "SignInFailed")])


def transfer(world: HttpWorld, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "source_account": world["XXA Party mo_holding"],
        "destination_account": world["XXA Green Group A mo_holding"],
        "units": {"quantity": 10},
    }
    body.update(changes)
    return body


QUANTITIES = [
    ({"quantity": 0}, "C1005"),
    ({"quantity": -5}, "C1005"),
    ({"quantity": 10**30}, "C1005"),
    ({"quantity": 10**16}, "C1005"),
    ({"quantity": "many"}, "C1005"),
    ({"quantity": 200_000}, "C2001"),
    ({"quantity": 10, "vintage": 99999999999999999999}, "C1005"),
]


def test_impossible_quantities_are_refused_by_number_and_change_nothing(world: HttpWorld):
    before = journal_length(world)
    for units, check in QUANTITIES:
        response = world.api["xxa.admin"].post(
            "/api/v1/parties/XXA/transfers", transfer(world, units=units)
        )
        assert 400 <= response.status_code < 500, units
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["checks"][0]["check"] == check, units
    assert journal_length(world) == before


def test_unknown_codes_and_records_name_their_check(world: HttpWorld):
    xxa = world.api["xxa.admin"]
    cancellation = {
        "source_account": world["XXA Party amo_holding"],
        "purpose": "FOR-FUN",
        "units": {"quantity": 1},
    }
    cases = [
        ("/api/v1/parties/XXA/transfers", {"source_account": "XXA01-999999"}, 422, "C1011"),
        ("/api/v1/parties/xxa/accounts", None, 422, "C1001"),
        ("/api/v1/parties/XXA/cancellations", cancellation, 422, "C1007"),
        ("/api/v1/parties/XXA/nothing-here", None, 404, "C1012"),
        ("/api/v1/parties/XXA/accounts/XXA01-999999", None, 404, "C1012"),
        ("/api/v1/parties/XXA/transactions/XXA01-99999999", None, 404, "C1012"),
    ]
    for path, body, status, check in cases:
        response = xxa.post(path, body) if body is not None else xxa.get(path)
        assert response.status_code == status, response.text
        assert response.json()["checks"][0]["check"] == check, path


def test_an_unknown_account_in_a_command_is_c4001(world: HttpWorld):
    response = world.api["xxa.admin"].post(
        "/api/v1/parties/XXA/transfers", transfer(world, source_account="XXA01-999999")
    )
    assert response.status_code == 422
    assert response.json()["checks"][0] == {
        "check": "C4001",
        "title": "Account",
        "field": "source_account",
        "detail": "XXA01-999999 is not an account of this registry",
    }


def test_malformed_json_is_400(world: HttpWorld):
    response = world.api.client.post(
        "/api/v1/parties/XXA/transfers",
        content=b'{"source_account": ',
        headers={**world.api["xxa.admin"].headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 400
    assert response.json()["checks"][0]["check"] == "C1013"


@pytest.mark.parametrize("levels", [5000, 990, 33])
def test_json_nested_too_deep_is_400_before_sign_in(world: HttpWorld, levels: int):
    for body in ("[" * levels + "]" * levels, '{"units": ' + "[" * levels + "]" * levels + "}"):
        response = world.api.client.post(
            "/api/v1/parties/XXA/transfers",
            content=body.encode(),
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 400
        assert response.json()["checks"][0]["check"] == "C1016"


def test_a_body_that_is_not_json_is_415(world: HttpWorld):
    response = world.api.client.post(
        "/api/v1/parties/XXA/transfers",
        content=b"source_account=XXA01-000001",
        headers={**world.api["xxa.admin"].headers, "Content-Type": "text/plain"},
    )
    assert response.status_code == 415
    assert response.json()["checks"][0]["check"] == "C1015"


def test_an_oversized_body_is_413(world: HttpWorld):
    before = journal_length(world)
    response = world.api.client.post(
        "/api/v1/parties/XXA/mitigation-activities",
        content=b'{"title": "' + b"x" * (2 * 1024 * 1024) + b'"}',
        headers={**world.api["xxa.admin"].headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.json()["checks"][0]["check"] == "C1014"
    assert journal_length(world) == before


def test_nul_characters_never_reach_the_database(world: HttpWorld):
    xxa = world.api["xxa.admin"]
    assert xxa.get("/api/v1/parties/XXA/accounts/XXA01%00").status_code == 422
    body = transfer(world, source_account="XXA01\u0000")
    assert xxa.post("/api/v1/parties/XXA/transfers", body).json()["checks"][0]["check"] == "C1011"


def test_an_idempotent_replay_returns_the_first_outcome_and_a_reuse_is_409(world: HttpWorld):
    xxa = world.api["xxa.admin"]
    key = {"Idempotency-Key": "transfer-1"}
    first = xxa.post("/api/v1/parties/XXA/transfers", transfer(world), headers=key)
    again = xxa.post("/api/v1/parties/XXA/transfers", transfer(world), headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    other = xxa.post(
        "/api/v1/parties/XXA/transfers", transfer(world, units={"quantity": 11}), headers=key
    )
    assert other.status_code == 409
    assert other.json()["checks"][0]["check"] == "C1010"
    held = ok(xxa.get(f"/api/v1/parties/XXA/accounts/{world['XXA Green Group A mo_holding']}"), 200)
    assert held["quantity"] == 10
    assert ok(world.api["secretariat.admin"].get("/api/v1/verification"), 200)["sound"] is True


def test_lists_are_paginated_by_cursor(world: HttpWorld):
    xxa = world.api["xxa.admin"]
    for quantity in (1, 2, 3):
        ok(xxa.post("/api/v1/parties/XXA/transfers", transfer(world, units={"quantity": quantity})))
    first = ok(xxa.get("/api/v1/parties/XXA/transactions?limit=2"), 200)
    second = ok(
        xxa.get(f"/api/v1/parties/XXA/transactions?limit=2&before={first['next_cursor']}"), 200
    )
    assert [t["quantity"] for t in first["items"]] == [3, 2]
    assert [t["kind"] for t in second["items"]] == ["internal_transfer", "issuance"]
    assert second["next_cursor"] is None
    journal = ok(xxa.get("/api/v1/parties/XXA/journal?limit=3"), 200)
    rest = ok(xxa.get(f"/api/v1/parties/XXA/journal?after={journal['next_cursor']}"), 200)
    seqs = [e["seq"] for e in journal["items"] + rest["items"]]
    assert seqs == sorted(set(seqs))
    blocks = ok(xxa.get("/api/v1/parties/XXA/blocks?limit=1"), 200)
    assert len(blocks["items"]) == 1 and blocks["next_cursor"] is not None
    filtered = ok(xxa.get("/api/v1/parties/XXA/transactions?kind=issuance&vintage=2024"), 200)
    assert [t["kind"] for t in filtered["items"]] == ["issuance"]
