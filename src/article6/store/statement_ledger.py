"""The ledger as account statements and certificates read it: an account with its entity, its
balance at a moment and the ranges moved into or out of it over a period; a transaction with
its source and using entity, and the ranges it moved."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, func, or_, select

from article6.store.reports import COMPLETED, keyset
from article6.store.schema import accounts, authorized_entities, transaction_blocks, transactions


def account(connection: Connection, identifier: str) -> Row[Any] | None:
    return connection.execute(
        select(accounts, authorized_entities.c.name.label("entity_name"))
        .select_from(accounts.outerjoin(authorized_entities))
        .where(accounts.c.identifier == identifier)
    ).first()


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
) -> Iterator[Row[Any]]:
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
    return keyset(connection, query, [transaction_blocks.c.id], ["id"])


def transaction(connection: Connection, identifier: str) -> Row[Any] | None:
    source = accounts.alias("source")
    return connection.execute(
        select(
            transactions,
            source.c.identifier.label("source_account"),
            source.c.holder.label("source_holder"),
            authorized_entities.c.identifier.label("using_entity"),
            authorized_entities.c.name.label("using_entity_name"),
        )
        .select_from(
            transactions.outerjoin(
                source, source.c.id == transactions.c.source_account_id
            ).outerjoin(
                authorized_entities, authorized_entities.c.id == transactions.c.using_entity_id
            )
        )
        .where(transactions.c.identifier == identifier)
    ).first()


def transaction_ranges(connection: Connection, transaction_id: int) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(transaction_blocks)
            .where(transaction_blocks.c.transaction_id == transaction_id)
            .order_by(transaction_blocks.c.registry_id, transaction_blocks.c.serial_first)
        )
    )
