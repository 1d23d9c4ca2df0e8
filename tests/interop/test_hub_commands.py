"""The hub's own commands run through `services.context.execute` like every registry's: starting
a reconciliation, sending an operator's notice and the sweep past the transfers' deadlines are
each one transaction, run again whole after a deadlock, so nothing of the failed attempt stays
and nothing is sent twice."""

from __future__ import annotations

from datetime import timedelta

from observations import Deadlock, assert_sound, holding, send
from sqlalchemy.exc import DBAPIError

from article6.demo.network import Fate
from article6.domain.messages import Notice
from article6.interop import forwarding, reconciliation_runs
from article6.services import ports
from article6.services.external_transfer_status import transfers


def deadlocking_once(real, attempts):
    """`real`, which raises a deadlock the first time it is called."""

    def call(*args, **kwargs):
        attempts.append(args[1] if len(args) > 1 else kwargs.get("to"))
        if len(attempts) == 1:
            raise DBAPIError("INSERT INTO outbox …", None, Deadlock())
        return real(*args, **kwargs)

    return call


def sent(net, message_type, since=0):
    return [(to, kind) for _, to, kind in net.transport.log[since:] if kind == message_type]


def test_a_reconciliation_started_during_a_deadlock_asks_each_registry_once(network, monkeypatch):
    net, _ = network
    attempts = []
    monkeypatch.setattr(
        reconciliation_runs, "_request", deadlocking_once(reconciliation_runs._request, attempts)
    )

    run = net.hub.start_reconciliation()

    assert len(attempts) == 3  # the first request deadlocked; then one to each registry
    net.hub.deliver_pending(net.transport)
    assert sorted(sent(net, "ReconciliationRequest")) == [
        ("IR", "ReconciliationRequest"),
        ("XXB01", "ReconciliationRequest"),
    ]
    net.settle()
    assert net.hub.reconciliation(run) == {"IR": ("completed", []), "XXB01": ("completed", [])}
    assert_sound(net)


def test_a_notice_sent_during_a_deadlock_reaches_each_registry_once(network, monkeypatch):
    net, _ = network
    attempts = []
    monkeypatch.setattr(ports, "send_message", deadlocking_once(ports.send_message, attempts))
    notice = Notice(notice_type="information", text="the hub is upgraded tonight")

    assert net.hub.send_notice(["XXB01", "IR"], notice) == ["IR", "XXB01"]

    assert len(attempts) == 3
    net.hub.deliver_pending(net.transport)
    assert sorted(sent(net, "Notice")) == [("IR", "Notice"), ("XXB01", "Notice")]


def test_the_hub_s_deadline_sweep_during_a_deadlock_cancels_each_transfer_once(
    network, clock, monkeypatch
):
    net, accounts = network
    net.transport.intercept = lambda peer, wire: (
        Fate.DROP
        if wire["envelope"]["message_type"] == "TransferProposal" and peer.registry_id == "IR"
        else Fate.DELIVER
    )
    receipt = send(net, "XXB01", accounts["XXB Party amo_holding"], "IR", "XXA", 100)
    net.settle()
    clock.advance(timedelta(hours=25))
    attempts = []
    monkeypatch.setattr(
        forwarding, "finish_transfer", deadlocking_once(forwarding.finish_transfer, attempts)
    )
    before = len(net.transport.log)

    assert net.hub.expire_transfers() == [receipt.record]

    assert len(attempts) == 2
    net.hub.deliver_pending(net.transport)
    assert sorted(sent(net, "StatusNotification", before)) == [  # both sides are told, once
        ("IR", "StatusNotification"),
        ("XXB01", "StatusNotification"),
    ]
    net.transport.intercept = None
    net.settle()
    assert transfers(net.nodes["XXB01"].registry) == {receipt.record: "cancelled"}
    assert holding(net, "XXB01", accounts["XXB Party amo_holding"]) == (600, 0)
    assert_sound(net)
