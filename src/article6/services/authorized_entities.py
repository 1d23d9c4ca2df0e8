"""Authorized entities and their authorizations per cooperative approach: recording one opens
its accounts, and its status for that approach (active, suspended, revoked) decides whether
it may act there; a revocation is final."""

from __future__ import annotations

from pydantic import BaseModel
from sqlalchemy import Connection

from article6.domain import identifiers
from article6.domain.access import Actor, Permission
from article6.domain.accounts import ENTITY_KINDS_PER_APPROACH, AccountKind, account_name
from article6.domain.authorizations import undated
from article6.domain.checks import Check, CommandRefused, refuse
from article6.domain.filters import BlockFilter
from article6.domain.wording import words
from article6.services import commands as c
from article6.services import directory
from article6.services.access import allow, section_of
from article6.services.context import Registry, execute
from article6.services.cooperative_approaches import approach_of_party
from article6.services.journal import log
from article6.services.reads import ledger
from article6.services.views import Receipt
from article6.store import account_register, entities, records


def record_authorized_entity(
    registry: Registry,
    actor: Actor,
    command: c.RecordAuthorizedEntity,
    idempotency_key: str | None = None,
) -> Receipt:
    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        return record_entity(connection, registry, actor, command)

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def next_identifier(connection: Connection, party: str) -> str:
    """The Party's next entity identifier (entities are numbered in the order recorded)."""
    return f"{party}-E{entities.entity_count(connection, party) + 1:04d}"


def open_entity(
    connection: Connection, registry_id: str, entity: entities.EntityRecord
) -> tuple[int, str]:
    """Record a new entity with its MO holding account; its id and identifier."""
    entity_id = entities.insert_entity(connection, entity)
    party = entity.party_code
    account_register.open_account(
        connection,
        party_code=party,
        registry_id=registry_id,
        kind=AccountKind.MO_HOLDING,
        cooperative_approach=None,
        at=entity.recorded_at,
        entity_id=entity_id,
        holder=entity.identifier,
        name=account_name(party, AccountKind.MO_HOLDING, None, entity.name),
    )
    return entity_id, entity.identifier


def authorize_entity(
    connection: Connection,
    party: str,
    registry_id: str,
    entity_id: int,
    identifier: str,
    name: str,
    approval: entities.EntityApproval,
) -> None:
    """The entity's authorization for one approach, with the accounts it holds there."""
    entities.insert_entity_authorization(connection, approval)
    approach = approval.cooperative_approach_id
    for kind in ENTITY_KINDS_PER_APPROACH:
        account_register.open_account(
            connection,
            party_code=party,
            registry_id=registry_id,
            kind=kind,
            cooperative_approach=approach,
            at=approval.status_changed_at,
            entity_id=entity_id,
            holder=identifier,
            name=account_name(party, kind, approach, name),
        )


