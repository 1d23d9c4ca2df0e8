"""The Article 6.4 mechanism registry: issuance with SOP and OMGE, and authorized A6.4ERs
entering the IR as ITMOs at their first transfer, keeping their identifiers."""

from __future__ import annotations

import pytest
from observations import ACTORS, assert_sound, holding

from article6.demo.network import build
from article6.demo.world import SECRETARIAT
from article6.domain.access import Actor, Role
from article6.domain.protocol import MECHANISM_APPROACH
from article6.services.commands import UnitSelection
from article6.services.external_transfers import ProposeExternalTransfer, propose_external_transfer
from article6.services.reads.ledger import unit

XXD_ADMIN = Actor("xxd.admin", Role.ADMINISTRATOR, "XXD")


@pytest.fixture
def with_mechanism(registries):
    ACTORS["A64"] = XXD_ADMIN
    return build(registries["hub"], registries["ir"], registries["xxb"], registries["a64"])


def test_issuance_takes_the_share_of_proceeds_and_the_omge_cancellation(with_mechanism):
    net, accounts = with_mechanism
    assert holding(net, "A64", accounts["XXD ADAPTATION_FUND mo_holding"]) == (50, 0)
    assert holding(net, "A64", accounts[f"XXD Party omge_cancellation {MECHANISM_APPROACH}"]) == (
        20,
        0,
    )
    assert holding(net, "A64", accounts["XXD PENDING mo_holding"]) == (0, 0)
    assert holding(net, "A64", accounts["XXD Party mo_holding"]) == (530, 0)
    assert_sound(net)


def test_authorized_a64ers_enter_the_ir_as_itmos_keeping_their_identifiers(with_mechanism):
    net, accounts = with_mechanism
    destination = accounts[f"XXA Party itmo_holding {MECHANISM_APPROACH}"]
    receipt = propose_external_transfer(
        net.nodes["A64"].registry,
        XXD_ADMIN,
        ProposeExternalTransfer(
            source_account=accounts[f"XXD Party amo_holding {MECHANISM_APPROACH}"],
            acquiring_registry="IR",
            acquiring_account=destination,
            acquiring_party="XXA",
            units=UnitSelection(quantity=150),
        ),
    )
    net.settle()

    assert net.hub.transactions() == {receipt.record: "completed"}
    assert holding(net, "IR", destination) == (150, 0)
    history = unit(net.nodes["IR"].registry, SECRETARIAT, "XXA", "930")
    assert history.block is not None
    assert (history.block.registry, history.block.state) == ("A64", "ITMO")
    assert_sound(net)
