"""Repositories of the registry's reference records: Parties, sections, cooperative approaches,
mitigation activities, authorized entities, authorizations and accounts."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, func, select, update

from article6.domain.accounts import AccountKind
from article6.domain.authorizations import Authorization
from article6.domain.nomenclature import (
    ActivityType,
    FirstTransferDefinition,
    Metric,
    Purpose,
    Sector,
)
from article6.store.reconciliation import hold, hold_of
from article6.store.schema import (
    accounts,
    authorizations,
    authorized_entities,
    cooperative_approach_parties,
    cooperative_approaches,
    entity_authorizations,
    holdings,
    mitigation_activities,
    parties,
    party_sections,
)


def party(connection: Connection, code: str) -> Row[Any] | None:
    return connection.execute(select(parties).where(parties.c.code == code)).first()


def section(connection: Connection, code: str, lock: bool = False) -> Row[Any] | None:
    query = select(party_sections).where(party_sections.c.party_code == code)
    if lock:
        query = query.with_for_update()
    return connection.execute(query).first()


def next_number(connection: Connection, party_code: str, column: str, count: int = 1) -> int:
    """Take `count` numbers from a section's counter (serials, transactions, accounts).

    The UPDATE itself takes the row lock, so two writers never receive the same number.
    """
    value, _section = take_number(connection, party_code, column, count)
    return value


_TAKE_NUMBER: dict[str, Any] = {}


def take_number(
    connection: Connection, party_code: str, column: str, count: int = 1
) -> tuple[int, Row[Any]]:
    """Take numbers from a section's counter and read the section in the same round trip.

    One UPDATE … RETURNING (PostgreSQL and SQLite ≥ 3.35): the row lock it takes is held to
    commit, so callers take it as late as they can.
    """
    statement = _TAKE_NUMBER.get(column)
    if statement is None:
        counter = party_sections.c[column]
        statement = _TAKE_NUMBER[column] = (
            update(party_sections)
            .where(party_sections.c.party_code == bindparam("code"))
            .values({column: counter + bindparam("count")})
            .returning(*party_sections.c)
        )
    row = connection.execute(statement, {"code": party_code, "count": count}).one()
    return int(row._mapping[column]) - count, row


def transaction_sequence(party_code: str) -> str:
    """The name of a section's transaction-number sequence (PostgreSQL)."""
    if not re.fullmatch(r"[A-Z0-9]{1,8}", party_code):
        raise ValueError(f"not a Party code: {party_code!r}")
    return f"transaction_numbers_{party_code.lower()}"


