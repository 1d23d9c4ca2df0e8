"""The registry's directory as the read models list it: Parties with their sections,
cooperative approaches, mitigation activities, authorizations (current or every version) and
authorized entities with their approvals."""

from __future__ import annotations

from dataclasses import fields

from sqlalchemy import Connection, and_, func, select

from article6.store.activities import ActivityRecord
from article6.store.entities import AuthorizedEntity, EntityApproval
from article6.store.participation import CooperativeApproach
from article6.store.records import RecordedAuthorization, to_recorded_authorization
from article6.store.schema import (
    authorizations,
    authorized_entities,
    cooperative_approach_parties,
    cooperative_approaches,
    entity_authorizations,
    mitigation_activities,
    parties,
)
from article6.store.sections import PARTIES_WITH_SECTIONS, PartyWithSection, with_section


def parties_with_sections(connection: Connection) -> list[PartyWithSection]:
    """Every Party with its section's registry id (none before the section opens)."""
    rows = connection.execute(PARTIES_WITH_SECTIONS.order_by(parties.c.code))
    return [with_section(row) for row in rows]


_APPROACH = select(*(cooperative_approaches.c[f.name] for f in fields(CooperativeApproach)))
_ACTIVITY = select(*(mitigation_activities.c[f.name] for f in fields(ActivityRecord)))
_ENTITY = select(*(authorized_entities.c[f.name] for f in fields(AuthorizedEntity)))
_APPROVAL = select(*(entity_authorizations.c[f.name] for f in fields(EntityApproval)))


def approaches(connection: Connection, party: str | None) -> list[CooperativeApproach]:
    """Cooperative approaches in id order; with `party`, those it participates in."""
    query = _APPROACH.order_by(cooperative_approaches.c.id)
    if party is not None:
        query = query.where(
            cooperative_approaches.c.id.in_(
                select(cooperative_approach_parties.c.cooperative_approach_id).where(
                    cooperative_approach_parties.c.party_code == party
                )
            )
        )
    return [CooperativeApproach(*row) for row in connection.execute(query)]


def activities(
    connection: Connection, party: str, cooperative_approach: str | None, identifier: str | None
) -> list[ActivityRecord]:
    """The mitigation activities a Party hosts, in id order."""
    query = _ACTIVITY.where(mitigation_activities.c.host_party == party)
    if cooperative_approach is not None:
        query = query.where(mitigation_activities.c.cooperative_approach_id == cooperative_approach)
    if identifier is not None:
        query = query.where(mitigation_activities.c.identifier == identifier)
    rows = connection.execute(query.order_by(mitigation_activities.c.id))
    return [ActivityRecord(*row) for row in rows]


def authorizations_of(
    connection: Connection,
    party: str,
    *,
    cooperative_approach: str | None,
    purposes: str | None,
    authorization_id: str | None,
) -> list[RecordedAuthorization]:
    """A Party's authorizations: the current version of each, or every version of one."""
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
    )
    return [to_recorded_authorization(row) for row in rows]


def entities_of(
    connection: Connection, party: str, entity: str | None, identifier: str | None
) -> list[AuthorizedEntity]:
    """A Party's authorized entities in id order; with `entity`, only that one."""
    query = _ENTITY.where(authorized_entities.c.party_code == party)
    if entity is not None:
        query = query.where(authorized_entities.c.identifier == entity)
    if identifier is not None:
        query = query.where(authorized_entities.c.identifier == identifier)
    rows = connection.execute(query.order_by(authorized_entities.c.id))
    return [AuthorizedEntity(**row._mapping) for row in rows]


def approvals_of(connection: Connection, entity_id: int) -> list[EntityApproval]:
    """An entity's approvals, one per cooperative approach, in approach order."""
    rows = connection.execute(
        _APPROVAL.where(entity_authorizations.c.entity_id == entity_id).order_by(
            entity_authorizations.c.cooperative_approach_id
        )
    )
    return [EntityApproval(*row) for row in rows]
