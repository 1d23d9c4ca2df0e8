"""Trusted destinations (issue #17, check C4020), over HTTP as an attacker would try them.

While XXA keeps its list switched on, a transfer from its section to an account off the list
waits for an administrator's approval, even though XXA asks no approval for transfers; an
account on the list counts only after the registry's delay; only XXA's own administrators edit
the list. Every test that moves units asserts that no unit is created or lost, and that the
registry still verifies.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
from http_world import Api, HttpWorld, holdings, ok

from article6.domain.access import Role
from article6.settings import Settings

NDC = "XXA-NDC-2025-001"
DELAY_SECONDS = Settings().trusted_destination_delay_hours * 3600


def checks_of(response: httpx.Response, status: int) -> list[tuple[str, str]]:
    assert response.status_code == status, response.text
    return [(c["check"], c["field"]) for c in response.json()["checks"]]


def link_ndc_units(world: HttpWorld) -> None:
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


def to_xxc(world: HttpWorld, quantity: int = 10) -> dict[str, Any]:
    return {
        "source_account": world["XXA Party amo_holding"],
        "destination_account": world["XXC Party itmo_holding"],
        "units": {"quantity": quantity, "authorization_id": NDC},
    }


def keep_list(world: HttpWorld, on: bool = True) -> None:
    ok(
        world.api["xxa.admin"].put(
            "/api/v1/parties/XXA/safeguards", {"trusted_only": on, "signed_confirmation": False}
        ),
        200,
    )


def total(api: Api) -> int:
    return sum(holdings(api).values())


def sound(api: Api) -> None:
    assert ok(api["secretariat.admin"].get("/api/v1/verification"), 200)["sound"] is True


def events(api: Api, kind: str) -> list[dict[str, Any]]:
    entries = ok(api["secretariat.admin"].get("/api/v1/journal?limit=500"), 200)["items"]
    return [e for e in entries if e["event"] == kind]


def test_a_transfer_to_an_account_off_the_list_cannot_skip_approval_through_the_api(
    world: HttpWorld,
):
    """XXA asks no approval for international transfers; with its list on, a Party user's
    transfer to XXC's account (not on the list) waits for an administrator all the same,
    whatever the request says, and completes only once approved."""
    api = world.api
    api.add_user("secretariat.admin", "xxa.second", Role.ADMINISTRATOR, "XXA")
    link_ndc_units(world)
    keep_list(world)
    before = holdings(api)
    asked = ok(
        api["xxa.user"].post(
            "/api/v1/parties/XXA/international-transfers",
            {**to_xxc(world)},
            headers={"Idempotency-Key": "skip-approval-1"},
        )
    )
    assert asked["status"] == "awaiting_approval"
    assert holdings(api) == before  # reserved, not moved
    # The request cannot say otherwise: an unknown field is refused, not obeyed.
    sneaky = api["xxa.user"].post(
        "/api/v1/parties/XXA/international-transfers", {**to_xxc(world), "approved": True}
    )
    assert sneaky.status_code == 422
    assert holdings(api) == before
    # The user cannot approve their own request; an independent administrator can (a request
    # from the Party's own account is approved under the four-eyes rules, C4012).
    own = api["xxa.user"].post(f"/api/v1/parties/XXA/transactions/{asked['record']}/approval")
    assert own.status_code == 403
    done = ok(
        api["xxa.second"].post(f"/api/v1/parties/XXA/transactions/{asked['record']}/approval"),
        200,
    )
    assert done["status"] == "completed"
    after = holdings(api)
    assert after["XXC Party itmo_holding"] == before["XXC Party itmo_holding"] + 10
    assert sum(after.values()) == sum(before.values())
    sound(api)


def test_a_trusted_destination_counts_only_after_the_delay_and_stops_when_removed(
    world: HttpWorld,
):
    api = world.api
    link_ndc_units(world)
    keep_list(world)
    start = total(api)
    account = world["XXC Party itmo_holding"]
    added = ok(
        api["xxa.admin"].post("/api/v1/parties/XXA/trusted-destinations", {"account": account})
    )
    assert (added["record"], added["status"]) == (account, "pending")
    listed = ok(api["xxa.user"].get("/api/v1/parties/XXA/safeguards"), 200)
    assert listed["trusted_only"] is True
    assert [(d["account"], d["effective"]) for d in listed["destinations"]] == [(account, False)]
    # Someone who just added an account cannot empty the section into it at once.
    early = ok(api["xxa.user"].post("/api/v1/parties/XXA/international-transfers", to_xxc(world)))
    assert early["status"] == "awaiting_approval"

    api.clock.advance(DELAY_SECONDS)
    api.sign_in("xxa.user")
    api.sign_in("xxa.admin")
    api.sign_in("secretariat.admin")
    api.sign_in("xxc.admin")
    before = holdings(api)
    trusted = ok(api["xxa.user"].post("/api/v1/parties/XXA/international-transfers", to_xxc(world)))
    assert trusted["status"] == "completed"
    assert holdings(api)["XXC Party itmo_holding"] == before["XXC Party itmo_holding"] + 10

    removed = ok(
        api["xxa.admin"].delete(f"/api/v1/parties/XXA/trusted-destinations/{account}"), 200
    )
    assert removed["status"] == "removed"
    again = ok(api["xxa.user"].post("/api/v1/parties/XXA/international-transfers", to_xxc(world)))
    assert again["status"] == "awaiting_approval"
    # Switched off, the list judges nothing.
    keep_list(world, on=False)
    free = ok(api["xxa.user"].post("/api/v1/parties/XXA/international-transfers", to_xxc(world)))
    assert free["status"] == "completed"

    assert total(api) == start
    journaled = events(api, "TrustedDestinationAdded")
    assert [json.loads(e["body"])["account"] for e in journaled] == [account]
    assert [e["subject"] for e in events(api, "TrustedDestinationRemoved")] == [account]
    assert len(events(api, "SafeguardsSet")) == 2
    sound(api)


def test_transfers_inside_the_section_are_not_judged_by_the_list(world: HttpWorld):
    api = world.api
    link_ndc_units(world)
    keep_list(world)
    before = holdings(api)
    inside = ok(
        api["xxa.user"].post(
            "/api/v1/parties/XXA/transfers",
            {
                "source_account": world["XXA Party amo_holding"],
                "destination_account": world["XXA Green Group A amo_holding"],
                "units": {"quantity": 5},
            },
        )
    )
    assert inside["status"] == "completed"
    assert sum(holdings(api).values()) == sum(before.values())


def test_only_the_partys_own_administrators_edit_the_list(world: HttpWorld):
    """A Party user, an entity's representative, an auditor and the secretariat are refused
    (C4020); another section's administrator is not even let into XXA's section (C4006)."""
    api = world.api
    keep_list(world, on=False)
    account = world["XXC Party itmo_holding"]
    for name in ("xxa.user", "green.group.a", "xxa.auditor", "secretariat.admin"):
        caller = api[name]
        add = caller.post("/api/v1/parties/XXA/trusted-destinations", {"account": account})
        assert checks_of(add, 403) == [("C4020", "party")], name
        switch = caller.put(
            "/api/v1/parties/XXA/safeguards", {"trusted_only": False, "signed_confirmation": False}
        )
        assert checks_of(switch, 403) == [("C4020", "party")], name
        remove = caller.delete(f"/api/v1/parties/XXA/trusted-destinations/{account}")
        assert checks_of(remove, 403) == [("C4020", "party")], name
    other = api["xxc.admin"].post("/api/v1/parties/XXA/trusted-destinations", {"account": account})
    assert checks_of(other, 403) == [("C4006", "party")]
    listed = ok(api["xxa.admin"].get("/api/v1/parties/XXA/safeguards"), 200)
    assert listed["destinations"] == []
    assert listed["trusted_only"] is False
    assert events(api, "TrustedDestinationAdded") == []


def test_the_list_holds_account_numbers_of_other_sections_once(world: HttpWorld):
    admin = world.api["xxa.admin"]
    path = "/api/v1/parties/XXA/trusted-destinations"
    own = admin.post(path, {"account": world["XXA Party itmo_holding"]})
    assert checks_of(own, 422) == [("C1022", "account")]
    assert checks_of(admin.post(path, {"account": "anything"}), 422) == [("C1022", "account")]
    ok(admin.post(path, {"account": "XXB01-000004"}))  # an account in another registry
    assert checks_of(admin.post(path, {"account": "xxb01-000004"}), 422) == [("C1022", "account")]
    gone = admin.delete(f"{path}/{world['XXC Party itmo_holding']}")
    assert checks_of(gone, 422) == [("C1022", "account")]
