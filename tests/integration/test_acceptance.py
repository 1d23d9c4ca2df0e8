"""The acquiring Party's acceptance of transfers into its accounts (issue #18): XXC has incoming
transfers wait for its acceptance; XXA transfers NDC units (701-1000 in the small world) to
XXC's ITMO holding account. Until XXC answers, the units stay reserved in XXA's account; an
acceptance moves them, a refusal or the deadline gives them back, and both Parties' AEF report
only what happened."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from small_world import (
    NDC,
    SECRETARIAT,
    XXA_ADMIN,
    XXA_SECOND_ADMIN,
    XXC_ADMIN,
    SmallWorld,
    approvers,
    holdings,
    refused,
    selection,
)
from test_actions import international

from article6.domain.access import Actor, Role
from article6.domain.checks import CommandRefused
from article6.domain.filters import JournalFilter
from article6.domain.transactions import TransactionKind
from article6.services import acceptances, approvals, parties, units
from article6.services import commands as c
from article6.services.aef_consistency import consistency
from article6.services.aef_versions import open_aef
from article6.services.context import Registry
from article6.services.preview import preview
from article6.services.reads import ledger
from article6.services.reads.ledger import verify_registry
from article6.services.views import Receipt

XXA_AMO = "XXA Party amo_holding"
XXC_ITMO = "XXC Party itmo_holding"
XXC_USER = Actor("xxc.user", Role.PARTY_USER, "XXC")


class Clock:
    """A clock the test moves forward by hand."""

    def __init__(self) -> None:
        self.moment = datetime.now(UTC)

    def __call__(self) -> datetime:
        return self.moment


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def clocked(registry: Registry, world: SmallWorld, clock: Clock) -> Registry:
    """The registry on the test's clock, with XXC waiting 10 days for its acceptance."""
    on_clock = Registry(registry.engine, clock=clock)
    acceptances.set_acceptance(on_clock, XXC_ADMIN, c.SetAcceptance(acceptance_days=10))
    return on_clock


def accept(registry: Registry, actor: Any, transfer: Receipt) -> Receipt:
    return acceptances.accept_transfer(
        registry, actor, c.AcceptTransfer(transaction=transfer.record)
    )


def refuse(registry: Registry, actor: Any, transfer: Receipt, reason: str) -> Receipt:
    return acceptances.refuse_transfer(
        registry, actor, c.RefuseTransfer(transaction=transfer.record, reason=reason)
    )


def status(registry: Registry, transfer: Receipt) -> str:
    return ledger.transaction(registry, SECRETARIAT, "XXA", transfer.record).status


def events(registry: Registry, transfer: Receipt) -> list[str]:
    about = JournalFilter(subject=transfer.record)
    return [e.event for e in ledger.journal(registry, SECRETARIAT, None, about).items]


def total(registry: Registry) -> int:
    """Every unit the sections hold: nothing is created or lost at any step."""
    return sum(quantity for quantity, _reserved in holdings(registry).values())


def table_3(registry: Registry, actor: Any, party: str) -> list[list[Any]]:
    with open_aef(registry, actor, party, registry.now().year) as document:
        return next([list(r) for r in t.rows] for t in document.tables if t.spec.number == 3)


MOVES = {"First transfer", "Transfer", "Acquisition"}
"""Table 3's actions between Parties (the small world's authorizations are reported too)."""


def action_types(rows: list[list[Any]]) -> list[str]:
    return sorted(str(row[1]) for row in rows if str(row[1]) in MOVES)


def quantities(rows: list[list[Any]]) -> list[int]:
    return [int(row[15]) for row in rows if str(row[1]) in MOVES]


def test_a_party_accepts_automatically_unless_it_asks_to_wait(
    registry: Registry, world: SmallWorld
):
    before = holdings(registry)[XXA_AMO]
    transfer = international(registry, world, selection(100, NDC))

    assert transfer.status == "completed"
    assert holdings(registry)[XXC_ITMO] == (100, 0)
    assert holdings(registry)[XXA_AMO] == (before[0] - 100, 0)


