"""Faults on the way: lost, repeated, late and reordered messages, registries that stop and
start again. Each test ends with `assert_sound`: reconciliation finds nothing, no unit is in
two registries, none is lost, and each transfer is completed on both sides or on neither."""

from __future__ import annotations

from datetime import timedelta

from observations import Deadlock, assert_sound, holding, send
from sqlalchemy.exc import DBAPIError

from article6.demo.network import Fate
from article6.services.external_transfer_status import transfers
from article6.store import external_transfers


def only(message_type: str, to: str, fate: Fate):
    def intercept(peer, wire):
        envelope = wire["envelope"]
        if envelope["message_type"] == message_type and peer.registry_id == to:
            return fate
        return Fate.DELIVER

    return intercept


def test_a_forwarded_proposal_that_never_arrives_is_cancelled_at_the_deadline(network, clock):
    net, accounts = network
    net.transport.intercept = only("TransferProposal", "IR", Fate.DROP)
    receipt = send(net, "XXB01", accounts["XXB Party amo_holding"], "IR", "XXA", 100)
    net.settle()
    assert transfers(net.nodes["XXB01"].registry) == {receipt.record: "checked"}
    assert holding(net, "XXB01", accounts["XXB Party amo_holding"]) == (600, 100)

    clock.advance(timedelta(hours=25))
    assert net.hub.expire_transfers() == [receipt.record]
    net.settle()

    assert transfers(net.nodes["XXB01"].registry) == {receipt.record: "cancelled"}
    assert holding(net, "XXB01", accounts["XXB Party amo_holding"]) == (600, 0)
    assert transfers(net.nodes["IR"].registry) == {}
    assert_sound(net)


def test_a_proposal_the_hub_never_receives_is_cancelled_when_the_sender_asks(network, clock):
    net, accounts = network
    net.transport.intercept = only("TransferProposal", "HUB", Fate.DROP)
    receipt = send(net, "XXB01", accounts["XXB Party amo_holding"], "IR", "XXA", 100)
    net.settle()
    assert transfers(net.nodes["XXB01"].registry) == {receipt.record: "proposed"}

    clock.advance(timedelta(hours=25))
    assert net.nodes["XXB01"].ask_about_overdue() == [receipt.record]
    net.settle()

    assert transfers(net.nodes["XXB01"].registry) == {receipt.record: "cancelled"}
    assert holding(net, "XXB01", accounts["XXB Party amo_holding"]) == (600, 0)
    net.transport.intercept = None
    clock.advance(timedelta(hours=1))
    net.settle()  # the late proposal, were it still queued, would be refused now
    assert net.hub.transactions() == {receipt.record: "cancelled"}
    assert_sound(net)


def test_asking_about_an_overdue_transfer_is_a_command_run_again_whole_after_a_deadlock(
    network, clock, monkeypatch
):
    """The sweep runs through `execute`: a deadlock while recording the question rolls back the
    question written to the outbox too, and the whole command runs again, so the hub is asked
    once."""
    net, accounts = network
    net.transport.intercept = only("TransferProposal", "HUB", Fate.DROP)
    receipt = send(net, "XXB01", accounts["XXB Party amo_holding"], "IR", "XXA", 100)
    net.settle()
    clock.advance(timedelta(hours=25))
    mark_queried = external_transfers.mark_queried
    attempts = []

    def deadlocking_once(connection, transaction_id, now):
        attempts.append(transaction_id)
        if len(attempts) == 1:
            raise DBAPIError("UPDATE external_transfers …", None, Deadlock())
        mark_queried(connection, transaction_id, now)

    monkeypatch.setattr(external_transfers, "mark_queried", deadlocking_once)

    assert net.nodes["XXB01"].ask_about_overdue() == [receipt.record]
    assert attempts == [receipt.record, receipt.record]
    net.settle()

    queries = [sent for sent in net.transport.log if sent[2] == "TransactionStatusQuery"]
    assert queries == [("XXB01", "HUB", "TransactionStatusQuery")]
    assert transfers(net.nodes["XXB01"].registry) == {receipt.record: "cancelled"}
    assert holding(net, "XXB01", accounts["XXB Party amo_holding"]) == (600, 0)
    assert_sound(net)


def test_every_message_delivered_twice_is_handled_once(network):
    net, accounts = network
    net.transport.intercept = lambda peer, wire: Fate.DUPLICATE
    first = send(net, "XXB01", accounts["XXB Party amo_holding"], "IR", "XXA", 100)
    net.settle()
    back = send(net, "IR", accounts["XXA Party itmo_holding"], "XXB01", "XXB", 30)
    net.settle()

    assert holding(net, "IR", accounts["XXA Party itmo_holding"]) == (70, 0)
    assert net.hub.transactions() == {first.record: "completed", back.record: "completed"}
    assert_sound(net)


def test_status_notifications_arriving_late_and_in_reverse_order_change_nothing_twice(network):
    net, accounts = network
    net.transport.intercept = only("StatusNotification", "XXB01", Fate.HOLD)
    receipt = send(net, "XXB01", accounts["XXB Party amo_holding"], "IR", "XXA", 100)
    net.settle()
    assert transfers(net.nodes["XXB01"].registry) == {receipt.record: "proposed"}
    assert transfers(net.nodes["IR"].registry) == {receipt.record: "completed"}

    net.transport.intercept = None
    acks = net.transport.release(reverse=True)  # COMPLETED first, then CHECKED

    assert [a.result for a in acks] == ["received", "received"]
    assert transfers(net.nodes["XXB01"].registry) == {receipt.record: "completed"}
    assert holding(net, "XXB01", accounts["XXB Party amo_holding"]) == (500, 0)
    assert_sound(net)


def test_a_sender_killed_before_delivery_sends_its_proposal_after_restart(network):
    net, accounts = network
    receipt = send(net, "XXB01", accounts["XXB Party amo_holding"], "IR", "XXA", 100)
    killed = net.nodes.pop("XXB01")
    del net.transport.receivers["XXB01"]
    net.settle()
    assert net.hub.transactions() == {}

    net.restart(killed)
    net.settle()

    assert net.hub.transactions() == {receipt.record: "completed"}
    assert_sound(net)


def test_a_receiver_killed_mid_transfer_completes_it_after_restart(network, clock):
    net, accounts = network
    net.transport.intercept = only("StatusNotification", "IR", Fate.DROP)
    receipt = send(net, "XXB01", accounts["XXB Party amo_holding"], "IR", "XXA", 100)
    net.settle()
    # The hub completed the transfer and XXB01 released the units; the IR accepted it but
    # went down before the outcome reached it.
    assert net.hub.transactions() == {receipt.record: "completed"}
    assert transfers(net.nodes["IR"].registry) == {receipt.record: "accepted"}
    killed = net.nodes["IR"]
    del net.transport.receivers["IR"]

    net.transport.intercept = None
    net.restart(killed)
    clock.advance(timedelta(minutes=1))
    net.settle()

    assert transfers(net.nodes["IR"].registry) == {receipt.record: "completed"}
    assert holding(net, "IR", accounts["XXA Party itmo_holding"]) == (100, 0)
    assert_sound(net)
