"""Pending transactions: who must approve, who may not, what rejection, withdrawal and expiry
give back, and the checks that run again at approval.

The small world (see small_world.py); each test first hands 100 CORSIA AMOs (601-700) to
Green Group A, whose representative then asks to cancel 50 of them.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from small_world import (
    APPROACH,
    CORSIA,
    GREEN_GROUP_A,
    SECRETARIAT,
    XXA_ADMIN,
    XXA_SECOND_ADMIN,
    XXA_USER,
    SmallWorld,
    account_of,
    approvers,
    holdings,
    refused,
    selection,
)

from article6.domain.accounts import AccountStatus, CancellationPurpose
from article6.domain.filters import JournalFilter
from article6.domain.transactions import TransactionKind
from article6.services import accounts, approvals, authorized_entities, parties, units
from article6.services import commands as c
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.services.reads.ledger import verify_registry
from article6.services.views import Receipt

ENTITY_AMO = "XXA Green Group A amo_holding"


class Clock:
    """A clock the test moves forward by hand."""

    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.moment


def hand_to_entity(registry: Registry, world: SmallWorld) -> None:
    units.transfer_units(
        registry,
        XXA_ADMIN,
        c.TransferUnits(
            source_account=world["XXA Party amo_holding"],
            destination_account=world[ENTITY_AMO],
            units=selection(100, CORSIA),
        ),
    )


def entity_cancels(registry: Registry, world: SmallWorld, quantity: int = 50) -> Receipt:
    return units.cancel_units(
        registry,
        GREEN_GROUP_A,
        c.CancelUnits(
            source_account=world[ENTITY_AMO],
            purpose=CancellationPurpose.IMP,
            purpose_text="CORSIA",
            units=selection(quantity),
        ),
    )


def approve(registry: Registry, actor: Any, request: Receipt) -> Receipt:
    return approvals.approve_transaction(
        registry, actor, c.ApproveTransaction(transaction=request.record)
    )


def status(registry: Registry, request: Receipt) -> str:
    return ledger.transaction(registry, SECRETARIAT, "XXA", request.record).status


@pytest.fixture
def request_(registry: Registry, world: SmallWorld) -> Receipt:
    hand_to_entity(registry, world)
    return entity_cancels(registry, world)


def test_an_entity_request_waits_with_its_units_reserved(
    registry: Registry, world: SmallWorld, request_: Receipt
):
    assert request_.status == "awaiting_approval"
    assert holdings(registry)[ENTITY_AMO] == (100, 50)
    assert account_of(registry, world[ENTITY_AMO]) == [
        (601, 650, "AMO", False),
        (651, 700, "AMO", True),
    ]
    assert "XXA Party imp_cancellation" not in holdings(registry)

    approved = approve(registry, XXA_ADMIN, request_)

    assert approved.status == "completed"
    assert approved.transaction is not None
    assert approved.transaction.approver == XXA_ADMIN.label
    assert approved.transaction.initiator == GREEN_GROUP_A.label
    assert holdings(registry)[ENTITY_AMO] == (50, 0)
    assert holdings(registry)["XXA Party imp_cancellation"] == (50, 0)
    assert verify_registry(registry) == []


def test_an_entity_cannot_approve_its_own_request(
    registry: Registry, world: SmallWorld, request_: Receipt
):
    assert refused(registry, lambda: approve(registry, GREEN_GROUP_A, request_)) == [
        ("C4002", "actor")
    ]


def test_four_eyes_makes_a_party_users_request_wait_and_forbids_self_approval(
    registry: Registry, world: SmallWorld
):
    approvers(registry, "XXA", XXA_ADMIN.name, XXA_SECOND_ADMIN.name)
    parties.set_approval_policy(
        registry,
        XXA_ADMIN,
        c.SetApprovalPolicy(kind=TransactionKind.INTERNAL_TRANSFER, four_eyes=True),
    )

    def transfer(actor: Any) -> Receipt:
        return units.transfer_units(
            registry,
            actor,
            c.TransferUnits(
                source_account=world["XXA Party mo_holding"],
                destination_account=world["XXA Green Group A mo_holding"],
                units=selection(10),
            ),
        )

    by_user = transfer(XXA_USER)
    by_admin = transfer(XXA_ADMIN)
    assert (by_user.status, by_admin.status) == ("awaiting_approval", "awaiting_approval")
    assert holdings(registry)["XXA Party mo_holding"] == (500, 20)

    assert refused(registry, lambda: approve(registry, XXA_ADMIN, by_admin)) == [
        ("C4002", "transaction")
    ]
    assert refused(registry, lambda: approve(registry, XXA_USER, by_user)) == [("C4002", "actor")]
    approved = approve(registry, XXA_SECOND_ADMIN, by_admin)
    assert approved.transaction is not None
    assert approved.transaction.approver == XXA_SECOND_ADMIN.label != approved.transaction.initiator
    assert approve(registry, XXA_ADMIN, by_user).status == "completed"
    assert holdings(registry)["XXA Green Group A mo_holding"] == (20, 0)
    # Other kinds are not affected by the internal-transfer policy.
    linked = units.link_authorization(
        registry,
        XXA_ADMIN,
        c.LinkAuthorization(
            account=world["XXA Party mo_holding"], authorization_id=CORSIA, units=selection(5)
        ),
    )
    assert linked.status == "completed"
    assert verify_registry(registry) == []


def test_rejection_releases_the_reserved_units(
    registry: Registry, world: SmallWorld, request_: Receipt
):
    rejected = approvals.reject_transaction(
        registry,
        XXA_ADMIN,
        c.RejectTransaction(transaction=request_.record, reason="Not for CORSIA this year"),
    )

    assert rejected.status == "rejected"
    assert rejected.transaction is not None
    assert rejected.transaction.reason == "Not for CORSIA this year"
    assert rejected.transaction.approver == XXA_ADMIN.label
    assert holdings(registry)[ENTITY_AMO] == (100, 0)
    assert account_of(registry, world[ENTITY_AMO]) == [(601, 700, "AMO", False)]
    events = [
        e.event
        for e in ledger.journal(
            registry, SECRETARIAT, None, JournalFilter(subject=request_.record)
        ).items
    ]
    assert events == ["TransactionAwaitingApproval", "TransactionRejected"]
    assert refused(registry, lambda: approve(registry, XXA_ADMIN, request_)) == [
        ("C4007", "transaction")
    ]
    assert verify_registry(registry) == []


def test_withdrawal_by_the_initiator_releases_the_reserved_units(
    registry: Registry, world: SmallWorld, request_: Receipt
):
    def withdraw(actor: Any) -> Receipt:
        return approvals.withdraw_transaction(
            registry, actor, c.WithdrawTransaction(transaction=request_.record)
        )

    assert refused(registry, lambda: withdraw(XXA_ADMIN)) == [("C4002", "transaction")]
    withdrawn = withdraw(GREEN_GROUP_A)

    assert withdrawn.status == "cancelled"
    assert holdings(registry)[ENTITY_AMO] == (100, 0)
    assert account_of(registry, world[ENTITY_AMO]) == [(601, 700, "AMO", False)]
    # The released units can be asked for again.
    assert entity_cancels(registry, world, 100).status == "awaiting_approval"
    assert verify_registry(registry) == []


def test_expiry_cancels_past_the_deadline_and_releases(registry: Registry, world: SmallWorld):
    clock = Clock()
    clocked = Registry(registry.engine, clock=clock)
    hand_to_entity(clocked, world)
    first = entity_cancels(clocked, world, 30)
    clock.moment += timedelta(days=3)
    second = entity_cancels(clocked, world, 20)

    clock.moment += timedelta(days=5)  # 8 days after the first, 5 after the second
    assert refused(clocked, lambda: approve(clocked, XXA_ADMIN, first)) == [
        ("C4008", "transaction")
    ]
    assert approvals.expire_pending(clocked, SECRETARIAT) == [first.record]

    assert status(clocked, first) == "cancelled"
    assert status(clocked, second) == "awaiting_approval"
    assert holdings(clocked)[ENTITY_AMO] == (100, 20)
    about = JournalFilter(subject=first.record)
    events = [e.event for e in ledger.journal(clocked, SECRETARIAT, None, about).items]
    assert events == ["TransactionAwaitingApproval", "TransactionExpired"]
    assert approve(clocked, XXA_ADMIN, second).status == "completed"
    assert approvals.expire_pending(clocked, SECRETARIAT) == []
    assert account_of(clocked, world[ENTITY_AMO]) == [
        (601, 650, "AMO", False),
        (671, 700, "AMO", False),
    ]
    assert verify_registry(clocked) == []


def test_reserved_units_cannot_be_taken_by_another_transaction(
    registry: Registry, world: SmallWorld, request_: Receipt
):
    def transfer(selected: c.UnitSelection) -> Receipt:
        return units.transfer_units(
            registry,
            GREEN_GROUP_A,  # only the entity's representatives move units from its account
            c.TransferUnits(
                source_account=world[ENTITY_AMO],
                destination_account=world["XXA Party amo_holding"],
                units=selected,
            ),
        )

    assert refused(registry, lambda: transfer(selection(51))) == [("C2002", "units.quantity")]
    assert refused(registry, lambda: transfer(selection(ranges=[(651, 660)]))) == [
        ("C2001", "units.ranges[0]")
    ]
    other = transfer(selection(50))
    assert other.status == "awaiting_approval"
    assert approve(registry, XXA_ADMIN, other).status == "completed"
    assert approve(registry, XXA_ADMIN, request_).status == "completed"
    assert holdings(registry).get(ENTITY_AMO) is None
    assert verify_registry(registry) == []


def test_approval_checks_again_a_suspended_entity(
    registry: Registry, world: SmallWorld, request_: Receipt
):
    authorized_entities.set_entity_status(
        registry,
        XXA_ADMIN,
        c.SetEntityStatus(entity="XXA-E0001", cooperative_approach=APPROACH, status="suspended"),
    )
    assert refused(registry, lambda: approve(registry, XXA_ADMIN, request_)) == [
        ("C3005", "units:XXA01-651-700")
    ]
    assert status(registry, request_) == "awaiting_approval"
    authorized_entities.set_entity_status(
        registry,
        XXA_ADMIN,
        c.SetEntityStatus(entity="XXA-E0001", cooperative_approach=APPROACH, status="active"),
    )
    assert approve(registry, XXA_ADMIN, request_).status == "completed"
    assert verify_registry(registry) == []


def test_approval_checks_again_a_blocked_account(
    registry: Registry, world: SmallWorld, request_: Receipt
):
    accounts.set_account_status(
        registry,
        XXA_ADMIN,
        c.SetAccountStatus(account=world[ENTITY_AMO], status=AccountStatus.BLOCKED),
    )
    assert refused(registry, lambda: approve(registry, XXA_ADMIN, request_)) == [
        ("C4001", "source_account")
    ]
    assert status(registry, request_) == "awaiting_approval"
    assert holdings(registry)[ENTITY_AMO] == (100, 50)
    assert verify_registry(registry) == []


def test_four_eyes_is_refused_for_a_section_with_fewer_than_two_approvers(
    registry: Registry, world: SmallWorld
):
    """With one administrator, four eyes would leave that person's requests to expire."""
    four_eyes = c.SetApprovalPolicy(kind=TransactionKind.INTERNAL_TRANSFER, four_eyes=True)
    for present in ((), (XXA_ADMIN.name,)):
        approvers(registry, "XXA", *present)
        assert refused(
            registry, lambda: parties.set_approval_policy(registry, XXA_ADMIN, four_eyes)
        ) == [("C4017", "four_eyes")]
    approvers(registry, "XXA", XXA_SECOND_ADMIN.name)
    assert parties.set_approval_policy(registry, XXA_ADMIN, four_eyes).status == "four-eyes"
