"""Transactions and the ranges they moved: the append-only history that reports read, never
the live blocks. Also the pending transactions past their deadline, and account rows by id."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, func, select, update

from article6.domain.accounts import Account, UnitState
from article6.domain.blocks import UnitBlock
from article6.domain.transactions import (
    Completion,
    StoredTransaction,
    TransactionChange,
    TransactionRecord,
)
from article6.store import batches
from article6.store.account_register import to_account
from article6.store.block_rows import ATTRIBUTE_COLUMNS, block_values
from article6.store.schema import accounts, transaction_blocks, transactions

_INSERT_TRANSACTION = transactions.insert().returning(transactions.c.id)
_UPDATE_TRANSACTION = update(transactions).where(transactions.c.id == bindparam("transaction"))
_INSERT_RANGES = transaction_blocks.insert().inline()
_ADD_TRANSACTION = transactions.insert().inline()
_THIS_TRANSACTION = func.currval(func.pg_get_serial_sequence("transactions", "id"))
_INSERT_RANGES_OF_THIS = _INSERT_RANGES.values(transaction_id=_THIS_TRANSACTION)
_RECORD_COLUMNS = tuple(field.name for field in fields(TransactionRecord))


def _row(record: TransactionRecord) -> dict[str, Any]:
    """The record's columns. Its fields are plain values: `asdict` would deep-copy each one."""
    return {name: getattr(record, name) for name in _RECORD_COLUMNS}


def insert_record(connection: Connection, record: TransactionRecord) -> int:
    """Append a transaction; its id."""
    transaction_id: int = connection.execute(_INSERT_TRANSACTION, _row(record)).scalar_one()
    return transaction_id


def add_record(connection: Connection, record: TransactionRecord) -> int | None:
    """Append a transaction whose id nothing needs before the commit: on PostgreSQL with the
    command's next round trip, and None for its id (`record_ranges` then names it as the
    transaction just added); elsewhere at once, and its id."""
    if connection.dialect.name != "postgresql":
        return insert_record(connection, record)
    batches.later(connection, _ADD_TRANSACTION, _row(record))
    return None


def to_stored(row: Row[Any]) -> StoredTransaction:
    """A transaction row as the record it was written from, with its id."""
    values = row._mapping
    return StoredTransaction(
        **{name: values[name] for name in StoredTransaction.__dataclass_fields__}
    )


def complete_transaction(connection: Connection, transaction_id: int, done: Completion) -> None:
    """Mark an approved transaction completed."""
    change_transaction(
        connection,
        transaction_id,
        TransactionChange(
            status=done.status,
            checked_at=done.at,
            finished_at=done.at,
            proposed_at=done.at,
            first_transfer=done.first_transfer,
            approver=done.approver,
        ),
    )


def change_transaction(
    connection: Connection, transaction_id: int, change: TransactionChange
) -> None:
    """Write a later step on a transaction's row: the fields the change gives, no others."""
    written = {name: value for name, value in asdict(change).items() if value is not None}
    batches.later(connection, _UPDATE_TRANSACTION, {"transaction": transaction_id, **written})


def transaction(
    connection: Connection, identifier: str, lock: bool = False
) -> StoredTransaction | None:
    query = select(transactions).where(transactions.c.identifier == identifier)
    if lock:
        query = query.with_for_update()
    row = connection.execute(query).first()
    return to_stored(row) if row is not None else None


def record_ranges(
    connection: Connection,
    transaction_id: int | None,
    moves: list[tuple[UnitBlock, UnitState | None, str | None]],
) -> None:
    """Append the moved ranges with the attributes they had: (block after, from state, subtype),
    under `transaction_id`, or None: the transaction `add_record` just added (PostgreSQL)."""
    if not moves:
        return
    rows = []
    for block, from_state, subtype in moves:
        values = block_values(block)
        rows.append(
            {
                **({} if transaction_id is None else {"transaction_id": transaction_id}),
                "registry_id": values["registry_id"],
                "serial_first": block.first,
                "serial_last": block.last,
                **{column: values[column] for column in ATTRIBUTE_COLUMNS},
                "underlying_first": block.underlying_first,
                "from_state": from_state.value if from_state else None,
                "to_state": block.state.value,
                "first_transfer_subtype": subtype,
            }
        )
    statement = _INSERT_RANGES if transaction_id is not None else _INSERT_RANGES_OF_THIS
    batches.later(connection, statement, rows, merged=True)  # nothing reads or constrains them


@dataclass(frozen=True)
class RecordedRange:
    """A range a transaction moved, with the attributes it had then: what a transaction's
    view lists, read from the history, never from the live blocks (`moved_ranges_of` gives
    them by transaction id)."""

    registry_id: str
    serial_first: int
    serial_last: int
    cooperative_approach_id: str
    first_transferring_party: str
    vintage: int
    authorization_id: str | None
    authorization_version: int | None
    from_state: str | None
    to_state: str
    first_transfer_subtype: str | None


def _recorded(row: Row[Any]) -> RecordedRange:
    values = row._mapping
    return RecordedRange(**{name: values[name] for name in RecordedRange.__dataclass_fields__})


def moved_ranges_of(
    connection: Connection, transaction_ids: Iterable[int]
) -> dict[int, list[RecordedRange]]:
    """The moved ranges of several transactions in one query, by transaction id."""
    found: dict[int, list[RecordedRange]] = {}
    wanted = sorted(set(transaction_ids))
    if not wanted:
        return found
    for row in connection.execute(
        select(transaction_blocks)
        .where(transaction_blocks.c.transaction_id.in_(wanted))
        .order_by(transaction_blocks.c.id)
    ):
        found.setdefault(row.transaction_id, []).append(_recorded(row))
    return found


def expired_pending(connection: Connection, now: datetime) -> list[str]:
    return list(
        connection.execute(
            select(transactions.c.identifier)
            .where(
                and_(transactions.c.status == "awaiting_approval", transactions.c.expires_at < now)
            )
            .order_by(transactions.c.id)
        ).scalars()
    )


def accounts_by_id(connection: Connection, ids: Iterable[int]) -> dict[int, Account]:
    """The accounts a page of transactions names, read at once."""
    return {
        row.id: to_account(row)
        for row in connection.execute(select(accounts).where(accounts.c.id.in_(sorted(set(ids)))))
    }