def test_a_waiting_transfer_reserves_its_units_until_the_acquiring_party_accepts(
    clocked: Registry, world: SmallWorld, clock: Clock
):
    units_before = total(clocked)
    amo_before = holdings(clocked)[XXA_AMO][0]

    transfer = international(clocked, world, selection(100, NDC))

    assert transfer.status == "awaiting_acceptance"
    assert transfer.transaction is not None
    assert transfer.transaction.expires_at == clock.moment + timedelta(days=10)
    assert holdings(clocked)[XXA_AMO] == (amo_before, 100)
    assert XXC_ITMO not in holdings(clocked) or holdings(clocked)[XXC_ITMO] == (0, 0)
    assert total(clocked) == units_before
    assert action_types(table_3(clocked, XXA_ADMIN, "XXA")) == []
    assert action_types(table_3(clocked, XXC_ADMIN, "XXC")) == []

    clock.moment += timedelta(days=9)
    accepted = accept(clocked, XXC_ADMIN, transfer)

    assert accepted.status == "completed"
    assert holdings(clocked)[XXA_AMO] == (amo_before - 100, 0)
    assert holdings(clocked)[XXC_ITMO] == (100, 0)
    assert total(clocked) == units_before
    assert events(clocked, transfer) == [
        "TransferAwaitingAcceptance",
        "TransactionCompleted",
        "TransferAccepted",
    ]
    assert action_types(table_3(clocked, XXA_ADMIN, "XXA")) == ["First transfer"]
    assert action_types(table_3(clocked, XXC_ADMIN, "XXC")) == ["Acquisition"]
    assert verify_registry(clocked) == []


def test_units_waiting_for_acceptance_cannot_be_moved_again_by_the_transferring_party(
    clocked: Registry, world: SmallWorld
):
    amo = holdings(clocked)[XXA_AMO][0]
    ndc_units = 300  # XXA's NDC units, 701-1000
    international(clocked, world, selection(ndc_units, NDC))

    assert refused(clocked, lambda: international(clocked, world, selection(1, NDC))) != []
    assert holdings(clocked)[XXA_AMO] == (amo, ndc_units)


def test_a_refusal_gives_the_units_back_with_its_reason_and_nothing_is_reported(
    clocked: Registry, world: SmallWorld
):
    units_before = total(clocked)
    amo_before = holdings(clocked)[XXA_AMO]
    transfer = international(clocked, world, selection(100, NDC))

    refused_ = refuse(clocked, XXC_ADMIN, transfer, "no contract for these units")

    assert refused_.status == "rejected"
    assert refused_.transaction is not None
    assert refused_.transaction.reason == "no contract for these units"
    assert holdings(clocked)[XXA_AMO] == amo_before
    assert total(clocked) == units_before
    assert events(clocked, transfer) == ["TransferAwaitingAcceptance", "TransferRefused"]
    assert action_types(table_3(clocked, XXA_ADMIN, "XXA")) == []
    assert action_types(table_3(clocked, XXC_ADMIN, "XXC")) == []
    assert refused(clocked, lambda: accept(clocked, XXC_ADMIN, transfer)) == [
        ("C2013", "transaction")
    ]
    assert verify_registry(clocked) == []


def test_past_its_deadline_the_sweep_returns_the_transfer(
    clocked: Registry, world: SmallWorld, clock: Clock
):
    units_before = total(clocked)
    amo_before = holdings(clocked)[XXA_AMO]
    first = international(clocked, world, selection(100, NDC))
    clock.moment += timedelta(days=5)
    second = international(clocked, world, selection(50, NDC))

    clock.moment += timedelta(days=6)  # 11 days after the first, 6 after the second
    assert acceptances.return_overdue(clocked, SECRETARIAT) == [first.record]
    assert refused(clocked, lambda: accept(clocked, XXC_ADMIN, first)) == [("C2013", "transaction")]

    assert status(clocked, first) == "cancelled"
    assert status(clocked, second) == "awaiting_acceptance"
    assert holdings(clocked)[XXA_AMO] == (amo_before[0], 50)
    assert total(clocked) == units_before
    assert events(clocked, first) == ["TransferAwaitingAcceptance", "TransferReturned"]
    assert accept(clocked, XXC_ADMIN, second).status == "completed"
    assert acceptances.return_overdue(clocked, SECRETARIAT) == []
    assert holdings(clocked)[XXC_ITMO] == (50, 0)
    assert quantities(table_3(clocked, XXC_ADMIN, "XXC")) == [50]
    assert verify_registry(clocked) == []


def test_an_answer_after_the_deadline_comes_too_late(
    clocked: Registry, world: SmallWorld, clock: Clock
):
    transfer = international(clocked, world, selection(100, NDC))
    clock.moment += timedelta(days=10, seconds=1)

    assert refused(clocked, lambda: accept(clocked, XXC_ADMIN, transfer)) == [
        ("C2013", "transaction")
    ]
    assert refused(clocked, lambda: refuse(clocked, XXC_ADMIN, transfer, "late")) == [
        ("C2013", "transaction")
    ]


def test_the_transferring_party_cannot_accept_or_refuse_its_own_transfer(
    clocked: Registry, world: SmallWorld
):
    transfer = international(clocked, world, selection(100, NDC))

    assert refused(clocked, lambda: accept(clocked, XXA_ADMIN, transfer)) == [
        ("C2012", "transaction")
    ]
    assert refused(clocked, lambda: refuse(clocked, XXA_ADMIN, transfer, "changed my mind")) == [
        ("C2012", "transaction")
    ]
    assert refused(clocked, lambda: accept(clocked, SECRETARIAT, transfer)) == [("C4002", "actor")]
    assert refused(clocked, lambda: accept(clocked, XXC_USER, transfer)) == [("C4002", "actor")]
    assert status(clocked, transfer) == "awaiting_acceptance"