def open_section(connection: Connection, **values: Any) -> None:
    """Insert a Party section with its counters (on PostgreSQL, its transaction sequence).

    A section opened during a reconciliation carries its hold like every other section, or
    commands there would not be refused (C2006). On PostgreSQL the holdings table is taken first
    as any holdings writer takes it (opening the section's accounts does anyway): a hold being
    placed then either commits before the hold is read here, or waits for this section to
    commit and holds it with the rest (see `store.reconciliation.place`)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("LOCK TABLE holdings IN ROW EXCLUSIVE MODE")
    current = hold(connection)
    if current is not None:
        values = {
            **values,
            "reconciliation_id": current.reconciliation_id,
            "reconciliation_until": current.until,
        }
    connection.execute(party_sections.insert().values(**values))
    if connection.dialect.name == "postgresql":
        sequence = transaction_sequence(values["party_code"])
        start = int(values["next_transaction"])
        connection.exec_driver_sql(f"CREATE SEQUENCE {sequence} START WITH {start}")


_NUMBERED_SECTION: dict[str, Any] = {}


def take_transaction_number(
    connection: Connection, party_code: str, now: datetime
) -> tuple[int, Row[Any]]:
    """The next transaction number of a section, and the section, in one round trip; refused
    (C2006) while a reconciliation holds the registry at `now` (a hold past its deadline
    refuses nothing, even before `lift_overdue` clears it).

    PostgreSQL: from the section's sequence, which holds no lock, so commands of one Party
    commit in parallel; a command rolled back after numbering leaves a gap. SQLite: from the
    counter row (writers are serialised there anyway, and numbers stay gapless).

    Every transaction takes its number here, so the section row this reads carries the hold
    (see `store.reconciliation.place`): the check costs no statement. A command refused after
    its writes rolls back whole."""
    if connection.dialect.name != "postgresql":
        number, row = take_number(connection, party_code, "next_transaction")
    else:
        statement = _NUMBERED_SECTION.get(party_code)
        if statement is None:
            counter = func.nextval(transaction_sequence(party_code)).label("transaction_number")
            statement = _NUMBERED_SECTION[party_code] = select(counter, party_sections).where(
                party_sections.c.party_code == party_code
            )
        row = connection.execute(statement).one()
        number = int(row.transaction_number)
    held = hold_of(row)
    if held is not None and held.in_force(now):
        raise held.refusal()
    return number, row


def next_transaction_number(connection: Connection, party_code: str, now: datetime) -> int:
    number, _section = take_transaction_number(connection, party_code, now)
    return number


def cooperative_approach(connection: Connection, ca_id: str) -> Row[Any] | None:
    return connection.execute(
        select(cooperative_approaches).where(cooperative_approaches.c.id == ca_id)
    ).first()


def participants(connection: Connection, ca_id: str) -> list[str]:
    return list(
        connection.execute(
            select(cooperative_approach_parties.c.party_code)
            .where(cooperative_approach_parties.c.cooperative_approach_id == ca_id)
            .order_by(cooperative_approach_parties.c.party_code)
        ).scalars()
    )


def activity(connection: Connection, identifier: str, lock: bool = False) -> Row[Any] | None:
    """A mitigation activity; `lock` holds its row (and its underlying counter) until commit."""
    query = select(mitigation_activities).where(mitigation_activities.c.identifier == identifier)
    if lock:
        query = query.with_for_update()
    return connection.execute(query).first()


def entity(connection: Connection, identifier: str) -> Row[Any] | None:
    return connection.execute(
        select(authorized_entities).where(authorized_entities.c.identifier == identifier)
    ).first()


def entity_by_id(connection: Connection, entity_id: int) -> Row[Any] | None:
    return connection.execute(
        select(authorized_entities).where(authorized_entities.c.id == entity_id)
    ).first()


def entity_authorization(connection: Connection, entity_id: int, ca_id: str) -> Row[Any] | None:
    return connection.execute(
        select(entity_authorizations).where(
            and_(
                entity_authorizations.c.entity_id == entity_id,
                entity_authorizations.c.cooperative_approach_id == ca_id,
            )
        )
    ).first()


_ENTITY_APPROVALS = select(entity_authorizations).where(
    and_(
        entity_authorizations.c.entity_id.in_(bindparam("entity_ids", expanding=True)),
        entity_authorizations.c.cooperative_approach_id == bindparam("approach"),
    )
)


def entity_authorizations_for(
    connection: Connection, entity_ids: list[int], ca_id: str
) -> dict[int, Row[Any]]:
    """The approvals of several entities for one cooperative approach, in one round trip."""
    if not entity_ids:
        return {}
    rows = connection.execute(
        _ENTITY_APPROVALS, {"entity_ids": sorted(set(entity_ids)), "approach": ca_id}
    )
    return {row.entity_id: row for row in rows}


def to_authorization(row: Row[Any]) -> Authorization:
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


def authorization_row(
    connection: Connection, party_code: str, authorization_id: str, version: int | None = None
) -> Row[Any] | None:
    """The given version, or the one in force (the newest) when no version is given."""
    query = select(authorizations).where(
        and_(
            authorizations.c.party_code == party_code,
            authorizations.c.authorization_id == authorization_id,
        )
    )
    if version is not None:
        query = query.where(authorizations.c.version == version)
    return connection.execute(query.order_by(authorizations.c.version.desc()).limit(1)).first()


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
    row = authorization_row(connection, party_code, authorization_id)
    return to_authorization(row) if row is not None else None


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


_ACCOUNT = select(accounts).where(accounts.c.identifier == bindparam("identifier"))
_ACCOUNTS = select(accounts).where(
    accounts.c.identifier.in_(bindparam("identifiers", expanding=True))
)


def account(connection: Connection, identifier: str) -> Row[Any] | None:
    return connection.execute(_ACCOUNT, {"identifier": identifier}).first()


def accounts_named(connection: Connection, identifiers: list[str]) -> dict[str, Row[Any]]:
    """Several accounts by identifier in one round trip; unknown identifiers are left out."""
    rows = connection.execute(_ACCOUNTS, {"identifiers": sorted(set(identifiers))})
    return {row.identifier: row for row in rows}


def account_by_id(connection: Connection, account_id: int) -> Row[Any] | None:
    return connection.execute(select(accounts).where(accounts.c.id == account_id)).first()


def set_account_status(connection: Connection, account_id: int, status: str) -> None:
    connection.execute(update(accounts).where(accounts.c.id == account_id).values(status=status))


def find_account(
    connection: Connection,
    party_code: str,
    kind: AccountKind,
    cooperative_approach: str | None,
    holder: str = "PARTY",
) -> Row[Any] | None:
    return connection.execute(
        select(accounts).where(
            and_(
                accounts.c.party_code == party_code,
                accounts.c.holder == holder,
                accounts.c.kind == kind.value,
                accounts.c.cooperative_approach_key == (cooperative_approach or ""),
            )
        )
    ).first()


def open_account(
    connection: Connection,
    *,
    party_code: str,
    registry_id: str,
    kind: AccountKind,
    cooperative_approach: str | None,
    name: str,
    at: datetime,
    entity_id: int | None = None,
    holder: str = "PARTY",
) -> int:
    """Open an account (with its zero holding) unless the holder already has that kind."""
    existing = find_account(connection, party_code, kind, cooperative_approach, holder)
    if existing is not None:
        return int(existing.id)
    number = next_number(connection, party_code, "next_account")
    account_id: int = connection.execute(
        accounts.insert()
        .values(
            identifier=f"{registry_id}-{number:06d}",
            party_code=party_code,
            entity_id=entity_id,
            holder=holder,
            kind=kind.value,
            container=kind.container.value,
            cooperative_approach_key=cooperative_approach or "",
            name=name,
            status="open",
            opened_at=at,
        )
        .returning(accounts.c.id)
    ).scalar_one()
    connection.execute(holdings.insert().values(account_id=account_id, quantity=0, reserved=0))
    return account_id


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
