"""When a pending transaction expires: the checks of the expiry sweep, in their order, as pure
functions over what the sweep read and locked. The first refusal wins; a refused expiry changes
nothing (another approver finished the transaction meanwhile, or its deadline moved)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from article6.domain.checks import Check, Refusal
from article6.domain.transactions import TransactionStatus
from article6.domain.wording import words


@dataclass(frozen=True)
class PendingTransaction:
    """What expiry looks at: the transaction's status and its approval deadline (UTC)."""

    identifier: str
    status: TransactionStatus
    expires_at: datetime | None


def awaits_approval(pending: PendingTransaction, now: datetime) -> Refusal | None:
    """C4007: only a transaction still awaiting approval expires."""
    if pending.status is TransactionStatus.AWAITING_APPROVAL:
        return None
    detail = words(
        "{transaction} is {status}, not awaiting approval",
        transaction=pending.identifier,
        status=pending.status,
    )
    return Refusal(Check.C4007, "transaction", detail)


def past_its_deadline(pending: PendingTransaction, now: datetime) -> Refusal | None:
    """C4007: it expires only once its approval deadline has passed."""
    if pending.expires_at is not None and pending.expires_at < now:
        return None
    if pending.expires_at is None:
        detail = words("{transaction} has no deadline", transaction=pending.identifier)
    else:
        detail = words(
            "{transaction} may be approved until {expires_at:%Y-%m-%d %H:%M} UTC",
            transaction=pending.identifier,
            expires_at=pending.expires_at,
        )
    return Refusal(Check.C4007, "transaction", detail)


EXPIRY_CHECKS: tuple[Callable[[PendingTransaction, datetime], Refusal | None], ...] = (
    awaits_approval,
    past_its_deadline,
)


def expiry_refusal(pending: PendingTransaction, now: datetime) -> Refusal | None:
    """The first check the expiry fails, or None when the transaction expires now."""
    for check in EXPIRY_CHECKS:
        refusal = check(pending, now)
        if refusal is not None:
            return refusal
    return None
