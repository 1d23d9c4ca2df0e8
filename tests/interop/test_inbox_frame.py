"""A received message is a command like any other: the inbox runs it through
`services.context.execute`, so a deadlock while handling it rolls everything back and the
message is handled again, once, in a fresh transaction."""

from __future__ import annotations

import copy

from observations import Deadlock, assert_sound, send
from sqlalchemy.exc import DBAPIError

from article6.demo.network import Fate
from article6.domain.messages import AckResult
from article6.interop.inbox import receive


def held_proposal(net, accounts):
    net.transport.intercept = lambda peer, wire: (
        Fate.HOLD if wire["envelope"]["message_type"] == "TransferProposal" else Fate.DELIVER
    )
    send(net, "XXB01", accounts["XXB Party amo_holding"], "IR", "XXA", 100)
    net.settle()
    net.transport.intercept = None
    ((_, wire),) = net.transport.held
    net.transport.held.clear()
    return wire


def test_a_deadlock_while_handling_a_message_is_retried_and_the_message_handled_once(network):
    net, accounts = network
    wire = held_proposal(net, accounts)
    handled = []

    def deadlocking_once(connection, envelope, body):
        handled.append(envelope.message_id)
        if len(handled) == 1:
            raise DBAPIError("UPDATE hub_transactions …", None, Deadlock())
        net.hub._handle(connection, envelope, body)

    ack = receive(net.hub.registry, net.hub.identity, wire, deadlocking_once)

    assert ack.result is AckResult.RECEIVED
    assert ack.message_id == wire["envelope"]["message_id"]
    assert handled == [ack.message_id, ack.message_id]
    assert list(net.hub.transactions()) == [wire["body"]["transaction_id"]]
    again = net.hub.receive(wire)
    assert again.result is AckResult.DUPLICATE and [e.code for e in again.evaluation] == ["C6004"]
    net.settle()
    assert_sound(net)


def test_a_refused_message_records_nothing_in_the_inbox(network):
    net, accounts = network
    wire = held_proposal(net, accounts)
    misaddressed = copy.deepcopy(wire)
    misaddressed["envelope"]["to_registry"] = "XXB01"

    ack = net.hub.receive(misaddressed)

    assert ack.result is AckResult.INVALID
    assert ack.message_id == wire["envelope"]["message_id"]
    assert [e.code for e in ack.evaluation] == ["C6006"]
    assert net.hub.transactions() == {}
    assert net.hub.receive(wire).result is AckResult.RECEIVED  # its id was not recorded
