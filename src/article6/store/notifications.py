"""The notifications' repository: the projector's position and what it reads of the sealed
journal, the grants and accounts it decides recipients by, the inbox, the choices, and the
e-mail delivery state.

Only sealed entries are read: a sealed entry's command has committed, and the chain's numbers
have no gaps, so a position is a complete "everything up to here"."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, case, func, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from article6.domain.access import Actor, Role
from article6.domain.notifications import Holder, Request
from article6.store.database import is_postgres
from article6.store.identity import creation_line
from article6.store.identity_schema import role_grants, users
from article6.store.notification_schema import (
    notification_position,
    notification_preferences,
    notifications,
)
from article6.store.schema import accounts, authorized_entities, journal, transactions


@dataclass(frozen=True)
class SealedEvent:
    """A sealed journal entry, as the projector reads it."""

    seq: int
    recorded_at: datetime
    actor: str
    event: str
    party: str | None
    subject: str | None
    body: dict[str, Any]


@dataclass(frozen=True)
class Recipient:
    user_id: int
    name: str
    email: str | None
    language: str | None = None  # the language they chose; English when none


@dataclass(frozen=True)
class NewNotification:
    user_id: int
    kind: str
    journal_seq: int
    subject: str
    title: str
    body: str
    created_at: datetime
    email_status: str
    email_next_at: datetime | None


@dataclass(frozen=True)
class StoredNotification:
    id: int
    kind: str
    journal_seq: int
    subject: str
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None
    email_status: str


@dataclass(frozen=True)
class OutgoingEmail:
    """A notification due to be sent by e-mail, with where to."""

    id: int
    address: str
    title: str
    body: str
    attempts: int
    language: str | None = None  # the recipient's, for the subject's prefix and the footer


def position(connection: Connection, lock: bool = True) -> int:
    """Where the projector stopped, locked (unless `lock` is False) until the projection's
    transaction ends so that two projectors take turns (SQLite's writers are serialised)."""
    query = select(notification_position.c.seq).where(notification_position.c.id == 1)
    if lock and is_postgres(connection):
        query = query.with_for_update()
    return int(connection.execute(query).scalar_one())


def advance(connection: Connection, seq: int) -> None:
    connection.execute(
        update(notification_position).where(notification_position.c.id == 1).values(seq=seq)
    )


def sealed_head(connection: Connection) -> int:
    return int(connection.execute(select(func.coalesce(func.max(journal.c.seq), 0))).scalar_one())


def events_between(
    connection: Connection, after: int, upto: int, events: Sequence[str]
) -> list[SealedEvent]:
    """The sealed entries after `after` up to `upto` whose event is one of `events`."""
    rows = connection.execute(
        select(
            journal.c.seq,
            journal.c.recorded_at,
            journal.c.actor,
            journal.c.event,
            journal.c.party_code,
            journal.c.subject,
            journal.c.body,
        )
        .where(journal.c.seq > after, journal.c.seq <= upto, journal.c.event.in_(events))
        .order_by(journal.c.seq)
    ).all()
    return [
        SealedEvent(
            r.seq, r.recorded_at, r.actor, r.event, r.party_code, r.subject, json.loads(r.body)
        )
        for r in rows
    ]


def grants(connection: Connection, parties: Iterable[str | None] | None) -> list[Actor]:
    """The grants of enabled users in these Party sections (None in it: the registry-wide
    ones; `parties` None: every grant)."""
    query = (
        select(users.c.name, role_grants.c.role, role_grants.c.party_key, role_grants.c.entity)
        .join(users, users.c.id == role_grants.c.user_id)
        .where(users.c.disabled.is_(False))
        .order_by(role_grants.c.id)
    )
    if parties is not None:
        query = query.where(role_grants.c.party_key.in_(["" if p is None else p for p in parties]))
    rows = connection.execute(query).all()
    return [Actor(r.name, Role(r.role), r.party_key or None, r.entity) for r in rows]


def holder(connection: Connection, account: str) -> Holder | None:
    row = connection.execute(
        select(accounts.c.identifier, accounts.c.party_code, authorized_entities.c.identifier)
        .select_from(accounts.outerjoin(authorized_entities))
        .where(accounts.c.identifier == account)
    ).first()
    return None if row is None else Holder(row[0], row[1], row[2])


def request_of(connection: Connection, transaction: str) -> Request | None:
    """The section, the initiating user and the source account of a transaction."""
    return requests_of(connection, [transaction])[transaction]


def requests_of(connection: Connection, wanted: Iterable[str]) -> dict[str, Request | None]:
    """`request_of` for several transactions in one read (None for one that is not there)."""
    identifiers = sorted(set(wanted))
    rows = connection.execute(
        select(
            transactions.c.identifier.label("transaction"),
            transactions.c.party_code,
            transactions.c.initiator_user,
            transactions.c.approver,
            accounts.c.identifier,
            accounts.c.party_code.label("account_party"),
            authorized_entities.c.identifier.label("entity"),
        )
        .select_from(
            transactions.outerjoin(
                accounts, accounts.c.id == transactions.c.source_account_id
            ).outerjoin(authorized_entities, authorized_entities.c.id == accounts.c.entity_id)
        )
        .where(transactions.c.identifier.in_(identifiers))
    ).all()
    found: dict[str, Request | None] = dict.fromkeys(identifiers)
    for row in rows:
        source = (
            None
            if row.identifier is None
            else Holder(row.identifier, row.account_party, row.entity)
        )
        found[row.transaction] = Request(row.party_code, row.initiator_user, source, row.approver)
    return found


class ProjectionReads:
    """What one projection batch asks, each question read once for the batch: under load a
    batch holds hundreds of entries about a few accounts, Party sections and users, and a read
    per entry per question (about seven) cost a worker more CPU than the transfers it notified
    of (BENCHMARKS.md). Every entry of a batch was sealed, so committed, before the batch's first
    read: what a read finds already holds for each of them."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self._grants: dict[tuple[str | None, ...] | None, list[Actor]] = {}
        self._holders: dict[str, Holder | None] = {}
        self._requests: dict[str, Request | None] = {}
        self._lines: dict[str, list[str]] = {}
        self._recipients: dict[str, Recipient | None] = {}
        self._channels: dict[int, dict[str, str]] = {}

    def grants(self, parties: Iterable[str | None] | None) -> list[Actor]:
        key = None if parties is None else tuple(parties)
        if key not in self._grants:
            self._grants[key] = grants(self.connection, key)
        return self._grants[key]

    def holder(self, account: str) -> Holder | None:
        if account not in self._holders:
            self._holders[account] = holder(self.connection, account)
        return self._holders[account]

    def request_of(self, transaction: str) -> Request | None:
        if transaction not in self._requests:
            self._requests |= requests_of(self.connection, [transaction])
        return self._requests[transaction]

    def read_requests(self, transactions: Iterable[str]) -> None:
        """Read the requests of these transactions at once (a batch's subjects)."""
        wanted = {t for t in transactions if t not in self._requests}
        if wanted:
            self._requests |= requests_of(self.connection, wanted)

    def creation_line(self, name: str) -> list[str]:
        if name not in self._lines:
            self._lines[name] = creation_line(self.connection, name)
        return self._lines[name]

    def recipients(self, names: Iterable[str]) -> list[Recipient]:
        wanted = set(names)
        unread = wanted - self._recipients.keys()
        if unread:
            found = {r.name: r for r in recipients(self.connection, unread)}
            self._recipients |= {name: found.get(name) for name in unread}
        chosen = [self._recipients[name] for name in wanted]
        return sorted((r for r in chosen if r is not None), key=lambda r: r.user_id)

    def channels(self, user_ids: Iterable[int]) -> dict[tuple[int, str], str]:
        wanted = set(user_ids)
        unread = wanted - self._channels.keys()
        if unread:
            for user_id in unread:
                self._channels[user_id] = {}
            for (user_id, kind), channel in channels(self.connection, unread).items():
                self._channels[user_id][kind] = channel
        return {
            (user_id, kind): channel
            for user_id in wanted
            for kind, channel in self._channels[user_id].items()
        }


def recipients(connection: Connection, names: Iterable[str]) -> list[Recipient]:
    wanted = sorted(set(names))
    if not wanted:
        return []
    rows = connection.execute(
        select(users.c.id, users.c.name, users.c.email, users.c.language)
        .where(users.c.name.in_(wanted), users.c.disabled.is_(False))
        .order_by(users.c.id)
    ).all()
    return [Recipient(r.id, r.name, r.email, r.language) for r in rows]


def channels(connection: Connection, user_ids: Iterable[int]) -> dict[tuple[int, str], str]:
    """Each user's chosen channel per kind, where they chose one."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    rows = connection.execute(
        select(notification_preferences).where(notification_preferences.c.user_id.in_(ids))
    ).all()
    return {(r.user_id, r.kind): r.channel for r in rows}


def insert(connection: Connection, rows: Sequence[NewNotification]) -> int:
    """Add the notifications not already there (the unique key makes a replay add nothing)."""
    if not rows:
        return 0
    dialect_insert = postgresql_insert if is_postgres(connection) else sqlite_insert
    statement = (
        dialect_insert(notifications)
        .values(
            [
                {
                    "user_id": n.user_id,
                    "kind": n.kind,
                    "journal_seq": n.journal_seq,
                    "subject": n.subject,
                    "title": n.title,
                    "body": n.body,
                    "created_at": n.created_at,
                    "email_status": n.email_status,
                    "email_attempts": 0,
                    "email_next_at": n.email_next_at,
                }
                for n in rows
            ]
        )
        .on_conflict_do_nothing(index_elements=["journal_seq", "user_id", "kind"])
        .returning(notifications.c.id)
    )
    return len(connection.execute(statement).all())


def _stored(row: Any) -> StoredNotification:
    return StoredNotification(
        row.id,
        row.kind,
        row.journal_seq,
        row.subject,
        row.title,
        row.body,
        row.created_at,
        row.read_at,
        row.email_status,
    )


def inbox(connection: Connection, user_id: int, limit: int) -> list[StoredNotification]:
    """The user's notifications, unread first, newest first within each."""
    unread_first = case((notifications.c.read_at.is_(None), 0), else_=1)
    rows = connection.execute(
        select(notifications)
        .where(notifications.c.user_id == user_id)
        .order_by(unread_first, notifications.c.id.desc())
        .limit(limit)
    ).all()
    return [_stored(r) for r in rows]


def unread_count(connection: Connection, user_id: int) -> int:
    return int(
        connection.execute(
            select(func.count())
            .select_from(notifications)
            .where(notifications.c.user_id == user_id, notifications.c.read_at.is_(None))
        ).scalar_one()
    )


def mark_read(connection: Connection, user_id: int, notification: int, at: datetime) -> bool:
    """Mark one of the user's own notifications read; False if they have none by that id."""
    mine = and_(notifications.c.id == notification, notifications.c.user_id == user_id)
    found = connection.execute(select(notifications.c.read_at).where(mine)).first()
    if found is None:
        return False
    if found.read_at is None:
        connection.execute(update(notifications).where(mine).values(read_at=at))
    return True


def mark_all_read(connection: Connection, user_id: int, at: datetime) -> int:
    result = connection.execute(
        update(notifications)
        .where(notifications.c.user_id == user_id, notifications.c.read_at.is_(None))
        .values(read_at=at)
    )
    return int(result.rowcount)


def set_channel(connection: Connection, user_id: int, kind: str, channel: str) -> None:
    dialect_insert = postgresql_insert if is_postgres(connection) else sqlite_insert
    statement = dialect_insert(notification_preferences).values(
        user_id=user_id, kind=kind, channel=channel
    )
    connection.execute(
        statement.on_conflict_do_update(
            index_elements=["user_id", "kind"], set_={"channel": statement.excluded.channel}
        )
    )


def email_of(connection: Connection, user_id: int) -> str | None:
    found = connection.execute(select(users.c.email).where(users.c.id == user_id)).scalar_one()
    return None if found is None else str(found)


def set_email(connection: Connection, user_id: int, address: str | None) -> None:
    connection.execute(update(users).where(users.c.id == user_id).values(email=address))


def claim_emails(
    connection: Connection, now: datetime, until: datetime, limit: int
) -> list[OutgoingEmail]:
    """The e-mails due now, oldest first, each claimed until `until`: another sender skips them
    meanwhile, and one whose outcome was never recorded (a crash) is due again then."""
    due = due_emails(connection, now, limit)
    if due:
        connection.execute(
            update(notifications)
            .where(notifications.c.id.in_([email.id for email in due]))
            .values(email_next_at=until)
        )
    return due


def due_emails(connection: Connection, now: datetime, limit: int) -> list[OutgoingEmail]:
    """E-mails due now, oldest first, locked (and skipped by any other sender) until the
    transaction ends."""
    query = (
        select(
            notifications.c.id,
            users.c.email,
            notifications.c.title,
            notifications.c.body,
            notifications.c.email_attempts,
            users.c.language,
        )
        .join(users, users.c.id == notifications.c.user_id)
        .where(
            notifications.c.email_status == "pending",
            notifications.c.email_next_at <= now,
        )
        .order_by(notifications.c.id)
        .limit(limit)
    )
    if is_postgres(connection):
        query = query.with_for_update(of=notifications, skip_locked=True)
    return [
        OutgoingEmail(r.id, r.email or "", r.title, r.body, r.email_attempts, r.language)
        for r in connection.execute(query).all()
    ]


def email_sent(connection: Connection, notification: int, at: datetime) -> None:
    connection.execute(
        update(notifications)
        .where(notifications.c.id == notification)
        .values(
            email_status="sent",
            email_sent_at=at,
            email_next_at=None,
            email_attempts=notifications.c.email_attempts + 1,
            email_error=None,
        )
    )


def email_failed(
    connection: Connection, notification: int, retry_at: datetime | None, error: str
) -> None:
    """A failed attempt: tried again at `retry_at`, or given up when it is None."""
    connection.execute(
        update(notifications)
        .where(notifications.c.id == notification)
        .values(
            email_status="pending" if retry_at is not None else "failed",
            email_next_at=retry_at,
            email_attempts=notifications.c.email_attempts + 1,
            email_error=error[:500],
        )
    )
