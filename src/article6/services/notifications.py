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
from datetime import UTC, datetime
from typing import Any

from article6 import translation
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
from article6.domain.wording import Words, words
from article6.services.context import Registry
from article6.store import journal
from article6.store import notifications as store
from article6.store.database import unit_of_work
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
ANSWERED = ("TransferAccepted", "TransferRefused", "TransferReturned")
EVENTS = tuple(sorted({*RECEIVED, *AWAITING, *APPROVED, *DECIDED, *HOLDS, *TO_ACCEPT, *ANSWERED}))


@dataclass(frozen=True)
class Notice:
    """One notification decided for a set of users, before their choices are applied: its
    title and body as words, said in each recipient's language by `composed`."""

    kind: NotificationKind
    users: frozenset[str]
    title: Words
    body: Words


def composed(text: Words, language: str | None = None) -> str:
    """A notification's words as its recipient reads them, in `language` (English when None):
    the one place a notification's text is put into a language, when it is added to the inbox
    (and so to the e-mail sent from it)."""
    with translation.speaking(language):
        return translation.said(text)


def _sentences(*said: Words | None) -> Words:
    """Sentences one after the other, each translated on its own (a missing one left out)."""
    given = [s for s in said if s]
    if len(given) == 1:
        return given[0]
    return Words(
        " ".join(f"{{s{i}}}" for i in range(len(given))),
        **{f"s{i}": s for i, s in enumerate(given)},
    )


def _units(quantity: Any) -> Words:
    return words("{quantity:,} units", quantity=int(quantity))


def _ranges(body: dict[str, Any]) -> Words | None:
    ranges = body.get("ranges") or []
    shown = ", ".join(f"{r[0]} {r[1]}–{r[2]}" for r in ranges[:10])
    if not shown:
        return None
    if len(ranges) > 10:
        more = len(ranges) - 10
        return words("Serial ranges: {ranges} and {more} more.", ranges=shown, more=more)
    return words("Serial ranges: {ranges}.", ranges=shown)


def _received(reads: store.ProjectionReads, entry: SealedEvent, actor: str) -> list[Notice]:
    if entry.body.get("kind", TransactionKind.ACQUISITION.value) not in RECEIPTS:
        return []
    account = entry.body.get("destination") or entry.body.get("account")
    holder = reads.holder(str(account)) if account else None
    if holder is None:
        return []
    users = receiving(reads.grants([holder.party]), holder) - {actor}
    subject = entry.subject or ""
    units = _units(entry.body.get("quantity", 0))
    if entry.body.get("source"):
        origin = words("from account {account}", account=entry.body["source"])
    elif "from_registry" in entry.body:
        origin = words("from the registry {registry}", registry=entry.body["from_registry"])
    else:
        origin = words("from the registry abroad")
    return [
        Notice(
            NotificationKind.UNITS_RECEIVED,
            frozenset(users),
            words("{units} received in {account}", units=units, account=holder.account),
            _sentences(
                words(
                    "Transaction {transaction} moved {units} {origin} into account {account}.",
                    transaction=subject,
                    units=units,
                    origin=origin,
                    account=holder.account,
                ),
                _ranges(entry.body),
            ),
        )
    ]


def _awaiting(reads: store.ProjectionReads, entry: SealedEvent) -> list[Notice]:
    subject = entry.subject or ""
    request = reads.request_of(subject)
    if request is None:
        return []
    users = _independent(reads, request, approving(reads.grants([request.party]), request))
    source = request.source.account if request.source else words("its source")
    return [
        Notice(
            NotificationKind.APPROVAL_NEEDED,
            frozenset(users),
            words("Approval needed: {transaction}", transaction=subject),
            _sentences(
                words(
                    "Transaction {transaction} of {units} from account {account} waits for "
                    "{party}'s approval.",
                    transaction=subject,
                    units=_units(entry.body.get("quantity", 0)),
                    account=source,
                    party=request.party,
                ),
                _ranges(entry.body),
                words("Approve or reject it in the approvals inbox."),
            ),
        )
    ]


