"""A transfer to another registry runs the pipeline the internal transfer runs: its rehearsal
(the preview) loads, checks and decides, then stops, sending no write at all and taking no
transaction number; the hold is the last thing that can refuse it, before anything is written;
and its approval is rehearsed the same way.

The small world (see small_world.py), given the protocol identity XXA01: XXA's AMOs 701-1000
are linked to the NDC authorization, first transferred at their international transfer.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from small_world import (
    NDC,
    XXA_ADMIN,
    XXA_SECOND_ADMIN,
    SmallWorld,
    account_of,
    approvers,
    holdings,
    refused,
    selection,
    snapshot,
)
from sqlalchemy import event

from article6.domain.protocol import Role
from article6.domain.reconciliation import ReconciliationHold
from article6.domain.transactions import TransactionKind
from article6.interop.directory import establish
from article6.services import approvals, parties, preview
from article6.services import commands as c
from article6.services.context import Registry
from article6.services.external_transfers import (
    ProposeExternalTransfer,
    propose_external_transfer,
)
from article6.services.reads.ledger import verify_registry
from article6.store import reconciliation as stored_holds
from article6.store.database import unit_of_work


@pytest.fixture
def abroad(registry: Registry, world: SmallWorld) -> SmallWorld:
    """The small world, connected: this registry is XXA01 on the network."""
    establish(registry.engine, "XXA01", Role.NATIONAL, datetime.now(UTC))
    return world


def to_xxc(world: SmallWorld, quantity: int = 10) -> ProposeExternalTransfer:
    return ProposeExternalTransfer(
        source_account=world["XXA Party amo_holding"],
        acquiring_registry="XXC01",
        acquiring_account="XXC-ITMO-1",
        acquiring_party="XXC",
        units=selection(quantity, authorization=NDC),
    )


def number(identifier: str) -> int:
    return int(identifier.rsplit("-", 1)[1])


@contextmanager
def writes(registry: Registry) -> Iterator[list[str]]:
    """The INSERT and UPDATE statements sent while the block runs (a rolled-back savepoint's
    included)."""
    sent: list[str] = []

    def note(_conn, _cursor, statement: str, *_rest) -> None:  # type: ignore[no-untyped-def]
        if statement.lstrip().split(" ", 1)[0].upper() in ("INSERT", "UPDATE"):
            sent.append(statement)

    event.listen(registry.engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(registry.engine, "before_cursor_execute", note)


def test_a_rehearsed_transfer_abroad_writes_nothing_and_takes_no_number(
    registry: Registry, abroad: SmallWorld
):
    first = propose_external_transfer(registry, XXA_ADMIN, to_xxc(abroad))
    before = snapshot(registry)

    with writes(registry) as sent:
        rehearsed = preview.preview(registry, propose_external_transfer, XXA_ADMIN, to_xxc(abroad))

    assert sent == []
    assert snapshot(registry) == before
    second = propose_external_transfer(registry, XXA_ADMIN, to_xxc(abroad))
    assert number(second.record) == number(first.record) + 1
    shown, done = rehearsed.transaction, second.transaction
    assert shown is not None and done is not None
    assert not rehearsed.waits_for_approval
    assert (shown.kind, shown.status, shown.quantity, shown.first_transfer) == (
        done.kind,
        "proposed",
        10,
        False,
    )
    assert (shown.source_account, shown.destination_account, shown.counterpart) == (
        done.source_account,
        None,
        "XXC-ITMO-1 in XXC01",
    )
    assert shown.ranges == done.ranges == []
    assert verify_registry(registry) == []


def test_a_hold_refuses_a_transfer_abroad_whose_rules_passed_before_it_writes_anything(
    registry: Registry, abroad: SmallWorld
):
    with unit_of_work(registry.engine) as connection:
        stored_holds.place(
            connection, ReconciliationHold("R-1", datetime.now(UTC) + timedelta(hours=1))
        )

    with writes(registry) as sent:
        codes = refused(
            registry, lambda: propose_external_transfer(registry, XXA_ADMIN, to_xxc(abroad))
        )

    assert codes == [("C2006", "reconciliation")]
    assert [s for s in sent if "party_sections" not in s] == []


def test_the_rules_of_a_transfer_abroad_refuse_in_the_catalogues_order(
    registry: Registry, abroad: SmallWorld
):
    """Too few units (C2001) is found while loading, but reported in its place: after the
    Parties' participation (C4004), which a Party outside the approach lacks."""
    too_many = to_xxc(abroad, quantity=5000).model_copy(update={"acquiring_party": "XXD"})

    codes = refused(registry, lambda: propose_external_transfer(registry, XXA_ADMIN, too_many))

    assert codes == [("C4004", "destination_account")]
    assert refused(
        registry,
        lambda: propose_external_transfer(registry, XXA_ADMIN, to_xxc(abroad, quantity=5000)),
    ) == [("C2001", "units.quantity")]