def test_an_acceptance_replayed_changes_nothing_more(clocked: Registry, world: SmallWorld):
    transfer = international(clocked, world, selection(100, NDC))
    accept(clocked, XXC_ADMIN, transfer)
    after = holdings(clocked)

    assert refused(clocked, lambda: accept(clocked, XXC_ADMIN, transfer)) == [
        ("C2013", "transaction")
    ]
    assert holdings(clocked) == after
    assert events(clocked, transfer).count("TransferAccepted") == 1


def test_only_an_international_transfer_is_accepted(clocked: Registry, world: SmallWorld):
    use = units.transfer_units(
        clocked,
        XXA_ADMIN,
        c.TransferUnits(
            source_account=world[XXA_AMO],
            destination_account=world["XXA Green Group A amo_holding"],
            units=selection(10, "XXA-CORSIA-1"),
        ),
    )
    assert refused(clocked, lambda: accept(clocked, XXC_ADMIN, use)) == [("C2013", "transaction")]


def test_an_approved_transfer_then_waits_for_the_acquiring_party(
    clocked: Registry, world: SmallWorld, clock: Clock
):
    approvers(clocked, "XXA", XXA_ADMIN.name, XXA_SECOND_ADMIN.name)
    parties.set_approval_policy(
        clocked,
        XXA_ADMIN,
        c.SetApprovalPolicy(kind=TransactionKind.INTERNATIONAL_TRANSFER, four_eyes=True),
    )
    transfer = international(clocked, world, selection(100, NDC))
    assert transfer.status == "awaiting_approval"

    clock.moment += timedelta(days=2)
    rehearsed = preview(
        clocked,
        approvals.approve_transaction,
        XXA_SECOND_ADMIN,
        c.ApproveTransaction(transaction=transfer.record),
    )
    assert rehearsed.receipt.status == "awaiting_acceptance"
    assert holdings(clocked)[XXA_AMO][1] == 100  # the rehearsal kept nothing
    approved = approvals.approve_transaction(
        clocked, XXA_SECOND_ADMIN, c.ApproveTransaction(transaction=transfer.record)
    )

    assert approved.status == "awaiting_acceptance"
    assert approved.transaction is not None
    assert approved.transaction.expires_at == clock.moment + timedelta(days=10)
    assert accept(clocked, XXC_ADMIN, transfer).status == "completed"
    assert holdings(clocked)[XXC_ITMO] == (100, 0)
    assert events(clocked, transfer) == [
        "TransactionAwaitingApproval",
        "TransferAwaitingAcceptance",
        "TransactionCompleted",
        "TransferAccepted",
    ]
    assert verify_registry(clocked) == []


@pytest.mark.parametrize("days", [0, -1, 91])
def test_a_wait_is_one_to_ninety_days(registry: Registry, world: SmallWorld, days: int):
    assert refused(
        registry,
        lambda: acceptances.set_acceptance(
            registry, XXC_ADMIN, c.SetAcceptance(acceptance_days=days)
        ),
    ) == [("C2014", "acceptance_days")]


def test_only_the_partys_administrators_choose(registry: Registry, world: SmallWorld):
    assert refused(
        registry,
        lambda: acceptances.set_acceptance(registry, XXC_USER, c.SetAcceptance(acceptance_days=5)),
    ) == [("C4002", "actor")]


def test_both_aefs_agree_after_acceptance_refusal_and_return(
    clocked: Registry, world: SmallWorld, clock: Clock
):
    accepted = international(clocked, world, selection(100, NDC))
    refused_ = international(clocked, world, selection(50, NDC))
    returned = international(clocked, world, selection(20, NDC))
    accept(clocked, XXC_ADMIN, accepted)
    refuse(clocked, XXC_ADMIN, refused_, "not ours")
    clock.moment += timedelta(days=11)
    assert acceptances.return_overdue(clocked, SECRETARIAT) == [returned.record]

    result = consistency(clocked, SECRETARIAT, clocked.now().year)
    assert [(i.code, i.message) for code in result.codes for i in code.inconsistencies] == []
    assert quantities(table_3(clocked, XXA_ADMIN, "XXA")) == [100]
    assert quantities(table_3(clocked, XXC_ADMIN, "XXC")) == [100]


def withdraw(registry: Registry, actor: Any, transfer: Receipt, reason: str | None = None) -> Any:
    return approvals.withdraw_transaction(
        registry, actor, c.WithdrawTransaction(transaction=transfer.record, reason=reason)
    )


