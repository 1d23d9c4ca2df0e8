"""Who acts, written from the attacker's side: a Party's users moving an authorized entity's
units, one person approving under two names, a section administrator re-granting another
section's user, an entity's representative reading the Party's transactions through a unit.

Every refused move leaves the holdings as they were (conservation), and the registry verifies.
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from http_world import Api, Caller, HttpWorld, holdings, ok

from article6.app import create_app
from article6.domain.access import Role
from article6.settings import Settings

NDC = "XXA-NDC-2025-001"
GREEN_AMO = "XXA Green Group A amo_holding"
GREEN_ITMO = "XXA Green Group A itmo_holding"


def checks_of(response: httpx.Response, status: int = 403) -> list[tuple[str, str]]:
    assert response.status_code == status, response.text
    return [(c["check"], c["field"]) for c in response.json()["checks"]]


def give_green_group_a(world: HttpWorld, quantity: int = 100) -> None:
    """XXA links NDC units and hands `quantity` of them to Green Group A."""
    admin = world.api["xxa.admin"]
    ok(
        admin.post(
            "/api/v1/parties/XXA/authorization-links",
            {
                "account": world["XXA Party mo_holding"],
                "authorization_id": NDC,
                "units": {"quantity": 1_000},
            },
        )
    )
    ok(
        admin.post(
            "/api/v1/parties/XXA/transfers",
            {
                "source_account": world["XXA Party amo_holding"],
                "destination_account": world[GREEN_AMO],
                "units": {"quantity": quantity},
            },
        )
    )


def sound(api: Api) -> None:
    assert ok(api["secretariat.admin"].get("/api/v1/verification"), 200)["sound"] is True


# 1. Only the entity's representatives initiate from the entity's accounts.


def moves_from_green(world: HttpWorld) -> dict[str, dict[str, Any]]:
    one = {"quantity": 1}
    source = world[GREEN_AMO]
    return {
        "transfers": {
            "source_account": source,
            "destination_account": world["XXA Party amo_holding"],
            "units": one,
        },
        "cancellations": {"source_account": source, "purpose": "voluntary", "units": one},
        "international-transfers": {
            "source_account": source,
            "destination_account": world["XXC Party itmo_holding"],
            "units": one,
        },
        "external-transfers": {
            "source_account": source,
            "acquiring_registry": "XXB01",
            "acquiring_account": "XXB01-2-1",
            "acquiring_party": "XXB",
            "units": one,
        },
        "uses": {"source_account": world[GREEN_ITMO], "ndc_year": 2025, "units": one},
    }


@pytest.mark.parametrize("mover", ["xxa.user", "xxa.admin"])
def test_a_partys_user_cannot_move_or_cancel_an_entitys_units(world: HttpWorld, mover: str):
    give_green_group_a(world)
    before = holdings(world.api)
    caller = world.api[mover]
    for route, body in moves_from_green(world).items():
        response = caller.post(f"/api/v1/parties/XXA/{route}", body)
        if route == "uses":  # a use towards the NDC is the Party's alone, whatever the account
            assert checks_of(response, 422) == [("C4003", "source_account")]
        else:
            assert checks_of(response) == [("C4002", "source_account")], route
    assert holdings(world.api) == before
    pending = ok(
        world.api["xxa.admin"].get("/api/v1/parties/XXA/transactions?status=awaiting_approval"), 200
    )["items"]
    assert pending == []
    # The entity itself still asks, and its request waits for the Party.
    asked = ok(
        world.api["green.group.a"].post(
            "/api/v1/parties/XXA/cancellations", moves_from_green(world)["cancellations"]
        )
    )
    assert asked["status"] == "awaiting_approval"
    assert asked["transaction"]["using_entity"] == "XXA-E0001"
    sound(world.api)


def web_client(api: Api, name: str) -> TestClient:
    client = TestClient(create_app(api.registry, Settings()))
    signed = client.post(
        "/sign-in",
        data={"name": name, "password": api.passwords[name], "code": api.code(name)},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    return client


def test_the_web_form_refuses_a_partys_user_cancelling_an_entitys_units(world: HttpWorld):
    give_green_group_a(world)
    before = holdings(world.api)
    client = web_client(world.api, "xxa.user")
    form = client.get("/actions/cancel").text
    assert world[GREEN_AMO] not in form  # not offered as a source
    fields = {
        "csrf_token": client.cookies.get("article6_csrf"),
        "source_account": world[GREEN_AMO],
        "purpose": "voluntary",
        "quantity": "1",
    }
    for step in ("preview", "confirm"):
        shown = client.post(
            "/actions/cancel",
            data={**fields, "step": step, "idempotency_key": "web-cancel"},
            follow_redirects=False,
        )
        assert shown.status_code == 403, shown.text
        assert "C4002" in shown.text
    assert holdings(world.api) == before


# 2. Four eyes are two people, and two people who did not make each other's accounts.


def four_eyes_for_internal_transfers(world: HttpWorld) -> None:
    # Four eyes needs two people who may approve (C4017): xxa.admin and another administrator.
    world.api.add_user("secretariat.admin", "xxa.other", Role.ADMINISTRATOR, "XXA")
    ok(
        world.api["xxa.admin"].post(
            "/api/v1/parties/XXA/approval-policies",
            {"kind": "internal_transfer", "four_eyes": True},
        ),
        200,
    )


def party_transfer(caller: Caller, world: HttpWorld, quantity: int = 1) -> str:
    done = ok(
        caller.post(
            "/api/v1/parties/XXA/transfers",
            {
                "source_account": world["XXA Party mo_holding"],
                "destination_account": world["XXA Green Group A mo_holding"],
                "units": {"quantity": quantity},
            },
        )
    )
    assert done["status"] == "awaiting_approval"
    return str(done["record"])


def approve(caller: Caller, transaction: str) -> httpx.Response:
    return caller.post(f"/api/v1/parties/XXA/transactions/{transaction}/approval")


def test_a_user_promoted_to_administrator_cannot_approve_their_own_request(world: HttpWorld):
    api = world.api
    four_eyes_for_internal_transfers(world)
    request = party_transfer(api["xxa.user"], world)
    before = holdings(api)
    ok(
        api["xxa.admin"].put("/api/v1/parties/XXA/users/xxa.user/role", {"role": "administrator"}),
        200,
    )
    promoted = api.sign_in("xxa.user")

    assert checks_of(approve(promoted, request)) == [("C4002", "transaction")]
    assert holdings(api) == before
    # Withdrawal is decided by the same identity: the promoted user still takes it back.
    withdrawn = ok(promoted.post(f"/api/v1/parties/XXA/transactions/{request}/withdrawal"), 200)
    assert withdrawn["status"] == "cancelled"
    sound(api)


def test_an_administrator_cannot_approve_through_an_account_they_made(world: HttpWorld):
    api = world.api
    four_eyes_for_internal_transfers(world)
    api.add_user("xxa.admin", "xxa.puppet", Role.ADMINISTRATOR, "XXA")
    api.add_user("xxa.puppet", "xxa.puppet2", Role.ADMINISTRATOR, "XXA")
    api.add_user("secretariat.admin", "xxa.second", Role.ADMINISTRATOR, "XXA")

    mine = party_transfer(api["xxa.admin"], world)
    before = holdings(api)
    # made by the initiator, or by someone the initiator made
    for approver in ("xxa.puppet", "xxa.puppet2"):
        assert checks_of(approve(api[approver], mine)) == [("C4012", "transaction")], approver
    # the converse: the initiator's account was made by the approver
    puppets = party_transfer(api["xxa.puppet2"], world)
    for approver in ("xxa.admin", "xxa.puppet"):
        assert checks_of(approve(api[approver], puppets)) == [("C4012", "transaction")], approver
    assert holdings(api) == before

    # An administrator the secretariat made is another person.
    assert ok(approve(api["xxa.second"], mine), 200)["status"] == "completed"
    assert ok(approve(api["xxa.second"], puppets), 200)["status"] == "completed"
    sound(api)


def test_four_eyes_is_refused_while_the_section_has_one_person_who_may_approve(
    world: HttpWorld,
):
    refusal = world.api["xxa.admin"].post(
        "/api/v1/parties/XXA/approval-policies",
        {"kind": "internal_transfer", "four_eyes": True},
    )
    assert refusal.status_code == 422
    assert checks_of(refusal, 422) == [("C4017", "four_eyes")]
    assert "second user the administrator role" in refusal.json()["detail"]


# 3. A section administrator manages only their own section's users.


def test_another_sections_administrator_cannot_re_grant_a_user(world: HttpWorld):
    api = world.api
    xxc = api["xxc.admin"]
    assert checks_of(
        xxc.put("/api/v1/parties/XXC/users/xxa.user/role", {"role": "administrator"})
    ) == [("C4006", "user")]
    assert checks_of(xxc.delete("/api/v1/parties/XXC/users/xxa.user/role"))[0][0] in (
        "C4006",
        "C1012",
    )
    seen = ok(api["secretariat.admin"].get("/api/v1/users/xxa.user"), 200)
    assert [(g["role"], g["party"]) for g in seen["grants"]] == [("party_user", "XXA")]
    # XXA's own administrator still manages their user.
    assert ok(api["xxa.admin"].post("/api/v1/parties/XXA/users/xxa.user/unlock"), 200)
    assert ok(
        api["xxa.admin"].put("/api/v1/parties/XXA/users/xxa.user/role", {"role": "auditor"}), 200
    )["grants"] == [{"role": "auditor", "party": "XXA", "entity": None}]


# 4. An entity's representative sees only what its entity did.


def test_an_entity_does_not_see_the_partys_history_through_a_cancelled_unit(world: HttpWorld):
    api = world.api
    give_green_group_a(world, quantity=10)
    cancelled = ok(
        api["xxa.admin"].post(
            "/api/v1/parties/XXA/cancellations",
            {
                "source_account": world["XXA Party amo_holding"],
                "purpose": "voluntary",
                "units": {"quantity": 5},
            },
        )
    )
    serial = cancelled["transaction"]["ranges"][0]["first"]
    green = api["green.group.a"]
    assert checks_of(green.get(f"/api/v1/parties/XXA/units/{serial}")) == [("C4002", "unit")]
    assert checks_of(green.get(f"/api/v1/parties/XXA/transactions/{cancelled['record']}")) == [
        ("C4002", "transaction")
    ]
    assert (
        cancelled["record"]
        not in green.get(f"/api/v1/parties/XXA/transactions/{cancelled['record']}/certificate").text
        or green.get(
            f"/api/v1/parties/XXA/transactions/{cancelled['record']}/certificate"
        ).status_code
        == 403
    )
    web = web_client(api, "green.group.a")
    page = web.get(f"/units?q={serial}")
    assert "C4002" in page.text and cancelled["record"] not in page.text

    # A unit of its own: only the transactions that moved it through its accounts.
    own = ok(green.get(f"/api/v1/parties/XXA/blocks?account={world[GREEN_AMO]}"), 200)["items"]
    history = ok(green.get(f"/api/v1/parties/XXA/units/{own[0]['first']}"), 200)
    assert [t["kind"] for t in history["transactions"]] == ["internal_transfer"]
    assert (
        ok(api["xxa.admin"].get(f"/api/v1/parties/XXA/units/{own[0]['first']}"), 200)[
            "transactions"
        ]
        != history["transactions"]
    )
