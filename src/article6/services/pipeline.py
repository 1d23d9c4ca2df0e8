"""The shape of a ledger command: load → check → decide → apply.

- **load** reads and locks everything the command needs into one frozen context, locking in
  each command's fixed order (a movement: the holdings rows ascending by account id, then a
  capped authorization's rows; an issuance: the activity, the authorization, the holdings row);
- **check** runs the command's rules, pure domain functions over that context, in the
  catalogue's order: the first that refuses decides the outcome, and nothing has been written;
- **decide** turns the context into the complete list of changes, as typed records;
- **apply** writes them. Nothing after `decide` can refuse.

A transaction's number is the last thing read (`ticket`): taken only once the rules have
passed, so a refused command leaves no gap, and in the same statement as the section's
reconciliation hold, which is judged (C2006) before anything is written. A rehearsal (the
preview) reads the section instead of taking a number, and stops after `decide`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection

from article6.domain.access import Actor
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.reconciliation import ReconciliationHold
from article6.domain.wording import words
from article6.services.context import Registry
from article6.services.journal import log
from article6.store import sections

C = TypeVar("C")


def check(context: C, rules: Sequence[Callable[[C], list[Refusal]]]) -> C:
    """Run the rules in order; the first that refuses stops the command with its refusals."""
    for rule in rules:
        refusals = rule(context)
        if refusals:
            raise CommandRefused(refusals)
    return context


def deferred(call: Callable[[], C]) -> tuple[C | None, tuple[Refusal, ...]]:
    """What a load step found, or the refusals it met, kept for the rule that reports them in
    its place: a load never refuses out of the catalogue's order."""
    try:
        return call(), ()
    except CommandRefused as refused:
        return None, tuple(refused.refusals)


@dataclass(frozen=True)
class Ticket:
    """A transaction's number (None in a rehearsal, which takes none) and what its section
    says: the registry's identifier, how long a request may wait, the next serial, the hold."""

    registry_id: str
    number: int | None
    pending_days: int
    next_serial: int
    hold: ReconciliationHold | None
    party: str = ""
    status: str = "open"

    @property
    def identifier(self) -> str:
        if self.number is None:
            return f"{self.registry_id}-(numbered on confirmation)"
        return f"{self.registry_id}-{self.number:08d}"

    def refusals(self, now: datetime) -> list[Refusal]:
        """C2006 while a reconciliation holds the registry at `now`; C4026 while the section is
        suspended or closed (units arriving from elsewhere are still credited)."""
        if self.status != "open":
            return [
                Refusal(
                    Check.C4026,
                    "source_account",
                    words(
                        "{party}'s section is {status}: no units leave it and it records no new "
                        "transaction",
                        party=self.party,
                        status=self.status,
                    ),
                )
            ]
        if self.hold is None or not self.hold.in_force(now):
            return []
        return self.hold.refusal().refusals


def ticket(connection: Connection, party: str, now: datetime, rehearse: bool) -> Ticket:
    """Take the next transaction number of `party`'s section (read the section, in a rehearsal)
    and refuse with C2006 while a reconciliation holds the registry."""
    if rehearse:
        row = sections.section(connection, party)
        if row is None:
            raise LookupError(f"{party} has no section")
        number = None
    else:
        number, row = sections.number_transaction(connection, party)
    taken = Ticket(
        registry_id=row.registry_id,
        number=number,
        pending_days=row.pending_days,
        next_serial=row.next_serial,
        hold=row.hold,
        party=party,
        status=row.status,
    )
    refusals = taken.refusals(now)
    if refusals:
        raise CommandRefused(refusals)
    return taken


@dataclass(frozen=True)
class JournalEntry:
    """The journal entry a command appends, decided with its other changes."""

    event: str
    party: str | None
    subject: str
    body: dict[str, Any]

    def append(self, connection: Connection, registry: Registry, actor: Actor) -> None:
        log(connection, registry, actor, self.event, self.party, self.subject, self.body)
