"""Notifications over HTTP, as their recipients and an attacker see them: who is told of units
received, an approval needed and a decision, and who never is (another section, another
entity); the inbox, marking read, the choices; a projection run twice adds nothing."""

from __future__ import annotations

from typing import Any

import pytest
from http_world import Api, HttpWorld, holdings, ok
from sqlalchemy import event as engine_events

from article6.services import notifications
from article6.store import notifications as notification_store
from article6.store.database import unit_of_work

NDC = "XXA-NDC-2025-001"
GREEN_AMO = "XXA Green Group A amo_holding"


def inbox(api: Api, user: str) -> list[dict[str, Any]]:
    notifications.project_all(api.registry)
    items: list[dict[str, Any]] = ok(api[user].get("/api/v1/notifications"), 200)["items"]
    return items


def about(items: list[dict[str, Any]], kind: str, transaction: str) -> list[dict[str, Any]]:
    return [n for n in items if n["kind"] == kind and n["transaction"] == transaction]


def give_green_group_a(world: HttpWorld, quantity: int) -> str:
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
    return str(
        ok(
            admin.post(
                "/api/v1/parties/XXA/transfers",
                {
                    "source_account": world["XXA Party amo_holding"],
                    "destination_account": world[GREEN_AMO],
                    "units": {"quantity": quantity},
                },
            )
        )["record"]
    )


