"""Accounts: read by identifier (one or several in a round trip) or by id, found by holder and
kind, opened with their zero holding and an identifier numbered per Party section, and their
status changed."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ARRAY, Connection, Row, String, and_, any_, bindparam, select, update

from article6.domain.accounts import Account, AccountKind
from article6.store import batches
from article6.store.schema import accounts, holdings
from article6.store.sections import next_number

_ACCOUNT = select(accounts).where(accounts.c.identifier == bindparam("identifier"))
_ACCOUNTS = select(accounts).where(
    accounts.c.identifier.in_(bindparam("identifiers", expanding=True))
)
_ACCOUNTS_IN_ARRAY = select(accounts).where(
    accounts.c.identifier == any_(bindparam("identifiers", type_=ARRAY(String)))
)
"""The same read on PostgreSQL with one array parameter: compiled once, and sent by
`store.batches` without SQLAlchemy's per-execution work (an expanding `IN` is rendered anew
for every call)."""


def to_account(row: Row[Any]) -> Account:
    """An account row as the domain's `Account`."""
    return Account(
        id=row.id,
        identifier=row.identifier,
        party_code=row.party_code,
        entity_id=row.entity_id,
        holder=row.holder,
        kind=row.kind,
        cooperative_approach_key=row.cooperative_approach_key,
        status=row.status,
    )


def account(connection: Connection, identifier: str) -> Account | None:
    row = connection.execute(_ACCOUNT, {"identifier": identifier}).first()
    return to_account(row) if row is not None else None


def accounts_named(connection: Connection, identifiers: list[str]) -> dict[str, Account]:
    """Several accounts by identifier in one round trip; unknown identifiers are left out."""
    wanted = sorted(set(identifiers))
    if connection.dialect.name == "postgresql":
        rows: Any = batches.read_later(
            connection, _ACCOUNTS_IN_ARRAY, {"identifiers": wanted}
        ).all()
    else:
        rows = connection.execute(_ACCOUNTS, {"identifiers": wanted})
    return {row.identifier: to_account(row) for row in rows}


def account_by_id(connection: Connection, account_id: int) -> Account | None:
    row = connection.execute(select(accounts).where(accounts.c.id == account_id)).first()
    return to_account(row) if row is not None else None


def accounts_of_holder(connection: Connection, holder: str) -> set[int]:
    """The ids of the accounts an authorized entity (by its identifier) holds."""
    return set(
        connection.execute(select(accounts.c.id).where(accounts.c.holder == holder)).scalars()
    )


def set_account_status(connection: Connection, account_id: int, status: str) -> None:
    connection.execute(update(accounts).where(accounts.c.id == account_id).values(status=status))


def find_account(
    connection: Connection,
    party_code: str,
    kind: AccountKind,
    cooperative_approach: str | None,
    holder: str = "PARTY",
) -> Account | None:
    row = connection.execute(
        select(accounts).where(
            and_(
                accounts.c.party_code == party_code,
                accounts.c.holder == holder,
                accounts.c.kind == kind.value,
                accounts.c.cooperative_approach_key == (cooperative_approach or ""),
            )
        )
    ).first()
    return to_account(row) if row is not None else None


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
        return existing.id
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
