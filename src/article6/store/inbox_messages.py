"""The inbox rows: each received message id, remembered so a repeated message is handled once."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from article6.store.interop_schema import inbox


def received(connection: Connection, message_id: str) -> bool:
    """Whether a message with this id was received (and handled) before."""
    return (
        connection.execute(
            select(inbox.c.message_id).where(inbox.c.message_id == message_id)
        ).first()
        is not None
    )


@dataclass(frozen=True)
class ReceivedMessage:
    """A message taken in: its envelope's id, sender, type and time, and what became of it."""

    message_id: str
    from_registry: str
    message_type: str
    sent_at: datetime
    received_at: datetime
    outcome: str


def record(connection: Connection, message: ReceivedMessage) -> None:
    connection.execute(inbox.insert().values(**asdict(message)))