def total(api: Api) -> int:
    return sum(holdings(api).values())


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_each_person_is_told_only_of_their_own_accounts_and_requests(world: HttpWorld):
    api = world.api
    before = total(api)
    transfer = give_green_group_a(world, 100)

    received = about(inbox(api, "green.group.a"), "units_received", transfer)
    assert len(received) == 1
    assert world[GREEN_AMO] in received[0]["title"]
    assert transfer in received[0]["body"] and "100 units" in received[0]["body"]
    assert received[0]["read"] is False
    # The Party's people do not act for the entity's account; another section never hears.
    for outsider in ("xxa.user", "xxa.auditor", "green.c.entity", "xxc.admin"):
        assert about(inbox(api, outsider), "units_received", transfer) == []
    # Linking units to an authorization moves them between the Party's own accounts: nobody
    # received anything.
    assert [n for n in inbox(api, "xxa.user") if n["kind"] == "units_received"] == []

    request = ok(
        api["green.group.a"].post(
            "/api/v1/parties/XXA/cancellations",
            {"source_account": world[GREEN_AMO], "purpose": "voluntary", "units": {"quantity": 7}},
        )
    )
    assert request["status"] == "awaiting_approval"
    pending = str(request["record"])
    needed = about(inbox(api, "xxa.admin"), "approval_needed", pending)
    assert len(needed) == 1 and "7 units" in needed[0]["body"]
    for cannot_approve in ("green.group.a", "xxa.user", "xxa.auditor", "xxc.admin"):
        assert about(inbox(api, cannot_approve), "approval_needed", pending) == []

    ok(
        api["xxa.admin"].post(
            f"/api/v1/parties/XXA/transactions/{pending}/rejection", {"reason": "wrong purpose"}
        ),
        200,
    )
    rejected = about(inbox(api, "green.group.a"), "request_rejected", pending)
    assert len(rejected) == 1 and "wrong purpose" in rejected[0]["body"]
    assert about(inbox(api, "xxa.admin"), "request_rejected", pending) == []
    assert inbox(api, "green.c.entity") == [] and inbox(api, "xxc.admin") == []
    assert total(api) == before  # a rejection gives the reserved units back: nothing created


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_approved_request_tells_its_initiator(world: HttpWorld):
    api = world.api
    give_green_group_a(world, 50)
    before = total(api)
    request = ok(
        api["green.group.a"].post(
            "/api/v1/parties/XXA/cancellations",
            {"source_account": world[GREEN_AMO], "purpose": "voluntary", "units": {"quantity": 5}},
        )
    )
    pending = str(request["record"])
    ok(api["xxa.admin"].post(f"/api/v1/parties/XXA/transactions/{pending}/approval"), 200)
    approved = about(inbox(api, "green.group.a"), "request_approved", pending)
    assert len(approved) == 1 and "xxa.admin" in approved[0]["body"]
    assert about(inbox(api, "xxa.user"), "request_approved", pending) == []
    assert total(api) == before  # a cancellation moves units to a cancellation account


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_attacker_cannot_read_or_mark_another_users_notification(world: HttpWorld):
    api = world.api
    transfer = give_green_group_a(world, 10)
    mine = about(inbox(api, "green.group.a"), "units_received", transfer)[0]
    for attacker in ("xxc.admin", "green.c.entity", "xxa.admin"):
        refused = api[attacker].post(f"/api/v1/notifications/{mine['id']}/read")
        assert refused.status_code == 404
        assert [c["check"] for c in refused.json()["checks"]] == ["C1012"]
        assert ok(api[attacker].post("/api/v1/notifications/read"), 200)["marked"] >= 0
    assert about(inbox(api, "green.group.a"), "units_received", transfer)[0]["read"] is False

    assert api["green.group.a"].post(f"/api/v1/notifications/{mine['id']}/read").status_code == 204
    view = ok(api["green.group.a"].get("/api/v1/notifications"), 200)
    assert about(view["items"], "units_received", transfer)[0]["read"] is True
    assert view["unread"] == 0


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_a_projection_run_again_adds_nothing(world: HttpWorld):
    api = world.api
    give_green_group_a(world, 10)
    first = notifications.project_all(api.registry)
    assert first > 0
    with unit_of_work(api.registry.engine) as connection:
        notification_store.advance(connection, 0)  # as if the position were lost
    assert notifications.project_all(api.registry) == 0
    assert notifications.project_all(api.registry) == 0


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_each_user_chooses_what_they_receive(world: HttpWorld):
    api = world.api
    green = api["green.group.a"]
    choices = ok(green.get("/api/v1/notifications/preferences"), 200)
    assert choices == {
        "email": None,
        "channels": {
            "units_received": "in_app",
            "approval_needed": "in_app",
            "request_approved": "in_app",
            "request_rejected": "in_app",
            "request_expired": "in_app",
            "reconciliation_hold": "in_app",
            "acceptance_needed": "in_app",
            "transfer_answered": "in_app",
        },
    }
    no_address = green.put(
        "/api/v1/notifications/preferences", {"channels": {"units_received": "in_app_and_email"}}
    )
    assert no_address.status_code == 400
    assert [(c["check"], c["field"]) for c in no_address.json()["checks"]] == [("C1013", "email")]
    bad = green.put(
        "/api/v1/notifications/preferences",
        {"channels": {"units_received": "pigeon", "gossip": "none"}, "email": "not an address"},
    )
    assert bad.status_code in (400, 422)
    assert {(c["check"], c["field"]) for c in bad.json()["checks"]} == {
        ("C1007", "channels.units_received"),
        ("C1007", "kind"),
        ("C1013", "email"),
    }
    chosen = ok(
        green.put(
            "/api/v1/notifications/preferences",
            {"channels": {"units_received": "none"}, "email": "green@example.org"},
        ),
        200,
    )
    assert chosen["email"] == "green@example.org"
    assert chosen["channels"]["units_received"] == "none"
    transfer = give_green_group_a(world, 10)
    assert about(inbox(api, "green.group.a"), "units_received", transfer) == []


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_expired_request_tells_its_initiator_and_gives_the_units_back(world: HttpWorld):
    from article6.domain.access import Actor, Role
    from article6.services.approvals import expire_pending

    api = world.api
    give_green_group_a(world, 40)
    before = total(api)
    pending = str(
        ok(
            api["green.group.a"].post(
                "/api/v1/parties/XXA/cancellations",
                {
                    "source_account": world[GREEN_AMO],
                    "purpose": "voluntary",
                    "units": {"quantity": 4},
                },
            )
        )["record"]
    )
    api.clock.advance(90 * 24 * 3600)
    assert expire_pending(api.registry, Actor("registry", Role.SECRETARIAT)) == [pending]
    for user in ("green.group.a", "xxa.admin", "xxc.admin"):  # their tokens ran out meanwhile
        api.sign_in(user)
    expired = about(inbox(api, "green.group.a"), "request_expired", pending)
    assert len(expired) == 1 and "4 units" in expired[0]["body"]
    assert about(inbox(api, "xxa.admin"), "request_expired", pending) == []
    assert total(api) == before


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_reconciliation_hold_tells_everyone_it_stops_and_no_auditor(world: HttpWorld):
    from article6.store import journal

    api = world.api
    for event in ("ReconciliationHoldPlaced", "ReconciliationHoldLifted"):
        with unit_of_work(api.registry.engine) as connection:
            journal.append(
                connection,
                actor="hub",
                event=event,
                party=None,
                subject="REC-2026-0001",
                body={"until": "2026-12-02T13:00:00+00:00", "reason": "its result arrived"},
                at=api.registry.now(),
            )
    told = {
        user
        for user in api.callers
        if about(inbox(api, user), "reconciliation_hold", "REC-2026-0001")
    }
    assert told == {
        "secretariat.admin",
        "xxa.admin",
        "xxc.admin",
        "xxa.user",
        "green.group.a",
        "green.c.entity",
    }
    titles = [n["title"] for n in inbox(api, "xxc.admin")]
    assert "Reconciliation hold placed (REC-2026-0001)" in titles
    assert "Reconciliation hold lifted (REC-2026-0001)" in titles
    bodies = [n["body"] for n in inbox(api, "xxc.admin")]
    assert any("REC-2026-0001 until 2026-12-02 13:00 UTC:" in body for body in bodies), bodies


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_units_acquired_from_another_registry_reach_only_the_receiving_partys_users(
    world: HttpWorld,
):
    from article6.store import journal

    api = world.api
    account = world["XXC Party itmo_holding"]
    with unit_of_work(api.registry.engine) as connection:
        journal.append(
            connection,
            actor="hub",
            event="UnitsAcquired",
            party="XXC",
            subject="XXC01-00000077",
            body={
                "transfer": "XXB01-00000003",
                "from_registry": "XXB01",
                "account": account,
                "quantity": 2_500,
                "ranges": [["XXB01", 1, 2_500]],
            },
            at=api.registry.now(),
        )
    told = {
        user for user in api.callers if about(inbox(api, user), "units_received", "XXC01-00000077")
    }
    assert told == {"xxc.admin"}
    [notice] = about(inbox(api, "xxc.admin"), "units_received", "XXC01-00000077")
    assert "2,500 units" in notice["title"] and "XXB01" in notice["body"]


