"""The one narrow door from a command to the protocol: a message to another registry or to the
hub, written to the outbox in the command's own database transaction, so it leaves if and only
if the command commits. Delivery, signing and retries are the protocol's (`interop.outbox`);
a service never imports `interop`.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Connection

from article6.store import outbox_messages
from article6.store.outbox_messages import NewMessage


def send_message(
    connection: Connection,
    *,
    to: str,
    body: BaseModel,
    now: datetime,
    in_reply_to: str | None = None,
    expires_at: datetime | None = None,
    not_before: datetime | None = None,
) -> str:
    """Write a message (its type is the body's class name) to the outbox inside the caller's
    transaction, first due at `not_before` (default: now); returns its message id."""
    message_id = str(uuid.uuid4())
    message = NewMessage(
        message_id=message_id,
        message_type=type(body).__name__,
        to_registry=to,
        in_reply_to=in_reply_to,
        body=body.model_dump_json(),
        created_at=now,
        next_attempt_at=not_before or now,
        expires_at=expires_at,
    )
    outbox_messages.insert_message(connection, message)
    return message_id


def stop_sending(connection: Connection, *, message_type: str, naming: str) -> None:
    """Stop retrying the pending messages of a type whose body names `naming` (a transaction
    that became final, whose proposal need not arrive any more)."""
    outbox_messages.abandon(connection, message_type, naming)
