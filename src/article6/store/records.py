"""Repositories of the registry's reference records that commands are judged against:
cooperative approaches and their participants, mitigation activities, authorized entities and
their approvals, and authorizations."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, func, select

from article6.domain.authorizations import Authorization
from article6.domain.issuance import Activity
from article6.domain.nomenclature import (
    ActivityType,
    FirstTransferDefinition,
    Metric,
    Purpose,
    Sector,
)
from article6.store import batches
from article6.store.entities import AuthorizedEntity, EntityApproval
from article6.store.schema import (
    authorizations,
    authorized_entities,
    cooperative_approach_parties,
    cooperative_approaches,
    entity_authorizations,
    mitigation_activities,
)


def _entity(row: Row[Any]) -> AuthorizedEntity:
    values = row._mapping
    return AuthorizedEntity(
        **{name: values[name] for name in AuthorizedEntity.__dataclass_fields__}
    )


def _approval(row: Any) -> EntityApproval:
    values = row._mapping if hasattr(row, "_mapping") else row._asdict()
    return EntityApproval(**{name: values[name] for name in EntityApproval.__dataclass_fields__})


def is_cooperative_approach(connection: Connection, ca_id: str) -> bool:
    """Whether the registry records this cooperative approach."""
    found = connection.execute(
        select(cooperative_approaches.c.id).where(cooperative_approaches.c.id == ca_id)
    ).first()
    return found is not None


_PARTICIPANTS = (
    select(cooperative_approach_parties.c.party_code)
    .where(cooperative_approach_parties.c.cooperative_approach_id == bindparam("approach"))
    .order_by(cooperative_approach_parties.c.party_code)
)


def participants(connection: Connection, ca_id: str) -> list[str]:
    return list(connection.execute(_PARTICIPANTS, {"approach": ca_id}).scalars())


def participants_later(connection: Connection, ca_id: str) -> Callable[[], list[str]]:
    """`participants`, sent with the command's next statement; call the result."""
    answer = batches.read_later(connection, _PARTICIPANTS, {"approach": ca_id})
    return lambda: [row.party_code for row in answer.all()]


def activity(connection: Connection, identifier: str, lock: bool = False) -> Activity | None:
    """A mitigation activity; `lock` holds its row (and its underlying counter) until commit."""
    query = select(mitigation_activities).where(mitigation_activities.c.identifier == identifier)
    if lock:
        query = query.with_for_update()
    row = connection.execute(query).first()
    return _to_activity(row) if row is not None else None


def _to_activity(row: Row[Any]) -> Activity:
    """A mitigation activity row as issuance reads it."""
    return Activity(
        id=row.id,
        identifier=row.identifier,
        host_party=row.host_party,
        cooperative_approach_id=row.cooperative_approach_id,
        sector=row.sector,
        activity_type=row.activity_type,
        mitigation_type=row.mitigation_type,
        metric=row.metric,
        gwp_values=row.gwp_values,
        non_ghg_metric=row.non_ghg_metric,
        underlying_registry=row.underlying_registry,
        underlying_next=row.underlying_next,
        underlying_last=row.underlying_last,
    )


def entity(connection: Connection, identifier: str) -> AuthorizedEntity | None:
    row = connection.execute(
        select(authorized_entities).where(authorized_entities.c.identifier == identifier)
    ).first()
    return _entity(row) if row is not None else None


def entity_by_id(connection: Connection, entity_id: int) -> AuthorizedEntity | None:
    row = connection.execute(
        select(authorized_entities).where(authorized_entities.c.id == entity_id)
    ).first()
    return _entity(row) if row is not None else None


def entity_authorization(
    connection: Connection, entity_id: int, ca_id: str
) -> EntityApproval | None:
    row = connection.execute(
        select(entity_authorizations).where(
            and_(
                entity_authorizations.c.entity_id == entity_id,
                entity_authorizations.c.cooperative_approach_id == ca_id,
            )
        )
    ).first()
    return _approval(row) if row is not None else None


