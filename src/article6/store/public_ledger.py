"""What the public report reads of a Party: its first transfers, the units now in its accounts,
and its authorizations (every version)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, and_, func, select

from article6.store.reports import COMPLETED
from article6.store.schema import (
    accounts,
    authorizations,
    transaction_blocks,
    transactions,
    unit_blocks,
)


def first_transfer_summary(connection: Connection, code: str) -> list[Row[Any]]:
    """The Party's first transfers: per transaction, cooperative approach, authorization,
    vintage and subtype, the quantity first transferred (no accounts, no entities)."""
    size = transaction_blocks.c.serial_last - transaction_blocks.c.serial_first + 1
    return list(
        connection.execute(
            select(
                transactions.c.identifier,
                transactions.c.finished_at,
                transactions.c.acquiring_party,
                transaction_blocks.c.cooperative_approach_id,
                transaction_blocks.c.authorization_id,
                transaction_blocks.c.vintage,
                transaction_blocks.c.first_transfer_subtype,
                func.sum(size).label("quantity"),
            )
            .select_from(transaction_blocks.join(transactions))
            .where(
                and_(
                    transactions.c.status == COMPLETED,
                    transaction_blocks.c.first_transferring_party == code,
                    transaction_blocks.c.first_transfer_subtype.is_not(None),
                )
            )
            .group_by(
                transactions.c.id,
                transactions.c.identifier,
                transactions.c.finished_at,
                transactions.c.acquiring_party,
                transaction_blocks.c.cooperative_approach_id,
                transaction_blocks.c.authorization_id,
                transaction_blocks.c.vintage,
                transaction_blocks.c.first_transfer_subtype,
            )
            .order_by(transactions.c.id, transaction_blocks.c.vintage)
            .limit(10_000)
        )
    )


def holdings_totals(connection: Connection, code: str) -> list[Row[Any]]:
    """Units now in the Party's accounts, per cooperative approach, vintage and state."""
    size = unit_blocks.c.serial_last - unit_blocks.c.serial_first + 1
    return list(
        connection.execute(
            select(
                unit_blocks.c.cooperative_approach_id,
                unit_blocks.c.vintage,
                unit_blocks.c.state,
                func.sum(size).label("quantity"),
            )
            .select_from(unit_blocks.join(accounts))
            .where(accounts.c.party_code == code)
            .group_by(
                unit_blocks.c.cooperative_approach_id, unit_blocks.c.vintage, unit_blocks.c.state
            )
            .order_by(
                unit_blocks.c.cooperative_approach_id, unit_blocks.c.vintage, unit_blocks.c.state
            )
        )
    )


def current_authorizations(connection: Connection, code: str) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(authorizations)
            .where(authorizations.c.party_code == code)
            .order_by(authorizations.c.authorization_id, authorizations.c.version)
            .limit(10_000)
        )
    )
