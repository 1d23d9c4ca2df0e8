"""A registry's record of its transfers with other registries (`external_transfers`, one row per
transfer, in or out, with its status and reason), and where an outgoing transfer awaiting the
Party's approval will go (`external_requests`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, select, update

from article6.domain.protocol import TransferStatus
from article6.store.interop_schema import external_requests, external_transfers

_NOT_FINAL = [s.value for s in TransferStatus if not s.final]


def insert_transfer(connection: Connection, **values: Any) -> None:
    connection.execute(external_transfers.insert().values(**values))


def locked_transfer(connection: Connection, transaction_id: str) -> Row[Any] | None:
    """A transfer's record, locked for the status change that follows."""
    return connection.execute(
        select(external_transfers)
        .where(external_transfers.c.transaction_id == transaction_id)
        .with_for_update()
    ).first()


def update_transfer(connection: Connection, transaction_id: str, **values: Any) -> None:
    connection.execute(
        update(external_transfers)
        .where(external_transfers.c.transaction_id == transaction_id)
        .values(**values)
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


def direction_and_status(connection: Connection, transaction_id: str) -> Row[Any, Any] | None:
    return connection.execute(
        select(external_transfers.c.direction, external_transfers.c.status).where(
            external_transfers.c.transaction_id == transaction_id
        )
    ).first()


def not_final(connection: Connection) -> Sequence[Row[Any]]:
    """Every transfer without a final status yet."""
    return connection.execute(
        select(external_transfers).where(external_transfers.c.status.in_(_NOT_FINAL))
    ).all()


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


def every_transfer(connection: Connection) -> Sequence[Row[Any]]:
    return connection.execute(select(external_transfers)).all()


def in_order_of_creation(connection: Connection) -> Sequence[Row[Any]]:
    """Every transfer, oldest first: a reconciliation's audit trail."""
    return connection.execute(
        select(external_transfers).order_by(external_transfers.c.created_at)
    ).all()


def insert_request(connection: Connection, **values: Any) -> None:
    connection.execute(external_requests.insert().values(**values))


def request(connection: Connection, transaction_id: int) -> Row[Any]:
    """Where an external transfer awaiting approval goes (the local transaction's id)."""
    return connection.execute(
        select(external_requests).where(external_requests.c.transaction_id == transaction_id)
    ).one()
