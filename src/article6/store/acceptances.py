"""Transfers waiting for the acquiring Party's acceptance: its setting, the transfers it has
to answer, and those past their deadline that the sweep returns (issue #18)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, bindparam, select, update
from sqlalchemy.orm import aliased

from article6.domain.protocol import TransferStatus
from article6.domain.transactions import StoredTransaction, TransactionStatus
from article6.store import holdings
from article6.store.external_transfers import ExternalTransfer, transfer
from article6.store.history import to_stored
from article6.store.interop_schema import external_transfers
from article6.store.schema import accounts, party_sections, transactions

WAITING = TransactionStatus.AWAITING_ACCEPTANCE.value


def acceptance_days(connection: Connection, party: str) -> int | None:
    """How long `party`'s incoming transfers wait for its acceptance; None: accepted at once."""
    return connection.execute(
        select(party_sections.c.acceptance_days).where(party_sections.c.party_code == party)
    ).scalar_one_or_none()


_ACCEPTANCE_DAYS_OF = (
    select(party_sections.c.acceptance_days)
    .where(party_sections.c.party_code == bindparam("accepting_party"))
    .scalar_subquery()
    .label("acceptance_days")
)


def acceptance_days_with_lock(connection: Connection, party: str) -> holdings.Rider:
    """`acceptance_days`, read in the statement that locks the command's holdings
    (`holdings.ride_with_lock`)."""
    rider = holdings.Rider(_ACCEPTANCE_DAYS_OF, {"accepting_party": party})
    holdings.ride_with_lock(connection, rider)
    return rider


def set_acceptance_days(connection: Connection, party: str, days: int | None) -> None:
    connection.execute(
        update(party_sections)
        .where(party_sections.c.party_code == party)
        .values(acceptance_days=days)
    )


@dataclass(frozen=True)
class IncomingTransfer:
    """A transfer waiting for a Party's acceptance, with the accounts it names."""

    transaction: StoredTransaction
    source_account: str
    destination_account: str


def incoming(connection: Connection, party: str) -> list[IncomingTransfer]:
    """The transfers into `party`'s accounts that wait for its acceptance, oldest first."""
    source = aliased(accounts)
    destination = aliased(accounts)
    rows = connection.execute(
        select(
            transactions,
            source.c.identifier.label("source_identifier"),
            destination.c.identifier.label("destination_identifier"),
        )
        .select_from(
            transactions.join(source, source.c.id == transactions.c.source_account_id).join(
                destination, destination.c.id == transactions.c.destination_account_id
            )
        )
        .where(and_(transactions.c.status == WAITING, destination.c.party_code == party))
        .order_by(transactions.c.id)
    ).all()
    return [
        IncomingTransfer(to_stored(row), row.source_identifier, row.destination_identifier)
        for row in rows
    ]


def overdue(connection: Connection, now: datetime) -> list[str]:
    """The transfers still waiting for acceptance past their deadline, for the sweep."""
    return list(
        connection.execute(
            select(transactions.c.identifier)
            .where(and_(transactions.c.status == WAITING, transactions.c.expires_at < now))
            .order_by(transactions.c.id)
        ).scalars()
    )


def incoming_from_registries(connection: Connection, party: str) -> list[ExternalTransfer]:
    """Transfers from other registries into `party`'s accounts, checked and not yet answered
    (`proposed` to this registry), oldest first."""
    rows = connection.execute(
        select(external_transfers.c.transaction_id)
        .select_from(
            external_transfers.join(
                accounts, accounts.c.identifier == external_transfers.c.local_account
            )
        )
        .where(
            and_(
                external_transfers.c.direction == "in",
                external_transfers.c.status == TransferStatus.PROPOSED.value,
                accounts.c.party_code == party,
            )
        )
        .order_by(external_transfers.c.created_at)
    ).all()
    found = [transfer(connection, row.transaction_id) for row in rows]
    return [row for row in found if row is not None]


def overdue_from_registries(connection: Connection, now: datetime) -> list[str]:
    """Transfers from other registries still unanswered past the acquiring Party's deadline."""
    return list(
        connection.execute(
            select(external_transfers.c.transaction_id)
            .where(
                and_(
                    external_transfers.c.direction == "in",
                    external_transfers.c.status == TransferStatus.PROPOSED.value,
                    external_transfers.c.expires_at < now,
                )
            )
            .order_by(external_transfers.c.created_at)
        ).scalars()
    )