def _independent(reads: store.ProjectionReads, request: Request, names: set[str]) -> set[str]:
    """The approvals' own second-person rule (`permits_approval`): under four eyes (a request
    from the Party's own account) only approvers independent of the initiator are asked."""
    if request.initiator is None:
        return names
    four_eyes = request.source is None or request.source.entity is None
    initiator = reads.creation_line(request.initiator)
    return {
        name
        for name in names
        if permits_approval(initiator, reads.creation_line(name), four_eyes) is None
    }


def _approved(reads: store.ProjectionReads, entry: SealedEvent) -> list[Notice]:
    subject = entry.subject or ""
    request = reads.request_of(subject)
    if request is None or request.approver is None:
        return []
    users = initiating(reads.grants([request.party]), request)
    return [
        Notice(
            NotificationKind.REQUEST_APPROVED,
            frozenset(users),
            words("Your request {transaction} was approved", transaction=subject),
            _sentences(
                words(
                    "Transaction {transaction} of {units} was approved by {approver}.",
                    transaction=subject,
                    units=_units(entry.body.get("quantity", 0)),
                    approver=name_in(request.approver),
                ),
                _ranges(entry.body),
            ),
        )
    ]


def _decided(
    reads: store.ProjectionReads, entry: SealedEvent, kind: NotificationKind
) -> list[Notice]:
    subject = entry.subject or ""
    request = reads.request_of(subject)
    if request is None:
        return []
    users = initiating(reads.grants([request.party]), request)
    said = {
        "transaction": subject,
        "reason": entry.body.get("reason", ""),
        "units": _units(entry.body.get("released", 0)),
        "account": request.source.account if request.source else words("their source"),
    }
    if kind is NotificationKind.REQUEST_REJECTED:
        title = words("Your request {transaction} was rejected", transaction=subject)
        body = words(
            "Transaction {transaction} was rejected: {reason}. "
            "Its {units} are back in account {account}.",
            **said,
        )
    else:
        title = words("Your request {transaction} expired", transaction=subject)
        body = words(
            "Transaction {transaction} expired: {reason}. "
            "Its {units} are back in account {account}.",
            **said,
        )
    return [Notice(kind, frozenset(users), title, body)]


def moment_words(recorded: str) -> Words | str:
    """A moment the journal keeps in ISO form, as words the reader's language writes its way
    (3 déc. 2026, 14:05 UTC); as recorded when it is not one."""
    try:
        moment = datetime.fromisoformat(recorded).astimezone(UTC)
    except (TypeError, ValueError):
        return recorded
    return words("{moment:%Y-%m-%d %H:%M} UTC", moment=moment)


def _hold(reads: store.ProjectionReads, entry: SealedEvent) -> list[Notice]:
    placed = entry.event == "ReconciliationHoldPlaced"
    users = held_up(reads.grants(None))
    run = entry.subject or ""
    if placed:
        title = words("Reconciliation hold placed ({run})", run=run)
        body = words(
            "The registry holds every transaction for the reconciliation {run} until {until}: "
            "requests are refused (C2006) meanwhile.",
            run=run,
            until=(
                moment_words(entry.body["until"]) if "until" in entry.body else words("its result")
            ),
        )
    else:
        title = words("Reconciliation hold lifted ({run})", run=run)
        body = words(
            "Transactions are accepted again: {reason}.",
            reason=entry.body["reason"] if "reason" in entry.body else words("the hold ended"),
        )
    return [Notice(NotificationKind.RECONCILIATION_HOLD, frozenset(users), title, body)]


