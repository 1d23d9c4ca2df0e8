"""Closing an account, from the Party's side and the attacker's: a holding account is closed only
once empty (C4001), journaled, and stays closed; a cancellation account
closes with the units it received kept, so nothing is lost. Units are conserved throughout."""

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
