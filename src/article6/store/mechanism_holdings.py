"""What the Article 6.4 mechanism registry answers a query with: its authorized A6.4ERs (blocks
of originating registry A64 under an authorization) and the actions on their serials."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, and_, or_, select
from sqlalchemy.sql import ColumnElement

from article6.domain.protocol import MECHANISM_REGISTRY
from article6.store.schema import accounts, transaction_blocks, transactions, unit_blocks


def authorized_blocks(
    connection: Connection,
    *,
    party: str | None,
    account: str | None,
    first: int | None,
    last: int | None,
    authorization_id: str | None,
    limit: int,
    after: int | None = None,
) -> list[Any]:
    """Blocks of authorized A6.4ERs, lowest serial first, with their account; `party` is the
    host Party whose authorization they are under (None: any); `after`, a page's start: only
    blocks beginning after that serial."""
    conditions: list[ColumnElement[bool]] = [
        unit_blocks.c.registry_id == MECHANISM_REGISTRY,
        unit_blocks.c.authorization_id.is_not(None),
    ]
    if party is not None:
        conditions.append(unit_blocks.c.first_transferring_party == party)
    if account is not None:
        conditions.append(accounts.c.identifier == account)
    if first is not None and last is not None:
        conditions += [unit_blocks.c.serial_first <= last, unit_blocks.c.serial_last >= first]
    if authorization_id is not None:
        conditions.append(unit_blocks.c.authorization_id == authorization_id)
    if after is not None:
        conditions.append(unit_blocks.c.serial_first > after)
    statement = (
        select(
            unit_blocks,
            accounts.c.identifier.label("account"),
            accounts.c.kind.label("account_kind"),
            accounts.c.party_code.label("account_party"),
        )
        .join(accounts, accounts.c.id == unit_blocks.c.account_id)
        .where(and_(*conditions))
        .order_by(unit_blocks.c.serial_first)
        .limit(limit)
    )
    return list(connection.execute(statement))


def actions_on(
    connection: Connection, ranges: Sequence[tuple[int, int]], party: str | None, limit: int
) -> list[Any]:
    """The transactions that moved any serial of `ranges` of A64, oldest first."""
    if not ranges:
        return []
    source = accounts.alias("source")
    destination = accounts.alias("destination")
    overlaps = or_(
        *(
            and_(
                transaction_blocks.c.serial_first <= last, transaction_blocks.c.serial_last >= first
            )
            for first, last in ranges
        )
    )
    conditions = [transaction_blocks.c.registry_id == MECHANISM_REGISTRY, overlaps]
    if party is not None:
        conditions.append(transaction_blocks.c.first_transferring_party == party)
    statement = (
        select(
            transaction_blocks.c.serial_first,
            transaction_blocks.c.serial_last,
            transaction_blocks.c.from_state,
            transaction_blocks.c.to_state,
            transaction_blocks.c.authorization_id,
            transactions.c.identifier,
            transactions.c.kind,
            transactions.c.mechanism_subtype,
            transactions.c.status,
            transactions.c.created_at,
            transactions.c.finished_at,
            source.c.identifier.label("source_account"),
            destination.c.identifier.label("destination_account"),
        )
        .join(transactions, transactions.c.id == transaction_blocks.c.transaction_id)
        .outerjoin(source, source.c.id == transactions.c.source_account_id)
        .outerjoin(destination, destination.c.id == transactions.c.destination_account_id)
        .where(and_(*conditions))
        .order_by(transactions.c.created_at, transactions.c.id, transaction_blocks.c.serial_first)
        .limit(limit)
    )
    return list(connection.execute(statement))
