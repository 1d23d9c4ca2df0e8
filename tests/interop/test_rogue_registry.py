"""A connected registry that is hostile: it asks the hub about other registries' transactions
and proposes under their transaction ids, hoping to take those ids before their owners use them.
The hub refuses it with C6107 and records nothing; the owner's transfers then complete."""

from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from observations import assert_sound, holding, send

from article6.demo.network import Fate
from article6.domain.messages import (
    Body,
    Envelope,
    TransactionStatusQuery,
    TransferProposal,
)
from article6.domain.protocol import HUB
from article6.domain.protocol import Role as NodeRole
from article6.interop.envelope import seal
from article6.interop.node import RegistryNode
from article6.services.external_transfer_status import transfers
from article6.store import outbox_messages
from article6.store.database import unit_of_work

AMO = "XXB Party amo_holding"


@pytest.fixture
def rogue(network, registries):
    """XXD01: a connected registry like any other, with its own key, in the hub's directory."""
    net, _ = network
    node = RegistryNode.open(registries["a64"], "XXD01", NodeRole.NATIONAL)
    net.connect(node, ("XXD01",))
    return node


def signed(node: RegistryNode, body: Body) -> dict:
    """A genuine message of `node` to the hub: its envelope, signed with its own key."""
    envelope = Envelope(
        message_type=type(body).__name__,
        message_id=str(uuid.uuid4()),
        from_registry=node.registry_id,
        to_registry=HUB,
        sent_at=node.now(),
    ).model_dump(mode="json", exclude_none=True)
    return seal(envelope, body.model_dump(mode="json"), node.identity.key)


def codes(ack):
    return [e.code for e in ack.evaluation]


def sent_to(net, registry: str) -> list[str]:
    """The message types the hub has written to `registry`."""
    with unit_of_work(net.hub.registry.engine, read_only=True) as connection:
        return [
            row.message.message_type
            for row in outbox_messages.due(connection, net.hub.now() + timedelta(days=1), 1000)
            if row.message.to_registry == registry
        ]


def test_a_rogue_registry_cannot_cancel_another_registrys_next_transactions(network, rogue):
    net, accounts = network
    guesses = [f"XXB01-{n:08d}" for n in range(1, 11)]

    for guess in guesses:
        ack = net.hub.receive(signed(rogue, TransactionStatusQuery(transaction_id=guess)))
        assert ack.result == "invalid" and codes(ack) == ["C6107"], guess
        assert "unknown" in ack.evaluation[0].detail

    assert net.hub.transactions() == {}
    assert sent_to(net, "XXD01") == []
    receipt = send(net, "XXB01", accounts[AMO], "IR", "XXA", 100)
    assert receipt.record in guesses
    net.settle()

    assert net.hub.transactions() == {receipt.record: "completed"}
    assert transfers(net.nodes["XXB01"].registry) == {receipt.record: "completed"}
    assert transfers(net.nodes["IR"].registry) == {receipt.record: "completed"}
    assert holding(net, "XXB01", accounts[AMO]) == (500, 0)
    assert_sound(net)


def test_a_rogue_registry_learns_nothing_of_a_transfer_between_others(network, rogue):
    net, accounts = network
    receipt = send(net, "XXB01", accounts[AMO], "IR", "XXA", 100)
    net.settle()

    ack = net.hub.receive(signed(rogue, TransactionStatusQuery(transaction_id=receipt.record)))

    assert ack.result == "invalid" and codes(ack) == ["C6107"]
    assert sent_to(net, "XXD01") == []
    assert net.hub.transactions() == {receipt.record: "completed"}
    assert_sound(net)


def test_a_rogue_registry_cannot_propose_under_another_registrys_transaction_id(network, rogue):
    net, accounts = network
    net.transport.intercept = lambda peer, wire: (
        Fate.HOLD if wire["envelope"]["message_type"] == "TransferProposal" else Fate.DELIVER
    )
    receipt = send(net, "XXB01", accounts[AMO], "IR", "XXA", 100)
    net.settle()
    net.transport.intercept = None
    ((_, genuine),) = net.transport.held
    net.transport.held.clear()
    # The rogue sends XXB01's id first, with a proposal of its own that the hub would terminate.
    squatter = TransferProposal.model_validate(
        {**genuine["body"], "transferring_registry": "XXD01", "transferring_party": "XXD"}
    )

    ack = net.hub.receive(signed(rogue, squatter))

    assert ack.result == "invalid" and codes(ack) == ["C6107"]
    assert net.hub.transactions() == {}
    assert net.hub.receive(genuine).result == "received"
    net.settle()
    assert net.hub.transactions() == {receipt.record: "completed"}
    assert transfers(net.nodes["XXB01"].registry) == {receipt.record: "completed"}
    assert_sound(net)


@pytest.mark.parametrize(
    ("sender", "account", "to", "party"),
    [("XXB01", AMO, "IR", "XXA"), ("IR", "XXA Party itmo_holding", "XXB01", "XXB")],
)
def test_the_owners_question_about_a_proposal_the_hub_never_saw_cancels_it_for_good(
    network, clock, sender, account, to, party
):
    net, accounts = network
    if sender == "IR":  # the IR needs ITMOs of XXA first
        send(net, "XXB01", accounts[AMO], "IR", "XXA", 100)
        net.settle()
    before = holding(net, sender, accounts[account])
    net.transport.intercept = lambda peer, wire: (
        Fate.HOLD if wire["envelope"]["message_type"] == "TransferProposal" else Fate.DELIVER
    )
    receipt = send(net, sender, accounts[account], to, party, 30)
    net.settle()
    ((_, late),) = net.transport.held
    net.transport.held.clear()
    net.transport.intercept = None

    clock.advance(timedelta(hours=25))
    assert net.nodes[sender].ask_about_overdue() == [receipt.record]
    net.settle()
    assert net.hub.transactions()[receipt.record] == "cancelled"
    assert transfers(net.nodes[sender].registry)[receipt.record] == "cancelled"
    assert holding(net, sender, accounts[account]) == before

    # The proposal arrives at last, and again: the hub answers cancelled both times.
    for _ in range(2):
        again = Envelope.model_validate(late["envelope"]).model_copy(
            update={"message_id": str(uuid.uuid4()), "sent_at": clock()}
        )
        wire = seal(
            again.model_dump(mode="json", exclude_none=True),
            late["body"],
            net.nodes[sender].identity.key,
        )
        assert net.hub.receive(wire).result == "received"
        net.settle()
        assert net.hub.transactions()[receipt.record] == "cancelled"
    assert receipt.record not in transfers(net.nodes[to].registry)
    assert transfers(net.nodes[sender].registry)[receipt.record] == "cancelled"
    assert holding(net, sender, accounts[account]) == before
    assert_sound(net)
