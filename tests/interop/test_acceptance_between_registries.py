"""Acceptance across registries (issue #18): XXA, in the IR, has incoming transfers wait ten
days for its acceptance; XXB's registry (XXB01) transfers AMOs to XXA through the hub. The IR
checks the proposal and holds its answer: XXB01 keeps the units reserved, the IR has none yet.
XXA's acceptance sends the hub the protocol's ACCEPTED, its refusal or the deadline REJECTED;
both registries then agree, and so do both Parties' AEF. A registry cannot answer for a
transfer it does not acquire, and an answer sent again changes nothing."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest
from observations import assert_sound, holding, itmo_holding, send

from article6.demo.network import XXB_ADMIN
from article6.demo.world import SECRETARIAT, XXA_ADMIN
from article6.domain.access import Actor, Role
from article6.domain.checks import CommandRefused
from article6.domain.filters import JournalFilter
from article6.domain.messages import (
    AcceptanceHold,
    Body,
    Envelope,
    ProposalOutcome,
    ProposalResponse,
    TransferProposal,
    TransferWithdrawal,
)
from article6.domain.protocol import HUB
from article6.interop.envelope import seal
from article6.interop.node import RegistryNode
from article6.services import acceptances, approvals
from article6.services import commands as c
from article6.services.aef_versions import open_aef
from article6.services.external_transfer_status import transfers
from article6.services.reads import ledger
from article6.store import external_transfers, hub_transfers
from article6.store.database import aware, unit_of_work

AMO = "XXB Party amo_holding"
READERS = {"IR": (SECRETARIAT, None), "XXB01": (XXB_ADMIN, "XXB")}
MOVES = {"First transfer", "Transfer", "Acquisition"}


@pytest.fixture
def waiting(network: Any) -> tuple[Any, dict[str, str], str]:
    """XXA waits ten days; XXB01 has proposed 100 units to XXA's ITMO holding account."""
    net, accounts = network
    ir = net.nodes["IR"].registry
    acceptances.set_acceptance(ir, XXA_ADMIN, c.SetAcceptance(acceptance_days=10))
    receipt = send(net, "XXB01", accounts[AMO], "IR", "XXA", 100)
    net.settle()
    return net, accounts, receipt.record


def signed(node: RegistryNode, body: Body) -> dict[str, Any]:
    """A genuine message of `node` to the hub, signed with its own key."""
    envelope = Envelope(
        message_type=type(body).__name__,
        message_id=str(uuid.uuid4()),
        from_registry=node.registry_id,
        to_registry=HUB,
        sent_at=node.now(),
    ).model_dump(mode="json", exclude_none=True)
    return seal(envelope, body.model_dump(mode="json"), node.identity.key)


def moves(net: Any, registry: str, actor: Any, party: str) -> list[tuple[str, int]]:
    """Table 3's actions between Parties in `party`'s AEF of the year, with their quantities."""
    year = net.nodes[registry].registry.now().year
    with open_aef(net.nodes[registry].registry, actor, party, year) as document:
        rows = next(t.rows for t in document.tables if t.spec.number == 3)
        return sorted((str(r[1]), int(r[15])) for r in rows if str(r[1]) in MOVES)


def test_the_acquiring_registry_holds_its_answer_until_the_party_accepts(waiting: Any):
    net, accounts, transfer = waiting
    xxa_itmo = itmo_holding(net, "IR", "XXA")

    assert transfers(net.nodes["IR"].registry) == {transfer: "proposed"}
    assert net.hub.transactions()[transfer] != "completed"
    assert holding(net, "XXB01", accounts[AMO]) == (600, 100)
    assert holding(net, "IR", xxa_itmo) == (0, 0)
    incoming = acceptances.incoming_transfers(net.nodes["IR"].registry, XXA_ADMIN, "XXA")
    assert [(t.identifier, t.quantity, t.transferring_party) for t in incoming] == [
        (transfer, 100, "XXB")
    ]

    accepted = acceptances.accept_transfer(
        net.nodes["IR"].registry, XXA_ADMIN, c.AcceptTransfer(transaction=transfer)
    )
    assert accepted.status == "accepted"
    net.settle()

    assert transfers(net.nodes["XXB01"].registry) == {transfer: "completed"}
    assert transfers(net.nodes["IR"].registry) == {transfer: "completed"}
    assert net.hub.transactions() == {transfer: "completed"}
    assert holding(net, "XXB01", accounts[AMO]) == (500, 0)
    assert holding(net, "IR", xxa_itmo) == (100, 0)
    assert moves(net, "IR", XXA_ADMIN, "XXA") == [("Acquisition", 100)]
    assert [q for _, q in moves(net, "XXB01", XXB_ADMIN, "XXB")] == [100]
    assert_sound(net)


