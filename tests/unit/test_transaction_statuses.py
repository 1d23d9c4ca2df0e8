"""The transaction status machine (RULES.md 8.4 and 9.4, after the Kyoto DES)."""

from __future__ import annotations

import pytest

from article6.domain.checks import CommandRefused
from article6.domain.transactions import TransactionStatus, advance

S = TransactionStatus

ALLOWED = {
    (S.AWAITING_APPROVAL, S.PROPOSED),  # approved
    (S.AWAITING_APPROVAL, S.REJECTED),  # the approver refuses
    (S.AWAITING_APPROVAL, S.CANCELLED),  # withdrawn or expired
    (S.AWAITING_APPROVAL, S.AWAITING_ACCEPTANCE),  # approved, then the acquiring Party answers
    (S.AWAITING_ACCEPTANCE, S.COMPLETED),  # accepted by the acquiring Party
    (S.AWAITING_ACCEPTANCE, S.REJECTED),  # refused by it
    (S.AWAITING_ACCEPTANCE, S.CANCELLED),  # not accepted in time: returned
    (S.PROPOSED, S.CHECKED),
    (S.PROPOSED, S.TERMINATED),
    (S.PROPOSED, S.CANCELLED),
    (S.CHECKED, S.COMPLETED),
    (S.CHECKED, S.TERMINATED),
    (S.CHECKED, S.CANCELLED),
}

EVERY_STEP = [(current, target) for current in S for target in S]


@pytest.mark.parametrize(("current", "target"), sorted(ALLOWED))
def test_allowed_steps_advance(current, target):
    assert advance(current, target, "transaction") is target


@pytest.mark.parametrize(
    ("current", "target"), [step for step in EVERY_STEP if step not in ALLOWED]
)
def test_every_other_step_is_refused_c4007(current, target):
    with pytest.raises(CommandRefused) as refused:
        advance(current, target, "transaction")
    assert refused.value.codes == ["C4007"]
    assert refused.value.refusals[0].field == "transaction"
    assert refused.value.refusals[0].detail == f"a transaction {current} cannot become {target}"


def test_the_final_statuses_are_completed_rejected_terminated_and_cancelled():
    assert {s for s in S if s.final} == {S.COMPLETED, S.REJECTED, S.TERMINATED, S.CANCELLED}


@pytest.mark.parametrize("status", [s for s in S if s.final])
def test_nothing_leaves_a_final_status(status):
    assert not any(current is status for current, _ in ALLOWED)


@pytest.mark.parametrize(
    ("status", "code"),
    [
        (S.AWAITING_APPROVAL, 0),
        (S.PROPOSED, 1),
        (S.CHECKED, 2),
        (S.COMPLETED, 4),
        (S.TERMINATED, 5),
        (S.REJECTED, 6),
        (S.CANCELLED, 7),
    ],
)
def test_each_status_carries_its_des_code(status, code):
    assert status.des_code == code
