"""The outbox rows: messages written in the transaction of the state change they announce, then
picked up when due, finished (delivered, refused, abandoned) or put back for a later attempt.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, or_, select, update

from article6.store.interop_schema import outbox

PENDING = "pending"
DELIVERED = "delivered"
REFUSED = "refused"
ABANDONED = "abandoned"


def insert_message(connection: Connection, **values: Any) -> None:
    connection.execute(outbox.insert().values(**values))


def due(connection: Connection, now: datetime, batch: int) -> Sequence[Row[Any]]:
    """The pending messages due at `now`, oldest first, at most `batch`."""
    return connection.execute(
        select(outbox)
        .where(and_(outbox.c.status == PENDING, outbox.c.next_attempt_at <= now))
        .order_by(outbox.c.id)
        .limit(batch)
    ).all()


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


def pending_ids(connection: Connection) -> Sequence[Row[Any]]:
    return connection.execute(select(outbox.c.id).where(or_(outbox.c.status == PENDING))).all()


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
