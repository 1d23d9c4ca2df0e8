"""Joining, step by step and from the attacker's side: a Party asks without an account, the
secretariat opens its section or declines with a reason, and each nominated administrator sets
their own password and second factor through a one-time, expiring link; a used, expired or
made-up link is refused. Then a section suspended (no units leave it) and closed (only once it
holds none)."""

from __future__ import annotations

import json
from typing import Any

import httpx
from http_world import Api, Caller, HttpWorld, holdings, ok

from article6.domain import totp
from article6.services.joining import TERMS_VERSION

REQUESTS = "/api/v1/joining-requests"
NDC = "XXA-NDC-2025-001"


def refused(response: httpx.Response, status: int) -> list[tuple[str, str]]:
    assert response.status_code == status, response.text
    return [(c["check"], c["field"]) for c in response.json()["checks"]]


def request_for(code: str = "XXD", **changes: Any) -> dict[str, Any]:
    return {
        "party_code": code,
        "party_name": f"Party {code}",
        "ndc_first_year": 2021,
        "ndc_last_year": 2030,
        "focal_point_name": "Focal Point",
        "focal_point_email": "focal.point@example.org",
        "administrators": [
            {"name": f"{code.lower()}.first", "display_name": "First", "email": "a@example.org"},
            {"name": f"{code.lower()}.second", "display_name": "Second", "email": "b@example.org"},
        ],
        "terms_accepted": True,
        "terms_version": TERMS_VERSION,
        **changes,
    }


def submitted(api: Api, code: str = "XXD") -> int:
    made = ok(api.client.post(REQUESTS, json=request_for(code)))
    assert made["status"] == "pending"
    return int(made["id"])


def opened(api: Api, secretariat: Caller, request_id: int) -> dict[str, Any]:
    return ok(secretariat.post(f"{REQUESTS}/{request_id}/review", {"decision": "open"}), 200)


def enrol_by_link(api: Api, user: str, token: str, password: str) -> Caller:
    """Follow the link, confirm the second factor with a code, sign in: all without anyone
    else knowing the password or the secret."""
    started = ok(
        api.client.post("/api/v1/enrolment-links", json={"token": token, "password": password}),
        200,
    )
    assert started["user"] == user and started["qr_svg"].startswith("<svg")
    api.passwords[user], api.secrets[user] = password, started["secret"]
    confirmed = api.client.post(
        "/api/v1/enrolment/confirmation",
        json={"name": user, "password": password, "code": api.code(user)},
    )
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["enrolled"] is True
    return api.sign_in(user)


def test_a_party_asks_without_an_account_and_the_secretariat_opens_its_section(api: Api):
    secretariat = api.bootstrap_secretariat()
    request_id = submitted(api)
    pending = ok(secretariat.get(f"{REQUESTS}?status=pending"), 200)
    assert [(r["id"], r["party_code"]) for r in pending] == [(request_id, "XXD")]

    outcome = opened(api, secretariat, request_id)
    assert outcome["request"]["status"] == "opened"
    assert outcome["request"]["reviewed_by"].startswith("secretariat.admin")
    assert [link["user"] for link in outcome["links"]] == ["xxd.first", "xxd.second"]
    assert ok(secretariat.get("/api/v1/parties/XXD/accounts"), 200)  # the section exists

    first = enrol_by_link(api, "xxd.first", outcome["links"][0]["token"], "first's own pass")
    me = ok(first.get("/api/v1/me"), 200)
    assert me["grants"] == [{"role": "administrator", "party": "XXD", "entity": None}]
    accounts = ok(first.get("/api/v1/parties/XXD/accounts"), 200)
    assert {a["holder"] for a in accounts} == {"PARTY"}
    events = [e["event"] for e in ok(secretariat.get("/api/v1/journal?limit=200"), 200)["items"]]
    for event in ("JoiningRequested", "JoiningOpened", "EnrolmentLinkSent", "EnrolmentLinkUsed"):
        assert event in events
    # the users and roles the opening made are witnessed by the journal; the chain holds
    assert ok(secretariat.get("/api/v1/verification"), 200)["sound"] is True


