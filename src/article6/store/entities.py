"""Authorized entities and their authorization per cooperative approach: recording them,
numbered per Party, and changing the status of an authorization. The reads made while judging
movements (`entity`, `entity_authorization`, `entity_authorizations_for`) are in
`store.records`."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select, update

from article6.store.schema import authorized_entities, entity_authorizations


def entity_named(connection: Connection, party: str, name: str) -> Row[Any] | None:
    """The Party's entity of that name, if it is recorded."""
    return connection.execute(
        select(authorized_entities).where(
            (authorized_entities.c.party_code == party) & (authorized_entities.c.name == name)
        )
    ).first()


def entity_count(connection: Connection, party: str) -> int:
    """How many entities the Party has recorded (they are numbered in that order)."""
    return len(
        connection.execute(
            select(authorized_entities.c.id).where(authorized_entities.c.party_code == party)
        ).all()
    )


def insert_entity(connection: Connection, **values: Any) -> int:
    entity_id: int = connection.execute(
        authorized_entities.insert().values(**values).returning(authorized_entities.c.id)
    ).scalar_one()
    return entity_id


def insert_entity_authorization(connection: Connection, **values: Any) -> None:
    connection.execute(entity_authorizations.insert().values(**values))


def set_authorization_status(
    connection: Connection, entity_id: int, ca_id: str, status: str, at: datetime
) -> None:
    """Change the status of the entity's authorization for one cooperative approach."""
    connection.execute(
        update(entity_authorizations)
        .where(
            (entity_authorizations.c.entity_id == entity_id)
            & (entity_authorizations.c.cooperative_approach_id == ca_id)
        )
        .values(status=status, status_changed_at=at)
    )
