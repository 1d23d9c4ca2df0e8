"""A user's own notifications and choices: the inbox, marking read, the channel per kind and
the e-mail address notifications are sent to. Each acts on the signed-in user's own rows only:
another user's notification is answered as unknown (C1012), never shown or changed."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from article6.domain.checks import Check, CommandRefused, Refusal, refuse
from article6.domain.notifications import (
    DEFAULT_CHANNEL,
    KIND_NAMES,
    Channel,
    NotificationKind,
    channel_refusal,
    email_refusal,
    kind_refusal,
)
from article6.domain.wording import words
from article6.services.context import Registry
from article6.store import notifications as store
from article6.store.database import unit_of_work

INBOX_LIMIT = 200


@dataclass(frozen=True)
class NotificationView:
    id: int
    kind: str
    kind_name: str
    transaction: str
    title: str
    body: str
    created_at: datetime
    read: bool
    email: str


@dataclass(frozen=True)
class Inbox:
    unread: int
    items: list[NotificationView]


@dataclass(frozen=True)
class Choices:
    """What the user receives, per kind, and where e-mail goes."""

    email: str | None
    channels: dict[str, str]


def inbox(registry: Registry, user_id: int, limit: int = INBOX_LIMIT) -> Inbox:
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = store.inbox(connection, user_id, min(limit, INBOX_LIMIT))
        unread = store.unread_count(connection, user_id)
    return Inbox(
        unread,
        [
            NotificationView(
                id=r.id,
                kind=r.kind,
                kind_name=KIND_NAMES[NotificationKind(r.kind)],
                transaction=r.subject,
                title=r.title,
                body=r.body,
                created_at=r.created_at,
                read=r.read_at is not None,
                email=r.email_status,
            )
            for r in rows
        ],
    )


def unread(registry: Registry, user_id: int) -> int:
    with unit_of_work(registry.engine, read_only=True) as connection:
        return store.unread_count(connection, user_id)


def mark_read(registry: Registry, user_id: int, notification: int) -> None:
    with unit_of_work(registry.engine) as connection:
        if not store.mark_read(connection, user_id, notification, registry.now()):
            raise refuse(
                Check.C1012,
                "notification",
                words("you have no notification {notification}", notification=notification),
            )


def mark_all_read(registry: Registry, user_id: int) -> int:
    with unit_of_work(registry.engine) as connection:
        return store.mark_all_read(connection, user_id, registry.now())


def choices(registry: Registry, user_id: int) -> Choices:
    with unit_of_work(registry.engine, read_only=True) as connection:
        chosen = store.channels(connection, [user_id])
        email = store.email_of(connection, user_id)
    return Choices(
        email,
        {
            kind.value: chosen.get((user_id, kind.value), DEFAULT_CHANNEL.value)
            for kind in NotificationKind
        },
    )


def choose(
    registry: Registry,
    user_id: int,
    channels: dict[str, str],
    email: str | None = None,
    clear_email: bool = False,
) -> Choices:
    """Set the channel of each kind given (and the e-mail address, if given): all or nothing."""
    refusals: list[Refusal] = []
    for kind, channel in channels.items():
        refusal = kind_refusal(kind) or channel_refusal(channel, f"channels.{kind}")
        if refusal is not None:
            refusals.append(refusal)
    address = email.strip() if email is not None else None
    if address:
        found = email_refusal(address)
        if found is not None:
            refusals.append(found)
    if refusals:
        raise CommandRefused(refusals)
    with unit_of_work(registry.engine) as connection:
        if address:
            store.set_email(connection, user_id, address)
        elif clear_email:
            store.set_email(connection, user_id, None)
        current = store.email_of(connection, user_id)
        for kind, channel in channels.items():
            if channel == Channel.IN_APP_AND_EMAIL and current is None:
                raise refuse(
                    Check.C1013,
                    "email",
                    words(
                        "give an e-mail address before choosing to receive notifications by e-mail"
                    ),
                )
            store.set_channel(connection, user_id, kind, channel)
    return choices(registry, user_id)
