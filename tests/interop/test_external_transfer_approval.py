"""A transfer to another registry waits for the Party when an authorized entity asks for it, or
when the Party's four-eyes policy covers external transfers: its units stay reserved here and no
proposal leaves for the hub until a second person approves. Rejection, withdrawal and expiry give
the units back without the hub ever hearing of the transfer."""

from __future__ import annotations

import contextlib
import re
from datetime import date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from observations import assert_sound, holding, itmo_holding, send

from article6.app import create_app
from article6.demo.network import APPROACH as CLEAN_ENERGY
from article6.demo.network import XXB_ADMIN, Network, accounts_of
from article6.domain import totp
from article6.domain.access import Actor, Role
from article6.domain.checks import CommandRefused
from article6.domain.messages import ReconciliationPhase, ReconciliationRequest
from article6.domain.transactions import TransactionKind
from article6.services import approvals, authorized_entities, identity, parties, units
from article6.services import commands as c
from article6.services import reconciliation_holds as holds
from article6.services.external_transfer_status import transfers
from article6.services.external_transfers import (
    ProposeExternalTransfer,
    connected_to_hub,
    propose_external_transfer,
)
from article6.services.views import Receipt
from article6.settings import Settings
from article6.store.database import unit_of_work

XXB_SECOND_ADMIN = Actor("xxb.second", Role.ADMINISTRATOR, "XXB")
AMO = "XXB Party amo_holding"


def entity_of_xxb(net: Network) -> tuple[Actor, str]:
    """An authorized entity of XXB holding 100 of XXB's AMOs; its representative and account."""
    registry = net.nodes["XXB01"].registry
    entity = authorized_entities.record_authorized_entity(
        registry,
        XXB_ADMIN,
        c.RecordAuthorizedEntity(
            name="XXB Wind Trader",
            country_of_incorporation="XXB",
            identification_number="XXB-7",
            cooperative_approach=CLEAN_ENERGY,
            date_of_authorization=date(2025, 3, 1),
        ),
    ).record
    account = accounts_of(registry, "XXB")["XXB XXB Wind Trader amo_holding"]
    units.transfer_units(
        registry,
        XXB_ADMIN,
        c.TransferUnits(
            source_account=accounts_of(registry, "XXB")[AMO],
            destination_account=account,
            units=c.UnitSelection(quantity=100),
        ),
    )
    return Actor("trader.rep", Role.ENTITY, "XXB", entity), account


def send_as(net: Network, actor: Actor, source_account: str, quantity: int) -> Receipt:
    return propose_external_transfer(
        net.nodes["XXB01"].registry,
        actor,
        ProposeExternalTransfer(
            source_account=source_account,
            acquiring_registry="IR",
            acquiring_account=itmo_holding(net, "IR", "XXA"),
            acquiring_party="XXA",
            units=c.UnitSelection(quantity=quantity),
        ),
    )


def decide(net: Network, actor: Actor, command: c.Command) -> Receipt:
    registry = net.nodes["XXB01"].registry
    if isinstance(command, c.ApproveTransaction):
        return approvals.approve_transaction(registry, actor, command)
    if isinstance(command, c.RejectTransaction):
        return approvals.reject_transaction(registry, actor, command)
    assert isinstance(command, c.WithdrawTransaction)
    return approvals.withdraw_transaction(registry, actor, command)


def four_eyes_for_external_transfers(net: Network) -> None:
    # Four eyes needs two people who may approve (C4017): XXB's administrator and another.
    installer = Actor("installer", Role.SECRETARIAT)
    for name in (XXB_ADMIN.name, XXB_SECOND_ADMIN.name):
        with contextlib.suppress(CommandRefused):  # a test may have made one already
            identity.create_section_user(
                net.nodes["XXB01"].registry,
                installer,
                identity.CreateUser(name=name, display_name=name, password=f"{name}-pass-phrase-1"),
                identity.GrantRole(role=Role.ADMINISTRATOR, party="XXB"),
            )
    parties.set_approval_policy(
        net.nodes["XXB01"].registry,
        XXB_ADMIN,
        c.SetApprovalPolicy(kind=TransactionKind.EXTERNAL_TRANSFER, four_eyes=True),
    )


