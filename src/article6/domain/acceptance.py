"""The acquiring Party's acceptance of a transfer (issue #18): a Party either takes incoming
transfers automatically, or has them wait, their units reserved in the transferring account,
until it accepts or refuses them or its deadline passes and they are returned.

Each step's checks are pure functions over what its command read and locked (`Answer`), in
the catalogue's order; the first refusal wins and a refused step changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from article6.domain.access import Actor, Permission, permits
from article6.domain.checks import Check, Refusal
from article6.domain.transactions import TransactionStatus
from article6.domain.wording import words

LONGEST_WAIT = 90
"""Days an incoming transfer may wait at most: units reserved longer hold up the sender."""


def setting_refusal(days: int | None) -> Refusal | None:
    """C2014: automatic (None), or a wait of 1 to `LONGEST_WAIT` whole days."""
    if days is None or 1 <= days <= LONGEST_WAIT:
        return None
    return Refusal(
        Check.C2014,
        "acceptance_days",
        words(
            "{days} is not a wait of 1 to {longest_wait} days; leave it empty to "
            "accept incoming transfers automatically",
            days=days,
            longest_wait=LONGEST_WAIT,
        ),
    )


@dataclass(frozen=True)
class Answer:
    """Who answers, the waiting transfer (its status and acceptance deadline), the Party that
    acquires it and the Party that transfers it, and the time the step is judged at."""

    actor: Actor
    identifier: str
    status: TransactionStatus
    expires_at: datetime | None
    acquiring_party: str
    transferring_party: str
    now: datetime


Rule = Callable[[Answer], list[Refusal]]


def awaits_acceptance(answer: Answer) -> list[Refusal]:
    """C2013: only a transfer still waiting for acceptance is answered or returned."""
    if answer.status is TransactionStatus.AWAITING_ACCEPTANCE:
        return []
    detail = words(
        "{transaction} is {status}, not awaiting acceptance",
        transaction=answer.identifier,
        status=answer.status,
    )
    return [Refusal(Check.C2013, "transaction", detail)]


def acquiring_party_answers(answer: Answer) -> list[Refusal]:
    """C2012: an administrator of the acquiring Party's section answers; the transferring
    Party cannot accept its own transfer on the other's behalf."""
    refusal = permits(answer.actor, Permission.APPROVE, answer.acquiring_party)
    if refusal is None and answer.actor.party == answer.acquiring_party:
        return []
    return [
        Refusal(
            Check.C2012,
            "transaction",
            words(
                "{transaction} waits for {acquiring_party}'s acceptance; only its "
                "administrators accept or refuse it",
                transaction=answer.identifier,
                acquiring_party=answer.acquiring_party,
            ),
        )
    ]


def before_deadline(answer: Answer) -> list[Refusal]:
    """C2013: an answer after the deadline comes too late; the transfer is being returned."""
    if answer.expires_at is None or answer.expires_at >= answer.now:
        return []
    return [
        Refusal(
            Check.C2013,
            "transaction",
            words(
                "{transaction} could be accepted until {expires_at:%Y-%m-%d %H:%M} UTC; it "
                "goes back to the transferring account",
                transaction=answer.identifier,
                expires_at=answer.expires_at,
            ),
        )
    ]


def deadline_passed(answer: Answer) -> list[Refusal]:
    """C2013: a transfer is returned only once its acceptance deadline has passed."""
    if answer.expires_at is not None and answer.expires_at < answer.now:
        return []
    if answer.expires_at is None:
        detail = words(
            "{transaction} may be accepted until no deadline", transaction=answer.identifier
        )
    else:
        detail = words(
            "{transaction} may be accepted until {expires_at:%Y-%m-%d %H:%M} UTC",
            transaction=answer.identifier,
            expires_at=answer.expires_at,
        )
    return [Refusal(Check.C2013, "transaction", detail)]


ANSWER_RULES: tuple[Rule, ...] = (awaits_acceptance, acquiring_party_answers, before_deadline)
"""Accepting or refusing, in order: still waiting, by the acquiring Party, in time."""
RETURN_RULES: tuple[Rule, ...] = (awaits_acceptance, deadline_passed)
"""The sweep's return, in order: still waiting, and past its deadline (an answer given
meanwhile wins)."""


@dataclass(frozen=True)
class Withdrawal:
    """Who withdraws, the transfer (its status here, whether it goes to another registry and
    whether that registry's answer is still open), the transferring Party and the user who
    initiated it."""

    actor: Actor
    identifier: str
    status: TransactionStatus
    across_registries: bool
    transferring_party: str
    initiator: str


WithdrawalRule = Callable[[Withdrawal], list[Refusal]]

_UNANSWERED_ABROAD = frozenset({TransactionStatus.PROPOSED, TransactionStatus.CHECKED})


def waits_for_the_acquirer(withdrawal: Withdrawal) -> list[Refusal]:
    """C2015: only a transfer still waiting for the acquiring side is withdrawn: here, awaiting
    the acquiring Party's acceptance; to another registry, not yet answered."""
    waiting = (
        withdrawal.status in _UNANSWERED_ABROAD
        if withdrawal.across_registries
        else withdrawal.status is TransactionStatus.AWAITING_ACCEPTANCE
    )
    if waiting:
        return []
    detail = words(
        "{transaction} is {status}, not waiting for the acquiring Party",
        transaction=withdrawal.identifier,
        status=withdrawal.status,
    )
    return [Refusal(Check.C2015, "transaction", detail)]


def transferring_party_withdraws(withdrawal: Withdrawal) -> list[Refusal]:
    """C2016: the user who initiated the transfer, or an administrator of the transferring
    Party's section (who could have approved it), withdraws it; never the acquiring Party."""
    actor = withdrawal.actor
    party = withdrawal.transferring_party
    if actor.party == party and permits(actor, Permission.READ, party) is None:
        if actor.name == withdrawal.initiator:
            return []
        if permits(actor, Permission.APPROVE, party) is None:
            return []
    return [
        Refusal(
            Check.C2016,
            "transaction",
            words(
                "{transaction} is withdrawn only by {party}: its initiator or its administrators",
                transaction=withdrawal.identifier,
                party=party,
            ),
        )
    ]


WITHDRAWAL_RULES: tuple[WithdrawalRule, ...] = (
    waits_for_the_acquirer,
    transferring_party_withdraws,
)
"""Withdrawing a transfer waiting for the acquiring side, in order: still waiting, by the
transferring Party."""