_ENTITY_APPROVALS = select(entity_authorizations).where(
    and_(
        entity_authorizations.c.entity_id.in_(bindparam("entity_ids", expanding=True)),
        entity_authorizations.c.cooperative_approach_id == bindparam("approach"),
    )
)


def entity_authorizations_of(connection: Connection, entity_id: int) -> list[EntityApproval]:
    """The entity's approvals, one per cooperative approach it was authorized for."""
    rows = connection.execute(
        select(entity_authorizations).where(entity_authorizations.c.entity_id == entity_id)
    )
    return [_approval(row) for row in rows]


def entity_authorizations_for(
    connection: Connection, entity_ids: list[int], ca_id: str
) -> dict[int, EntityApproval]:
    """The approvals of several entities for one cooperative approach, in one round trip."""
    if not entity_ids:
        return {}
    rows = connection.execute(
        _ENTITY_APPROVALS, {"entity_ids": sorted(set(entity_ids)), "approach": ca_id}
    )
    return {row.entity_id: _approval(row) for row in rows}


def to_authorization(row: Row[Any]) -> Authorization:
    """An authorization version's row as the domain's `Authorization`."""
    timeframe = (
        (row.timeframe_first, row.timeframe_last) if row.timeframe_first is not None else None
    )
    return Authorization(
        party=row.party_code,
        authorization_id=row.authorization_id,
        version=row.version,
        date_of_authorization=row.date_of_authorization,
        cooperative_approach=row.cooperative_approach_id,
        metric=Metric(row.metric),
        sectors=tuple(Sector(s) for s in row.sectors),
        purposes=Purpose(row.purposes),
        activity_types=tuple(ActivityType(a) for a in row.activity_types),
        authorized_quantity=row.authorized_quantity,
        gwp_values=row.gwp_values,
        non_ghg_metric=row.non_ghg_metric,
        authorized_parties=tuple(row.authorized_parties),
        authorized_entities=tuple(row.authorized_entities),
        oimp_authorized=row.oimp_authorized,
        timeframe=timeframe,
        terms_and_conditions=row.terms_and_conditions,
        first_transfer_definition=FirstTransferDefinition(row.first_transfer_definition)
        if row.first_transfer_definition
        else None,
        additional_information=row.additional_information,
        revoked=row.revoked,
    )


@dataclass(frozen=True)
class RecordedAuthorization(Authorization):
    """An authorization version with when and by whom the registry recorded it."""

    recorded_at: datetime = field(kw_only=True)
    recorded_by: str = field(kw_only=True)


def to_recorded_authorization(row: Row[Any]) -> RecordedAuthorization:
    version = to_authorization(row)
    return RecordedAuthorization(
        **{f.name: getattr(version, f.name) for f in fields(Authorization)},
        recorded_at=row.recorded_at,
        recorded_by=row.recorded_by,
    )


_STANDING_OF_TWO = select(
    entity_authorizations.c.entity_id,
    entity_authorizations.c.cooperative_approach_id,
    entity_authorizations.c.status,
).where(entity_authorizations.c.entity_id.in_([bindparam("entity"), bindparam("other")]))
_OF_AUTHORIZATION = and_(
    authorizations.c.party_code == bindparam("party"),
    authorizations.c.authorization_id == bindparam("authorization"),
)
_AUTHORIZATION_VERSION = select(authorizations).where(
    and_(_OF_AUTHORIZATION, authorizations.c.version == bindparam("version"))
)
_AUTHORIZATION_IN_FORCE = (
    select(authorizations)
    .where(_OF_AUTHORIZATION)
    .order_by(authorizations.c.version.desc())
    .limit(1)
)


def entity_standing_later(
    connection: Connection, entity_ids: list[int]
) -> Callable[[], dict[tuple[int, str], str]]:
    """The standing of one or two entities (a movement's) for every approach they are
    authorized for, sent with the command's next statement; call the result for it by (entity,
    approach). An entity is authorized for a few approaches: reading them all costs less than
    waiting to learn which the units belong to."""
    ids = sorted(set(entity_ids))
    if not ids:
        return dict
    if len(ids) > 2:
        raise ValueError("a movement has at most two entities")
    answer = batches.read_later(connection, _STANDING_OF_TWO, {"entity": ids[0], "other": ids[-1]})
    return lambda: {
        (row.entity_id, row.cooperative_approach_id): str(row.status) for row in answer.all()
    }