def test_an_entitys_transfer_abroad_waits_for_the_party_and_leaves_only_when_approved(network):
    net, accounts = network
    representative, account = entity_of_xxb(net)

    pending = send_as(net, representative, account, 30)
    net.settle()

    assert pending.transaction.status == "awaiting_approval"
    # Where it goes is the counterpart, not a purpose.
    assert (pending.transaction.counterpart, pending.transaction.purpose) == (
        f"{itmo_holding(net, 'IR', 'XXA')} in IR",
        None,
    )
    assert holding(net, "XXB01", account) == (100, 30)
    assert net.hub.transactions() == {}
    assert transfers(net.nodes["XXB01"].registry) == {}

    approved = decide(net, XXB_ADMIN, c.ApproveTransaction(transaction=pending.record))
    assert approved.transaction.status == "proposed"
    assert approved.transaction.approver == XXB_ADMIN.label
    net.settle()

    assert net.hub.transactions() == {pending.record: "completed"}
    assert transfers(net.nodes["IR"].registry) == {pending.record: "completed"}
    assert holding(net, "XXB01", account) == (70, 0)
    assert holding(net, "IR", accounts["XXA Party itmo_holding"]) == (30, 0)
    assert_sound(net)


def test_under_four_eyes_an_administrator_cannot_approve_their_own_transfer_abroad(network):
    net, accounts = network
    four_eyes_for_external_transfers(net)

    pending = send(net, "XXB01", accounts[AMO], "IR", "XXA", 100)
    assert pending.transaction.status == "awaiting_approval"
    with pytest.raises(CommandRefused) as refused:
        decide(net, XXB_ADMIN, c.ApproveTransaction(transaction=pending.record))
    assert refused.value.codes == ["C4002"]
    net.settle()
    assert net.hub.transactions() == {}

    decide(net, XXB_SECOND_ADMIN, c.ApproveTransaction(transaction=pending.record))
    net.settle()

    assert transfers(net.nodes["XXB01"].registry) == {pending.record: "completed"}
    assert holding(net, "XXB01", accounts[AMO]) == (500, 0)
    assert_sound(net)


def test_without_the_policy_an_administrators_transfer_abroad_leaves_at_once(network):
    net, accounts = network
    receipt = send(net, "XXB01", accounts[AMO], "IR", "XXA", 100)
    assert receipt.transaction.status == "proposed"
    net.settle()
    assert net.hub.transactions() == {receipt.record: "completed"}
    assert_sound(net)


@pytest.mark.parametrize("ending", ["rejected", "withdrawn", "expired"])
def test_a_transfer_abroad_that_is_never_approved_gives_its_units_back(network, clock, ending):
    net, accounts = network
    four_eyes_for_external_transfers(net)
    pending = send(net, "XXB01", accounts[AMO], "IR", "XXA", 100)
    assert holding(net, "XXB01", accounts[AMO]) == (600, 100)

    if ending == "rejected":
        ended = decide(
            net, XXB_SECOND_ADMIN, c.RejectTransaction(transaction=pending.record, reason="no")
        ).transaction.status
    elif ending == "withdrawn":
        ended = decide(
            net, XXB_ADMIN, c.WithdrawTransaction(transaction=pending.record)
        ).transaction.status
    else:
        clock.advance(timedelta(days=31))
        assert approvals.expire_pending(net.nodes["XXB01"].registry, XXB_ADMIN) == [pending.record]
        ended = "cancelled"
    net.settle()

    assert ended == ("rejected" if ending == "rejected" else "cancelled")
    assert holding(net, "XXB01", accounts[AMO]) == (600, 0)
    assert net.hub.transactions() == {}
    assert transfers(net.nodes["XXB01"].registry) == {}
    with pytest.raises(CommandRefused) as refused:
        decide(net, XXB_SECOND_ADMIN, c.ApproveTransaction(transaction=pending.record))
    assert refused.value.codes == ["C4007"]
    assert_sound(net)


