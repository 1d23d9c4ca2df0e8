"""Throttling failed sign-ins, by name and by client address.

A name is slowed down after a few failures and then locked for a while, whether or not a user
holds it, with the same answers either way: otherwise the answers would tell which names
exist. A client address is slowed down the same way across every name it tries, but never
locked: a whole office may share one address.
"""

from __future__ import annotations

import ipaddress
import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection

from article6.domain.checks import Check, Refusal
from article6.domain.wording import words
from article6.settings import Settings
from article6.store import identity
from article6.store.database import aware
from article6.store.identity import UserRecord


def address_key(host: str | None) -> str | None:
    """The client address failures are counted against: an IPv4 address, or an IPv6 address's
    /64 (one subscriber's whole network, which is theirs to vary at will)."""
    if not host:
        return None
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return host[:45]
    if isinstance(address, ipaddress.IPv6Address):
        if address.ipv4_mapped is not None:
            return str(address.ipv4_mapped)
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return str(address)


@dataclass(frozen=True)
class Standing:
    """A sign-in attempt's name and address with their failures so far. A user's failures are
    on their row (a sign-in or an administrator resets them); a name no user holds is counted
    from its recorded failures, so that it is throttled and locked exactly alike and the
    answers never tell whether a name exists."""

    name: str
    address: str | None
    failures: int
    last_failure: datetime | None
    locked_until: datetime | None
    address_failures: int
    address_last_failure: datetime | None


def standing(
    connection: Connection,
    settings: Settings,
    name: str,
    address: str | None,
    row: UserRecord | None,
    now: datetime,
) -> Standing:
    # Read for every name, user or not, so that both take the same steps.
    failures, last = identity.failures_of_name(connection, name)
    last, locked_until = aware(last), None
    if row is not None:
        failures, last = row.failed_sign_ins, aware(row.last_failure_at)
        locked_until = aware(row.locked_until)
    elif failures >= settings.lock_after and last is not None:
        locked_until = last + timedelta(minutes=settings.lock_minutes)  # as `_fail` locks a user
    from_address, address_last = 0, None
    if address is not None:
        since = now - timedelta(minutes=settings.address_window_minutes)
        from_address, address_last = identity.failures_from(connection, address, since)
    return Standing(name, address, failures, last, locked_until, from_address, aware(address_last))


def wait(failures: int, after: int, last: datetime | None, now: datetime) -> int | None:
    """Whole seconds still to wait: from the `after`-th failure on, each next attempt waits
    twice as long after the last failure as the one before (1, 2, 4 … s, at most 5 minutes)."""
    if failures < after or last is None:
        return None
    until = last + timedelta(seconds=min(2 ** min(failures - after, 9), 300))
    return math.ceil((until - now).total_seconds()) if now < until else None


def gate(settings: Settings, standing: Standing, now: datetime) -> tuple[Refusal, str, int] | None:
    """Locked, or throttled by name or by address: the refusal, the reason to journal and the
    seconds until an attempt is checked again (the answer's Retry-After)."""
    locked_until = standing.locked_until
    if locked_until is not None and locked_until > now:
        text = words(
            "locked after repeated failures until {locked_until:%H:%M} UTC",
            locked_until=locked_until,
        )
        return (
            Refusal(Check.C4010, "name", text),
            "locked",
            math.ceil((locked_until - now).total_seconds()),
        )
    waits = (
        wait(standing.failures, settings.throttle_after, standing.last_failure, now),
        wait(
            standing.address_failures,
            settings.address_throttle_after,
            standing.address_last_failure,
            now,
        ),
    )
    longest = max((w for w in waits if w is not None), default=None)
    if longest is not None:
        text = words("too many failures; try again in {seconds} s", seconds=longest)
        return Refusal(Check.C4010, "name", text), "throttled", longest
    return None