def test_an_enrolment_link_is_used_once_and_only_before_it_expires(api: Api):
    secretariat = api.bootstrap_secretariat()
    links = opened(api, secretariat, submitted(api))["links"]
    first, second = links[0]["token"], links[1]["token"]
    enrol_by_link(api, "xxd.first", first, "first's own pass")
    # replayed by someone who saw it
    again = api.client.post(
        "/api/v1/enrolment-links", json={"token": first, "password": "an attacker's pass"}
    )
    assert refused(again, 403) == [("C4024", "token")]
    # made up
    guessed = api.client.post(
        "/api/v1/enrolment-links", json={"token": "x" * 43, "password": "an attacker's pass"}
    )
    assert refused(guessed, 403) == [("C4024", "token")]
    # expired: the registry's clock past the link's hours
    api.clock.advance(73 * 3600)
    late = api.client.post(
        "/api/v1/enrolment-links", json={"token": second, "password": "second's own pass"}
    )
    assert refused(late, 403) == [("C4024", "token")]
    # the second administrator cannot sign in with anything the secretariat knew
    signed = api.client.post(
        "/api/v1/tokens", json={"name": "xxd.second", "password": second, "code": "000000"}
    )
    assert signed.status_code == 401


def test_a_weak_password_leaves_the_link_unused(api: Api):
    secretariat = api.bootstrap_secretariat()
    token = opened(api, secretariat, submitted(api))["links"][0]["token"]
    weak = api.client.post("/api/v1/enrolment-links", json={"token": token, "password": "short"})
    assert refused(weak, 422)[0] == ("C4015", "password")
    enrol_by_link(api, "xxd.first", token, "first's own pass")


def test_a_request_accepts_the_current_terms_and_names_an_administrator(api: Api):
    old = api.client.post(REQUESTS, json=request_for(terms_version="2025-0"))
    assert refused(old, 422) == [("C1024", "terms_accepted")]
    unaccepted = api.client.post(REQUESTS, json=request_for(terms_accepted=False))
    assert refused(unaccepted, 422) == [("C1024", "terms_accepted")]
    nobody = api.client.post(REQUESTS, json=request_for(administrators=[]))
    assert refused(nobody, 422) == [("C1024", "administrators")]


def test_a_request_is_reviewed_once_by_the_secretariat_and_a_decline_says_why(api: Api):
    secretariat = api.bootstrap_secretariat()
    request_id = submitted(api)
    path = f"{REQUESTS}/{request_id}/review"
    assert refused(secretariat.post(path, {"decision": "decline"}), 409) == [("C4025", "reason")]
    declined = ok(secretariat.post(path, {"decision": "decline", "reason": "not a Party"}), 200)
    assert declined["request"]["status"] == "declined" and declined["links"] == []
    assert refused(secretariat.post(path, {"decision": "open"}), 409) == [("C4025", "request")]
    assert "XXD" not in {p["code"] for p in ok(secretariat.get("/api/v1/parties"), 200)}
    # an anonymous caller cannot review
    assert api.client.post(path, json={"decision": "open"}).status_code == 401


def test_a_party_with_a_section_cannot_ask_again(world: HttpWorld):
    again = world.api.client.post(REQUESTS, json=request_for("XXA"))
    assert refused(again, 409) == [("C4025", "party_code")]
    review = world.api["xxa.admin"].post(f"{REQUESTS}/1/review", {"decision": "open"})
    assert refused(review, 403)[0][0] == "C4006"


