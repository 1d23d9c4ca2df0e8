"""The registry's directory for the API: Parties and their sections, cooperative approaches,
mitigation activities, authorizations (current and every version) and authorized entities.
Each list applies the same access rule as the commands."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel
from sqlalchemy import and_, func, select

from article6.domain.access import Actor, Permission
from article6.domain.checks import Check, refuse
from article6.services.access import allow
from article6.services.context import Registry
from article6.services.views import UtcDateTime
from article6.store import records
from article6.store.database import unit_of_work
from article6.store.schema import (
    authorizations,
    authorized_entities,
    cooperative_approach_parties,
    cooperative_approaches,
    entity_authorizations,
    mitigation_activities,
    parties,
    party_sections,
)


class PartyView(BaseModel):
    code: str
    name: str
    ndc_first_year: int
    ndc_last_year: int
    participation_status: str
    registry_id: str | None


class ApproachView(BaseModel):
    id: str
    name: str
    description: str | None
    participating_parties: list[str]


class ActivityView(BaseModel):
    identifier: str
    title: str
    host_party: str
    cooperative_approach: str
    sector: str
    activity_type: str | None
    mitigation_type: str
    metric: str
    underlying_registry: str | None
    underlying_first: int | None
    underlying_last: int | None
    recorded_at: UtcDateTime


class AuthorizationView(BaseModel):
    party: str
    authorization_id: str
    version: int
    date_of_authorization: date
    cooperative_approach: str
    authorized_quantity: int | None
    metric: str
    sectors: list[str]
    activity_types: list[str]
    purposes: str
    authorized_parties: list[str]
    authorized_entities: list[str]
    oimp_authorized: str | None
    timeframe_first: int | None
    timeframe_last: int | None
    first_transfer_definition: str | None
    revoked: bool
    recorded_at: UtcDateTime
    recorded_by: str


class EntityApproval(BaseModel):
    cooperative_approach: str
    date_of_authorization: date
    status: str
    conditions: str | None


class EntityView(BaseModel):
    identifier: str
    party: str
    name: str
    country_of_incorporation: str
    identification_number: str
    approvals: list[EntityApproval]


def parties_list(registry: Registry, actor: Actor) -> list[PartyView]:
    allow(actor, Permission.READ, None)
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = connection.execute(
            select(parties, party_sections.c.registry_id)
            .select_from(parties.outerjoin(party_sections))
            .order_by(parties.c.code)
        ).all()
        return [
            PartyView(
                code=r.code,
                name=r.name,
                ndc_first_year=r.ndc_first_year,
                ndc_last_year=r.ndc_last_year,
                participation_status=r.participation_status,
                registry_id=r.registry_id,
            )
            for r in rows
        ]


def approaches_list(
    registry: Registry, actor: Actor, party: str | None = None
) -> list[ApproachView]:
    allow(actor, Permission.READ, None)
    with unit_of_work(registry.engine, read_only=True) as connection:
        query = select(cooperative_approaches).order_by(cooperative_approaches.c.id)
        if party is not None:
            query = query.where(
                cooperative_approaches.c.id.in_(
                    select(cooperative_approach_parties.c.cooperative_approach_id).where(
                        cooperative_approach_parties.c.party_code == party
                    )
                )
            )
        return [
            ApproachView(
                id=r.id,
                name=r.name,
                description=r.description,
                participating_parties=records.participants(connection, r.id),
            )
            for r in connection.execute(query).all()
        ]


def activities(
    registry: Registry,
    actor: Actor,
    party: str,
    cooperative_approach: str | None = None,
    identifier: str | None = None,
) -> list[ActivityView]:
    allow(actor, Permission.READ, party)
    with unit_of_work(registry.engine, read_only=True) as connection:
        query = select(mitigation_activities).where(mitigation_activities.c.host_party == party)
        if cooperative_approach is not None:
            query = query.where(
                mitigation_activities.c.cooperative_approach_id == cooperative_approach
            )
        if identifier is not None:
            query = query.where(mitigation_activities.c.identifier == identifier)
        rows = connection.execute(query.order_by(mitigation_activities.c.id)).all()
        if identifier is not None and not rows:
            raise refuse(Check.C1012, "activity", f"{identifier} is not an activity of {party}")
        return [
            ActivityView(
                identifier=r.identifier,
                title=r.title,
                host_party=r.host_party,
                cooperative_approach=r.cooperative_approach_id,
                sector=r.sector,
                activity_type=r.activity_type,
                mitigation_type=r.mitigation_type,
                metric=r.metric,
                underlying_registry=r.underlying_registry,
                underlying_first=r.underlying_first,
                underlying_last=r.underlying_last,
                recorded_at=r.recorded_at,
            )
            for r in rows
        ]


def _authorization_view(r: Any) -> AuthorizationView:
    return AuthorizationView(
        party=r.party_code,
        authorization_id=r.authorization_id,
        version=r.version,
        date_of_authorization=r.date_of_authorization,
        cooperative_approach=r.cooperative_approach_id,
        authorized_quantity=r.authorized_quantity,
        metric=r.metric,
        sectors=list(r.sectors),
        activity_types=list(r.activity_types),
        purposes=r.purposes,
        authorized_parties=list(r.authorized_parties),
        authorized_entities=list(r.authorized_entities),
        oimp_authorized=r.oimp_authorized,
        timeframe_first=r.timeframe_first,
        timeframe_last=r.timeframe_last,
        first_transfer_definition=r.first_transfer_definition,
        revoked=r.revoked,
        recorded_at=r.recorded_at,
        recorded_by=r.recorded_by,
    )


def authorizations_list(
    registry: Registry,
    actor: Actor,
    party: str,
    cooperative_approach: str | None = None,
    purposes: str | None = None,
    authorization_id: str | None = None,
) -> list[AuthorizationView]:
    """The current version of each authorization, or every version of one."""
    allow(actor, Permission.READ, party)
    with unit_of_work(registry.engine, read_only=True) as connection:
        query = select(authorizations).where(authorizations.c.party_code == party)
        if authorization_id is None:
            newest = (
                select(
                    authorizations.c.authorization_id,
                    func.max(authorizations.c.version).label("version"),
                )
                .where(authorizations.c.party_code == party)
                .group_by(authorizations.c.authorization_id)
                .subquery()
            )
            query = query.join(
                newest,
                and_(
                    newest.c.authorization_id == authorizations.c.authorization_id,
                    newest.c.version == authorizations.c.version,
                ),
            )
        else:
            query = query.where(authorizations.c.authorization_id == authorization_id)
        if cooperative_approach is not None:
            query = query.where(authorizations.c.cooperative_approach_id == cooperative_approach)
        if purposes is not None:
            query = query.where(authorizations.c.purposes == purposes)
        rows = connection.execute(
            query.order_by(authorizations.c.authorization_id, authorizations.c.version)
        ).all()
        if authorization_id is not None and not rows:
            raise refuse(
                Check.C1012, "authorization_id", f"{authorization_id} is not an authorization"
            )
        return [_authorization_view(r) for r in rows]


def entities_list(
    registry: Registry, actor: Actor, party: str, identifier: str | None = None
) -> list[EntityView]:
    allow(actor, Permission.READ, party)
    with unit_of_work(registry.engine, read_only=True) as connection:
        query = select(authorized_entities).where(authorized_entities.c.party_code == party)
        if actor.entity is not None:
            query = query.where(authorized_entities.c.identifier == actor.entity)
        if identifier is not None:
            query = query.where(authorized_entities.c.identifier == identifier)
        rows = connection.execute(query.order_by(authorized_entities.c.id)).all()
        if identifier is not None and not rows:
            raise refuse(Check.C1012, "entity", f"{identifier} is not an entity you can see")
        found = []
        for r in rows:
            approvals = connection.execute(
                select(entity_authorizations)
                .where(entity_authorizations.c.entity_id == r.id)
                .order_by(entity_authorizations.c.cooperative_approach_id)
            ).all()
            found.append(
                EntityView(
                    identifier=r.identifier,
                    party=r.party_code,
                    name=r.name,
                    country_of_incorporation=r.country_of_incorporation,
                    identification_number=r.identification_number,
                    approvals=[
                        EntityApproval(
                            cooperative_approach=a.cooperative_approach_id,
                            date_of_authorization=a.date_of_authorization,
                            status=a.status,
                            conditions=a.conditions,
                        )
                        for a in approvals
                    ],
                )
            )
        return found
