"""What the public report reads of a Party: its first transfers, the units now in its accounts,
and its authorizations (every version)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Connection, and_, func, select

from article6.store.reports import COMPLETED
from article6.store.schema import (
    accounts,
    authorizations,
    transaction_blocks,
    transactions,
    unit_blocks,
)


@dataclass(frozen=True)
class PublishedFirstTransfer:
    """Units a transaction first transferred, of one approach, authorization, vintage, subtype."""

    identifier: str
    finished_at: datetime  # only completed transactions are read
    acquiring_party: str | None
    cooperative_approach_id: str
    authorization_id: str | None
    vintage: int
    first_transfer_subtype: str
    quantity: int


@dataclass(frozen=True)
class PublishedHolding:
    """Units now in a Party's accounts of one approach, vintage and state."""

    cooperative_approach_id: str
    vintage: int
    state: str
    quantity: int


@dataclass(frozen=True)
class PublishedAuthorization:
    """A version of an authorization as the public report shows it."""

    authorization_id: str
    version: int
    date_of_authorization: date
    cooperative_approach_id: str
    purposes: str
    authorized_quantity: int | None
    oimp_authorized: str | None
    first_transfer_definition: str | None
    authorized_parties: list[str]
    timeframe_first: int | None
    timeframe_last: int | None
    revoked: bool


def first_transfer_summary(connection: Connection, code: str) -> list[PublishedFirstTransfer]:
    """The Party's first transfers: per transaction, cooperative approach, authorization,
    vintage and subtype, the quantity first transferred (no accounts, no entities)."""
    size = transaction_blocks.c.serial_last - transaction_blocks.c.serial_first + 1
    rows = connection.execute(
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
    return [
        PublishedFirstTransfer(**{**row._asdict(), "quantity": int(row.quantity)}) for row in rows
    ]


def holdings_totals(connection: Connection, code: str) -> list[PublishedHolding]:
    """Units now in the Party's accounts, per cooperative approach, vintage and state."""
    size = unit_blocks.c.serial_last - unit_blocks.c.serial_first + 1
    rows = connection.execute(
        select(
            unit_blocks.c.cooperative_approach_id,
            unit_blocks.c.vintage,
            unit_blocks.c.state,
            func.sum(size).label("quantity"),
        )
        .select_from(unit_blocks.join(accounts))
        .where(accounts.c.party_code == code)
        .group_by(unit_blocks.c.cooperative_approach_id, unit_blocks.c.vintage, unit_blocks.c.state)
        .order_by(unit_blocks.c.cooperative_approach_id, unit_blocks.c.vintage, unit_blocks.c.state)
    )
    return [PublishedHolding(**{**row._asdict(), "quantity": int(row.quantity)}) for row in rows]


def current_authorizations(connection: Connection, code: str) -> list[PublishedAuthorization]:
    """Every version of the Party's authorizations, in order."""
    a = authorizations.c
    rows = connection.execute(
        select(
            a.authorization_id,
            a.version,
            a.date_of_authorization,
            a.cooperative_approach_id,
            a.purposes,
            a.authorized_quantity,
            a.oimp_authorized,
            a.first_transfer_definition,
            a.authorized_parties,
            a.timeframe_first,
            a.timeframe_last,
            a.revoked,
        )
        .where(a.party_code == code)
        .order_by(a.authorization_id, a.version)
        .limit(10_000)
    )
    return [PublishedAuthorization(**row._asdict()) for row in rows]