def _to_accept(reads: store.ProjectionReads, entry: SealedEvent) -> list[Notice]:
    """A transfer waits for the acquiring Party: those who may answer for it are asked."""
    holder = reads.holder(str(entry.body.get("destination", "")))
    if holder is None:
        return []
    subject = entry.subject or ""
    asked = Request(party=holder.party, initiator=None, source=None)
    users = approving(reads.grants([holder.party]), asked)
    return [
        Notice(
            NotificationKind.ACCEPTANCE_NEEDED,
            frozenset(users),
            words("Incoming transfer to accept: {transaction}", transaction=subject),
            _sentences(
                words(
                    "Transaction {transaction} of {units} from account {source} into account "
                    "{account} waits for {party}'s acceptance.",
                    transaction=subject,
                    units=_units(entry.body.get("quantity", 0)),
                    source=entry.body.get("source", ""),
                    account=holder.account,
                    party=holder.party,
                ),
                _ranges(entry.body),
                words(
                    "Accept or refuse it under Incoming transfers; if nobody answers by its "
                    "deadline it is returned."
                ),
            ),
        )
    ]


def _answered(reads: store.ProjectionReads, entry: SealedEvent) -> list[Notice]:
    """The transferring Party's user who asked learns what became of the transfer."""
    subject = entry.subject or ""
    request = reads.request_of(subject)
    if request is None:
        return []
    users = initiating(reads.grants([request.party]), request)
    said = {
        "transaction": subject,
        "party": entry.body.get("acquiring_party") or words("the acquiring Party"),
        "account": request.source.account if request.source else words("their source"),
    }
    if entry.event == "TransferAccepted":
        title = words("Your transfer {transaction} was accepted by {party}", **said)
        body = words("Transaction {transaction} was accepted by {party}.", **said)
    elif entry.event == "TransferRefused":
        title = words("Your transfer {transaction} was refused by {party}", **said)
        body = words(
            "Transaction {transaction} was refused by {party}: {reason}. "
            "Its units are back in account {account}.",
            reason=entry.body["reason"],
            **said,
        )
    else:
        title = words("Your transfer {transaction} was not accepted in time by {party}", **said)
        body = words(
            "Transaction {transaction} was not accepted in time by {party}. "
            "Its units are back in account {account}.",
            **said,
        )
    return [Notice(NotificationKind.TRANSFER_ANSWERED, frozenset(users), title, body)]


def notices(reads: store.ProjectionReads, entry: SealedEvent, actor: str) -> list[Notice]:
    """What one sealed entry tells whom."""
    found: list[Notice] = []
    if entry.event in RECEIVED:
        found += _received(reads, entry, actor)
    if entry.event in AWAITING:
        found += _awaiting(reads, entry)
    if entry.event in APPROVED:
        found += _approved(reads, entry)
    if entry.event in DECIDED:
        found += _decided(reads, entry, DECIDED[entry.event])
    if entry.event in HOLDS:
        found += _hold(reads, entry)
    if entry.event in TO_ACCEPT:
        found += _to_accept(reads, entry)
    if entry.event in ANSWERED:
        found += _answered(reads, entry)
    return found


def _rows(
    reads: store.ProjectionReads, entry: SealedEvent, found: list[Notice]
) -> list[NewNotification]:
    named = {name for notice in found for name in notice.users}
    people = {r.name: r for r in reads.recipients(named)}
    chosen = reads.channels([r.user_id for r in people.values()])
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
            language = person.language
            rows.append(
                NewNotification(
                    user_id=person.user_id,
                    kind=notice.kind.value,
                    journal_seq=entry.seq,
                    subject=(entry.subject or "")[:200],
                    title=composed(notice.title, language)[:300],
                    body=composed(notice.body, language),
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
        entries = store.events_between(connection, after, upto, EVENTS)
        reads = store.ProjectionReads(connection)
        reads.read_requests(entry.subject for entry in entries if entry.subject)
        for entry in entries:
            found = notices(reads, entry, name_in(entry.actor))
            added += store.insert(connection, _rows(reads, entry, found))
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
