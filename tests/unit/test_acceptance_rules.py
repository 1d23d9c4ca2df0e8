"""The acceptance rules (issue #18) as pure functions: who answers a transfer waiting for the
acquiring Party, until when, and when the sweep returns it; and the Party's setting."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from article6.domain.acceptance import (
    ANSWER_RULES,
    LONGEST_WAIT,
    RETURN_RULES,
    Answer,
    setting_refusal,
)
from article6.domain.access import Actor, Role
from article6.domain.transactions import TransactionStatus

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
XXC_ADMIN = Actor("xxc.admin", Role.ADMINISTRATOR, "XXC")
XXA_ADMIN = Actor("xxa.admin", Role.ADMINISTRATOR, "XXA")


def answer(
    actor: Actor = XXC_ADMIN,
    status: TransactionStatus = TransactionStatus.AWAITING_ACCEPTANCE,
    expires_in: timedelta | None = timedelta(days=1),
) -> Answer:
    return Answer(
        actor=actor,
        identifier="XXA01-00000042",
        status=status,
        expires_at=NOW + expires_in if expires_in is not None else None,
        acquiring_party="XXC",
        transferring_party="XXA",
        now=NOW,
    )


def first_refusal(subject: Answer, rules: tuple) -> tuple[str, str] | None:
    for rule in rules:
        found = rule(subject)
        if found:
            return found[0].check.code, found[0].field
    return None


def test_the_acquiring_partys_administrator_answers_in_time():
    assert first_refusal(answer(), ANSWER_RULES) is None


@pytest.mark.parametrize(
    "actor",
    [
        XXA_ADMIN,  # the transferring Party, accepting its own transfer
        Actor("secretariat.admin", Role.SECRETARIAT),
        Actor("xxc.user", Role.PARTY_USER, "XXC"),
        Actor("green.c.entity", Role.ENTITY, "XXC", "XXC-E0001"),
    ],
)
def test_nobody_else_answers_for_the_acquiring_party(actor: Actor):
    assert first_refusal(answer(actor=actor), ANSWER_RULES) == ("C2012", "transaction")


@pytest.mark.parametrize(
    "status",
    [s for s in TransactionStatus if s is not TransactionStatus.AWAITING_ACCEPTANCE],
)
def test_only_a_transfer_still_waiting_is_answered_or_returned(status: TransactionStatus):
    assert first_refusal(answer(status=status), ANSWER_RULES) == ("C2013", "transaction")
    waited = answer(status=status, expires_in=-timedelta(seconds=1))
    assert first_refusal(waited, RETURN_RULES) == ("C2013", "transaction")


def test_past_its_deadline_it_is_returned_and_no_longer_answered():
    late = answer(expires_in=-timedelta(seconds=1))
    assert first_refusal(late, ANSWER_RULES) == ("C2013", "transaction")
    assert first_refusal(late, RETURN_RULES) is None


def test_before_its_deadline_it_is_not_returned():
    assert first_refusal(answer(), RETURN_RULES) == ("C2013", "transaction")
    assert first_refusal(answer(expires_in=timedelta(0)), RETURN_RULES) == ("C2013", "transaction")


@pytest.mark.parametrize("days", [None, 1, 30, LONGEST_WAIT])
def test_automatic_or_one_to_ninety_days(days: int | None):
    assert setting_refusal(days) is None


@pytest.mark.parametrize("days", [0, -5, LONGEST_WAIT + 1, 10**6])
def test_any_other_wait_is_refused_naming_the_field(days: int):
    refusal = setting_refusal(days)
    assert refusal is not None
    assert (refusal.check.code, refusal.field) == ("C2014", "acceptance_days")
