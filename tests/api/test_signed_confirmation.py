"""Signed confirmation (issue #17, checks C4021 and C4022), over HTTP as an attacker would try
it: XXA requires every transfer, use, cancellation and approval to be confirmed with a fresh
code of the user's second factor, bound to the digest of the exact action previewed.

A code is accepted once (a replay is refused, whether it was used by a sign-in or by another
confirmation, and whichever process asks); a code confirmed for one action is refused for
another; a request changed after its preview is refused. The journal records that the action
was confirmed, never the code. Every test that moves units asserts conservation.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx
import pytest
from http_world import Api, Caller, HttpWorld, holdings, ok

from article6.domain import totp
from article6.domain.access import Actor, Confirmation, Role
from article6.domain.checks import CommandRefused
from article6.services import commands as c
from article6.services import units
from article6.services.context import Registry
from article6.store.database import make_engine

NDC = "XXA-NDC-2025-001"
CODE, DIGEST = "X-Second-Factor-Code", "X-Action-Digest"


def checks_of(response: httpx.Response, status: int) -> list[tuple[str, str]]:
    assert response.status_code == status, response.text
    return [(c["check"], c["field"]) for c in response.json()["checks"]]


@pytest.fixture
def signing(world: HttpWorld) -> HttpWorld:
    """XXA's NDC units linked, then signed confirmation switched on."""
    ok(
        world.api["xxa.admin"].post(
            "/api/v1/parties/XXA/authorization-links",
            {
                "account": world["XXA Party mo_holding"],
                "authorization_id": NDC,
                "units": {"quantity": 1_000},
            },
        )
    )
    ok(
        world.api["xxa.admin"].put(
            "/api/v1/parties/XXA/safeguards", {"trusted_only": False, "signed_confirmation": True}
        ),
        200,
    )
    return world


def to_xxc(world: HttpWorld, quantity: int = 10) -> dict[str, Any]:
    return {
        "source_account": world["XXA Party amo_holding"],
        "destination_account": world["XXC Party itmo_holding"],
        "units": {"quantity": quantity, "authorization_id": NDC},
    }


def digest(caller: Caller, command: str, request: dict[str, Any]) -> str:
    found = ok(
        caller.post("/api/v1/parties/XXA/action-digests", {"command": command, "request": request}),
        200,
    )
    return str(found["action_digest"])


def signed(code: str, action_digest: str) -> dict[str, str]:
    return {CODE: code, DIGEST: action_digest}


def total(api: Api) -> int:
    return sum(holdings(api).values())


def entries(api: Api, event: str) -> list[dict[str, Any]]:
    found = ok(api["secretariat.admin"].get("/api/v1/journal?limit=500"), 200)["items"]
    return [e for e in found if e["event"] == event]


def sound(api: Api) -> None:
    assert ok(api["secretariat.admin"].get("/api/v1/verification"), 200)["sound"] is True


def test_without_a_code_nothing_moves_and_the_refusal_names_the_field(signing: HttpWorld):
    api = signing.api
    before = holdings(api)
    user = api["xxa.user"]
    route = "/api/v1/parties/XXA/international-transfers"
    assert checks_of(user.post(route, to_xxc(signing)), 403) == [("C4021", "second_factor_code")]
    just_digest = user.post(
        route,
        to_xxc(signing),
        headers={DIGEST: digest(user, "TransferInternationally", to_xxc(signing))},
    )
    assert checks_of(just_digest, 403) == [("C4021", "second_factor_code")]
    no_digest = user.post(route, to_xxc(signing), headers={CODE: api.code("xxa.user")})
    assert checks_of(no_digest, 409) == [("C4022", "action_digest")]
    wrong = user.post(
        route,
        to_xxc(signing),
        headers=signed("000000", digest(user, "TransferInternationally", to_xxc(signing))),
    )
    assert checks_of(wrong, 403) == [("C4021", "second_factor_code")]
    assert holdings(api) == before
    assert entries(api, "ActionConfirmed") == []


