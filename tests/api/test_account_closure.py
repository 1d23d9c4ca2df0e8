"""Closing accounts and entities, from the Party's side and the attacker's: a holding account is
closed only once empty (C4001), journaled, and stays closed; a cancellation account closes with
the units it received kept; an entity holding units is suspended (its units stay, frozen) but
its authorization revoked with them frozen where they are (C3005). Units are conserved throughout.
(A section's closure while it holds units is refused in test_joining.py.)"""

from __future__ import annotations

import json

import httpx
from http_world import HttpWorld, holdings, ok


def status(world: HttpWorld, user: str, name: str, to: str) -> httpx.Response:
    """Set the status of the account the world calls `name` (`XXA Party mo_holding`)."""
    party, account = name[:3], world[name]
    return world.api[user].post(
        f"/api/v1/parties/{party}/accounts/{account}/status", {"status": to}
    )


def checks(response: httpx.Response) -> list[tuple[str, str]]:
    return [(c["check"], c["field"]) for c in response.json()["checks"]]


def test_a_holding_account_closes_only_once_empty_and_stays_closed(world: HttpWorld):
    api = world.api
    before = holdings(api)
    total = sum(before.values())
    holding = "XXA Party mo_holding"
    assert before["XXA Party mo_holding"] > 0
    refused = status(world, "xxa.admin", holding, "closed")
    assert refused.status_code == 422 and checks(refused) == [("C4001", "status")]
    assert "transfer them first" in refused.json()["checks"][0]["detail"]

    empty_name = next(
        name
        for name, quantity in before.items()
        if name.startswith("XXA") and quantity == 0 and name.endswith("holding")
    )
    empty = empty_name
    # another Party's administrator cannot close it
    assert status(world, "xxc.admin", empty, "closed").status_code == 403
    ok(status(world, "xxa.admin", empty, "closed"), 200)
    again = status(world, "xxa.admin", empty, "open")
    assert again.status_code == 422 and checks(again) == [("C4001", "status")]
    entries = ok(api["auditor"].get("/api/v1/journal?event=AccountStatusChanged"), 200)["items"]
    assert [json.loads(e["body"])["status"] for e in entries if e["subject"] == world[empty]] == [
        "closed"
    ]
    assert sum(holdings(api).values()) == total  # nothing moved, nothing lost


def test_a_cancellation_account_closes_with_the_units_it_received_kept(world: HttpWorld):
    api = world.api
    admin = api["xxa.admin"]
    ok(
        admin.post(
            "/api/v1/parties/XXA/authorization-links",
            {
                "account": world["XXA Party mo_holding"],
                "authorization_id": "XXA-NDC-2025-001",
                "units": {"quantity": 100},
            },
        )
    )
    ok(
        admin.post(
            "/api/v1/parties/XXA/cancellations",
            {
                "source_account": world["XXA Party amo_holding"],
                "purpose": "voluntary",
                "units": {"quantity": 30},
            },
        )
    )
    before = holdings(api)
    assert before["XXA Party voluntary_cancellation"] == 30
    ok(status(world, "xxa.admin", "XXA Party voluntary_cancellation", "closed"), 200)
    assert holdings(api) == before  # kept where they were: a cancellation is final


def test_an_entity_holding_units_is_suspended_then_revoked_with_its_units_frozen(world: HttpWorld):
    """Its units stay where they are while it is suspended, and when its authorization is
    revoked for good: the Party's revocation does not wait on the entity emptying its accounts,
    and no unit moves, is cancelled or is lost (C3005 refuses moving them)."""
    api = world.api
    admin = api["xxa.admin"]
    green = "XXA Green Group A amo_holding"
    ok(
        admin.post(
            "/api/v1/parties/XXA/authorization-links",
            {
                "account": world["XXA Party mo_holding"],
                "authorization_id": "XXA-NDC-2025-001",
                "units": {"quantity": 100},
            },
        )
    )
    ok(
        admin.post(
            "/api/v1/parties/XXA/transfers",
            {
                "source_account": world["XXA Party amo_holding"],
                "destination_account": world[green],
                "units": {"quantity": 20},
            },
        )
    )
    before = holdings(api)
    assert before[green] == 20
    entity = "/api/v1/parties/XXA/entities/XXA-E0001/status"
    ok(admin.post(entity, {"cooperative_approach": "CA0001", "status": "suspended"}), 200)
    cancel = {"source_account": world[green], "purpose": "voluntary", "units": {"quantity": 20}}
    frozen = api["green.group.a"].post("/api/v1/parties/XXA/cancellations", cancel)
    assert frozen.status_code >= 400 and checks(frozen)[0][0] == "C3005"
    ok(admin.post(entity, {"cooperative_approach": "CA0001", "status": "revoked"}), 200)
    assert holdings(api) == before
    after_revocation = api["green.group.a"].post("/api/v1/parties/XXA/cancellations", cancel)
    assert after_revocation.status_code >= 400 and checks(after_revocation)[0][0] == "C3005"
    reinstated = admin.post(entity, {"cooperative_approach": "CA0001", "status": "active"})
    assert reinstated.status_code == 422 and checks(reinstated)[0][0] == "C3005"
    assert holdings(api) == before
    assert sum(holdings(api).values()) == sum(before.values())
