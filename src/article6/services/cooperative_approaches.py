"""Cooperative approaches and the Parties that take part in them: a participant with a section
gets its standard accounts for the approach, and every record tied to an approach checks that
its Party participates."""

from __future__ import annotations

from sqlalchemy import Connection

from article6.domain import identifiers
from article6.domain.access import Actor, Permission
from article6.domain.checks import Check, refuse
from article6.domain.wording import words
from article6.services import commands as c
from article6.services.access import allow
from article6.services.context import Registry, execute
from article6.services.journal import log
from article6.services.parties import open_standard_accounts
from article6.services.views import Receipt
from article6.store import participation, records, sections


def register_cooperative_approach(
    registry: Registry,
    actor: Actor,
    command: c.RegisterCooperativeApproach,
    idempotency_key: str | None = None,
) -> Receipt:
    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        allow(actor, Permission.REGISTRY_SETUP, None)
        ca_id = identifiers.cooperative_approach_id(command.id, "id")
        now = registry.now()
        for index, code in enumerate(command.participating_parties):
            identifiers.party_code(code, f"participating_parties[{index}]")
            if sections.party(connection, code) is None:
                raise refuse(
                    Check.C1001,
                    f"participating_parties[{index}]",
                    words("{code} is not a registered Party", code=code),
                )
        if not records.is_cooperative_approach(connection, ca_id):
            participation.insert_cooperative_approach(
                connection,
                participation.CooperativeApproach(
                    id=ca_id, name=command.name, description=command.description, created_at=now
                ),
            )
        known = set(records.participants(connection, ca_id))
        for code in sorted(set(command.participating_parties) - known):
            participation.add_participant(connection, ca_id, code)
            section = sections.section(connection, code)
            if section is not None:
                open_standard_accounts(connection, code, section.registry_id, ca_id, now)
        log(
            connection,
            registry,
            actor,
            "CooperativeApproachRegistered",
            None,
            ca_id,
            command.model_dump(mode="json"),
        )
        return Receipt(command="RegisterCooperativeApproach", record=ca_id, status="recorded")

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def approach_of_party(connection: Connection, ca_id: str, party: str, field: str) -> None:
    identifiers.cooperative_approach_id(ca_id, field)
    if not records.is_cooperative_approach(connection, ca_id):
        raise refuse(
            Check.C1002,
            field,
            words("{ca_id} is not a registered cooperative approach", ca_id=ca_id),
        )
    if party not in records.participants(connection, ca_id):
        raise refuse(
            Check.C4004,
            field,
            words("{party} does not participate in {ca_id}", party=party, ca_id=ca_id),
        )
