"""A registry's record of its transfers with other registries (`external_transfers`, one row per
transfer, in or out, with its status and reason), and where an outgoing transfer awaiting the
Party's approval will go (`external_requests`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import Connection, Row, select, update

from article6.domain.protocol import TransferStatus
from article6.store.interop_schema import external_requests, external_transfers

_NOT_FINAL = [s.value for s in TransferStatus if not s.final]


@dataclass(frozen=True)
class ExternalTransfer:
    """This registry's record of one transfer with another registry, in or out: `proposal` is
    the proposal's JSON as sent or received, `reason` why it failed, if it did."""

    transaction_id: str
    direction: Literal["out", "in"]
    counterpart_registry: str
    local_account: str
    counterpart_account: str
    quantity: int
    status: str
    expires_at: datetime
    proposal: str
    created_at: datetime
    updated_at: datetime
    local_transaction: str | None = None
    reason: str | None = None
    last_query_at: datetime | None = None


@dataclass(frozen=True)
class ExternalRequest:
    """Where an external transfer awaiting the Party's approval (its local transaction) goes."""

    transaction_id: int
    acquiring_registry: str
    acquiring_account: str


def _transfer(row: Row[Any]) -> ExternalTransfer:
    return ExternalTransfer(**row._asdict())


def insert_transfer(connection: Connection, transfer: ExternalTransfer) -> None:
    connection.execute(external_transfers.insert().values(**asdict(transfer)))


def locked_transfer(connection: Connection, transaction_id: str) -> ExternalTransfer | None:
    """A transfer's record, locked for the status change that follows."""
    row = connection.execute(
        select(external_transfers)
        .where(external_transfers.c.transaction_id == transaction_id)
        .with_for_update()
    ).first()
    return None if row is None else _transfer(row)


def set_status(
    connection: Connection,
    transaction_id: str,
    status: TransferStatus,
    at: datetime,
    reason: str | None = None,
    local_transaction: str | None = None,
) -> None:
    """A transfer's new status; a reason or the local transaction when given (kept otherwise)."""
    values: dict[str, object] = {"status": status.value, "updated_at": at}
    if reason is not None:
        values["reason"] = reason
    if local_transaction is not None:
        values["local_transaction"] = local_transaction
    connection.execute(
        update(external_transfers)
        .where(external_transfers.c.transaction_id == transaction_id)
        .values(**values)
    )


def hold(connection: Connection, transaction_id: str, until: datetime, at: datetime) -> None:
    """The hub holds the transfer for the acquiring Party's acceptance until `until`."""
    connection.execute(
        update(external_transfers)
        .where(external_transfers.c.transaction_id == transaction_id)
        .values(expires_at=until, updated_at=at)
    )


def mark_queried(connection: Connection, transaction_id: str, at: datetime) -> None:
    """The hub was asked about the transfer at `at`."""
    connection.execute(
        update(external_transfers)
        .where(external_transfers.c.transaction_id == transaction_id)
        .values(last_query_at=at)
    )


def is_recorded(connection: Connection, transaction_id: str) -> bool:
    return (
        connection.execute(
            select(external_transfers.c.transaction_id).where(
                external_transfers.c.transaction_id == transaction_id
            )
        ).first()
        is not None
    )


def transfer(connection: Connection, transaction_id: str) -> ExternalTransfer | None:
    row = connection.execute(
        select(external_transfers).where(external_transfers.c.transaction_id == transaction_id)
    ).first()
    return None if row is None else _transfer(row)


def not_final(connection: Connection) -> list[ExternalTransfer]:
    """Every transfer without a final status yet."""
    return [
        _transfer(row)
        for row in connection.execute(
            select(external_transfers).where(external_transfers.c.status.in_(_NOT_FINAL))
        )
    ]


def not_final_ids(connection: Connection) -> list[str]:
    """The ids of the transfers without a final status, in order: the pending transfers a
    reconciliation's totals report."""
    return list(
        connection.execute(
            select(external_transfers.c.transaction_id)
            .where(external_transfers.c.status.in_(_NOT_FINAL))
            .order_by(external_transfers.c.transaction_id)
        ).scalars()
    )


def statuses(connection: Connection) -> dict[str, str]:
    """Every transfer and its status here."""
    return {
        row.transaction_id: row.status
        for row in connection.execute(
            select(external_transfers.c.transaction_id, external_transfers.c.status)
        )
    }


def in_order_of_creation(connection: Connection) -> list[ExternalTransfer]:
    """Every transfer, oldest first: a reconciliation's audit trail."""
    return [
        _transfer(row)
        for row in connection.execute(
            select(external_transfers).order_by(external_transfers.c.created_at)
        )
    ]


def insert_request(connection: Connection, request: ExternalRequest) -> None:
    connection.execute(external_requests.insert().values(**asdict(request)))


def request(connection: Connection, transaction_id: int) -> ExternalRequest:
    """Where an external transfer awaiting approval goes (the local transaction's id)."""
    row = connection.execute(
        select(external_requests).where(external_requests.c.transaction_id == transaction_id)
    ).one()
    return ExternalRequest(**row._asdict())
