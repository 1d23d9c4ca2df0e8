"""The hub's record of each transfer between registries it coordinated (`hub_transactions`):
the proposal, its evaluation, and the status the hub decided.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Select, select, update

from article6.domain.protocol import TransferStatus
from article6.store.interop_schema import hub_transactions

_NOT_FINAL = [s.value for s in TransferStatus if not s.final]


@dataclass(frozen=True)
class HubTransfer:
    """The hub's record of a transfer: the proposal's and the evaluation's JSON, the status it
    decided, and when (`finished_at`) it became final."""

    transaction_id: str
    transferring_registry: str
    acquiring_registry: str
    status: str
    quantity: int
    expires_at: datetime
    proposal: str
    evaluation: str
    created_at: datetime
    finished_at: datetime | None


def _transfers(connection: Connection, query: Select[Any]) -> list[HubTransfer]:
    return [HubTransfer(**row._asdict()) for row in connection.execute(query)]


def _first(rows: list[HubTransfer]) -> HubTransfer | None:
    return rows[0] if rows else None


def transfer(connection: Connection, transaction_id: str) -> HubTransfer | None:
    query = select(hub_transactions).where(hub_transactions.c.transaction_id == transaction_id)
    return _first(_transfers(connection, query))


def locked_transfer(connection: Connection, transaction_id: str) -> HubTransfer | None:
    """A transfer's record, locked for the decision that follows."""
    query = (
        select(hub_transactions)
        .where(hub_transactions.c.transaction_id == transaction_id)
        .with_for_update()
    )
    return _first(_transfers(connection, query))


def insert_transfer(connection: Connection, transfer: HubTransfer) -> None:
    connection.execute(hub_transactions.insert().values(**asdict(transfer)))


def _update(connection: Connection, transaction_id: str, values: dict[str, object]) -> None:
    connection.execute(
        update(hub_transactions)
        .where(hub_transactions.c.transaction_id == transaction_id)
        .values(**values)
    )


def keep_accepted(connection: Connection, transaction_id: str) -> None:
    """Accepted, kept open until the reconciliation runs of either side end."""
    _update(connection, transaction_id, {"status": TransferStatus.ACCEPTED.value})


def hold(connection: Connection, transaction_id: str, until: datetime) -> None:
    """Held for the acquiring Party's acceptance: the transfer's deadline is now `until`."""
    _update(connection, transaction_id, {"expires_at": until})


def finish(
    connection: Connection,
    transaction_id: str,
    status: TransferStatus,
    evaluation: str,
    at: datetime,
) -> None:
    """The final status decided at `at`, with the evaluation's JSON."""
    _update(
        connection,
        transaction_id,
        {"status": status.value, "finished_at": at, "evaluation": evaluation},
    )


def not_final(connection: Connection) -> list[HubTransfer]:
    """Every transfer without a final status yet."""
    query = select(hub_transactions).where(hub_transactions.c.status.in_(_NOT_FINAL))
    return _transfers(connection, query)


def accepted_locked(connection: Connection) -> list[HubTransfer]:
    """The accepted transfers kept open, oldest first, locked to be completed."""
    return _transfers(
        connection,
        select(hub_transactions)
        .where(hub_transactions.c.status == TransferStatus.ACCEPTED.value)
        .order_by(hub_transactions.c.created_at)
        .with_for_update(),
    )


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
