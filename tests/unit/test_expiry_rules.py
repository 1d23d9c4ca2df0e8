"""A pending transaction expires once its approval deadline has passed, and only while it still
awaits approval; the first failed check names C4007 and the transaction."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from article6.domain.checks import Check
from article6.domain.expiry import (
    EXPIRY_CHECKS,
    PendingTransaction,
    awaits_approval,
    expiry_refusal,
    past_its_deadline,
)
from article6.domain.transactions import TransactionStatus

NOW = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)
DEADLINE = NOW - timedelta(seconds=1)


def pending(status=TransactionStatus.AWAITING_APPROVAL, expires_at=DEADLINE):
    return PendingTransaction("XXA01-00000007", status, expires_at)


def test_a_transaction_past_its_deadline_expires():
    assert expiry_refusal(pending(), NOW) is None


def test_at_its_deadline_it_may_still_be_approved():
    refusal = expiry_refusal(pending(expires_at=NOW), NOW)
    assert refusal is not None
    assert (refusal.check, refusal.field) == (Check.C4007, "transaction")
    assert refusal.detail == "XXA01-00000007 may be approved until 2026-12-02 09:00 UTC"


def test_a_transaction_without_a_deadline_never_expires():
    refusal = expiry_refusal(pending(expires_at=None), NOW)
    assert refusal is not None and refusal.detail == "XXA01-00000007 has no deadline"


@pytest.mark.parametrize(
    "status", [s for s in TransactionStatus if s is not TransactionStatus.AWAITING_APPROVAL]
)
def test_one_approved_rejected_or_withdrawn_meanwhile_is_left_as_it_is(status):
    refusal = expiry_refusal(pending(status=status), NOW)
    assert refusal is not None
    assert (refusal.check, refusal.field) == (Check.C4007, "transaction")
    assert refusal.detail == f"XXA01-00000007 is {status.value}, not awaiting approval"


def test_the_state_is_checked_before_the_deadline():
    assert (awaits_approval, past_its_deadline) == EXPIRY_CHECKS
    refusal = expiry_refusal(pending(TransactionStatus.COMPLETED, expires_at=None), NOW)
    assert refusal is not None and "not awaiting approval" in refusal.detail
