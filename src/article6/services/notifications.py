"""Notifications projected from the sealed journal, and each user's inbox and choices.

Commands do not notify: `project` reads the entries sealed since its position, decides each
entry's recipients by the domain's rules (`domain.notifications`) and adds one notification per
recipient and kind, then moves its position, all in one transaction. The unique key
(entry, user, kind) makes a projection run twice, or by two processes, add nothing the second
time. A command never waits for it: it runs in the serve loop and `article6 notifications
deliver`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from article6.domain.access import name_in, permits_approval
from article6.domain.notifications import (
    DEFAULT_CHANNEL,
    RECEIPTS,
    Channel,
    NotificationKind,
    Request,
    approving,
    held_up,
    initiating,
    receiving,
)
from article6.domain.transactions import TransactionKind
from article6.services.context import Registry
from article6.store import journal
from article6.store import notifications as store
from article6.store.database import unit_of_work
from article6.store.identity import creation_line
from article6.store.notifications import NewNotification, SealedEvent

PROJECTION_BATCH = 500
INBOX_LIMIT = 200

RECEIVED = ("TransactionCompleted", "UnitsAcquired")
AWAITING = ("TransactionAwaitingApproval",)
APPROVED = ("TransactionCompleted", "ExternalTransferProposed")
DECIDED = {
    "TransactionRejected": NotificationKind.REQUEST_REJECTED,
    "TransactionExpired": NotificationKind.REQUEST_EXPIRED,
}
HOLDS = ("ReconciliationHoldPlaced", "ReconciliationHoldLifted")
TO_ACCEPT = ("TransferAwaitingAcceptance",)
ANSWERED = {
    "TransferAccepted": "was accepted by",
    "TransferRefused": "was refused by",
    "TransferReturned": "was not accepted in time by",
}
EVENTS = tuple(sorted({*RECEIVED, *AWAITING, *APPROVED, *DECIDED, *HOLDS, *TO_ACCEPT, *ANSWERED}))


@dataclass(frozen=True)
class Notice:
    """One notification decided for a set of users, before their choices are applied."""

    kind: NotificationKind
    users: frozenset[str]
    title: str
    body: str


def _units(quantity: Any) -> str:
    return f"{int(quantity):,} units"


def _ranges(body: dict[str, Any]) -> str:
    ranges = body.get("ranges") or []
    shown = [f"{r[0]} {r[1]}–{r[2]}" for r in ranges[:10]]
    more = f" and {len(ranges) - 10} more" if len(ranges) > 10 else ""
    return f" Serial ranges: {', '.join(shown)}{more}." if shown else ""


def _received(connection: Connection, entry: SealedEvent, actor: str) -> list[Notice]:
    if entry.body.get("kind", TransactionKind.ACQUISITION.value) not in RECEIPTS:
        return []
    account = entry.body.get("destination") or entry.body.get("account")
    holder = store.holder(connection, str(account)) if account else None
    if holder is None:
        return []
    users = receiving(store.grants(connection, [holder.party]), holder) - {actor}
    subject = entry.subject or ""
    origin = (
        f"from account {entry.body['source']}"
        if entry.body.get("source")
        else f"from the registry {entry.body.get('from_registry', 'abroad')}"
    )
    return [
        Notice(
            NotificationKind.UNITS_RECEIVED,
            frozenset(users),
            f"{_units(entry.body.get('quantity', 0))} received in {holder.account}",
            f"Transaction {subject} moved {_units(entry.body.get('quantity', 0))} {origin} "
            f"into account {holder.account}.{_ranges(entry.body)}",
        )
    ]


def _awaiting(connection: Connection, entry: SealedEvent) -> list[Notice]:
    subject = entry.subject or ""
    request = store.request_of(connection, subject)
    if request is None:
        return []
    users = _independent(
        connection, request, approving(store.grants(connection, [request.party]), request)
    )
    source = request.source.account if request.source else "its source"
    return [
        Notice(
            NotificationKind.APPROVAL_NEEDED,
            frozenset(users),
            f"Approval needed: {subject}",
            f"Transaction {subject} of {_units(entry.body.get('quantity', 0))} from account "
            f"{source} waits for {request.party}'s approval.{_ranges(entry.body)} "
            "Approve or reject it in the approvals inbox.",
        )
    ]


def _independent(connection: Connection, request: Request, names: set[str]) -> set[str]:
    """The approvals' own second-person rule (`permits_approval`): under four eyes (a request
    from the Party's own account) only approvers independent of the initiator are asked."""
    if request.initiator is None:
        return names
    four_eyes = request.source is None or request.source.entity is None
    initiator = creation_line(connection, request.initiator)
    return {
        name
        for name in names
        if permits_approval(initiator, creation_line(connection, name), four_eyes) is None
    }


def _approved(connection: Connection, entry: SealedEvent) -> list[Notice]:
    subject = entry.subject or ""
    request = store.request_of(connection, subject)
    if request is None or request.approver is None:
        return []
    users = initiating(store.grants(connection, [request.party]), request)
    return [
        Notice(
            NotificationKind.REQUEST_APPROVED,
            frozenset(users),
            f"Your request {subject} was approved",
            f"Transaction {subject} of {_units(entry.body.get('quantity', 0))} was approved by "
            f"{name_in(request.approver)}.{_ranges(entry.body)}",
        )
    ]


def _decided(connection: Connection, entry: SealedEvent, kind: NotificationKind) -> list[Notice]:
    subject = entry.subject or ""
    request = store.request_of(connection, subject)
    if request is None:
        return []
    users = initiating(store.grants(connection, [request.party]), request)
    outcome = "was rejected" if kind is NotificationKind.REQUEST_REJECTED else "expired"
    quantity = _units(entry.body.get("released", 0))
    return [
        Notice(
            kind,
            frozenset(users),
            f"Your request {subject} {outcome}",
            f"Transaction {subject} {outcome}: {entry.body.get('reason', '')}. "
            f"Its {quantity} are back in account "
            f"{request.source.account if request.source else 'their source'}.",
        )
    ]


