"""Load → check → decide → apply, seen from outside: a rehearsal (the preview) answers what the
command would record and keeps nothing, not even a transaction number; and once the rules have
passed, the reconciliation hold is the last thing that can refuse, before anything is written.

The small world (see small_world.py): XXA holds MOs 1-500, AMOs 501-700 under CORSIA and
701-1000 under the NDC authorization.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from small_world import GREEN_GROUP_A, XXA_ADMIN, SmallWorld, refused, selection, snapshot
from sqlalchemy import event

from article6.domain.reconciliation import ReconciliationHold
from article6.services import approvals, issuance, preview, units
from article6.services import commands as c
from article6.services.context import Registry
from article6.store import reconciliation as stored_holds
from article6.store.database import unit_of_work


def transfer(world: SmallWorld, quantity: int = 10) -> c.TransferUnits:
    return c.TransferUnits(
        source_account=world["XXA Party mo_holding"],
        destination_account=world["XXA Green Group A mo_holding"],
        units=selection(quantity),
    )


def number(identifier: str) -> int:
    return int(identifier.rsplit("-", 1)[1])


def test_a_rehearsed_transfer_keeps_nothing_and_takes_no_number(
    registry: Registry, world: SmallWorld
):
    first = units.transfer_units(registry, XXA_ADMIN, transfer(world))
    before = snapshot(registry)

    rehearsed = preview.preview(registry, units.transfer_units, XXA_ADMIN, transfer(world))

    assert snapshot(registry) == before
    second = units.transfer_units(registry, XXA_ADMIN, transfer(world))
    assert number(second.record) == number(first.record) + 1
    shown, done = rehearsed.transaction, second.transaction
    assert shown is not None and done is not None
    assert (shown.kind, shown.status, shown.quantity, shown.first_transfer) == (
        "internal_transfer",
        "completed",
        10,
        False,
    )
    assert (shown.source_account, shown.destination_account) == (
        done.source_account,
        done.destination_account,
    )
    assert [(r.first, r.last, r.from_state, r.to_state) for r in shown.ranges] == [
        (r.first, r.last, r.from_state, r.to_state) for r in done.ranges
    ]


def test_a_rehearsed_issuance_names_the_serials_the_issuance_then_takes(
    registry: Registry, world: SmallWorld
):
    command = c.IssueUnits(mitigation_activity=world.activity, vintage=2024, quantity=25)
    before = snapshot(registry)

    rehearsed = preview.preview(registry, issuance.issue_units, XXA_ADMIN, command)

    assert snapshot(registry) == before
    issued = issuance.issue_units(registry, XXA_ADMIN, command)
    shown, done = rehearsed.transaction, issued.transaction
    assert shown is not None and done is not None
    assert (shown.kind, shown.status, shown.destination_account) == (
        "issuance",
        "completed",
        done.destination_account,
    )
    [would] = shown.ranges
    [took] = done.ranges
    assert (would.first, would.last, would.to_state, would.identifier) == (
        took.first,
        took.last,
        "MO",
        took.identifier,
    )
    assert took.last - took.first + 1 == 25


def test_a_rehearsed_approval_says_what_approving_records_and_keeps_nothing(
    registry: Registry, world: SmallWorld
):
    units.transfer_units(
        registry,
        XXA_ADMIN,
        c.TransferUnits(
            source_account=world["XXA Party amo_holding"],
            destination_account=world["XXA Green Group A amo_holding"],
            units=selection(50, authorization="XXA-CORSIA-1"),
        ),
    )
    waiting = units.cancel_units(
        registry,
        GREEN_GROUP_A,
        c.CancelUnits(
            source_account=world["XXA Green Group A amo_holding"],
            purpose="IMP",
            purpose_text="CORSIA",
            units=selection(20),
        ),
    )
    assert waiting.status == "awaiting_approval"
    approve = c.ApproveTransaction(transaction=waiting.record)
    before = snapshot(registry)

    rehearsed = preview.preview(registry, approvals.approve_transaction, XXA_ADMIN, approve)

    assert snapshot(registry) == before
    approved = approvals.approve_transaction(registry, XXA_ADMIN, approve)
    shown, done = rehearsed.transaction, approved.transaction
    assert shown is not None and done is not None
    assert (shown.identifier, shown.status, shown.approver, shown.first_transfer) == (
        done.identifier,
        "completed",
        done.approver,
        True,
    )
    assert [(r.first, r.last, r.to_state, r.first_transfer_subtype) for r in shown.ranges] == [
        (r.first, r.last, r.to_state, r.first_transfer_subtype) for r in done.ranges
    ]


@contextmanager
def writes(registry: Registry) -> Iterator[list[str]]:
    """The INSERT and UPDATE statements sent while the block runs, but the section counter's."""
    sent: list[str] = []

    def note(_conn, _cursor, statement: str, *_rest) -> None:  # type: ignore[no-untyped-def]
        verb = statement.lstrip().split(" ", 1)[0].upper()
        if verb in ("INSERT", "UPDATE") and "party_sections" not in statement:
            sent.append(statement)

    event.listen(registry.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(registry.engine, "before_cursor_execute", note)


@pytest.mark.parametrize("kind", ["transfer", "issuance"])
def test_a_hold_refuses_a_command_whose_rules_passed_before_it_writes_anything(
    registry: Registry, world: SmallWorld, kind: str
):
    with unit_of_work(registry.engine) as connection:
        stored_holds.place(
            connection, ReconciliationHold("R-1", datetime.now(UTC) + timedelta(hours=1))
        )
    command = {
        "transfer": lambda: units.transfer_units(registry, XXA_ADMIN, transfer(world)),
        "issuance": lambda: issuance.issue_units(
            registry,
            XXA_ADMIN,
            c.IssueUnits(mitigation_activity=world.activity, vintage=2024, quantity=5),
        ),
    }[kind]
    with writes(registry) as sent:
        assert refused(registry, command) == [("C2006", "reconciliation")]
    assert sent == []
