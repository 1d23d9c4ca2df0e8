"""The ledger as account statements and certificates read it: an account with its entity, its
balance at a moment and the ranges moved into or out of it over a period; a transaction with
its source and using entity, and the ranges it moved."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, func, or_, select

from article6.store.reports import COMPLETED, keyset
from article6.store.schema import accounts, authorized_entities, transaction_blocks, transactions


@dataclass(frozen=True)
class StatementAccount:
    """An account as its statement heads it, with its entity's name if an entity holds it."""

    id: int
    identifier: str
    name: str
    party_code: str
    holder: str
    kind: str
    entity_name: str | None


@dataclass(frozen=True)
class MovedUnits:
    """A moved range by the elements its identifier shows."""

    cooperative_approach: str
    registry: str
    first_transferring_party: str
    first: int
    last: int
    vintage: int

    @property
    def size(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class AccountMovement:
    """A range moved into or out of an account, with its transaction and both accounts."""

    units: MovedUnits
    transaction: str
    kind: str
    cancellation_purpose: str | None
    finished_at: datetime
    destination_account_id: int | None
    source_account: str | None
    destination_account: str | None


@dataclass(frozen=True)
class CertifiedTransaction:
    """What a use's or cancellation's certificate says of its transaction."""

    id: int
    identifier: str
    party_code: str
    kind: str
    status: str
    cancellation_purpose: str | None
    purpose: str | None
    ndc_year: int | None
    quantity: int
    first_transfer: bool
    initiator: str
    approver: str | None
    finished_at: datetime | None
    using_entity: str | None
    using_entity_name: str | None


def _units(row: Row[Any]) -> MovedUnits:
    return MovedUnits(
        row.cooperative_approach_id,
        row.registry_id,
        row.first_transferring_party,
        row.serial_first,
        row.serial_last,
        row.vintage,
    )


def account(connection: Connection, identifier: str) -> StatementAccount | None:
    row = connection.execute(
        select(
            accounts.c.id,
            accounts.c.identifier,
            accounts.c.name,
            accounts.c.party_code,
            accounts.c.holder,
            accounts.c.kind,
            authorized_entities.c.name.label("entity_name"),
        )
        .select_from(accounts.outerjoin(authorized_entities))
        .where(accounts.c.identifier == identifier)
    ).first()
    return None if row is None else StatementAccount(**row._asdict())


def balance_at(connection: Connection, account_id: int, moment: datetime) -> int:
    """Units in the account just after `moment`: what completed transactions brought in minus
    what they took out (the moved ranges, not the live blocks)."""
    size = transaction_blocks.c.serial_last - transaction_blocks.c.serial_first + 1

    def total(column: Any) -> int:
        value = connection.execute(
            select(func.coalesce(func.sum(size), 0))
            .select_from(transaction_blocks.join(transactions))
            .where(
                and_(
                    column == account_id,
                    transactions.c.status == COMPLETED,
                    transactions.c.finished_at <= moment,
                )
            )
        ).scalar_one()
        return int(value)

    return total(transactions.c.destination_account_id) - total(transactions.c.source_account_id)


def account_movements(
    connection: Connection, account_id: int, start: datetime, end: datetime
) -> Iterator[AccountMovement]:
    """The moved ranges into or out of the account completed in (start, end], in completion
    order, with the transaction and the counterpart account."""
    source = accounts.alias("source")
    destination = accounts.alias("destination")
    query = (
        select(
            transaction_blocks,
            transactions.c.identifier.label("transaction"),
            transactions.c.kind,
            transactions.c.cancellation_purpose,
            transactions.c.finished_at,
            transactions.c.source_account_id,
            transactions.c.destination_account_id,
            source.c.identifier.label("source_account"),
            destination.c.identifier.label("destination_account"),
        )
        .select_from(
            transaction_blocks.join(transactions)
            .outerjoin(source, source.c.id == transactions.c.source_account_id)
            .outerjoin(destination, destination.c.id == transactions.c.destination_account_id)
        )
        .where(
            and_(
                transactions.c.status == COMPLETED,
                transactions.c.finished_at > start,
                transactions.c.finished_at <= end,
                or_(
                    transactions.c.source_account_id == account_id,
                    transactions.c.destination_account_id == account_id,
                ),
            )
        )
    )
    for row in keyset(connection, query, [transaction_blocks.c.id], ["id"]):
        yield AccountMovement(
            units=_units(row),
            transaction=row.transaction,
            kind=row.kind,
            cancellation_purpose=row.cancellation_purpose,
            finished_at=row.finished_at,
            destination_account_id=row.destination_account_id,
            source_account=row.source_account,
            destination_account=row.destination_account,
        )


def transaction(connection: Connection, identifier: str) -> CertifiedTransaction | None:
    t = transactions.c
    row = connection.execute(
        select(
            t.id,
            t.identifier,
            t.party_code,
            t.kind,
            t.status,
            t.cancellation_purpose,
            t.purpose,
            t.ndc_year,
            t.quantity,
            t.first_transfer,
            t.initiator,
            t.approver,
            t.finished_at,
            authorized_entities.c.identifier.label("using_entity"),
            authorized_entities.c.name.label("using_entity_name"),
        )
        .select_from(
            transactions.outerjoin(
                authorized_entities, authorized_entities.c.id == transactions.c.using_entity_id
            )
        )
        .where(transactions.c.identifier == identifier)
    ).first()
    return None if row is None else CertifiedTransaction(**row._asdict())


def transaction_ranges(connection: Connection, transaction_id: int) -> list[MovedUnits]:
    query = (
        select(transaction_blocks)
        .where(transaction_blocks.c.transaction_id == transaction_id)
        .order_by(transaction_blocks.c.registry_id, transaction_blocks.c.serial_first)
    )
    return [_units(row) for row in connection.execute(query)]
