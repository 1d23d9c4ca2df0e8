"""Authorized entities and their authorization per cooperative approach: recording them,
numbered per Party, and changing the status of an authorization. The reads made while judging
movements (`entity`, `entity_authorization`, `entity_authorizations_for`) are in
`store.records`; the records both read and write are here."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import date, datetime

from sqlalchemy import Connection, select, update

from article6.store.schema import authorized_entities, entity_authorizations


@dataclass(frozen=True)
class EntityRecord:
    """An entity as a Party records it, whose representatives act on its accounts."""

    identifier: str
    party_code: str
    name: str
    country_of_incorporation: str
    identification_number: str
    recorded_at: datetime
    imported_source: str | None = None
    """Recorded from an imported history's Table 5: the file (None: recorded here)."""
    imported_sha256: str | None = None


@dataclass(frozen=True)
class AuthorizedEntity(EntityRecord):
    """A recorded entity, with the id its accounts and approvals point to."""

    id: int = field(kw_only=True)


@dataclass(frozen=True)
class EntityApproval:
    """A Party's authorization of an entity for one cooperative approach, and its standing."""

    entity_id: int
    cooperative_approach_id: str
    date_of_authorization: date
    conditions: str | None
    change_and_revocation_conditions: str | None
    additional_information: str | None
    status: str
    status_changed_at: datetime


def entity_named(connection: Connection, party: str, name: str) -> AuthorizedEntity | None:
    """The Party's entity of that name, if it is recorded."""
    row = connection.execute(
        select(authorized_entities).where(
            (authorized_entities.c.party_code == party) & (authorized_entities.c.name == name)
        )
    ).first()
    if row is None:
        return None
    values = row._mapping
    return AuthorizedEntity(
        **{name: values[name] for name in AuthorizedEntity.__dataclass_fields__}
    )


def entity_identified(
    connection: Connection, party: str, country: str, number: str
) -> AuthorizedEntity | None:
    """The Party's entity of that identity (country of incorporation and identification
    number), if it is recorded."""
    row = connection.execute(
        select(authorized_entities)
        .where(
            (authorized_entities.c.party_code == party)
            & (authorized_entities.c.country_of_incorporation == country)
            & (authorized_entities.c.identification_number == number)
        )
        .order_by(authorized_entities.c.id)
    ).first()
    if row is None:
        return None
    values = row._mapping
    return AuthorizedEntity(
        **{name: values[name] for name in AuthorizedEntity.__dataclass_fields__}
    )


def entity_count(connection: Connection, party: str) -> int:
    """How many entities the Party has recorded (they are numbered in that order)."""
    return len(
        connection.execute(
            select(authorized_entities.c.id).where(authorized_entities.c.party_code == party)
        ).all()
    )


def insert_entity(connection: Connection, entity: EntityRecord) -> int:
    """Record an entity; its id."""
    entity_id: int = connection.execute(
        authorized_entities.insert().values(**asdict(entity)).returning(authorized_entities.c.id)
    ).scalar_one()
    return entity_id


def insert_entity_authorization(connection: Connection, approval: EntityApproval) -> None:
    connection.execute(entity_authorizations.insert().values(**asdict(approval)))


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
