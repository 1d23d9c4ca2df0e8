"""The registry's directory as the read models list it: Parties with their sections,
cooperative approaches, mitigation activities, authorizations (current or every version) and
authorized entities with their approvals."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, and_, func, select

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


def parties_with_sections(connection: Connection) -> Sequence[Row[*tuple[Any, ...]]]:
    """Every Party with its section's registry id (none before the section opens)."""
    return connection.execute(
        select(parties, party_sections.c.registry_id)
        .select_from(parties.outerjoin(party_sections))
        .order_by(parties.c.code)
    ).all()


def approaches(connection: Connection, party: str | None) -> Sequence[Row[*tuple[Any, ...]]]:
    """Cooperative approaches in id order; with `party`, those it participates in."""
    query = select(cooperative_approaches).order_by(cooperative_approaches.c.id)
    if party is not None:
        query = query.where(
            cooperative_approaches.c.id.in_(
                select(cooperative_approach_parties.c.cooperative_approach_id).where(
                    cooperative_approach_parties.c.party_code == party
                )
            )
        )
    return connection.execute(query).all()


def activities(
    connection: Connection, party: str, cooperative_approach: str | None, identifier: str | None
) -> Sequence[Row[*tuple[Any, ...]]]:
    """The mitigation activities a Party hosts, in id order."""
    query = select(mitigation_activities).where(mitigation_activities.c.host_party == party)
    if cooperative_approach is not None:
        query = query.where(mitigation_activities.c.cooperative_approach_id == cooperative_approach)
    if identifier is not None:
        query = query.where(mitigation_activities.c.identifier == identifier)
    return connection.execute(query.order_by(mitigation_activities.c.id)).all()


def authorizations_of(
    connection: Connection,
    party: str,
    *,
    cooperative_approach: str | None,
    purposes: str | None,
    authorization_id: str | None,
) -> Sequence[Row[*tuple[Any, ...]]]:
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
    return connection.execute(
        query.order_by(authorizations.c.authorization_id, authorizations.c.version)
    ).all()


def entities_of(
    connection: Connection, party: str, entity: str | None, identifier: str | None
) -> Sequence[Row[*tuple[Any, ...]]]:
    """A Party's authorized entities in id order; with `entity`, only that one."""
    query = select(authorized_entities).where(authorized_entities.c.party_code == party)
    if entity is not None:
        query = query.where(authorized_entities.c.identifier == entity)
    if identifier is not None:
        query = query.where(authorized_entities.c.identifier == identifier)
    return connection.execute(query.order_by(authorized_entities.c.id)).all()


def approvals_of(connection: Connection, entity_id: int) -> Sequence[Row[*tuple[Any, ...]]]:
    """An entity's approvals, one per cooperative approach, in approach order."""
    return connection.execute(
        select(entity_authorizations)
        .where(entity_authorizations.c.entity_id == entity_id)
        .order_by(entity_authorizations.c.cooperative_approach_id)
    ).all()
