"""The outbox's delivery: messages written in the same database transaction as the state
change they announce (`services.ports.send_message`), delivered with retries and exponential
backoff.

A message is signed when it is sent, with the key current then (another process may have
rotated it), so a retry after the validity window carries a fresh `sent_at` under the same
message id: the receiver's inbox still recognises it. A message refused only for its signature
is tried again rather than dropped: during a key rotation the peer may briefly hold the other
key.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import Engine

from article6.domain.checks import Check
from article6.domain.messages import Ack, AckResult, Envelope
from article6.domain.protocol import backoff
from article6.interop import directory
from article6.interop.directory import Identity, Peer
from article6.interop.envelope import seal
from article6.interop.schemas import validate_wire
from article6.store import outbox_messages
from article6.store.database import aware, unit_of_work
from article6.store.outbox_messages import (
    ABANDONED,
    DELIVERED,
    REFUSED,
    NewMessage,
    OutboxMessage,
)

BATCH = 200


class Transport(Protocol):
    """Carries one signed message to a peer and returns the peer's acknowledgement (JSON)."""

    def post(self, peer: Peer, wire: dict[str, Any]) -> dict[str, Any]: ...


def wire_of(identity: Identity, row: NewMessage, now: datetime) -> dict[str, Any]:
    envelope = Envelope(
        message_type=row.message_type,
        message_id=row.message_id,
        from_registry=identity.registry_id,
        to_registry=row.to_registry,
        sent_at=now,
        in_reply_to=row.in_reply_to,
    ).model_dump(mode="json", exclude_none=True)
    wire = seal(envelope, json.loads(row.body), identity.key)
    validate_wire(wire)
    return wire


def deliver_pending(
    engine: Engine,
    identity: Identity,
    transport: Transport,
    clock: Callable[[], datetime],
) -> int:
    """Send every message that is due, oldest first; returns how many were delivered.

    A destination that fails is skipped for the rest of the pass, so messages to one peer
    leave in the order they were written.
    """
    now = clock()
    with unit_of_work(engine, read_only=True) as connection:
        rows = outbox_messages.due(connection, now, BATCH)
        known = {peer.registry_id: peer for peer in directory.peers(connection)}
        identity = directory.signing_identity(connection, identity)
    delivered = 0
    failed: set[str] = set()
    for row in rows:
        message = row.message
        if message.to_registry in failed:
            continue
        if message.expires_at is not None and aware(message.expires_at) < now:
            _finish(engine, row.id, ABANDONED, "its deadline passed before delivery", now)
            continue
        peer = known.get(message.to_registry)
        if peer is None:
            _finish(engine, row.id, REFUSED, f"{message.to_registry} is not a known peer", now)
            continue
        try:
            answer = Ack.model_validate(transport.post(peer, wire_of(identity, message, now)))
        except Exception as error:  # any transport failure: try again later
            failed.add(message.to_registry)
            _retry(engine, row, now, f"{type(error).__name__}: {error}"[:500])
            continue
        if answer.result is AckResult.INVALID and _signature_only(answer):
            # Signed with a key the peer does not hold yet, or no longer: a rotation under
            # way. Signed again with the key current then, the message may pass.
            failed.add(message.to_registry)
            _retry(engine, row, now, "C6003 the peer did not take the signature")
        elif answer.result is AckResult.INVALID:
            detail = "; ".join(f"{e.code} {e.detail}" for e in answer.evaluation)
            _finish(engine, row.id, REFUSED, detail or "refused", now)
        else:
            _finish(engine, row.id, DELIVERED, None, now)
            delivered += 1
    return delivered


def _signature_only(answer: Ack) -> bool:
    return bool(answer.evaluation) and all(e.code == Check.C6003.code for e in answer.evaluation)


def pending_count(engine: Engine) -> int:
    with unit_of_work(engine, read_only=True) as connection:
        return len(outbox_messages.pending_ids(connection))


def _finish(engine: Engine, row_id: int, status: str, error: str | None, now: datetime) -> None:
    with unit_of_work(engine) as connection:
        outbox_messages.finish(connection, row_id, status, error, now)


def _retry(engine: Engine, row: OutboxMessage, now: datetime, error: str) -> None:
    attempts = row.attempts + 1
    with unit_of_work(engine) as connection:
        outbox_messages.retry(connection, row.id, attempts, now + backoff(attempts), error)