def test_a_confirmed_transfer_completes_and_the_journal_records_the_confirmation_not_the_code(
    signing: HttpWorld,
):
    api = signing.api
    before = holdings(api)
    user = api["xxa.user"]
    action = digest(user, "TransferInternationally", to_xxc(signing))
    code = api.code("xxa.user")
    done = ok(
        user.post(
            "/api/v1/parties/XXA/international-transfers",
            to_xxc(signing),
            headers=signed(code, action),
        )
    )
    assert done["status"] == "completed"
    after = holdings(api)
    assert after["XXC Party itmo_holding"] == before["XXC Party itmo_holding"] + 10
    assert sum(after.values()) == sum(before.values())
    [confirmed] = entries(api, "ActionConfirmed")
    body = json.loads(confirmed["body"])
    assert confirmed["subject"] == done["record"]
    assert (body["command"], body["action_digest"], body["second_factor"]) == (
        "TransferInternationally",
        action,
        "totp",
    )
    journal = json.dumps(ok(api["secretariat.admin"].get("/api/v1/journal?limit=500"), 200))
    assert code not in journal.replace(action, "")
    sound(api)


def test_a_used_code_is_refused_again_for_the_same_action_or_another(signing: HttpWorld):
    """The attacker saw the code (over the user's shoulder, in a proxy's log) and replays it:
    for the same request, and for another request whose digest they also obtained."""
    api = signing.api
    user = api["xxa.user"]
    route = "/api/v1/parties/XXA/international-transfers"
    code = api.code("xxa.user")
    first = digest(user, "TransferInternationally", to_xxc(signing))
    ok(user.post(route, to_xxc(signing), headers=signed(code, first)))
    before = holdings(api)
    replay = user.post(route, to_xxc(signing), headers=signed(code, first))
    assert checks_of(replay, 403) == [("C4021", "second_factor_code")]
    other = to_xxc(signing, quantity=500)
    elsewhere = user.post(
        route, other, headers=signed(code, digest(user, "TransferInternationally", other))
    )
    assert checks_of(elsewhere, 403) == [("C4021", "second_factor_code")]
    assert holdings(api) == before
    assert len(entries(api, "ActionConfirmed")) == 1


def test_a_code_used_to_sign_in_cannot_confirm_an_action(signing: HttpWorld):
    api = signing.api
    api.clock.advance()
    code = totp.code_at(api.secrets["xxa.user"], api.clock())
    signed_in = api.client.post(
        "/api/v1/tokens",
        json={"name": "xxa.user", "password": api.passwords["xxa.user"], "code": code},
    )
    token = ok(signed_in)["token"]
    user = Caller(api.client, token)
    before = holdings(api)
    action = digest(user, "TransferInternationally", to_xxc(signing))
    replay = user.post(
        "/api/v1/parties/XXA/international-transfers", to_xxc(signing), headers=signed(code, action)
    )
    assert checks_of(replay, 403) == [("C4021", "second_factor_code")]
    assert holdings(api) == before


def test_a_request_changed_after_its_preview_is_refused(signing: HttpWorld):
    """The user previewed 10 units to XXC; what arrives asks 900, or another destination, or
    is another user's preview: the code confirms none of these."""
    api = signing.api
    user = api["xxa.user"]
    route = "/api/v1/parties/XXA/international-transfers"
    previewed = digest(user, "TransferInternationally", to_xxc(signing))
    before = holdings(api)
    for changed in (
        to_xxc(signing, quantity=900),
        {**to_xxc(signing), "destination_account": signing["XXC Green C Entity itmo_holding"]},
    ):
        refused = user.post(route, changed, headers=signed(api.code("xxa.user"), previewed))
        assert checks_of(refused, 409) == [("C4022", "action_digest")]
    admins = digest(api["xxa.admin"], "TransferInternationally", to_xxc(signing))
    assert admins != previewed  # a digest is one user's
    borrowed = user.post(route, to_xxc(signing), headers=signed(api.code("xxa.user"), admins))
    assert checks_of(borrowed, 409) == [("C4022", "action_digest")]
    assert holdings(api) == before
    # The refused attempts spent no code: the same user's next code still confirms.
    ok(user.post(route, to_xxc(signing), headers=signed(api.code("xxa.user"), previewed)))
    assert total(api) == sum(before.values())


