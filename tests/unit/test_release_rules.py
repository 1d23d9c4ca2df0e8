"""Ending a waiting transaction without completing it: the Party rejects it, its initiator
withdraws it, or its deadline passes. Each step's rules run in order over what it loaded; the
first refusal wins."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from article6.domain.access import Actor, Role
from article6.domain.checks import Check, Refusal
from article6.domain.expiry import PendingTransaction
from article6.domain.release import (
    EXPIRY_RULES,
    REJECTION_RULES,
    WITHDRAWAL_RULES,
    Release,
    Rule,
)
from article6.domain.transactions import TransactionStatus

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
XXA_ADMIN = Actor("xxa.admin", Role.ADMINISTRATOR, "XXA")
XXA_USER = Actor("xxa.user", Role.PARTY_USER, "XXA")
XXC_ADMIN = Actor("xxc.admin", Role.ADMINISTRATOR, "XXC")
SWEEP = Actor("registry", Role.SECRETARIAT)


def release(
    actor: Actor,
    status: TransactionStatus = TransactionStatus.AWAITING_APPROVAL,
    expires_at: datetime | None = NOW + timedelta(days=1),
    initiator: str = "xxa.user",
) -> Release:
    """A request of xxa.user in XXA's section, judged at NOW."""
    return Release(
        actor, PendingTransaction("XXA01-00000007", status, expires_at), "XXA", initiator, NOW
    )


def first_refusal(context: Release, rules: tuple[Rule, ...]) -> Refusal | None:
    for rule in rules:
        refusals = rule(context)
        if refusals:
            return refusals[0]
    return None


def test_the_party_rejects_a_waiting_request():
    assert first_refusal(release(XXA_ADMIN), REJECTION_RULES) is None


def test_another_partys_administrator_cannot_reject_it():
    assert first_refusal(release(XXC_ADMIN), REJECTION_RULES) == Refusal(
        Check.C4006, "actor", "xxc.admin acts for XXC, not XXA"
    )


def test_a_finished_request_is_refused_before_asking_who_rejects_it():
    refusal = first_refusal(release(XXC_ADMIN, TransactionStatus.COMPLETED), REJECTION_RULES)
    assert refusal == Refusal(
        Check.C4007, "transaction", "XXA01-00000007 is completed, not awaiting approval"
    )


def test_only_the_initiator_withdraws_a_request():
    assert first_refusal(release(XXA_USER), WITHDRAWAL_RULES) is None
    assert first_refusal(release(XXA_ADMIN), WITHDRAWAL_RULES) == Refusal(
        Check.C4002, "transaction", "only the initiator can withdraw it"
    )


def test_an_initiator_now_acting_for_another_party_cannot_withdraw():
    moved = Actor("xxa.user", Role.PARTY_USER, "XXC")
    refusal = first_refusal(release(moved), WITHDRAWAL_RULES)
    assert refusal is not None
    assert (refusal.check, refusal.field) == (Check.C4006, "actor")


def test_a_request_expires_only_past_its_deadline():
    assert (
        first_refusal(release(SWEEP, expires_at=NOW - timedelta(seconds=1)), EXPIRY_RULES) is None
    )
    refusal = first_refusal(release(SWEEP), EXPIRY_RULES)
    assert refusal is not None
    assert (refusal.check, refusal.field) == (Check.C4007, "transaction")
    assert refusal.detail.startswith("XXA01-00000007 may be approved until")