def test_a_suspended_section_moves_no_units_out_and_a_section_holding_units_does_not_close(
    world: HttpWorld,
):
    api = world.api
    secretariat, admin = api["secretariat.admin"], api["xxa.admin"]
    status = "/api/v1/parties/XXA/section-status"
    ok(
        admin.post(
            "/api/v1/parties/XXA/authorization-links",
            {
                "account": world["XXA Party mo_holding"],
                "authorization_id": NDC,
                "units": {"quantity": 30},
            },
        )
    )
    ok(secretariat.post(status, {"status": "suspended", "reason": "audit"}), 200)
    before = holdings(api)
    transfer = {
        "source_account": world["XXA Party amo_holding"],
        "destination_account": world["XXC Party itmo_holding"],
        "units": {"quantity": 5},
    }
    out = admin.post("/api/v1/parties/XXA/international-transfers", transfer)
    assert refused(out, 409) == [("C4026", "source_account")]
    assert holdings(api) == before  # nothing moved, nothing lost
    closing = secretariat.post(status, {"status": "closed", "reason": "leaving"})
    assert refused(closing, 409) == [("C4026", "status")]
    assert "still holds" in closing.json()["checks"][0]["detail"]
    # only the secretariat changes a section's status
    assert refused(admin.post(status, {"status": "open", "reason": "mine"}), 403)[0][0] == "C4006"
    ok(secretariat.post(status, {"status": "open", "reason": "audit done"}), 200)
    ok(admin.post("/api/v1/parties/XXA/international-transfers", transfer))
    after = holdings(api)
    assert sum(after.values()) == sum(before.values())
    assert after["XXC Party itmo_holding"] == before["XXC Party itmo_holding"] + 5


def test_a_section_holding_no_units_closes_and_then_does_nothing(api: Api):
    secretariat = api.bootstrap_secretariat()
    opened(api, secretariat, submitted(api))
    status = "/api/v1/parties/XXD/section-status"
    ok(secretariat.post(status, {"status": "closed", "reason": "left the registry"}), 200)
    reopen = secretariat.post(status, {"status": "open", "reason": "back"})
    assert refused(reopen, 409) == [("C4026", "status")]
    journal = ok(secretariat.get("/api/v1/journal?event=SectionStatusChanged"), 200)["items"]
    assert [json.loads(e["body"])["to"] for e in journal] == ["closed"]


def test_totp_is_what_the_link_offers(api: Api):
    secretariat = api.bootstrap_secretariat()
    token = opened(api, secretariat, submitted(api))["links"][0]["token"]
    offered = ok(
        api.client.post("/api/v1/enrolment-links", json={"token": token, "password": "a" * 14}),
        200,
    )
    assert offered["otpauth_uri"].startswith("otpauth://totp/")
    assert len(totp.code_at(offered["secret"], api.clock())) == 6


def test_a_request_waiting_for_approval_is_not_approved_while_the_section_is_suspended(
    world: HttpWorld,
):
    api = world.api
    admin, secretariat = api["xxa.admin"], api["secretariat.admin"]
    green = world["XXA Green Group A amo_holding"]
    ok(
        admin.post(
            "/api/v1/parties/XXA/authorization-links",
            {
                "account": world["XXA Party mo_holding"],
                "authorization_id": NDC,
                "units": {"quantity": 10},
            },
        )
    )
    ok(
        admin.post(
            "/api/v1/parties/XXA/transfers",
            {
                "source_account": world["XXA Party amo_holding"],
                "destination_account": green,
                "units": {"quantity": 10},
            },
        )
    )
    waiting = ok(
        api["green.group.a"].post(
            "/api/v1/parties/XXA/cancellations",
            {"source_account": green, "purpose": "voluntary", "units": {"quantity": 4}},
        )
    )
    status = "/api/v1/parties/XXA/section-status"
    ok(secretariat.post(status, {"status": "suspended", "reason": "audit"}), 200)
    before = holdings(api)
    approval = f"/api/v1/parties/XXA/transactions/{waiting['record']}/approval"
    assert refused(admin.post(approval), 409) == [("C4026", "transaction")]
    assert holdings(api) == before
    ok(secretariat.post(status, {"status": "open", "reason": "audit done"}), 200)
    assert ok(admin.post(approval), 200)["status"] == "completed"