def test_approval_checks_the_transfer_again(network):
    """Between the request and its approval the Party suspended the entity's authorization for
    the cooperative approach: approval is refused and the units stay reserved until rejected."""
    net, _ = network
    representative, account = entity_of_xxb(net)
    pending = send_as(net, representative, account, 30)
    authorized_entities.set_entity_status(
        net.nodes["XXB01"].registry,
        XXB_ADMIN,
        c.SetEntityStatus(
            entity=representative.entity, cooperative_approach=CLEAN_ENERGY, status="suspended"
        ),
    )

    with pytest.raises(CommandRefused) as refused:
        decide(net, XXB_ADMIN, c.ApproveTransaction(transaction=pending.record))

    assert refused.value.codes == ["C3005"]
    assert holding(net, "XXB01", account) == (100, 30)
    net.settle()
    assert net.hub.transactions() == {}
    decide(net, XXB_ADMIN, c.RejectTransaction(transaction=pending.record, reason="suspended"))
    assert holding(net, "XXB01", account) == (100, 0)
    assert_sound(net)


def caller(net: Network, clock, actor: Actor) -> dict[str, str]:
    """`actor` as a user of XXB's registry, signed in over HTTP: its bearer header."""
    registry = net.nodes["XXB01"].registry
    secret, password = totp.new_secret(), "external-transfer-password"
    identity.create_section_user(
        registry,
        Actor("installer", Role.SECRETARIAT),
        identity.CreateUser(name=actor.name, display_name=actor.name, password=password),
        identity.GrantRole(role=actor.role, party=actor.party, entity=actor.entity),
        totp_secret=secret,
    )
    clock.advance(timedelta(seconds=totp.STEP_SECONDS))
    with TestClient(create_app(registry, Settings())) as client:
        signed_in = client.post(
            "/api/v1/tokens",
            json={"name": actor.name, "password": password, "code": totp.code_at(secret, clock())},
        )
    assert signed_in.status_code == 201, signed_in.text
    return {"Authorization": f"Bearer {signed_in.json()['token']}"}


def test_over_the_api_an_entity_asks_and_the_party_sends_the_units_abroad(network, clock):
    net, accounts = network
    representative, account = entity_of_xxb(net)
    entity_user, admin = caller(net, clock, representative), caller(net, clock, XXB_ADMIN)
    request = {
        "source_account": account,
        "acquiring_registry": "IR",
        "acquiring_account": itmo_holding(net, "IR", "XXA"),
        "acquiring_party": "XXA",
        "units": {"quantity": 25},
    }
    with TestClient(create_app(net.nodes["XXB01"].registry, Settings())) as client:
        asked = client.post(
            "/api/v1/parties/XXB/external-transfers", json=request, headers=entity_user
        )
        assert asked.status_code == 201, asked.text
        pending = asked.json()["transaction"]
        assert pending["status"] == "awaiting_approval"
        assert pending["kind"] == "external_transfer"

        mine = client.post(
            f"/api/v1/parties/XXB/transactions/{pending['identifier']}/approval",
            headers=entity_user,
        )
        assert mine.status_code == 403, mine.text
        approved = client.post(
            f"/api/v1/parties/XXB/transactions/{pending['identifier']}/approval", headers=admin
        )
        assert approved.status_code == 200, approved.text
        assert approved.json()["transaction"]["status"] == "proposed"

        to_itself = client.post(
            "/api/v1/parties/XXB/external-transfers",
            json={**request, "acquiring_registry": "XXB01"},
            headers=entity_user,  # the entity's account: its representative asks
        )
        assert to_itself.status_code == 422
        assert [(c["check"], c["field"]) for c in to_itself.json()["checks"]] == [
            ("C4005", "acquiring_registry")
        ]
    net.settle()

    assert net.hub.transactions() == {pending["identifier"]: "completed"}
    assert holding(net, "XXB01", account) == (75, 0)
    assert holding(net, "IR", accounts["XXA Party itmo_holding"]) == (25, 0)
    assert_sound(net)


