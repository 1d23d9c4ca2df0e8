"""Who may run a command, and in which Party section: every service asks here first, so a
refusal names its numbered check before anything has changed."""

from __future__ import annotations

from sqlalchemy import Connection

from article6.domain.access import Actor, Permission, permits
from article6.domain.checks import Check, CommandRefused, refuse
from article6.store import sections
from article6.store.sections import PartySection


def allow(
    actor: Actor,
    permission: Permission,
    party: str | None,
    entity: str | None = None,
) -> None:
    refusal = permits(actor, permission, party, entity)
    if refusal is not None:
        raise CommandRefused([refusal])


def section_of(
    connection: Connection, actor: Actor, party: str | None = None, lock: bool = False
) -> PartySection:
    """The actor's Party section; `lock` serialises commands that number records per section."""
    code = party or actor.party
    if code is None:
        raise refuse(Check.C4006, "party", "name the Party section to act in")
    row = sections.section(connection, code, lock=lock)
    if row is None:
        raise refuse(Check.C1001, "party", f"{code} has no Party section in this registry")
    return row
