"""The inbox: every received message is checked in a fixed order, then handled exactly once.

Order of checks: schema (C6001), protocol version (C6007), addressee (C6006), known sender
(C6002), signature (C6003), age (C6005), then the message id (C6004). The inbox row and
everything the handler writes, outbox replies included, commit in one transaction, framed by
`services.context.execute` like every command; a repeated message id is acknowledged as a
duplicate and changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ValidationError
from sqlalchemy import Connection

from article6.domain.access import Actor, Role
from article6.domain.checks import Check, CommandRefused, refuse
from article6.domain.messages import MESSAGE_TYPES, Ack, AckResult, Body, Envelope, Evaluation
from article6.domain.protocol import message_age, protocol_version
from article6.domain.wording import words
from article6.interop import directory
from article6.interop.directory import Identity
from article6.interop.envelope import verify
from article6.interop.schemas import validate_wire
from article6.services.context import Registry, execute
from article6.store import inbox_messages
from article6.store.inbox_messages import ReceivedMessage

Handler = Callable[[Connection, Envelope, Body], None]


def invalid(refused: CommandRefused, message_id: str | None = None) -> Ack:
    return Ack(
        result=AckResult.INVALID,
        message_id=message_id,
        evaluation=[
            Evaluation(code=r.check.code, detail=f"{r.field}: {r.detail}") for r in refused.refusals
        ],
    )


def open_message(
    connection: Connection, identity: Identity, wire: Any, now: datetime
) -> tuple[Envelope, Body]:
    """Check a received message and return its envelope and typed body, or refuse."""
    message_type = validate_wire(wire)
    try:
        envelope = Envelope.model_validate(wire["envelope"])
        body = MESSAGE_TYPES[message_type].model_validate(wire["body"])
    except ValidationError as error:
        raise refuse(Check.C6001, "message", str(error)[:500]) from None
    protocol_version(envelope.version)
    if envelope.to_registry != identity.registry_id:
        raise refuse(
            Check.C6006,
            "envelope.to_registry",
            words(
                "addressed to {to_registry}, this is {registry_id}",
                to_registry=envelope.to_registry,
                registry_id=identity.registry_id,
            ),
        )
    sender = directory.peer(connection, envelope.from_registry)
    if sender is None or not sender.connected:
        raise refuse(
            Check.C6002,
            "envelope.from_registry",
            words(
                "{from_registry} is not a connected registry in the directory",
                from_registry=envelope.from_registry,
            ),
        )
    verify(wire, sender.public_key)
    message_age(envelope.sent_at, now)
    return envelope, body


class ReceiveMessage(BaseModel):
    """What `execute` frames when a message arrives: the message id, as far as it can be read
    before the checks (the inbox itself deduplicates by it)."""

    message_id: str | None = None


INBOX = Actor("interoperability inbox", Role.SECRETARIAT)


def receive(registry: Registry, identity: Identity, wire: Any, handle: Handler) -> Ack:
    """Check, deduplicate and handle one message as one command (`services.context.execute`:
    one transaction, retried on a deadlock); answer with an Ack."""
    message_id = wire.get("envelope", {}).get("message_id") if isinstance(wire, dict) else None
    message_id = message_id if isinstance(message_id, str) else None

    def handler(connection: Connection, registry: Registry, _actor: Actor) -> Ack:
        now = registry.now()
        envelope, body = open_message(connection, identity, wire, now)
        if inbox_messages.received(connection, envelope.message_id):
            return Ack(
                result=AckResult.DUPLICATE,
                message_id=envelope.message_id,
                evaluation=[
                    Evaluation(
                        code=Check.C6004.code,
                        detail="this message was already received; it is not processed again",
                    )
                ],
            )
        received = ReceivedMessage(
            message_id=envelope.message_id,
            from_registry=envelope.from_registry,
            message_type=envelope.message_type,
            sent_at=envelope.sent_at,
            received_at=now,
            outcome="handled",
        )
        inbox_messages.record(connection, received)
        handle(connection, envelope, body)
        return Ack(result=AckResult.RECEIVED, message_id=envelope.message_id)

    try:
        return execute(registry, INBOX, ReceiveMessage(message_id=message_id), handler, Ack)
    except CommandRefused as refused:
        return invalid(refused, message_id)
