"""The outbox rows: messages written in the transaction of the state change they announce, then
picked up when due, finished (delivered, refused, abandoned) or put back for a later attempt.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, or_, select, update

from article6.store.interop_schema import outbox

PENDING = "pending"
DELIVERED = "delivered"
REFUSED = "refused"
ABANDONED = "abandoned"


@dataclass(frozen=True)
class NewMessage:
    """A message written to the outbox: `body` is its JSON, first due at `next_attempt_at`."""

    message_id: str
    message_type: str
    to_registry: str
    in_reply_to: str | None
    body: str
    created_at: datetime
    next_attempt_at: datetime
    expires_at: datetime | None


@dataclass(frozen=True)
class OutboxMessage:
    """A message waiting in the outbox, with the attempts made to deliver it."""

    id: int
    message: NewMessage
    attempts: int


def insert_message(connection: Connection, message: NewMessage) -> None:
    connection.execute(outbox.insert().values(status=PENDING, attempts=0, **asdict(message)))


def due(connection: Connection, now: datetime, batch: int) -> list[OutboxMessage]:
    """The pending messages due at `now`, oldest first, at most `batch`."""
    rows = connection.execute(
        select(outbox)
        .where(and_(outbox.c.status == PENDING, outbox.c.next_attempt_at <= now))
        .order_by(outbox.c.id)
        .limit(batch)
    )
    return [
        OutboxMessage(
            row.id,
            NewMessage(
                row.message_id,
                row.message_type,
                row.to_registry,
                row.in_reply_to,
                row.body,
                row.created_at,
                row.next_attempt_at,
                row.expires_at,
            ),
            row.attempts,
        )
        for row in rows
    ]


def abandon(connection: Connection, message_type: str, body_contains: str) -> None:
    connection.execute(
        update(outbox)
        .where(
            and_(
                outbox.c.status == PENDING,
                outbox.c.message_type == message_type,
                outbox.c.body.contains(body_contains),
            )
        )
        .values(status=ABANDONED, last_error="the transaction became final")
    )


def pending_ids(connection: Connection) -> list[int]:
    query = select(outbox.c.id).where(or_(outbox.c.status == PENDING))
    return [int(row_id) for row_id in connection.execute(query).scalars()]


def finish(
    connection: Connection, row_id: int, status: str, error: str | None, now: datetime
) -> None:
    connection.execute(
        update(outbox)
        .where(outbox.c.id == row_id)
        .values(
            status=status,
            last_error=error,
            delivered_at=now if status == DELIVERED else None,
        )
    )


def retry(
    connection: Connection, row_id: int, attempts: int, next_attempt_at: datetime, error: str
) -> None:
    connection.execute(
        update(outbox)
        .where(outbox.c.id == row_id)
        .values(attempts=attempts, next_attempt_at=next_attempt_at, last_error=error)
    )