def authorization_later(
    connection: Connection, party_code: str, authorization_id: str, version: int | None = None
) -> Callable[[], Authorization | None]:
    """`authorization`, sent with the command's next statement; call the result for it."""
    parameters: dict[str, Any] = {"party": party_code, "authorization": authorization_id}
    if version is None:
        answer = batches.read_later(connection, _AUTHORIZATION_IN_FORCE, parameters)
    else:
        answer = batches.read_later(
            connection, _AUTHORIZATION_VERSION, {**parameters, "version": version}
        )

    def found() -> Authorization | None:
        row = answer.first()
        return to_authorization(row) if row is not None else None

    return found


def authorization(
    connection: Connection, party_code: str, authorization_id: str, version: int | None = None
) -> Authorization | None:
    """The given version, or the one in force (the newest) when no version is given."""
    query = select(authorizations).where(
        and_(
            authorizations.c.party_code == party_code,
            authorizations.c.authorization_id == authorization_id,
        )
    )
    if version is not None:
        query = query.where(authorizations.c.version == version)
    row = connection.execute(query.order_by(authorizations.c.version.desc()).limit(1)).first()
    return to_authorization(row) if row is not None else None


def lock_authorization(connection: Connection, party_code: str, authorization_id: str) -> None:
    """Hold an authorization's rows until commit, so that two commands counting the units
    linked under it (the authorized quantity, C3007) do not both pass on the same count."""
    connection.execute(
        select(authorizations.c.id)
        .where(
            and_(
                authorizations.c.party_code == party_code,
                authorizations.c.authorization_id == authorization_id,
            )
        )
        .order_by(authorizations.c.version)
        .with_for_update()
    ).all()


def current_authorization(
    connection: Connection, party_code: str, authorization_id: str
) -> Authorization | None:
    return authorization(connection, party_code, authorization_id)


def insert_authorization(connection: Connection, a: Authorization, at: datetime, by: str) -> None:
    connection.execute(
        authorizations.insert().values(
            party_code=a.party,
            authorization_id=a.authorization_id,
            version=a.version,
            date_of_authorization=a.date_of_authorization,
            cooperative_approach_id=a.cooperative_approach,
            authorized_quantity=a.authorized_quantity,
            metric=a.metric.value,
            gwp_values=a.gwp_values,
            non_ghg_metric=a.non_ghg_metric,
            sectors=[s.value for s in a.sectors],
            activity_types=[t.value for t in a.activity_types],
            purposes=a.purposes.value,
            authorized_parties=list(a.authorized_parties),
            authorized_entities=list(a.authorized_entities),
            oimp_authorized=a.oimp_authorized,
            timeframe_first=a.timeframe[0] if a.timeframe else None,
            timeframe_last=a.timeframe[1] if a.timeframe else None,
            terms_and_conditions=a.terms_and_conditions,
            first_transfer_definition=a.first_transfer_definition.value
            if a.first_transfer_definition
            else None,
            additional_information=a.additional_information,
            revoked=a.revoked,
            recorded_at=at,
            recorded_by=by,
        )
    )


def linked_quantity(connection: Connection, party_code: str, authorization_id: str) -> int:
    """Units ever linked or issued under an authorization (for C3007 and C3009)."""
    from article6.store.schema import transaction_blocks, transactions

    total = connection.execute(
        select(
            func.coalesce(
                func.sum(transaction_blocks.c.serial_last - transaction_blocks.c.serial_first + 1),
                0,
            )
        )
        .select_from(transaction_blocks.join(transactions))
        .where(
            and_(
                transaction_blocks.c.first_transferring_party == party_code,
                transaction_blocks.c.authorization_id == authorization_id,
                transactions.c.kind.in_(("authorization", "issuance")),
                transactions.c.status == "completed",
            )
        )
    ).scalar_one()
    return int(total)
