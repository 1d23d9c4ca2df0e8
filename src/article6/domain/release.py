"""Ending a waiting transaction without completing it: the Party rejects it, its initiator
withdraws it, or its approval deadline passes. Each step's checks are pure functions over what
its command read and locked (`Release`), in the catalogue's order; the first refusal wins and a
refused step changes nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from article6.domain.access import Actor, Permission, permits
from article6.domain.checks import Check, Refusal
from article6.domain.expiry import PendingTransaction, awaits_approval, expiry_refusal
from article6.domain.wording import words


@dataclass(frozen=True)
class Release:
    """Who asks, the waiting transaction (its status and deadline), its Party section, the user
    who initiated it, and the time the step is judged at."""

    actor: Actor
    pending: PendingTransaction
    party: str
    initiator: str
    now: datetime


Rule = Callable[[Release], list[Refusal]]


def still_waiting(release: Release) -> list[Refusal]:
    """C4007: only a transaction still awaiting approval is rejected or withdrawn."""
    refusal = awaits_approval(release.pending, release.now)
    return [refusal] if refusal is not None else []


def may_reject(release: Release) -> list[Refusal]:
    """C4002, C4006: rejecting is approving's other answer, by the same people."""
    refusal = permits(release.actor, Permission.APPROVE, release.party)
    return [refusal] if refusal is not None else []


def initiator_withdraws(release: Release) -> list[Refusal]:
    """C4002: a request is withdrawn by the user who made it, and no one else."""
    if release.initiator == release.actor.name:
        return []
    return [Refusal(Check.C4002, "transaction", words("only the initiator can withdraw it"))]


def may_read(release: Release) -> list[Refusal]:
    """C4002, C4006: the initiator still acts in the transaction's Party section."""
    refusal = permits(release.actor, Permission.READ, release.party)
    return [refusal] if refusal is not None else []


def deadline_passed(release: Release) -> list[Refusal]:
    """C4007: the expiry's checks (`domain.expiry`): still awaiting approval, past its
    deadline."""
    refusal = expiry_refusal(release.pending, release.now)
    return [refusal] if refusal is not None else []


REJECTION_RULES: tuple[Rule, ...] = (still_waiting, may_reject)
WITHDRAWAL_RULES: tuple[Rule, ...] = (still_waiting, initiator_withdraws, may_read)
EXPIRY_RULES: tuple[Rule, ...] = (deadline_passed,)