def test_a_rehearsed_approval_of_a_transfer_abroad_says_it_would_leave_and_writes_nothing(
    registry: Registry, abroad: SmallWorld
):
    approvers(registry, "XXA", XXA_ADMIN.name, XXA_SECOND_ADMIN.name)  # four eyes needs two
    parties.set_approval_policy(
        registry,
        XXA_ADMIN,
        c.SetApprovalPolicy(kind=TransactionKind.EXTERNAL_TRANSFER, four_eyes=True),
    )
    waiting = propose_external_transfer(registry, XXA_ADMIN, to_xxc(abroad, quantity=30))
    assert waiting.status == "awaiting_approval"
    approve = c.ApproveTransaction(transaction=waiting.record)
    before = snapshot(registry)

    with writes(registry) as sent:
        rehearsed = preview.preview(
            registry, approvals.approve_transaction, XXA_SECOND_ADMIN, approve
        )

    assert sent == []
    assert snapshot(registry) == before
    approved = approvals.approve_transaction(registry, XXA_SECOND_ADMIN, approve)
    shown, done = rehearsed.transaction, approved.transaction
    assert shown is not None and done is not None
    assert (shown.identifier, shown.status, shown.approver, shown.quantity) == (
        done.identifier,
        "proposed",
        XXA_SECOND_ADMIN.label,
        30,
    )
    assert verify_registry(registry) == []


@pytest.mark.parametrize("step", ["reject", "withdraw", "expire"])
def test_a_released_transfer_abroad_gives_its_units_back_whole(
    registry: Registry, abroad: SmallWorld, step: str
):
    approvers(registry, "XXA", XXA_ADMIN.name, XXA_SECOND_ADMIN.name)  # four eyes needs two
    parties.set_approval_policy(
        registry,
        XXA_ADMIN,
        c.SetApprovalPolicy(kind=TransactionKind.EXTERNAL_TRANSFER, four_eyes=True),
    )
    amo = abroad["XXA Party amo_holding"]
    blocks, held = account_of(registry, amo), holdings(registry)
    waiting = propose_external_transfer(registry, XXA_ADMIN, to_xxc(abroad, quantity=30))
    assert holdings(registry)["XXA Party amo_holding"] == (500, 30)

    released = {
        "reject": lambda: approvals.reject_transaction(
            registry,
            XXA_SECOND_ADMIN,
            c.RejectTransaction(transaction=waiting.record, reason="not this year"),
        ),
        "withdraw": lambda: approvals.withdraw_transaction(
            registry, XXA_ADMIN, c.WithdrawTransaction(transaction=waiting.record)
        ),
        "expire": lambda: approvals.expire_transaction(
            Registry(registry.engine, lambda: datetime.now(UTC) + timedelta(days=60)),
            XXA_ADMIN,
            c.ExpireTransaction(transaction=waiting.record),
        ),
    }[step]()

    assert (released.status, released.transaction and released.transaction.approver) == (
        "rejected" if step == "reject" else "cancelled",
        XXA_SECOND_ADMIN.label if step == "reject" else None,
    )
    assert account_of(registry, amo) == blocks
    assert holdings(registry) == held
    assert verify_registry(registry) == []


def test_an_expiry_before_the_deadline_is_refused_and_changes_nothing(
    registry: Registry, abroad: SmallWorld
):
    approvers(registry, "XXA", XXA_ADMIN.name, XXA_SECOND_ADMIN.name)  # four eyes needs two
    parties.set_approval_policy(
        registry,
        XXA_ADMIN,
        c.SetApprovalPolicy(kind=TransactionKind.EXTERNAL_TRANSFER, four_eyes=True),
    )
    waiting = propose_external_transfer(registry, XXA_ADMIN, to_xxc(abroad, quantity=30))

    codes = refused(
        registry,
        lambda: approvals.expire_transaction(
            registry, XXA_ADMIN, c.ExpireTransaction(transaction=waiting.record)
        ),
    )

    assert codes == [("C4007", "transaction")]