def test_a_refusal_is_sent_as_rejected_and_the_sender_gets_its_units_back(waiting: Any):
    net, accounts, transfer = waiting

    acceptances.refuse_transfer(
        net.nodes["IR"].registry,
        XXA_ADMIN,
        c.RefuseTransfer(transaction=transfer, reason="no contract"),
    )
    net.settle()

    assert transfers(net.nodes["XXB01"].registry) == {transfer: "rejected"}
    assert transfers(net.nodes["IR"].registry) == {transfer: "rejected"}
    assert net.hub.transactions() == {transfer: "rejected"}
    assert holding(net, "XXB01", accounts[AMO]) == (600, 0)
    assert holding(net, "IR", itmo_holding(net, "IR", "XXA")) == (0, 0)
    assert moves(net, "IR", XXA_ADMIN, "XXA") == []
    assert moves(net, "XXB01", XXB_ADMIN, "XXB") == []
    assert_sound(net)


def journaled(net: Any, registry: str, transfer: str) -> list[str]:
    """The events `registry`'s journal holds about `transfer`, in order."""
    about = JournalFilter(subject=transfer)
    node = net.nodes[registry].registry
    actor, party = READERS[registry]
    return [e.event for e in ledger.journal(node, actor, party, about).items]


def test_the_hub_holds_the_transfer_for_the_acquiring_partys_ten_days(waiting: Any, clock: Any):
    """XXA waits ten days, longer than the hub's 24 hours for an answer: the IR asked the hub
    to hold the transfer (1.2); the hub took it and told both registries, which journal it."""
    net, accounts, transfer = waiting
    ten_days = net.nodes["IR"].now() + timedelta(days=10)

    with unit_of_work(net.hub.registry.engine, read_only=True) as connection:
        held = hub_transfers.transfer(connection, transfer)
    assert held is not None and aware(held.expires_at) == ten_days
    for registry in ("IR", "XXB01"):
        with unit_of_work(net.nodes[registry].registry.engine, read_only=True) as connection:
            row = external_transfers.transfer(connection, transfer)
        assert row is not None and aware(row.expires_at) == ten_days, registry
    assert "IncomingTransferHeld" in journaled(net, "IR", transfer)
    assert "ExternalTransferHeldForAcceptance" in journaled(net, "XXB01", transfer)

    clock.advance(timedelta(days=2))  # past the proposal's own 24 hours
    assert net.hub.expire_transfers() == []
    assert net.nodes["XXB01"].ask_about_overdue() == []
    assert acceptances.return_overdue(net.nodes["IR"].registry, SECRETARIAT) == []
    acceptances.accept_transfer(
        net.nodes["IR"].registry, XXA_ADMIN, c.AcceptTransfer(transaction=transfer)
    )
    net.settle()

    assert net.hub.transactions() == {transfer: "completed"}
    assert holding(net, "XXB01", accounts[AMO]) == (500, 0)
    assert holding(net, "IR", itmo_holding(net, "IR", "XXA")) == (100, 0)
    assert moves(net, "IR", XXA_ADMIN, "XXA") == [("Acquisition", 100)]
    assert [q for _, q in moves(net, "XXB01", XXB_ADMIN, "XXB")] == [100]
    assert_sound(net)


