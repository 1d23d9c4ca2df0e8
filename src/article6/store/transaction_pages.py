"""Pages of transactions as the read models show them: a Party's own and those that brought
units into its accounts (newest first, keyset on the internal id), those that first transferred
its units, and those that moved one serial."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Connection,
    Row,
    and_,
    cast,
    exists,
    false,
    func,
    or_,
    select,
    union,
)

from article6.store.schema import accounts, transaction_blocks, transactions


def newest_of_party(
    connection: Connection, party: str, before_id: int | None, limit: int, status: str | None
) -> Sequence[Row[*tuple[Any, ...]]]:
    """A Party's transactions and its acquisitions, newest first, up to `limit`."""
    incoming = select(accounts.c.id).where(accounts.c.party_code == party)

    def newest(condition: Any) -> Any:
        """One side's newest ids: a keyset step down its own (…, id) index."""
        query = select(transactions.c.id).where(condition)
        if before_id is not None:
            query = query.where(transactions.c.id < before_id)
        if status is not None:
            query = query.where(transactions.c.status == status)
        return select(query.order_by(transactions.c.id.desc()).limit(limit).subquery().c.id)

    # Two limited reads joined, not one `OR`, which no single index serves.
    ids = union(
        newest(transactions.c.party_code == party),
        newest(transactions.c.destination_account_id.in_(incoming)),
    ).subquery()
    query = (
        select(transactions)
        .where(transactions.c.id.in_(select(ids.c.id)))
        .order_by(transactions.c.id.desc())
        .limit(limit)
    )
    return connection.execute(query).all()


def filtered_page(
    connection: Connection,
    party: str,
    *,
    entity: str | None,
    limit: int,
    before: int | None,
    status: str | None,
    kind: str | None,
    account: str | None,
    cooperative_approach: str | None,
    vintage: int | None,
    since: datetime | None,
    until: datetime | None,
    first_transfer: bool | None,
) -> Sequence[Row[*tuple[Any, ...]]]:
    """Up to `limit` + 1 of a Party's transactions and those that brought units into its
    accounts, newest first; for an entity's representative, only those moving its accounts.
    The extra row tells whether a next page exists.

    Read as two keyset walks down (…, id) indexes, newest first, each stopping after a page,
    then joined: with an account, its outgoing and incoming sides, by account id as a value;
    otherwise the Party's own and its acquisitions. One `OR`, which no single index serves,
    walked the whole ledger backwards for a quiet account (about a second at 5 x 10^6)."""
    mine = select(accounts.c.id).where(accounts.c.party_code == party)
    conditions: list[Any] = []
    if entity is not None:
        own = select(accounts.c.id).where(
            (accounts.c.party_code == party) & (accounts.c.holder == entity)
        )
        conditions.append(
            or_(
                transactions.c.source_account_id.in_(own),
                transactions.c.destination_account_id.in_(own),
            )
        )
    moved = transaction_blocks.c.transaction_id == transactions.c.id
    if cooperative_approach is not None:
        conditions.append(
            exists().where(
                moved & (transaction_blocks.c.cooperative_approach_id == cooperative_approach)
            )
        )
    if vintage is not None:
        conditions.append(exists().where(moved & (transaction_blocks.c.vintage == vintage)))
    if status is not None:
        conditions.append(transactions.c.status == status)
    if kind is not None:
        conditions.append(transactions.c.kind == kind)
    if first_transfer is not None:
        conditions.append(transactions.c.first_transfer == first_transfer)
    if since is not None:
        conditions.append(transactions.c.created_at >= since)
    if until is not None:
        conditions.append(transactions.c.created_at < until)
    if before is not None:
        conditions.append(transactions.c.id < before)
    if account is not None:
        named = select(accounts.c.id).where(accounts.c.identifier == account)
        conditions.append(
            or_(
                transactions.c.party_code == party,
                transactions.c.destination_account_id.in_(mine),
            )
        )
        sides = [
            transactions.c.source_account_id == named.scalar_subquery(),
            transactions.c.destination_account_id == named.scalar_subquery(),
        ]
    elif entity is not None:
        # Each of the entity's accounts, out and in: a few short walks, where the Party's
        # whole history would be walked to find the entity's transactions among them.
        owned = connection.execute(own).scalars().all()
        sides = [
            column == account_id
            for account_id in owned
            for column in (
                transactions.c.source_account_id,
                transactions.c.destination_account_id,
            )
        ] or [false()]
    else:
        sides = [
            transactions.c.party_code == party,
            transactions.c.destination_account_id.in_(mine),
        ]
    newest = union(
        *(
            select(
                select(transactions.c.id)
                .where(side, *conditions)
                .order_by(transactions.c.id.desc())
                .limit(limit + 1)
                .subquery()
                .c.id
            )
            for side in sides
        )
    ).subquery()
    query = (
        select(transactions)
        .where(transactions.c.id.in_(select(newest.c.id)))
        .order_by(transactions.c.id.desc())
        .limit(limit + 1)
    )
    return connection.execute(query).all()


def movers_of(
    connection: Connection, registry_id: str, serial: int
) -> Sequence[Row[*tuple[Any, ...]]]:
    """The transactions that moved a range containing this serial, in order."""
    containing = and_(
        transaction_blocks.c.registry_id == registry_id,
        transaction_blocks.c.serial_first <= serial,
        transaction_blocks.c.serial_last >= serial,
    )
    if connection.dialect.name == "postgresql":
        # Served by the GiST index on (registry, range): one descent, not half the ranges.
        span = func.int8range(
            transaction_blocks.c.serial_first, transaction_blocks.c.serial_last, "[]"
        )
        containing = and_(containing, span.op("@>")(cast(serial, BigInteger)))
    return connection.execute(
        select(transactions).join(transaction_blocks).where(containing).order_by(transactions.c.id)
    ).all()


def first_transfers_of(connection: Connection, party: str) -> Sequence[Row[*tuple[Any, ...]]]:
    """Completed transactions in which units of this Party were first transferred, in order."""
    return connection.execute(
        select(transactions)
        .where(
            transactions.c.id.in_(
                select(transaction_blocks.c.transaction_id).where(
                    and_(
                        transaction_blocks.c.first_transfer_subtype.is_not(None),
                        transaction_blocks.c.first_transferring_party == party,
                    )
                )
            )
        )
        .where(transactions.c.status == "completed")
        .order_by(transactions.c.id)
    ).all()
