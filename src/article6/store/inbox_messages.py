"""The inbox rows: each received message id, remembered so a repeated message is handled once."""

from __future__ import annotations

from typing import Any

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


def record(connection: Connection, **values: Any) -> None:
    connection.execute(inbox.insert().values(**values))