def test_past_the_hold_the_units_go_back_to_the_transferring_party(waiting: Any, clock: Any):
    net, accounts, transfer = waiting
    clock.advance(timedelta(days=10, minutes=1))

    assert net.hub.expire_transfers() == [transfer]  # the hub's sweep may come first
    assert acceptances.return_overdue(net.nodes["IR"].registry, SECRETARIAT) in ([], [transfer])
    net.settle()

    assert net.hub.transactions() == {transfer: "cancelled"}
    assert transfers(net.nodes["XXB01"].registry) == {transfer: "cancelled"}
    assert transfers(net.nodes["IR"].registry)[transfer] in ("cancelled", "rejected")
    assert holding(net, "XXB01", accounts[AMO]) == (600, 0)
    assert holding(net, "IR", itmo_holding(net, "IR", "XXA")) == (0, 0)
    assert "ExternalTransferEnded" in journaled(net, "XXB01", transfer)
    assert moves(net, "IR", XXA_ADMIN, "XXA") == []
    assert moves(net, "XXB01", XXB_ADMIN, "XXB") == []
    assert_sound(net)


def test_a_hub_that_takes_no_hold_keeps_its_24_hours(network: Any, clock: Any):
    """A hub bounding holds at nothing (as one that does not know them refuses them): the
    transfer is answered or returned by the proposal's own deadline, as before 1.2."""
    net, accounts = network
    net.hub.acceptance_hold_limit = timedelta(0)
    ir = net.nodes["IR"].registry
    acceptances.set_acceptance(ir, XXA_ADMIN, c.SetAcceptance(acceptance_days=10))
    transfer = send(net, "XXB01", accounts[AMO], "IR", "XXA", 100).record
    net.settle()
    clock.advance(timedelta(hours=23))
    assert acceptances.return_overdue(ir, SECRETARIAT) == []

    clock.advance(timedelta(hours=2))
    assert acceptances.return_overdue(ir, SECRETARIAT) == [transfer]
    net.settle()

    assert transfers(net.nodes["XXB01"].registry) == {transfer: "rejected"}
    assert net.hub.transactions() == {transfer: "rejected"}
    assert holding(net, "XXB01", accounts[AMO]) == (600, 0)
    assert_sound(net)


def hold(transfer: str, until: Any, party: str = "XXA") -> AcceptanceHold:
    return AcceptanceHold(transaction_id=transfer, acquiring_party=party, held_until=until)


def test_the_hub_takes_a_hold_only_from_the_acquiring_registry(waiting: Any, clock: Any):
    net, _accounts, transfer = waiting
    later = net.hub.now() + timedelta(days=20)

    ack = net.hub.receive(signed(net.nodes["XXB01"], hold(transfer, later)))
    assert ack.result == "invalid" and [e.code for e in ack.evaluation] == ["C6115"]

    ack = net.hub.receive(signed(net.nodes["IR"], hold(transfer, later, party="XXC")))
    assert ack.result == "invalid" and [e.code for e in ack.evaluation] == ["C6115"]

    ack = net.hub.receive(signed(net.nodes["IR"], hold("XXB01-99999999", later)))
    assert ack.result == "invalid" and [e.code for e in ack.evaluation] == ["C6115"]
    clock.advance(timedelta(days=10, minutes=1))
    assert net.hub.expire_transfers() == [transfer]  # the ten days stand, not twenty


def test_the_hub_refuses_a_hold_beyond_its_bound_or_before_the_deadline(waiting: Any):
    net, _accounts, transfer = waiting
    with unit_of_work(net.hub.registry.engine, read_only=True) as connection:
        row = hub_transfers.transfer(connection, transfer)
    assert row is not None
    proposed = TransferProposal.model_validate_json(row.proposal)
    bound = aware(proposed.expires_at) + net.hub.acceptance_hold_limit

    for until in (bound + timedelta(seconds=1), aware(row.expires_at), net.hub.now()):
        ack = net.hub.receive(signed(net.nodes["IR"], hold(transfer, until)))
        assert ack.result == "invalid" and [e.code for e in ack.evaluation] == ["C6116"], until
    with unit_of_work(net.hub.registry.engine, read_only=True) as connection:
        after = hub_transfers.transfer(connection, transfer)
    assert after is not None and after.expires_at == row.expires_at

    ack = net.hub.receive(signed(net.nodes["IR"], hold(transfer, bound)))
    assert ack.result == "received"