def record_entity(
    connection: Connection, registry: Registry, actor: Actor, command: c.RecordAuthorizedEntity
) -> Receipt:
    """Record the entity (if new) with its accounts and its authorization for the approach, in
    the actor's section (recorded directly, or on approving the entity's application)."""
    section = section_of(connection, actor, lock=True)
    party = section.party_code
    allow(actor, Permission.ADMINISTER, party)
    identifiers.party_code(command.country_of_incorporation, "country_of_incorporation")
    approach_of_party(connection, command.cooperative_approach, party, "cooperative_approach")
    now = registry.now()
    dated = undated(command.date_of_authorization, now.date())
    if dated is not None:
        raise CommandRefused([dated])
    existing = entities.entity_named(connection, party, command.name)
    if existing is None:
        entity_id, identifier = open_entity(
            connection,
            section.registry_id,
            entities.EntityRecord(
                identifier=next_identifier(connection, party),
                party_code=party,
                name=command.name,
                country_of_incorporation=command.country_of_incorporation,
                identification_number=command.identification_number,
                recorded_at=now,
            ),
        )
    else:
        entity_id, identifier = existing.id, existing.identifier
    if (
        records.entity_authorization(connection, entity_id, command.cooperative_approach)
        is not None
    ):
        raise refuse(
            Check.C3005,
            "cooperative_approach",
            words(
                "{identifier} is already authorized for {cooperative_approach}",
                identifier=identifier,
                cooperative_approach=command.cooperative_approach,
            ),
        )
    authorize_entity(
        connection,
        party,
        section.registry_id,
        entity_id,
        identifier,
        command.name,
        entities.EntityApproval(
            entity_id=entity_id,
            cooperative_approach_id=command.cooperative_approach,
            date_of_authorization=command.date_of_authorization,
            conditions=command.conditions,
            change_and_revocation_conditions=command.change_and_revocation_conditions,
            additional_information=command.additional_information,
            status="active",
            status_changed_at=now,
        ),
    )
    log(
        connection,
        registry,
        actor,
        "AuthorizedEntityRecorded",
        party,
        identifier,
        command.model_dump(mode="json"),
    )
    return Receipt(command="RecordAuthorizedEntity", record=identifier, status="active")


def set_entity_status(
    registry: Registry, actor: Actor, command: c.SetEntityStatus, idempotency_key: str | None = None
) -> Receipt:
    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        entity = records.entity(connection, command.entity)
        if entity is None:
            raise refuse(
                Check.C1012,
                "entity",
                words("{entity} is not a recorded entity", entity=command.entity),
            )
        allow(actor, Permission.ADMINISTER, entity.party_code)
        current = records.entity_authorization(connection, entity.id, command.cooperative_approach)
        if current is None:
            raise refuse(
                Check.C3005,
                "cooperative_approach",
                words(
                    "{entity} is not authorized for {cooperative_approach}",
                    entity=command.entity,
                    cooperative_approach=command.cooperative_approach,
                ),
            )
        if current.status == "revoked":
            raise refuse(Check.C3005, "status", words("a revoked entity authorization is final"))
        entities.set_authorization_status(
            connection, entity.id, command.cooperative_approach, command.status, registry.now()
        )
        log(
            connection,
            registry,
            actor,
            "EntityStatusChanged",
            entity.party_code,
            command.entity,
            command.model_dump(mode="json"),
        )
        return Receipt(command="SetEntityStatus", record=command.entity, status=command.status)

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


class RevocationEffect(BaseModel):
    """What revoking an entity for a cooperative approach does to its holdings: nothing moves;
    the units of that approach stay in its accounts and can no longer leave them or reach them
    (C3005 on every transfer, use or cancellation), and the revocation is final."""

    entity: str
    cooperative_approach: str
    held: dict[str, int]
    """Units of the approach per account of the entity, as held now."""

    @property
    def total(self) -> int:
        return sum(self.held.values())


def revocation_effect(
    registry: Registry, actor: Actor, party: str, entity: str, cooperative_approach: str
) -> RevocationEffect:
    """The holdings a revocation would freeze, read for the confirm step (nothing kept)."""
    allow(actor, Permission.ADMINISTER, party)
    found = directory.entities_list(registry, actor, party, entity)[0]
    if not any(a.cooperative_approach == cooperative_approach for a in found.approvals):
        raise refuse(
            Check.C3005,
            "cooperative_approach",
            words(
                "{entity} is not authorized for {cooperative_approach}",
                entity=entity,
                cooperative_approach=cooperative_approach,
            ),
        )
    own = {a.identifier for a in ledger.accounts(registry, actor, party) if a.holder == entity}
    held: dict[str, int] = {}
    for h in ledger.holdings(registry, actor, party, BlockFilter()):
        if h.account in own and h.cooperative_approach == cooperative_approach and h.quantity:
            held[h.account] = held.get(h.account, 0) + h.quantity
    return RevocationEffect(entity=entity, cooperative_approach=cooperative_approach, held=held)
