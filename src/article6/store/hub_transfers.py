"""The hub's record of each transfer between registries it coordinated (`hub_transactions`):
the proposal, its evaluation, and the status the hub decided.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select, update

from article6.domain.protocol import TransferStatus
from article6.store.interop_schema import hub_transactions

_NOT_FINAL = [s.value for s in TransferStatus if not s.final]


def transfer(connection: Connection, transaction_id: str) -> Row[Any] | None:
    return connection.execute(
        select(hub_transactions).where(hub_transactions.c.transaction_id == transaction_id)
    ).first()


def locked_transfer(connection: Connection, transaction_id: str) -> Row[Any] | None:
    """A transfer's record, locked for the decision that follows."""
    return connection.execute(
        select(hub_transactions)
        .where(hub_transactions.c.transaction_id == transaction_id)
        .with_for_update()
    ).first()


def insert_transfer(connection: Connection, **values: Any) -> None:
    connection.execute(hub_transactions.insert().values(**values))


def update_transfer(connection: Connection, transaction_id: str, **values: Any) -> None:
    connection.execute(
        update(hub_transactions)
        .where(hub_transactions.c.transaction_id == transaction_id)
        .values(**values)
    )


def not_final(connection: Connection) -> Sequence[Row[Any]]:
    """Every transfer without a final status yet."""
    return connection.execute(
        select(hub_transactions).where(hub_transactions.c.status.in_(_NOT_FINAL))
    ).all()


def accepted_locked(connection: Connection) -> Sequence[Row[Any]]:
    """The accepted transfers kept open, oldest first, locked to be completed."""
    return connection.execute(
        select(hub_transactions)
        .where(hub_transactions.c.status == TransferStatus.ACCEPTED.value)
        .order_by(hub_transactions.c.created_at)
        .with_for_update()
    ).all()


def statuses(connection: Connection) -> dict[str, str]:
    """Every recorded transfer and its status."""
    return {
        r.transaction_id: r.status
        for r in connection.execute(
            select(hub_transactions.c.transaction_id, hub_transactions.c.status)
        )
    }


def status(connection: Connection, transaction_id: str) -> str | None:
    found = connection.execute(
        select(hub_transactions.c.status).where(hub_transactions.c.transaction_id == transaction_id)
    ).scalar()
    return None if found is None else str(found)


def decided_since(connection: Connection, registry: str, since: datetime) -> set[str]:
    """Transfers of a registry given their final status at or after `since`."""
    return set(
        connection.execute(
            select(hub_transactions.c.transaction_id).where(
                (hub_transactions.c.finished_at >= since)
                & (
                    (hub_transactions.c.transferring_registry == registry)
                    | (hub_transactions.c.acquiring_registry == registry)
                )
            )
        ).scalars()
    )


def not_final_of(connection: Connection, registry: str) -> set[str]:
    """Transfers of a registry, either side, without a final status yet."""
    return set(
        connection.execute(
            select(hub_transactions.c.transaction_id).where(
                hub_transactions.c.status.in_(_NOT_FINAL)
                & (
                    (hub_transactions.c.transferring_registry == registry)
                    | (hub_transactions.c.acquiring_registry == registry)
                )
            )
        ).scalars()
    )
