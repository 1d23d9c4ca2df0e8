"""A Party's authority over its section, from the attacker's and the auditor's side: the
secretariat acting there without the Party's delegation, a delegation revoked between two
actions, someone other than the Party's administrator delegating, and a transaction done under
a delegation saying so. Every refused move leaves the holdings as they were."""

from __future__ import annotations

import httpx
from http_world import HttpWorld, holdings, ok

NDC = "XXA-NDC-2025-001"
ISSUE = "/api/v1/parties/XXA/issuances"
DELEGATIONS = "/api/v1/parties/XXA/delegations"


def refused(response: httpx.Response, status: int = 403) -> list[tuple[str, str]]:
    assert response.status_code == status, response.text
    return [(c["check"], c["field"]) for c in response.json()["checks"]]


def issuance(world: HttpWorld, quantity: int = 10) -> dict[str, object]:
    return {"mitigation_activity": world.activity, "vintage": 2024, "quantity": quantity}


def test_the_secretariat_cannot_issue_in_a_partys_section_without_its_delegation(
    world: HttpWorld,
):
    secretariat = world.api["secretariat.admin"]
    before = holdings(world.api)
    assert refused(secretariat.post(ISSUE, issuance(world))) == [("C4023", "actor")]
    link = {
        "account": world["XXA Party mo_holding"],
        "authorization_id": NDC,
        "units": {"quantity": 1},
    }
    assert refused(secretariat.post("/api/v1/parties/XXA/authorization-links", link)) == [
        ("C4023", "actor")
    ]
    record = {
        "account": world["XXA Party amo_holding"],
        "reason": "by the secretariat",
        "units": {"quantity": 1},
    }
    assert refused(secretariat.post("/api/v1/parties/XXA/first-transfer-records", record))[0][
        0
    ] == ("C4023")
    assert holdings(world.api) == before


def test_under_the_partys_delegation_the_secretariat_issues_and_the_transaction_says_so(
    world: HttpWorld,
):
    admin, secretariat = world.api["xxa.admin"], world.api["secretariat.admin"]
    delegation = ok(admin.put(f"{DELEGATIONS}/issuance"), 200)
    assert (delegation["kind"], delegation["in_force"]) == ("issuance", True)
    assert delegation["delegated_by"].startswith("xxa.admin (administrator, XXA)")
    before = holdings(world.api)["XXA Party mo_holding"]

    receipt = ok(secretariat.post(ISSUE, issuance(world, 25)))
    assert receipt["transaction"]["initiator"].startswith("secretariat.admin (secretariat")
    note = receipt["transaction"]["under_delegation"]
    assert note.startswith(f"XXA delegated issuance (delegation {delegation['id']}, by xxa.admin")
    assert holdings(world.api)["XXA Party mo_holding"] == before + 25
    read = ok(admin.get(f"/api/v1/parties/XXA/transactions/{receipt['record']}"), 200)
    assert read["under_delegation"] == note
    listed = ok(admin.get("/api/v1/parties/XXA/transactions?kind=issuance"), 200)["items"]
    assert {t["identifier"]: t["under_delegation"] for t in listed}[receipt["record"]] == note
    # the Party's own issuance names no delegation
    own = ok(admin.post(ISSUE, issuance(world, 5)))
    assert own["transaction"]["under_delegation"] is None
    journal = ok(secretariat.get("/api/v1/journal?limit=500"), 200)
    events = [entry["event"] for entry in journal["items"]]
    assert "ActionDelegated" in events and "ActedUnderDelegation" in events


def test_a_delegation_revoked_between_two_actions_refuses_the_second(world: HttpWorld):
    admin, secretariat = world.api["xxa.admin"], world.api["secretariat.admin"]
    ok(admin.put(f"{DELEGATIONS}/issuance"), 200)
    first = ok(secretariat.post(ISSUE, issuance(world, 3)))
    revoked = ok(admin.delete(f"{DELEGATIONS}/issuance"), 200)
    assert revoked["in_force"] is False and revoked["revoked_by"].startswith("xxa.admin")
    before = holdings(world.api)
    assert refused(secretariat.post(ISSUE, issuance(world, 3))) == [("C4023", "actor")]
    assert holdings(world.api) == before
    # what was done under it stays recorded as done under it
    read = ok(admin.get(f"/api/v1/parties/XXA/transactions/{first['record']}"), 200)
    assert read["under_delegation"].startswith("XXA delegated issuance")
    # revoking again: nothing is in force
    assert refused(admin.delete(f"{DELEGATIONS}/issuance")) == [("C4023", "kind")]
    listed = ok(admin.get(DELEGATIONS), 200)
    assert [(d["kind"], d["in_force"]) for d in listed] == [("issuance", False)]


def test_a_delegated_transfer_moves_only_the_partys_units_and_conserves_them(world: HttpWorld):
    admin, secretariat = world.api["xxa.admin"], world.api["secretariat.admin"]
    ok(
        admin.post(
            "/api/v1/parties/XXA/authorization-links",
            {
                "account": world["XXA Party mo_holding"],
                "authorization_id": NDC,
                "units": {"quantity": 50},
            },
        )
    )
    transfer = {
        "source_account": world["XXA Party amo_holding"],
        "destination_account": world["XXC Party itmo_holding"],
        "units": {"quantity": 20},
    }
    path = "/api/v1/parties/XXA/international-transfers"
    assert refused(secretariat.post(path, transfer)) == [("C4023", "actor")]
    ok(admin.put(f"{DELEGATIONS}/transfer"), 200)
    before = holdings(world.api)
    moved = ok(secretariat.post(path, transfer))
    assert moved["transaction"]["under_delegation"].startswith("XXA delegated transfer")
    after = holdings(world.api)
    assert after["XXA Party amo_holding"] == before["XXA Party amo_holding"] - 20
    assert after["XXC Party itmo_holding"] == before["XXC Party itmo_holding"] + 20
    assert sum(after.values()) == sum(before.values())
    # a transfer is not a use: that kind stays the Party's
    use = {
        "source_account": world["XXA Party itmo_holding"],
        "ndc_year": 2025,
        "units": {"quantity": 1},
    }
    assert refused(secretariat.post("/api/v1/parties/XXA/uses", use)) == [("C4023", "actor")]


def test_only_the_partys_own_administrator_delegates(world: HttpWorld):
    api = world.api
    # another section's administrator, for XXA
    assert refused(api["xxc.admin"].put(f"{DELEGATIONS}/issuance"))[0][0] == "C4006"
    # the secretariat, to itself
    assert refused(api["secretariat.admin"].put(f"{DELEGATIONS}/issuance")) == [("C4023", "actor")]
    # a Party user of XXA
    assert refused(api["xxa.user"].put(f"{DELEGATIONS}/issuance")) == [("C4023", "actor")]
    assert ok(api["xxa.admin"].get(DELEGATIONS), 200) == []
    # an unknown kind is not a delegation
    assert api["xxa.admin"].put(f"{DELEGATIONS}/approval").status_code == 422
