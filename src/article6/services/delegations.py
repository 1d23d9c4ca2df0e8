"""A Party's authority over its section: its administrators delegate to the secretariat, kind by
kind, the actions that are the Party's own (issuing, recording authorizations, transferring,
using, cancelling, recording first transfers), and revoke them. Each change is journaled, and
every transaction the secretariat then starts names the delegation it acted under."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import Connection

from article6.domain.access import Actor, Delegable, Permission, Role, permits_delegation
from article6.domain.checks import Check, CommandRefused, refuse
from article6.domain.wording import words
from article6.services.access import allow, section_of
from article6.services.context import Registry, execute
from article6.services.journal import log
from article6.services.views import UtcDateTime, delegation_note
from article6.store import delegations
from article6.store.database import unit_of_work


class DelegationChange(BaseModel):
    """Delegate (or revoke) one kind of action of a Party's section."""

    party: str
    kind: Delegable


class DelegationView(BaseModel):
    """One kind a Party delegated: by whom and when, and its revocation if any."""

    id: int
    party: str
    kind: Delegable
    delegated_by: str
    delegated_at: UtcDateTime
    revoked_by: str | None
    revoked_at: UtcDateTime | None
    in_force: bool


def _view(row: delegations.Delegation) -> DelegationView:
    return DelegationView(
        id=row.id,
        party=row.party_code,
        kind=Delegable(row.kind),
        delegated_by=row.delegated_by,
        delegated_at=row.delegated_at,
        revoked_by=row.revoked_by,
        revoked_at=row.revoked_at,
        in_force=row.revoked_at is None,
    )


def _may_delegate(actor: Actor, party: str) -> None:
    refusal = permits_delegation(actor, party)
    if refusal is not None:
        raise CommandRefused([refusal])


def delegate(
    registry: Registry, actor: Actor, command: DelegationChange, idempotency_key: str | None = None
) -> DelegationView:
    """Delegate `kind` to the secretariat; delegating a kind already delegated changes nothing."""
    _may_delegate(actor, command.party)

    def handle(connection: Connection, registry: Registry, actor: Actor) -> DelegationView:
        section = section_of(connection, actor, command.party, lock=True)
        party = section.party_code
        current = delegations.in_force(connection, party).get(command.kind.value)
        if current is None:
            current = delegations.delegate(
                connection, party, command.kind.value, actor.label, registry.now()
            )
            log(
                connection,
                registry,
                actor,
                "ActionDelegated",
                party,
                command.kind.value,
                {"kind": command.kind.value, "delegation": current, "to": Role.SECRETARIAT.value},
            )
        return next(_view(d) for d in delegations.history(connection, party) if d.id == current)

    return execute(registry, actor, command, handle, DelegationView, idempotency_key)


def revoke(
    registry: Registry, actor: Actor, command: DelegationChange, idempotency_key: str | None = None
) -> DelegationView:
    """Revoke the delegation of `kind`: from now on the secretariat is refused it (C4023);
    what it did under the delegation stays recorded as done under it."""
    _may_delegate(actor, command.party)

    def handle(connection: Connection, registry: Registry, actor: Actor) -> DelegationView:
        section = section_of(connection, actor, command.party, lock=True)
        party = section.party_code
        current = delegations.in_force(connection, party).get(command.kind.value)
        if current is None:
            raise refuse(
                Check.C4023,
                "kind",
                words(
                    "{party} has not delegated {kind}",
                    party=party,
                    kind=command.kind.value.replace("_", " "),
                ),
            )
        delegations.revoke(connection, current, actor.label, registry.now())
        log(
            connection,
            registry,
            actor,
            "DelegationRevoked",
            party,
            command.kind.value,
            {"kind": command.kind.value, "delegation": current},
        )
        return next(_view(d) for d in delegations.history(connection, party) if d.id == current)

    return execute(registry, actor, command, handle, DelegationView, idempotency_key)


def delegations_of(registry: Registry, actor: Actor, party: str) -> list[DelegationView]:
    """Every delegation of `party`, newest first: its users and the registry-wide roles read
    them (the secretariat must know what it may do)."""
    allow(actor, Permission.READ, party)
    with unit_of_work(registry.engine, read_only=True) as connection:
        return [_view(d) for d in delegations.history(connection, party)]


def note_transaction(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    party: str,
    kind: Delegable,
    transaction: str,
) -> str | None:
    """Record that the secretariat started `transaction` under `party`'s delegation of `kind`
    (its access was decided in this same database transaction) and return how the transaction
    names it; nothing for anyone else."""
    if actor.role is not Role.SECRETARIAT:
        return None
    delegation = delegations.in_force(connection, party).get(kind.value)
    if delegation is None:
        raise LookupError(f"{party}'s delegation of {kind} vanished inside the command")
    delegations.record_transaction(connection, transaction, delegation)
    log(
        connection,
        registry,
        actor,
        "ActedUnderDelegation",
        party,
        transaction,
        {"kind": kind.value, "delegation": delegation},
    )
    recorded = delegations.of_transaction(connection, transaction)
    return delegation_note(recorded) if recorded is not None else None
