"""The journal entry of a command, stamped with the acting user and the registry's clock: each
command appends one in its own transaction, so the entry commits or rolls back with it. A command
run for an HTTP request carries the request's id in the entry's body (`request_id`), under the
chain's hash like the rest."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from article6.domain.access import Actor
from article6.services import request_ids
from article6.services.context import Registry
from article6.store import journal


def log(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    event: str,
    party: str | None,
    subject: str,
    body: dict[str, Any],
) -> None:
    request_id = request_ids.current()
    journal.append(
        connection,
        actor=actor.label,
        event=event,
        party=party,
        subject=subject,
        body=body if request_id is None else {**body, "request_id": request_id},
        at=registry.now(),
    )
