"""Acceptance of incoming transfers over HTTP (issue #18), from both sides and the attacker's:
XXC has transfers into its accounts wait five days; XXA transfers NDC units to XXC's ITMO
holding account. XXC's administrators are asked, see the transfer among their incoming ones
and answer; XXA's user who asked is told. XXA cannot answer for XXC, and an answer is given
once. Units are conserved at every step."""

from __future__ import annotations

from typing import Any

import pytest
from http_world import HttpWorld, holdings, ok
from test_users_page import browser_session, form

from article6.services import notifications

NDC = "XXA-NDC-2025-001"


def inbox(world: HttpWorld, user: str, kind: str, transaction: str) -> list[dict[str, Any]]:
    notifications.project_all(world.api.registry)
    items = ok(world.api[user].get("/api/v1/notifications"), 200)["items"]
    return [n for n in items if n["kind"] == kind and n["transaction"] == transaction]


def waiting_transfer(world: HttpWorld) -> str:
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
        world.api["xxc.admin"].post(
            "/api/v1/parties/XXC/acceptance-setting", {"acceptance_days": 5}
        ),
        200,
    )
    transfer = ok(
        world.api["xxa.user"].post(
            "/api/v1/parties/XXA/international-transfers",
            {
                "source_account": world["XXA Party amo_holding"],
                "destination_account": world["XXC Party itmo_holding"],
                "units": {"quantity": 700, "authorization_id": NDC},
            },
        )
    )
    assert transfer["status"] == "awaiting_acceptance"
    return str(transfer["record"])


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_the_acquiring_party_is_asked_accepts_and_the_sender_is_told(world: HttpWorld):
    api = world.api
    before = sum(holdings(api).values())
    transfer = waiting_transfer(world)

    incoming = ok(api["xxc.admin"].get("/api/v1/parties/XXC/incoming-transfers"), 200)
    assert [(t["identifier"], t["quantity"], t["transferring_party"]) for t in incoming] == [
        (transfer, 700, "XXA")
    ]
    assert len(inbox(world, "xxc.admin", "acceptance_needed", transfer)) == 1
    assert inbox(world, "xxa.admin", "acceptance_needed", transfer) == []
    assert sum(holdings(api).values()) == before

    accepted = ok(
        api["xxc.admin"].post(f"/api/v1/parties/XXC/transactions/{transfer}/acceptance"), 200
    )

    assert accepted["status"] == "completed"
    assert holdings(api)["XXC Party itmo_holding"] == 700
    assert sum(holdings(api).values()) == before
    told = inbox(world, "xxa.user", "transfer_answered", transfer)
    assert len(told) == 1 and "accepted by XXC" in told[0]["title"]
    assert ok(api["xxc.admin"].get("/api/v1/parties/XXC/incoming-transfers"), 200) == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_refusal_names_its_reason_to_the_sender_and_gives_the_units_back(world: HttpWorld):
    api = world.api
    transfer = waiting_transfer(world)
    before = holdings(api)  # the units wait reserved in XXA's account, not in XXC's
    assert before["XXC Party itmo_holding"] == 0

    response = api["xxc.admin"].post(
        f"/api/v1/parties/XXC/transactions/{transfer}/refusal", {"reason": "no contract"}
    )

    assert ok(response, 200)["status"] == "rejected"
    assert holdings(api) == before
    told = inbox(world, "xxa.user", "transfer_answered", transfer)
    assert len(told) == 1 and "no contract" in told[0]["body"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_transferring_party_cannot_answer_for_the_acquiring_one(world: HttpWorld):
    api = world.api
    transfer = waiting_transfer(world)

    for path in ("acceptance", "refusal"):
        response = api["xxa.admin"].post(
            f"/api/v1/parties/XXA/transactions/{transfer}/{path}", {"reason": "mine"}
        )
        assert response.status_code == 403
        assert [c["check"] for c in response.json()["checks"]] == ["C2012"]
        # nor through XXC's section, where XXA's administrator holds no role
        response = api["xxa.admin"].post(
            f"/api/v1/parties/XXC/transactions/{transfer}/{path}", {"reason": "mine"}
        )
        assert response.status_code == 403
        assert [c["check"] for c in response.json()["checks"]] == ["C4006"]
    assert ok(api["xxc.admin"].get("/api/v1/parties/XXC/incoming-transfers"), 200) != []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_acceptance_sent_again_is_refused_and_moves_nothing(world: HttpWorld):
    api = world.api
    transfer = waiting_transfer(world)
    path = f"/api/v1/parties/XXC/transactions/{transfer}/acceptance"
    ok(api["xxc.admin"].post(path), 200)
    after = holdings(api)

    again = api["xxc.admin"].post(path)

    assert again.status_code == 409
    assert [c["check"] for c in again.json()["checks"]] == ["C2013"]
    assert [c["field"] for c in again.json()["checks"]] == ["transaction"]
    assert holdings(api) == after


def test_the_confirm_page_says_the_transfer_waits_for_the_acquiring_party(world: HttpWorld):
    """Before the sender confirms, the preview says what will happen: the transfer waits for
    XXC's acceptance, with the deadline after which the units come back (not "at once")."""
    api = world.api
    before = sum(holdings(api).values())
    ok(
        api["xxa.admin"].post(
            "/api/v1/parties/XXA/authorization-links",
            {
                "account": world["XXA Party mo_holding"],
                "authorization_id": NDC,
                "units": {"quantity": 100},
            },
        )
    )
    ok(api["xxc.admin"].post("/api/v1/parties/XXC/acceptance-setting", {"acceptance_days": 5}), 200)
    browser = browser_session(api, "xxa.user")
    page = form(
        browser,
        "/actions/international-transfer",
        {
            "source_account": world["XXA Party amo_holding"],
            "destination_account": world["XXC Party itmo_holding"],
            "quantity": "10",
            "authorization_filter": NDC,
        },
    )
    assert page.status_code == 200, page.text
    outcome = page.text.split('id="preview-outcome">')[1].split("</dd>")[0]
    assert "Waits for acceptance" in outcome and "by XXC" in outcome
    assert "come back to this account if it has not accepted them by" in outcome
    assert "Completes at once" not in outcome
    assert sum(holdings(api).values()) == before


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_transferring_party_withdraws_over_the_api_and_the_acquirer_cannot(
    world: HttpWorld,
):
    api = world.api
    transfer = waiting_transfer(world)
    before = holdings(api)
    total = sum(before.values())

    for user, party in (("xxc.admin", "XXC"), ("xxc.admin", "XXA")):
        response = api[user].post(f"/api/v1/parties/{party}/transactions/{transfer}/withdrawal")
        assert response.status_code == 403, response.text
        assert [c["check"] for c in response.json()["checks"]] in (["C2016"], ["C4006"])

    withdrawn = ok(
        api["xxa.admin"].post(
            f"/api/v1/parties/XXA/transactions/{transfer}/withdrawal", {"reason": "sold elsewhere"}
        ),
        200,
    )

    assert withdrawn["status"] == "cancelled"
    assert "sold elsewhere" in withdrawn["transaction"]["reason"]
    assert holdings(api) == before  # the reserved units are free again, where they were
    assert sum(holdings(api).values()) == total
    assert ok(api["xxc.admin"].get("/api/v1/parties/XXC/incoming-transfers"), 200) == []
    again = api["xxc.admin"].post(f"/api/v1/parties/XXC/transactions/{transfer}/acceptance")
    assert [c["check"] for c in again.json()["checks"]] == ["C2013"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_transaction_page_offers_the_withdrawal_to_the_transferring_party(
    world: HttpWorld,
):
    api = world.api
    transfer = waiting_transfer(world)
    total = sum(holdings(api).values())
    sender = browser_session(api, "xxa.admin")
    page = sender.get(f"/transactions/{transfer}")
    assert 'id="withdraw-transfer"' in page.text
    acquirer = browser_session(api, "xxc.admin")
    assert 'id="withdraw-transfer"' not in acquirer.get(f"/transactions/{transfer}").text

    asked = form(sender, f"/approvals/{transfer}/withdraw", {"reason": "sold elsewhere"})
    assert asked.status_code == 303, asked.text
    done = sender.get(asked.headers["location"])

    assert done.status_code == 200, done.text
    assert "Withdrawn; the units are released." in done.text
    assert "Withdrawn" in done.text.split('id="done"')[1]
    assert 'id="withdraw-transfer"' not in done.text
    assert sum(holdings(api).values()) == total
    french = sender.get(f"/transactions/{transfer}", headers={"Accept-Language": "fr"})
    assert french.status_code == 200