def test_uses_cancellations_and_approvals_are_confirmed_too(signing: HttpWorld):
    api = signing.api
    api.add_user("secretariat.admin", "xxa.second", Role.ADMINISTRATOR, "XXA")
    start = total(api)
    admin, entity = api["xxa.admin"], api["green.group.a"]
    cancel = {
        "source_account": signing["XXA Party amo_holding"],
        "purpose": "voluntary",
        "units": {"quantity": 3},
    }
    route = "/api/v1/parties/XXA/cancellations"
    assert checks_of(admin.post(route, cancel), 403) == [("C4021", "second_factor_code")]
    ok(
        admin.post(
            route,
            cancel,
            headers=signed(api.code("xxa.admin"), digest(admin, "CancelUnits", cancel)),
        )
    )
    # Green Group A gets units (a confirmed internal transfer), asks to cancel some (confirmed
    # too); its request waits, and the approval needs its own code.
    give = {
        "source_account": signing["XXA Party amo_holding"],
        "destination_account": signing["XXA Green Group A amo_holding"],
        "units": {"quantity": 20},
    }
    ok(
        admin.post(
            "/api/v1/parties/XXA/transfers",
            give,
            headers=signed(api.code("xxa.admin"), digest(admin, "TransferUnits", give)),
        )
    )
    theirs = {**cancel, "source_account": signing["XXA Green Group A amo_holding"]}
    asked = ok(
        entity.post(
            route,
            theirs,
            headers=signed(api.code("green.group.a"), digest(entity, "CancelUnits", theirs)),
        )
    )
    assert asked["status"] == "awaiting_approval"
    approval = f"/api/v1/parties/XXA/transactions/{asked['record']}/approval"
    second = api["xxa.second"]
    assert checks_of(second.post(approval), 403) == [("C4021", "second_factor_code")]
    other = digest(second, "ApproveTransaction", {"transaction": "XXA01-00000001"})
    wrong_one = second.post(approval, headers=signed(api.code("xxa.second"), other))
    assert checks_of(wrong_one, 409) == [("C4022", "action_digest")]
    right = digest(second, "ApproveTransaction", {"transaction": asked["record"]})
    approved = ok(second.post(approval, headers=signed(api.code("xxa.second"), right)), 200)
    assert approved["status"] == "completed"
    assert [json.loads(e["body"])["command"] for e in entries(api, "ActionConfirmed")] == [
        "CancelUnits",
        "TransferUnits",
        "CancelUnits",
        "ApproveTransaction",
    ]
    assert total(api) == start  # cancelled units are held in the cancellation account
    sound(api)


def test_a_stolen_session_cannot_try_codes_until_one_fits(signing: HttpWorld):
    """Wrong codes count against the user's name as failed sign-ins do: after the registry's
    `lock_after` (10) the name is locked, its confirmations and its sign-ins alike."""
    api = signing.api
    user = api["xxa.user"]
    route = "/api/v1/parties/XXA/international-transfers"
    action = digest(user, "TransferInternationally", to_xxc(signing))
    before = holdings(api)
    for guess in range(10):
        tried = user.post(route, to_xxc(signing), headers=signed(f"{guess:06d}", action))
        assert checks_of(tried, 403) == [("C4021", "second_factor_code")]
    right = user.post(route, to_xxc(signing), headers=signed(api.code("xxa.user"), action))
    assert checks_of(right, 429) == [("C4010", "second_factor_code")]
    signing_in = api.client.post(
        "/api/v1/tokens",
        json={
            "name": "xxa.user",
            "password": api.passwords["xxa.user"],
            "code": api.code("xxa.user"),
        },
    )
    assert checks_of(signing_in, 429) == [("C4010", "name")]
    assert holdings(api) == before
    failures = [json.loads(e["body"]) for e in entries(api, "SignInFailed")]
    assert [f["reason"] for f in failures].count("confirmation code") == 10


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_one_code_offered_by_two_processes_at_once_confirms_one_action(
    signing: HttpWorld, database_url: str
):
    """Two registry processes (two engines) receive the same code for the same action at the
    same moment: the conditional update on the user's row lets one through; the other is
    refused (C4021) and moves nothing."""
    api = signing.api
    command = c.TransferInternationally.model_validate(to_xxc(signing))
    code = api.code("xxa.user")
    actor = Actor(
        "xxa.user",
        Role.PARTY_USER,
        "XXA",
        confirmation=Confirmation(
            code, digest(api["xxa.user"], "TransferInternationally", to_xxc(signing))
        ),
    )
    before = total(api)
    start = threading.Barrier(2)
    outcomes: list[str] = []

    def confirm() -> None:
        registry = Registry(make_engine(database_url), clock=api.clock)
        try:
            start.wait()
            receipt = units.transfer_internationally(registry, actor, command)
            outcomes.append(receipt.status)
        except CommandRefused as refused:
            outcomes.append(refused.refusals[0].check.code)
        finally:
            registry.engine.dispose()

    workers = [threading.Thread(target=confirm) for _ in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=60)
    assert sorted(outcomes) == ["C4021", "completed"]
    assert total(api) == before
    assert len(entries(api, "ActionConfirmed")) == 1
    sound(api)
