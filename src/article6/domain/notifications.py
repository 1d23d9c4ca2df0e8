"""Who is told what: the kinds of notification, each user's channels, and the rules that pick
a notification's recipients from who they are (their roles and grants) and whose account it is.

A recipient is decided here, never by a label in the journal: units received go to the people
who act for the account's holder (the Party's users for a Party's account, that entity's
representatives for an entity's), an approval to those who may approve in the request's
section, a decision on a request to the user who asked, still acting where they asked. A user
is never told about another section's or another entity's units.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from article6.domain.access import Actor, Permission, Role, permits
from article6.domain.checks import Check, Refusal
from article6.domain.wording import words


class NotificationKind(StrEnum):
    UNITS_RECEIVED = "units_received"
    APPROVAL_NEEDED = "approval_needed"
    REQUEST_APPROVED = "request_approved"
    REQUEST_REJECTED = "request_rejected"
    REQUEST_EXPIRED = "request_expired"
    RECONCILIATION_HOLD = "reconciliation_hold"
    ACCEPTANCE_NEEDED = "acceptance_needed"
    TRANSFER_ANSWERED = "transfer_answered"


KIND_NAMES = {
    NotificationKind.UNITS_RECEIVED: words("Units received"),
    NotificationKind.APPROVAL_NEEDED: words("Approval needed"),
    NotificationKind.REQUEST_APPROVED: words("Your request approved"),
    NotificationKind.REQUEST_REJECTED: words("Your request rejected"),
    NotificationKind.REQUEST_EXPIRED: words("Your request expired"),
    NotificationKind.RECONCILIATION_HOLD: words("Reconciliation hold placed or lifted"),
    NotificationKind.ACCEPTANCE_NEEDED: words("Incoming transfer to accept"),
    NotificationKind.TRANSFER_ANSWERED: words("Your transfer accepted, refused or returned"),
}


class Channel(StrEnum):
    IN_APP = "in_app"
    IN_APP_AND_EMAIL = "in_app_and_email"
    NONE = "none"


CHANNEL_NAMES = {
    Channel.IN_APP: words("In the registry only"),
    Channel.IN_APP_AND_EMAIL: words("In the registry and by e-mail"),
    Channel.NONE: words("Not at all"),
}
DEFAULT_CHANNEL = Channel.IN_APP


@dataclass(frozen=True)
class Holder:
    """Whose account it is: the Party section it is in and, for an entity's, the entity."""

    account: str
    party: str
    entity: str | None


@dataclass(frozen=True)
class Request:
    """A request a decision was taken on: its section, who asked, from which account."""

    party: str
    initiator: str | None
    source: Holder | None
    approver: str | None = None


RECEIPTS = frozenset({"internal_transfer", "international_transfer", "acquisition"})
"""The transactions that bring units into an account from another holder: a link to an
authorization, a use or a cancellation moves units too, but nobody receives them."""
MOVING_ROLES = frozenset({Role.ADMINISTRATOR, Role.PARTY_USER})
"""Who acts for a Party's own accounts, and so is told when units arrive in one."""
HOLD_ROLES = frozenset({Role.SECRETARIAT, Role.ADMINISTRATOR, Role.PARTY_USER, Role.ENTITY})
"""Everyone whose transactions a reconciliation hold stops (an auditor's are none)."""


def acts_for(grant: Actor, holder: Holder) -> bool:
    """Whether `grant` is held for the account's holder: in its section, and for an entity's
    account, as that entity's representative."""
    if grant.party != holder.party:
        return False
    if holder.entity is not None:
        return grant.role is Role.ENTITY and grant.entity == holder.entity
    return grant.role in MOVING_ROLES


def may_approve(grant: Actor, request: Request) -> bool:
    """The approvals inbox's rule: an approver in the request's section, not the one who asked."""
    return (
        grant.party == request.party
        and permits(grant, Permission.APPROVE, request.party) is None
        and grant.name != request.initiator
    )


def asked(grant: Actor, request: Request) -> bool:
    """Whether `grant` is the user who asked, still acting where they asked (an entity's
    representative still for the entity whose account it was)."""
    if request.initiator is None or grant.name != request.initiator:
        return False
    if grant.party != request.party:
        return False
    if grant.role is Role.ENTITY:
        return request.source is not None and grant.entity == request.source.entity
    return True


def stopped_by_hold(grant: Actor) -> bool:
    return grant.role in HOLD_ROLES


def receiving(grants: Iterable[Actor], holder: Holder) -> set[str]:
    return {g.name for g in grants if acts_for(g, holder)}


def approving(grants: Iterable[Actor], request: Request) -> set[str]:
    return {g.name for g in grants if may_approve(g, request)}


def initiating(grants: Iterable[Actor], request: Request) -> set[str]:
    return {g.name for g in grants if asked(g, request)}


def held_up(grants: Iterable[Actor]) -> set[str]:
    return {g.name for g in grants if stopped_by_hold(g)}


EMAIL = re.compile(r"[^@\s<>,;\"']{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,62}\.)+[A-Za-z]{2,63}")
EMAIL_LIMIT = 254


def email_refusal(address: str) -> Refusal | None:
    """None if `address` is one plain address (no display name, no list), else why not."""
    if len(address) > EMAIL_LIMIT or EMAIL.fullmatch(address) is None:
        return Refusal(
            Check.C1013,
            "email",
            words(
                "an e-mail address is one address such as name@ministry.example, "
                "at most {limit} characters",
                limit=EMAIL_LIMIT,
            ),
        )
    return None


def kind_refusal(kind: str) -> Refusal | None:
    if kind in {k.value for k in NotificationKind}:
        return None
    return Refusal(
        Check.C1007,
        "kind",
        words(
            "{kind} is not a kind of notification; one of {kinds}",
            kind=kind[:40],
            kinds=", ".join(k.value for k in NotificationKind),
        ),
    )


def channel_refusal(channel: str, field: str = "channel") -> Refusal | None:
    if channel in {c.value for c in Channel}:
        return None
    return Refusal(
        Check.C1007,
        field,
        words("a channel is one of {channels}", channels=", ".join(c.value for c in Channel)),
    )
