"""The reconciliation hold (C2006; RULES.md 8.8 and 9.8, after the ITL's check 3016).

From the hub's request for a registry's totals until the hub's result, no transaction changes
the holdings the hub is comparing, so a run cannot find a discrepancy that a transfer between
its phases made. The hold ends by itself at its deadline, judged by the registry's clock wherever
it is enforced: a lost result never freezes a registry, whether or not anything runs to lift the
overdue hold (lifting it then only clears and journals it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from article6.domain.checks import Check, CommandRefused, refuse
from article6.domain.wording import words

HOLD_LIMIT = timedelta(hours=1)
RECONCILIATION_INTERVAL = timedelta(minutes=10)
"""A reconciliation starts at least this long after the last one (C6109), by default: every run
holds the registries it reconciles, so back-to-back runs must not hold them all the time."""


@dataclass(frozen=True)
class ReconciliationHold:
    """Reconciliation `reconciliation_id` is in progress in this registry until `until` at the
    latest."""

    reconciliation_id: str
    until: datetime

    @property
    def until_utc(self) -> datetime:
        moment = self.until
        return moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)

    def in_force(self, now: datetime) -> bool:
        """Whether the hold refuses commands at `now`: only before its deadline."""
        return now < self.until_utc

    def refusal(self) -> CommandRefused:
        return refuse(
            Check.C2006,
            "reconciliation",
            words(
                "reconciliation {reconciliation_id} is in progress in this registry; "
                "transactions resume when the hub's result arrives, at the latest at "
                "{until_utc:%Y-%m-%d %H:%M} UTC",
                reconciliation_id=self.reconciliation_id,
                until_utc=self.until_utc,
            ),
        )