def test_the_transferring_party_withdraws_a_transfer_waiting_for_acceptance(
    clocked: Registry, world: SmallWorld
):
    units_before = total(clocked)
    amo_before = holdings(clocked)[XXA_AMO]
    transfer = international(clocked, world, selection(100, NDC))

    withdrawn = withdraw(clocked, XXA_ADMIN, transfer, "the buyer changed its mind")

    assert withdrawn.status == "cancelled"
    assert withdrawn.transaction is not None
    assert withdrawn.transaction.reason == (
        "withdrawn by the transferring Party: the buyer changed its mind"
    )
    assert holdings(clocked)[XXA_AMO] == amo_before
    assert total(clocked) == units_before
    assert events(clocked, transfer) == ["TransferAwaitingAcceptance", "TransferWithdrawn"]
    assert acceptances.incoming_transfers(clocked, XXC_ADMIN, "XXC") == []
    assert action_types(table_3(clocked, XXA_ADMIN, "XXA")) == []
    assert action_types(table_3(clocked, XXC_ADMIN, "XXC")) == []
    assert refused(clocked, lambda: accept(clocked, XXC_ADMIN, transfer)) == [
        ("C2013", "transaction")
    ]
    assert verify_registry(clocked) == []


def test_another_administrator_of_the_transferring_party_may_withdraw_it(
    clocked: Registry, world: SmallWorld
):
    amo_before = holdings(clocked)[XXA_AMO]
    transfer = international(clocked, world, selection(100, NDC))

    assert withdraw(clocked, XXA_SECOND_ADMIN, transfer).status == "cancelled"
    assert holdings(clocked)[XXA_AMO] == amo_before


def test_the_acquiring_party_cannot_withdraw_what_it_is_offered(
    clocked: Registry, world: SmallWorld
):
    transfer = international(clocked, world, selection(100, NDC))

    for outsider in (XXC_ADMIN, XXC_USER, SECRETARIAT):
        assert refused(clocked, lambda actor=outsider: withdraw(clocked, actor, transfer)) == [
            ("C2016", "transaction")
        ]
    assert status(clocked, transfer) == "awaiting_acceptance"


def test_an_accepted_transfer_is_no_longer_withdrawn(clocked: Registry, world: SmallWorld):
    units_before = total(clocked)
    transfer = international(clocked, world, selection(100, NDC))
    accept(clocked, XXC_ADMIN, transfer)

    assert refused(clocked, lambda: withdraw(clocked, XXA_ADMIN, transfer)) != []
    assert status(clocked, transfer) == "completed"
    assert holdings(clocked)[XXC_ITMO] == (100, 0)
    assert total(clocked) == units_before


def test_a_withdrawal_racing_an_acceptance_ends_one_way_only(clocked: Registry, world: SmallWorld):
    """Both commands lock the transfer's row first: on PostgreSQL the second waits for the
    first to commit, reads the status it left and is refused (C2013 or C2015, or C4007 for a
    withdrawal that finds the transfer no longer waiting at all)."""
    units_before = total(clocked)
    amo_before = holdings(clocked)[XXA_AMO][0]
    transfers = [international(clocked, world, selection(10, NDC)) for _ in range(6)]
    outcomes: dict[str, list[str]] = {t.record: [] for t in transfers}
    refusals: list[set[str]] = []
    lock = threading.Lock()

    def run(name: str, command: Any) -> None:
        try:
            command()
        except CommandRefused as refusal:
            with lock:  # asserted below: an assertion in a thread would only warn
                refusals.append({r.check.code for r in refusal.refusals})
            return
        with lock:
            outcomes[transfer.record].append(name)

    for transfer in transfers:
        barrier = threading.Barrier(2)

        def accepting(t: Receipt = transfer, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            run("accepted", lambda: accept(clocked, XXC_ADMIN, t))

        def withdrawing(t: Receipt = transfer, barrier: threading.Barrier = barrier) -> None:
            barrier.wait()
            run("withdrawn", lambda: withdraw(clocked, XXA_ADMIN, t))

        threads = [threading.Thread(target=accepting), threading.Thread(target=withdrawing)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert all(len(won) == 1 for won in outcomes.values()), outcomes
    assert len(refusals) == len(transfers)
    assert all(codes <= {"C2013", "C2015", "C4007"} for codes in refusals), refusals
    accepted = sum(1 for won in outcomes.values() if won == ["accepted"])
    for transfer in transfers:
        expected = "completed" if outcomes[transfer.record] == ["accepted"] else "cancelled"
        assert status(clocked, transfer) == expected
    assert holdings(clocked)[XXA_AMO] == (amo_before - 10 * accepted, 0)
    if accepted:
        assert holdings(clocked)[XXC_ITMO] == (10 * accepted, 0)
    assert total(clocked) == units_before
    assert quantities(table_3(clocked, XXC_ADMIN, "XXC")) == [10] * accepted
    assert verify_registry(clocked) == []
