"""The journal: one chained entry per command; `article6 journal verify` notices tampering; and
the database itself refuses to change the journal, moved ranges or final transactions."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from click.testing import CliRunner
from small_world import (
    APPROACH,
    CORSIA,
    GREEN_GROUP_A,
    NDC,
    SECRETARIAT,
    XXA_ADMIN,
    SmallWorld,
    selection,
)
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from article6.cli import main
from article6.domain.accounts import CancellationPurpose
from article6.domain.checks import CommandRefused
from article6.domain.transactions import TransactionKind
from article6.services import approvals, authorized_entities, issuance, parties, units
from article6.services import commands as c
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.services.reads.views import JournalEntryView
from article6.store.journal import GENESIS, seal


def entries(registry: Registry) -> list[JournalEntryView]:
    return ledger.journal(registry, SECRETARIAT, None, limit=500).items


def verify(database_url: str) -> Any:
    return CliRunner().invoke(main, ["journal", "verify", "--database", database_url])


def test_every_command_writes_one_chained_entry(registry: Registry, world: SmallWorld):
    commands: list[tuple[str, Callable[[], Any]]] = [
        (
            "ApprovalPolicySet",
            lambda: parties.set_approval_policy(
                registry,
                XXA_ADMIN,
                c.SetApprovalPolicy(kind=TransactionKind.USE, four_eyes=False),
            ),
        ),
        (
            "UnitsIssued",
            lambda: issuance.issue_units(
                registry,
                XXA_ADMIN,
                c.IssueUnits(mitigation_activity=world.activity, vintage=2024, quantity=5),
            ),
        ),
        (
            "TransactionCompleted",
            lambda: units.transfer_units(
                registry,
                XXA_ADMIN,
                c.TransferUnits(
                    source_account=world["XXA Party amo_holding"],
                    destination_account=world["XXA Green Group A amo_holding"],
                    units=selection(20, CORSIA),
                ),
            ),
        ),
        (
            "TransactionAwaitingApproval",
            lambda: units.cancel_units(
                registry,
                GREEN_GROUP_A,
                c.CancelUnits(
                    source_account=world["XXA Green Group A amo_holding"],
                    purpose=CancellationPurpose.IMP,
                    purpose_text="CORSIA",
                    units=selection(20),
                ),
            ),
        ),
        (
            "TransactionCompleted",
            lambda: approvals.approve_transaction(
                registry, XXA_ADMIN, c.ApproveTransaction(transaction=pending[0])
            ),
        ),
        (
            "EntityStatusChanged",
            lambda: authorized_entities.set_entity_status(
                registry,
                XXA_ADMIN,
                c.SetEntityStatus(
                    entity="XXA-E0001", cooperative_approach=APPROACH, status="suspended"
                ),
            ),
        ),
    ]
    pending: list[str] = []
    all_entries = entries(registry)
    assert all_entries[0].previous_hash == GENESIS
    for event, command in commands:
        receipt = command()
        if receipt.status == "awaiting_approval":
            pending.append(receipt.record)
        now = entries(registry)
        assert len(now) == len(all_entries) + 1
        assert now[-1].event == event
        assert now[-1].seq == all_entries[-1].seq + 1
        assert now[-1].previous_hash == all_entries[-1].hash
        all_entries = now
    # A refused command writes nothing.
    with pytest.raises(CommandRefused):
        units.link_authorization(
            registry,
            XXA_ADMIN,
            c.LinkAuthorization(
                account=world["XXA Party mo_holding"], authorization_id=NDC, units=selection(600)
            ),
        )
    assert entries(registry) == all_entries
    assert ledger.verify_registry(registry) == []


def test_journal_verify_passes_on_a_sound_registry(
    registry: Registry, world: SmallWorld, database_url: str
):
    result = verify(database_url)
    assert result.exit_code == 0, result.output
    assert "journal chain intact" in result.output


def test_journal_verify_fails_after_tampering(
    registry: Registry, world: SmallWorld, database_url: str
):
    seal(registry.engine)
    with registry.engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE journal DISABLE TRIGGER journal_append_only"))
        else:
            connection.execute(text("DROP TRIGGER journal_no_update"))
        connection.execute(text("UPDATE journal SET body = '{\"quantity\": 1}' WHERE seq = 3"))

    result = verify(database_url)

    assert result.exit_code == 1
    assert "journal entry 3 was altered" in result.output


APPEND_ONLY = [
    "UPDATE journal SET actor = 'someone else' WHERE seq = 1",
    "DELETE FROM journal WHERE seq = 1",
    "UPDATE transaction_blocks SET serial_last = serial_last + 1",
    "DELETE FROM transaction_blocks",
    "UPDATE transactions SET quantity = quantity + 1 WHERE status = 'completed'",
    "DELETE FROM transactions WHERE status = 'completed'",
]


def test_the_database_refuses_to_rewrite_history(registry: Registry, world: SmallWorld):
    for statement in APPEND_ONLY:
        with pytest.raises(DBAPIError), registry.engine.begin() as connection:
            connection.execute(text(statement))
    assert ledger.verify_registry(registry) == []
