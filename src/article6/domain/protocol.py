"""Pure rules of the registry-to-registry protocol (RULES.md 8, 9.7-9.8): registry codes,
message validity windows, retry backoff, the status machine of a transfer between registries,
and serial-range arithmetic for the hub's register of where units are."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from article6.domain.checks import Check, refuse
from article6.domain.wording import words

PROTOCOL = "article6-interop"
MAJOR = 1
MINOR = 4
VERSION = f"{MAJOR}.{MINOR}"

REGISTRY_CODE = re.compile(r"^[A-Z][A-Z0-9]{1,4}\Z")
HUB = "HUB"
INTERNATIONAL_REGISTRY = "IR"
MECHANISM_REGISTRY = "A64"
# The reserved cooperative approach the IR files A6.4ERs under (configuration to confirm).
MECHANISM_APPROACH = "CA6400"

MESSAGE_VALIDITY = timedelta(minutes=10)
CLOCK_SKEW = timedelta(minutes=2)
TRANSFER_TIMEOUT = timedelta(hours=24)
ACCEPTANCE_HOLD_LIMIT = timedelta(days=90)
"""How far beyond a proposal's own deadline the hub keeps a transfer held for the acquiring
Party's acceptance at most (C6116; the hub's setting, this by default)."""
QUERY_GRACE = timedelta(minutes=5)
FIRST_RETRY = timedelta(seconds=2)
LAST_RETRY = timedelta(minutes=10)


class Role(StrEnum):
    """The three roles the same registry software runs in, and the hub."""

    INTERNATIONAL = "international"
    NATIONAL = "national"
    MECHANISM = "mechanism"
    HUB = "hub"


class TransferStatus(StrEnum):
    """A transfer between registries, as the hub and both registries record it (DES codes)."""

    PROPOSED = "proposed"
    CHECKED = "checked"
    ACCEPTED = "accepted"
    COMPLETED = "completed"
    REJECTED = "rejected"
    TERMINATED = "terminated"
    CANCELLED = "cancelled"

    @property
    def final(self) -> bool:
        return self in FINAL_TRANSFER_STATUSES


FINAL_TRANSFER_STATUSES = frozenset(
    {
        TransferStatus.COMPLETED,
        TransferStatus.REJECTED,
        TransferStatus.TERMINATED,
        TransferStatus.CANCELLED,
    }
)

TRANSFER_TRANSITIONS: dict[TransferStatus, frozenset[TransferStatus]] = {
    TransferStatus.PROPOSED: frozenset(
        {TransferStatus.CHECKED, TransferStatus.ACCEPTED, *FINAL_TRANSFER_STATUSES}
    ),
    TransferStatus.CHECKED: frozenset({TransferStatus.ACCEPTED, *FINAL_TRANSFER_STATUSES}),
    TransferStatus.ACCEPTED: frozenset(FINAL_TRANSFER_STATUSES),
}


def may_become(current: TransferStatus, target: TransferStatus) -> bool:
    """Whether a status notification moves a transfer forward; late or repeated ones do not."""
    return target in TRANSFER_TRANSITIONS.get(current, frozenset())


def registry_code(value: str, field: str = "registry") -> str:
    if not isinstance(value, str) or not REGISTRY_CODE.match(value):
        raise refuse(Check.C1003, field, words("{value!r} is not a registry code", value=value))
    return value


def message_age(sent_at: datetime, now: datetime, field: str = "envelope.sent_at") -> None:
    """C6005: a message is valid for MESSAGE_VALIDITY after it was sent, with some clock skew."""
    if sent_at > now + CLOCK_SKEW:
        raise refuse(
            Check.C6005,
            field,
            words("sent at {sent_at}, in the future", sent_at=sent_at.isoformat()),
        )
    if sent_at + MESSAGE_VALIDITY < now:
        raise refuse(
            Check.C6005,
            field,
            words("sent at {sent_at}; the message expired", sent_at=sent_at.isoformat()),
        )


def protocol_version(version: str, field: str = "envelope.version") -> None:
    major, _, _minor = version.partition(".")
    if major != str(MAJOR):
        raise refuse(
            Check.C6007,
            field,
            words("version {version} is not {major}.x", version=version, major=MAJOR),
        )


def backoff(attempts: int) -> timedelta:
    """Exponential backoff between delivery attempts, capped."""
    delay: timedelta = FIRST_RETRY * (2 ** max(0, min(attempts - 1, 20)))
    return delay if delay < LAST_RETRY else LAST_RETRY


@dataclass(frozen=True)
class Range:
    """Serials `[first, last]` of one originating registry."""

    registry: str
    first: int
    last: int

    @property
    def quantity(self) -> int:
        return self.last - self.first + 1

    def overlaps(self, other: Range) -> bool:
        return (
            self.registry == other.registry
            and self.first <= other.last
            and other.first <= self.last
        )

    def minus(self, other: Range) -> list[Range]:
        """The parts of this range outside `other`."""
        if not self.overlaps(other):
            return [self]
        parts = []
        if self.first < other.first:
            parts.append(Range(self.registry, self.first, other.first - 1))
        if other.last < self.last:
            parts.append(Range(self.registry, other.last + 1, self.last))
        return parts


def uncovered(wanted: Range, covering: list[Range]) -> list[Range]:
    """The parts of `wanted` that no range of `covering` contains."""
    rest = [wanted]
    for cover in covering:
        rest = [part for piece in rest for part in piece.minus(cover)]
    return rest
