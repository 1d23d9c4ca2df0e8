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
from article6.domain.messages import (
    Body,
    Envelope,
    ProposalOutcome,
    ProposalResponse,
)
from article6.domain.protocol import HUB
from article6.interop.envelope import seal
from article6.interop.node import RegistryNode
from article6.services import acceptances
from article6.services import commands as c
from article6.services.aef_versions import open_aef
from article6.services.external_transfer_status import transfers

AMO = "XXB Party amo_holding"
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


def test_unanswered_by_the_proposals_deadline_the_transfer_is_returned(waiting: Any, clock: Any):
    net, accounts, transfer = waiting
    clock.advance(timedelta(hours=23))
    assert acceptances.return_overdue(net.nodes["IR"].registry, SECRETARIAT) == []

    clock.advance(timedelta(hours=2))  # the hub's deadline for the answer, within XXA's ten days
    assert acceptances.return_overdue(net.nodes["IR"].registry, SECRETARIAT) == [transfer]
    net.settle()

    assert transfers(net.nodes["XXB01"].registry) == {transfer: "rejected"}
    assert net.hub.transactions() == {transfer: "rejected"}
    assert holding(net, "XXB01", accounts[AMO]) == (600, 0)
    assert_sound(net)


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
