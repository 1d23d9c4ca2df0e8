"""The journal entry of a command, stamped with the acting user and the registry's clock: each
command appends one in its own transaction, so the entry commits or rolls back with it."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection

from article6.domain.access import Actor
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
    journal.append(
        connection,
        actor=actor.label,
        event=event,
        party=party,
        subject=subject,
        body=body,
        at=registry.now(),
    )
