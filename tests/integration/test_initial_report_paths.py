"""C3010 on every path a first transfer takes, not only an in-registry international transfer:
the administrators' first-transfer record, and a transfer to another registry (where the
outgoing proposal is made, its rehearsal, and the approval that lets a waiting one leave). Each
is completed with the warning, or, when the registry is set to refuse, refused with nothing
changed; units are conserved either way."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from small_world import (
    CORSIA,
    XXA_ADMIN,
    XXA_SECOND_ADMIN,
    SmallWorld,
    approvers,
    holdings,
    record_authorization,
    refused,
    selection,
)
from test_initial_reports import report
from test_transfer_abroad_pipeline import to_xxc

from article6.domain.nomenclature import FirstTransferDefinition, Purpose
from article6.domain.protocol import Role
from article6.domain.transactions import TransactionKind
from article6.interop.directory import establish
from article6.services import approvals, parties, preview, units
from article6.services import commands as c
from article6.services.context import Registry
from article6.services.external_transfers import propose_external_transfer
from article6.services.reads.ledger import verify_registry
from article6.services.views import Receipt

WARNING = "C3010: XXA has no initial report recorded for CA0001 (decision 2/CMA.3 annex para 18)"


@pytest.fixture
def refusing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ARTICLE6_FIRST_TRANSFER_WITHOUT_INITIAL_REPORT", "refuse")


@pytest.fixture
def abroad(registry: Registry, world: SmallWorld) -> SmallWorld:
    establish(registry.engine, "XXA01", Role.NATIONAL, datetime.now(UTC))
    return world


def total(registry: Registry) -> int:
    return sum(quantity for quantity, _ in holdings(registry).values())


def record_first_transfer(registry: Registry, world: SmallWorld) -> Receipt:
    """XXA's CORSIA authorization moves its first transfer to Authorisation (version 2); its
    AMOs' first transfer is then recorded by hand."""
    record_authorization(
        registry,
        authorization_id=CORSIA,
        purposes=Purpose.OIMP,
        oimp_authorized="CORSIA",
        first_transfer_definition=FirstTransferDefinition.AUTHORISATION,
    )
    return units.record_first_transfer(
        registry,
        XXA_ADMIN,
        c.RecordFirstTransfer(
            account=world["XXA Party amo_holding"],
            reason="Version 2 moved the first transfer to Authorisation",
            units=selection(50, CORSIA),
        ),
    )


def test_a_first_transfer_record_is_warned_about(registry: Registry, world: SmallWorld):
    before = total(registry)
    receipt = record_first_transfer(registry, world)
    assert receipt.transaction is not None and receipt.transaction.first_transfer
    assert receipt.warnings == [WARNING]
    assert total(registry) == before and verify_registry(registry) == []


def test_a_first_transfer_record_is_refused_when_set_to_refuse(
    registry: Registry, world: SmallWorld, refusing: None
):
    record_authorization(
        registry,
        authorization_id=CORSIA,
        purposes=Purpose.OIMP,
        oimp_authorized="CORSIA",
        first_transfer_definition=FirstTransferDefinition.AUTHORISATION,
    )
    command = c.RecordFirstTransfer(
        account=world["XXA Party amo_holding"],
        reason="recorded by hand",
        units=selection(50, CORSIA),
    )
    assert refused(registry, lambda: units.record_first_transfer(registry, XXA_ADMIN, command)) == [
        ("C3010", "units")
    ]
    report(registry)
    done = units.record_first_transfer(registry, XXA_ADMIN, command)
    assert done.status == "completed" and done.warnings == []
    assert verify_registry(registry) == []


def test_a_transfer_to_another_registry_is_warned_about_where_it_is_proposed(
    registry: Registry, abroad: SmallWorld
):
    before = total(registry)
    rehearsed = preview.preview(registry, propose_external_transfer, XXA_ADMIN, to_xxc(abroad))
    assert rehearsed.receipt.warnings == [WARNING]
    proposed = propose_external_transfer(registry, XXA_ADMIN, to_xxc(abroad))
    assert proposed.status == "proposed" and proposed.warnings == [WARNING]
    assert total(registry) == before and verify_registry(registry) == []  # reserved, not lost
    report(registry)
    assert propose_external_transfer(registry, XXA_ADMIN, to_xxc(abroad)).warnings == []


def test_a_transfer_to_another_registry_is_refused_when_set_to_refuse(
    registry: Registry, abroad: SmallWorld, refusing: None
):
    command = to_xxc(abroad)
    assert refused(registry, lambda: propose_external_transfer(registry, XXA_ADMIN, command)) == [
        ("C3010", "units")
    ]
    refused_preview = refused(
        registry,
        lambda: preview.preview(registry, propose_external_transfer, XXA_ADMIN, command),
    )
    assert refused_preview == [("C3010", "units")]
    report(registry)
    assert propose_external_transfer(registry, XXA_ADMIN, command).status == "proposed"
    assert verify_registry(registry) == []


def test_the_approval_that_lets_a_waiting_transfer_abroad_leave_checks_it_again(
    registry: Registry, abroad: SmallWorld, monkeypatch: pytest.MonkeyPatch
):
    approvers(registry, "XXA", XXA_ADMIN.name, XXA_SECOND_ADMIN.name)
    parties.set_approval_policy(
        registry,
        XXA_ADMIN,
        c.SetApprovalPolicy(kind=TransactionKind.EXTERNAL_TRANSFER, four_eyes=True),
    )
    waiting = propose_external_transfer(registry, XXA_ADMIN, to_xxc(abroad, quantity=30))
    assert waiting.status == "awaiting_approval" and waiting.warnings == [WARNING]
    approve = c.ApproveTransaction(transaction=waiting.record)
    monkeypatch.setenv("ARTICLE6_FIRST_TRANSFER_WITHOUT_INITIAL_REPORT", "refuse")
    assert refused(
        registry, lambda: approvals.approve_transaction(registry, XXA_SECOND_ADMIN, approve)
    ) == [("C3010", "units")]
    monkeypatch.setenv("ARTICLE6_FIRST_TRANSFER_WITHOUT_INITIAL_REPORT", "warn")
    approved = approvals.approve_transaction(registry, XXA_SECOND_ADMIN, approve)
    assert approved.status == "proposed" and approved.warnings == [WARNING]
    assert verify_registry(registry) == []