def test_a_hold_sent_to_a_registry_by_anyone_but_the_hub_changes_nothing(waiting: Any):
    """Registries talk through the hub: a hold signed by the IR and sent to XXB01 straight
    is not the hub's word."""
    net, _accounts, transfer = waiting
    with unit_of_work(net.nodes["XXB01"].registry.engine, read_only=True) as connection:
        before = external_transfers.transfer(connection, transfer)
    body = hold(transfer, net.hub.now() + timedelta(days=80))
    envelope = Envelope(
        message_type="AcceptanceHold",
        message_id=str(uuid.uuid4()),
        from_registry="IR",
        to_registry="XXB01",
        sent_at=net.hub.now(),
    ).model_dump(mode="json", exclude_none=True)
    wire = seal(envelope, body.model_dump(mode="json"), net.nodes["IR"].identity.key)

    net.nodes["XXB01"].receive(wire)

    with unit_of_work(net.nodes["XXB01"].registry.engine, read_only=True) as connection:
        after = external_transfers.transfer(connection, transfer)
    assert after == before


def withdraw(net: Any, transfer: str, actor: Any = XXB_ADMIN) -> Any:
    return approvals.withdraw_transaction(
        net.nodes["XXB01"].registry,
        actor,
        c.WithdrawTransaction(transaction=transfer, reason="sold elsewhere"),
    )


def test_the_transferring_party_withdraws_a_transfer_waiting_abroad(waiting: Any):
    net, accounts, transfer = waiting

    asked = withdraw(net, transfer)
    assert asked.status == "withdrawal asked"
    assert holding(net, "XXB01", accounts[AMO]) == (600, 100)  # until the hub's word
    net.settle()

    assert net.hub.transactions() == {transfer: "cancelled"}
    assert transfers(net.nodes["XXB01"].registry) == {transfer: "cancelled"}
    assert transfers(net.nodes["IR"].registry) == {transfer: "cancelled"}
    assert holding(net, "XXB01", accounts[AMO]) == (600, 0)
    assert holding(net, "IR", itmo_holding(net, "IR", "XXA")) == (0, 0)
    assert acceptances.incoming_transfers(net.nodes["IR"].registry, XXA_ADMIN, "XXA") == []
    xxb = journaled(net, "XXB01", transfer)
    assert "ExternalTransferWithdrawalAsked" in xxb and "ExternalTransferEnded" in xxb
    assert "IncomingTransferEnded" in journaled(net, "IR", transfer)
    assert moves(net, "IR", XXA_ADMIN, "XXA") == []
    assert moves(net, "XXB01", XXB_ADMIN, "XXB") == []
    refusals = acceptance_refused(net, transfer)
    assert refusals == {"C2013"}
    assert_sound(net)


def acceptance_refused(net: Any, transfer: str) -> set[str]:
    try:
        acceptances.accept_transfer(
            net.nodes["IR"].registry, XXA_ADMIN, c.AcceptTransfer(transaction=transfer)
        )
    except CommandRefused as refused:
        return {r.check.code for r in refused.refusals}
    return set()


def test_an_acceptance_the_hub_took_first_wins_over_a_withdrawal(waiting: Any):
    """The race decided at the hub: XXA accepts, XXB withdraws before either answer arrived;
    the hub takes the acceptance first, so the withdrawal finds the transfer completed."""
    net, accounts, transfer = waiting
    acceptances.accept_transfer(
        net.nodes["IR"].registry, XXA_ADMIN, c.AcceptTransfer(transaction=transfer)
    )
    withdraw(net, transfer)
    net.nodes["IR"].deliver_pending(net.transport)  # the acceptance reaches the hub first
    net.settle()

    assert net.hub.transactions() == {transfer: "completed"}
    assert transfers(net.nodes["XXB01"].registry) == {transfer: "completed"}
    assert transfers(net.nodes["IR"].registry) == {transfer: "completed"}
    assert holding(net, "XXB01", accounts[AMO]) == (500, 0)
    assert holding(net, "IR", itmo_holding(net, "IR", "XXA")) == (100, 0)
    assert moves(net, "IR", XXA_ADMIN, "XXA") == [("Acquisition", 100)]
    assert [q for _, q in moves(net, "XXB01", XXB_ADMIN, "XXB")] == [100]
    assert_sound(net)