@pytest.mark.parametrize("database_url", ["postgres"], indirect=True)
def test_two_projectors_at_once_notify_each_person_once(world: HttpWorld):
    from concurrent.futures import ThreadPoolExecutor

    from sqlalchemy import func, select

    from article6.store.notification_schema import notifications as notification_rows

    api = world.api
    transfer = give_green_group_a(world, 12)
    with ThreadPoolExecutor(max_workers=4) as pool:
        added = sum(pool.map(lambda _: notifications.project_all(api.registry), range(4)))
    with unit_of_work(api.registry.engine, read_only=True) as connection:
        stored = connection.execute(select(func.count()).select_from(notification_rows)).scalar()
    assert added == stored > 0
    assert len(about(inbox(api, "green.group.a"), "units_received", transfer)) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_under_four_eyes_only_independent_approvers_are_asked(world: HttpWorld):
    from article6.domain.access import Role

    api = world.api
    api.add_user("xxa.admin", "xxa.puppet", Role.ADMINISTRATOR, "XXA")
    api.add_user("secretariat.admin", "xxa.second", Role.ADMINISTRATOR, "XXA")
    ok(  # four eyes needs two people who may approve (C4017): added first
        api["xxa.admin"].post(
            "/api/v1/parties/XXA/approval-policies",
            {"kind": "internal_transfer", "four_eyes": True},
        ),
        200,
    )
    before = total(api)
    done = ok(
        api["xxa.admin"].post(
            "/api/v1/parties/XXA/transfers",
            {
                "source_account": world["XXA Party mo_holding"],
                "destination_account": world["XXA Green Group A mo_holding"],
                "units": {"quantity": 3},
            },
        )
    )
    assert done["status"] == "awaiting_approval"
    pending = str(done["record"])
    asked = {u for u in api.callers if about(inbox(api, u), "approval_needed", pending)}
    # xxa.puppet's account was made by the initiator: the approval would refuse it (C4012).
    assert asked == {"xxa.second"}
    assert total(api) == before


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_a_projection_batch_asks_each_question_once_not_once_per_entry(world: HttpWorld):
    """Thirty transfers to one entity's account: the batch reads the account's holder, the
    section's grants, the recipients and their choices once, the transactions' requests in one
    read, and adds one notification per transfer (about seven reads per entry before: under load
    the projection took more of a worker's CPU than the transfers it told of)."""
    api = world.api
    before = total(api)
    notifications.project_all(api.registry)
    transfers = [give_green_group_a(world, 1) for _ in range(15)]
    statements: list[str] = []

    def counted(*arguments: Any) -> None:
        statements.append(str(arguments[2]))

    engine_events.listen(api.registry.engine, "before_cursor_execute", counted)
    try:
        added = notifications.project_all(api.registry)
    finally:
        engine_events.remove(api.registry.engine, "before_cursor_execute", counted)

    # Each transfer: units_received for the entity's representative.
    received = [n for n in inbox(api, "green.group.a") if n["kind"] == "units_received"]
    assert {n["transaction"] for n in received} >= set(transfers)
    assert added >= len(transfers)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) <= 20, f"{len(reads)} reads for {len(transfers)} transfers"
    assert total(api) == before
