"""Tables of the notifications, on the registry's one `metadata` (created by migration
20261202_0025).

Notifications are projected from the sealed journal after commit, never written by a command:
`notification_position` is how far the projector has read, and the unique key on
(`journal_seq`, `user_id`, `kind`) makes a replayed projection add nothing. Each row carries
its own e-mail delivery state, so delivery retries without a separate queue.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from article6.store.schema import Id, Timestamp, metadata

notification_position = Table(
    "notification_position",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
)

notifications = Table(
    "notifications",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("journal_seq", BigInteger, nullable=False),
    Column("subject", String(200), nullable=False),
    Column("title", String(300), nullable=False),
    Column("body", Text, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("read_at", Timestamp),
    # "none" (in-app only), "pending", "sent" or "failed" (given up after the last attempt).
    Column("email_status", String(10), nullable=False),
    Column("email_attempts", Integer, nullable=False),
    Column("email_next_at", Timestamp),
    Column("email_sent_at", Timestamp),
    Column("email_error", String(500)),
    UniqueConstraint("journal_seq", "user_id", "kind", name="uq_notifications_once"),
    CheckConstraint(
        "email_status IN ('none', 'pending', 'sent', 'failed')", name="email_status_known"
    ),
)
Index("ix_notifications_user", notifications.c.user_id, notifications.c.id)
Index("ix_notifications_email", notifications.c.email_status, notifications.c.email_next_at)

notification_preferences = Table(
    "notification_preferences",
    metadata,
    Column("user_id", Id, ForeignKey("users.id"), primary_key=True),
    Column("kind", String(30), primary_key=True),
    # "in_app", "in_app_and_email" or "none"
    Column("channel", String(20), nullable=False),
)
