"""Transfers between registries through the hub: XXB's own registry (XXB01) and the IR."""

from __future__ import annotations

from observations import assert_sound, holding, itmo_holding, send

from article6.demo.world import SECRETARIAT
from article6.domain.checks import CommandRefused
from article6.services.external_transfer_status import transfers
from article6.services.reads.ledger import unit


def test_xxb_transfers_to_xxa_in_the_ir_and_the_units_keep_their_serials(network):
    net, accounts = network
    receipt = send(net, "XXB01", accounts["XXB Party amo_holding"], "IR", "XXA", 100)
    assert receipt.transaction.status == "proposed"
    assert holding(net, "XXB01", accounts["XXB Party amo_holding"]) == (600, 100)

    net.settle()

    assert transfers(net.nodes["XXB01"].registry) == {receipt.record: "completed"}
    assert transfers(net.nodes["IR"].registry) == {receipt.record: "completed"}
    assert net.hub.transactions() == {receipt.record: "completed"}
    assert holding(net, "XXB01", accounts["XXB Party amo_holding"]) == (500, 0)
    assert holding(net, "IR", accounts["XXA Party itmo_holding"]) == (100, 0)
    history = unit(net.nodes["IR"].registry, SECRETARIAT, "XXA", "XXB01-1000")
    assert history.block is not None and history.block.state == "ITMO"
    assert_sound(net)


def test_xxa_transfers_some_back_to_xxb(network):
    net, accounts = network
    send(net, "XXB01", accounts["XXB Party amo_holding"], "IR", "XXA", 100)
    net.settle()

    back = send(net, "IR", accounts["XXA Party itmo_holding"], "XXB01", "XXB", 40)
    net.settle()

    assert transfers(net.nodes["XXB01"].registry)[back.record] == "completed"
    assert holding(net, "IR", accounts["XXA Party itmo_holding"]) == (60, 0)
    assert holding(net, "XXB01", itmo_holding(net, "XXB01", "XXB")) == (40, 0)
    assert_sound(net)


def test_the_sending_registry_refuses_a_transfer_of_more_units_than_held(network):
    net, accounts = network
    try:
        send(net, "XXB01", accounts["XXB Party amo_holding"], "IR", "XXA", 601)
    except CommandRefused as refused:
        assert refused.codes == ["C2001"]
    else:
        raise AssertionError("a transfer of 601 of 600 units was accepted")
    net.settle()
    assert net.hub.transactions() == {}
    assert_sound(net)
