"""The reconciliation hold (C2006) refuses commands until its deadline and never after, whatever
the time zone its deadline was written in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from article6.domain.checks import Check
from article6.domain.reconciliation import ReconciliationHold

DEADLINE = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


def test_a_hold_is_in_force_until_its_deadline_and_not_at_it():
    hold = ReconciliationHold("R-1", DEADLINE)
    assert hold.in_force(DEADLINE - timedelta(seconds=1))
    assert not hold.in_force(DEADLINE)
    assert not hold.in_force(DEADLINE + timedelta(hours=1))


def test_a_deadline_without_a_zone_is_utc_and_one_with_a_zone_is_converted():
    assert ReconciliationHold("R-1", DEADLINE.replace(tzinfo=None)).until_utc == DEADLINE
    east = DEADLINE.astimezone(timezone(timedelta(hours=7)))
    converted = ReconciliationHold("R-1", east).until_utc
    assert converted == DEADLINE and converted.tzinfo is UTC


def test_the_refusal_names_the_run_and_when_transactions_resume():
    [refusal] = ReconciliationHold("R-7", DEADLINE).refusal().refusals
    assert (refusal.check, refusal.field) == (Check.C2006, "reconciliation")
    assert refusal.detail == (
        "reconciliation R-7 is in progress in this registry; transactions resume when the "
        "hub's result arrives, at the latest at 2026-03-01 12:00 UTC"
    )