def test_a_withdrawal_the_hub_took_first_wins_over_an_acceptance(waiting: Any):
    net, accounts, transfer = waiting
    withdraw(net, transfer)
    acceptances.accept_transfer(
        net.nodes["IR"].registry, XXA_ADMIN, c.AcceptTransfer(transaction=transfer)
    )
    net.nodes["XXB01"].deliver_pending(net.transport)  # the withdrawal reaches the hub first
    net.settle()

    assert net.hub.transactions() == {transfer: "cancelled"}
    assert transfers(net.nodes["XXB01"].registry) == {transfer: "cancelled"}
    assert transfers(net.nodes["IR"].registry) == {transfer: "cancelled"}
    assert holding(net, "XXB01", accounts[AMO]) == (600, 0)
    assert holding(net, "IR", itmo_holding(net, "IR", "XXA")) == (0, 0)
    assert moves(net, "IR", XXA_ADMIN, "XXA") == []
    assert moves(net, "XXB01", XXB_ADMIN, "XXB") == []
    assert_sound(net)


def test_the_hub_takes_a_withdrawal_only_from_the_transferring_registry(waiting: Any):
    net, accounts, transfer = waiting
    forged = TransferWithdrawal(transaction_id=transfer, transferring_party="XXB", reason="x")

    ack = net.hub.receive(signed(net.nodes["IR"], forged))

    assert ack.result == "invalid" and [e.code for e in ack.evaluation] == ["C6117"]
    net.settle()
    assert net.hub.transactions()[transfer] == "checked"
    assert holding(net, "XXB01", accounts[AMO]) == (600, 100)


def test_only_the_transferring_party_withdraws(waiting: Any):
    net, _accounts, transfer = waiting
    xxb_other = Actor("xxb.someone", Role.PARTY_USER, "XXB")
    with pytest.raises(CommandRefused) as refused:
        withdraw(net, transfer, xxb_other)
    assert {r.check.code for r in refused.value.refusals} == {"C2016"}
    net.settle()
    assert net.hub.transactions()[transfer] == "checked"


def test_the_transferring_registry_cannot_answer_for_the_acquiring_one(waiting: Any):
    net, accounts, transfer = waiting
    forged = ProposalResponse(transaction_id=transfer, outcome=ProposalOutcome.ACCEPTED)

    ack = net.hub.receive(signed(net.nodes["XXB01"], forged))

    assert ack.result == "invalid" and [e.code for e in ack.evaluation] == ["C6106"]
    net.settle()
    assert net.hub.transactions()[transfer] != "completed"
    assert holding(net, "XXB01", accounts[AMO]) == (600, 100)
    assert transfers(net.nodes["IR"].registry) == {transfer: "proposed"}


def test_an_acceptance_sent_again_changes_nothing(waiting: Any):
    net, accounts, transfer = waiting
    ir = net.nodes["IR"].registry
    acceptances.accept_transfer(ir, XXA_ADMIN, c.AcceptTransfer(transaction=transfer))
    net.settle()

    again = ProposalResponse(transaction_id=transfer, outcome=ProposalOutcome.ACCEPTED)
    net.hub.receive(signed(net.nodes["IR"], again))
    net.settle()

    assert net.hub.transactions() == {transfer: "completed"}
    assert holding(net, "IR", itmo_holding(net, "IR", "XXA")) == (100, 0)
    assert holding(net, "XXB01", accounts[AMO]) == (500, 0)
    assert acceptances.return_overdue(ir, SECRETARIAT) == []
    assert_sound(net)