def test_the_web_offers_the_transfer_abroad_only_where_the_hub_is_known(network, clock, registries):
    net, accounts = network
    password, secret = "web-external-password", totp.new_secret()
    identity.create_section_user(
        net.nodes["XXB01"].registry,
        Actor("installer", Role.SECRETARIAT),
        identity.CreateUser(name=XXB_ADMIN.name, display_name="XXB admin", password=password),
        identity.GrantRole(role=Role.ADMINISTRATOR, party="XXB"),
        totp_secret=secret,
    )
    clock.advance(timedelta(seconds=totp.STEP_SECONDS))
    client = TestClient(create_app(net.nodes["XXB01"].registry, Settings()))
    signed = client.post(
        "/sign-in",
        data={"name": XXB_ADMIN.name, "password": password, "code": totp.code_at(secret, clock())},
        follow_redirects=False,
    )
    assert signed.status_code == 303
    assert "Transfer to another registry" in client.get("/actions").text
    assert not connected_to_hub(registries["a64"])  # a registry never connected to the hub

    fields = {
        "csrf_token": client.cookies.get("article6_csrf"),
        "source_account": accounts[AMO],
        "acquiring_registry": "IR",
        "acquiring_account": itmo_holding(net, "IR", "XXA"),
        "acquiring_party": "XXA",
        "quantity": "60",
    }
    shown = client.post("/actions/external-transfer", data={**fields, "step": "preview"})
    assert shown.status_code == 200, shown.text
    assert "Sent to the hub at once" in shown.text
    assert holding(net, "XXB01", accounts[AMO]) == (600, 0)  # the preview kept nothing
    key = re.search(r'name="idempotency_key" value="([^"]+)"', shown.text)
    assert key is not None
    done = client.post(
        "/actions/external-transfer",
        data={**fields, "step": "confirm", "idempotency_key": key.group(1)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    record = done.headers["location"].split("/transactions/")[1].split("?")[0]
    net.settle()
    assert net.hub.transactions() == {record: "completed"}
    assert holding(net, "XXB01", accounts[AMO]) == (540, 0)

    four_eyes_for_external_transfers(net)
    waiting = client.post(
        "/actions/external-transfer",
        data={**fields, "step": "confirm", "idempotency_key": "second-request"},
        follow_redirects=False,
    )
    pending = waiting.headers["location"].split("/transactions/")[1].split("?")[0]
    inbox = client.get("/approvals").text
    assert pending in inbox and f"{itmo_holding(net, 'IR', 'XXA')} in IR" in inbox
    assert holding(net, "XXB01", accounts[AMO]) == (540, 60)
    assert_sound(net)


def test_a_transfer_abroad_is_not_approved_while_a_reconciliation_holds_the_registry(network):
    """C2006: approval would send units out in the middle of the hub's comparison."""
    net, accounts = network
    registry = net.nodes["XXB01"].registry
    four_eyes_for_external_transfers(net)
    pending = send(net, "XXB01", accounts[AMO], "IR", "XXA", 100)
    run = ReconciliationRequest(
        reconciliation_id="R-test", phase=ReconciliationPhase.TOTALS, snapshot_at=clock_of(net)
    )
    with unit_of_work(registry.engine) as connection:
        holds.place(connection, registry, run, clock_of(net) + timedelta(hours=1))

    with pytest.raises(CommandRefused) as refused:
        decide(net, XXB_SECOND_ADMIN, c.ApproveTransaction(transaction=pending.record))
    assert refused.value.codes == ["C2006"]
    assert holding(net, "XXB01", accounts[AMO]) == (600, 100)

    with unit_of_work(registry.engine) as connection:
        holds.lift(connection, registry, "R-test", "the run completed")
    decide(net, XXB_SECOND_ADMIN, c.ApproveTransaction(transaction=pending.record))
    net.settle()
    assert net.hub.transactions() == {pending.record: "completed"}
    assert_sound(net)


def clock_of(net: Network) -> datetime:
    return net.nodes["XXB01"].registry.now()