def _hold(connection: Connection, entry: SealedEvent) -> list[Notice]:
    placed = entry.event == "ReconciliationHoldPlaced"
    users = held_up(store.grants(connection, None))
    run = entry.subject or ""
    if placed:
        title = f"Reconciliation hold placed ({run})"
        body = (
            f"The registry holds every transaction for the reconciliation {run} until "
            f"{entry.body.get('until', 'its result')}: requests are refused (C2006) meanwhile."
        )
    else:
        title = f"Reconciliation hold lifted ({run})"
        body = f"Transactions are accepted again: {entry.body.get('reason', 'the hold ended')}."
    return [Notice(NotificationKind.RECONCILIATION_HOLD, frozenset(users), title, body)]


def _to_accept(connection: Connection, entry: SealedEvent) -> list[Notice]:
    """A transfer waits for the acquiring Party: those who may answer for it are asked."""
    holder = store.holder(connection, str(entry.body.get("destination", "")))
    if holder is None:
        return []
    subject = entry.subject or ""
    asked = Request(party=holder.party, initiator=None, source=None)
    users = approving(store.grants(connection, [holder.party]), asked)
    return [
        Notice(
            NotificationKind.ACCEPTANCE_NEEDED,
            frozenset(users),
            f"Incoming transfer to accept: {subject}",
            f"Transaction {subject} of {_units(entry.body.get('quantity', 0))} from account "
            f"{entry.body.get('source', '')} into account {holder.account} waits for "
            f"{holder.party}'s acceptance.{_ranges(entry.body)} Accept or refuse it under "
            "Incoming transfers; if nobody answers by its deadline it is returned.",
        )
    ]


def _answered(connection: Connection, entry: SealedEvent) -> list[Notice]:
    """The transferring Party's user who asked learns what became of the transfer."""
    subject = entry.subject or ""
    request = store.request_of(connection, subject)
    if request is None:
        return []
    users = initiating(store.grants(connection, [request.party]), request)
    party = entry.body.get("acquiring_party") or "the acquiring Party"
    outcome = f"{ANSWERED[entry.event]} {party}"
    reason = f": {entry.body['reason']}" if entry.event == "TransferRefused" else ""
    back = (
        ""
        if entry.event == "TransferAccepted"
        else f" Its units are back in account "
        f"{request.source.account if request.source else 'their source'}."
    )
    return [
        Notice(
            NotificationKind.TRANSFER_ANSWERED,
            frozenset(users),
            f"Your transfer {subject} {outcome}",
            f"Transaction {subject} {outcome}{reason}.{back}",
        )
    ]


def notices(connection: Connection, entry: SealedEvent, actor: str) -> list[Notice]:
    """What one sealed entry tells whom."""
    found: list[Notice] = []
    if entry.event in RECEIVED:
        found += _received(connection, entry, actor)
    if entry.event in AWAITING:
        found += _awaiting(connection, entry)
    if entry.event in APPROVED:
        found += _approved(connection, entry)
    if entry.event in DECIDED:
        found += _decided(connection, entry, DECIDED[entry.event])
    if entry.event in HOLDS:
        found += _hold(connection, entry)
    if entry.event in TO_ACCEPT:
        found += _to_accept(connection, entry)
    if entry.event in ANSWERED:
        found += _answered(connection, entry)
    return found


def _rows(connection: Connection, entry: SealedEvent, found: list[Notice]) -> list[NewNotification]:
    named = {name for notice in found for name in notice.users}
    people = {r.name: r for r in store.recipients(connection, named)}
    chosen = store.channels(connection, [r.user_id for r in people.values()])
    rows = []
    for notice in found:
        for name in sorted(notice.users):
            person = people.get(name)
            if person is None:
                continue
            channel = chosen.get((person.user_id, notice.kind.value), DEFAULT_CHANNEL.value)
            if channel == Channel.NONE:
                continue
            by_email = channel == Channel.IN_APP_AND_EMAIL and bool(person.email)
            rows.append(
                NewNotification(
                    user_id=person.user_id,
                    kind=notice.kind.value,
                    journal_seq=entry.seq,
                    subject=(entry.subject or "")[:200],
                    title=notice.title[:300],
                    body=notice.body,
                    created_at=entry.recorded_at,
                    email_status="pending" if by_email else "none",
                    email_next_at=entry.recorded_at if by_email else None,
                )
            )
    return rows


def project(registry: Registry, batch: int = PROJECTION_BATCH) -> int:
    """Notify what was sealed since the last projection, up to `batch` entries; return how
    many notifications were added."""
    with unit_of_work(registry.engine) as connection:
        after = store.position(connection)
        upto = min(store.sealed_head(connection), after + batch)
        if upto <= after:
            return 0
        added = 0
        for entry in store.events_between(connection, after, upto, EVENTS):
            found = notices(connection, entry, name_in(entry.actor))
            added += store.insert(connection, _rows(connection, entry, found))
        store.advance(connection, upto)
        return added


def project_all(registry: Registry) -> int:
    """Project until the position reaches the sealed head, having first sealed what was
    committed before (sealing runs after commit, off the request path: without this, an entry
    committed a moment ago would wait for the next step)."""
    journal.seal(registry.engine)
    total = 0
    while True:
        with unit_of_work(registry.engine, read_only=True) as connection:
            behind = store.sealed_head(connection) > store.position(connection, lock=False)
        if not behind:
            return total
        total += project(registry)
