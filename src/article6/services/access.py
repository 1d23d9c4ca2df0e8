"""Who may run a command, and in which Party section: every service asks here first, so a
refusal names its numbered check before anything has changed."""

from __future__ import annotations

from sqlalchemy import Connection

from article6.domain.access import Actor, Delegable, Permission, Role, permits, permits_delegable
from article6.domain.checks import Check, CommandRefused, refuse
from article6.domain.wording import words
from article6.store import delegations, sections
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


def allow_delegable(
    connection: Connection,
    actor: Actor,
    permission: Permission,
    kind: Delegable,
    party: str,
    entity: str | None = None,
) -> int | None:
    """`allow` for an action that is the Party's own (`Delegable`): the secretariat passes only
    under a delegation in force, whose id is returned so the transaction can name it (None
    when a Party's own user acts). Only the secretariat's requests read the delegations."""
    in_force = delegations.in_force(connection, party) if actor.role is Role.SECRETARIAT else {}
    delegated = frozenset(Delegable(k) for k in in_force)
    refusal = permits_delegable(actor, permission, kind, party, delegated, entity)
    if refusal is not None:
        raise CommandRefused([refusal])
    return in_force.get(kind.value)


def section_of(
    connection: Connection, actor: Actor, party: str | None = None, lock: bool = False
) -> PartySection:
    """The actor's Party section; `lock` serialises commands that number records per section."""
    code = party or actor.party
    if code is None:
        raise refuse(Check.C4006, "party", words("name the Party section to act in"))
    row = sections.section(connection, code, lock=lock)
    if row is None:
        raise refuse(
            Check.C1001,
            "party",
            words("{code} has no Party section in this registry", code=code),
        )
    return row
