"""Accounts with their holdings, and pages of unit blocks as the read models show them: one
account's keyset by serial, a Party section's keyset by block id. An entity's representative
is shown only the accounts `entity_account_ids` names."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, and_, or_, select

from article6.domain.accounts import AccountKind
from article6.store.schema import (
    accounts,
    authorized_entities,
    holdings,
    transactions,
    unit_blocks,
)

BLOCK_COLUMNS = tuple(
    unit_blocks.c[name]
    for name in (
        "registry_id",
        "serial_first",
        "serial_last",
        "cooperative_approach_id",
        "first_transferring_party",
        "vintage",
        "state",
        "first_transferred",
        "authorization_id",
        "authorization_version",
        "mitigation_activity",
        "sector",
        "activity_type",
        "mitigation_type",
        "metric",
        "underlying_registry",
        "underlying_first",
    )
)
"""The `unit_blocks` columns a block's view shows: a page selects these, not the whole row."""


def entity_account_ids(party: str, entity: str) -> Any:
    """The accounts an entity's representative may see: its own and the Party's terminal
    (use and cancellation) accounts, which record what it used or cancelled."""
    terminal = [k.value for k in AccountKind if k.terminal]
    return select(accounts.c.id).where(
        (accounts.c.party_code == party)
        & or_(accounts.c.holder == entity, accounts.c.kind.in_(terminal))
    )


def _accounts_query() -> Any:
    return select(
        accounts,
        holdings.c.quantity,
        holdings.c.reserved,
        authorized_entities.c.name.label("entity_name"),
    ).select_from(
        accounts.join(holdings, holdings.c.account_id == accounts.c.id).outerjoin(
            authorized_entities, authorized_entities.c.id == accounts.c.entity_id
        )
    )


def section_accounts(
    connection: Connection, party: str, holder: str | None
) -> Sequence[Row[*tuple[Any, ...]]]:
    """A Party section's accounts with their holdings, in id order; with `holder`, only that
    entity's and the Party's terminal (use and cancellation) accounts."""
    query = _accounts_query().where(accounts.c.party_code == party)
    if holder is not None:
        terminal = [k.value for k in AccountKind if k.terminal]
        query = query.where(or_(accounts.c.holder == holder, accounts.c.kind.in_(terminal)))
    return connection.execute(query.order_by(accounts.c.id)).all()


def account_with_holding(connection: Connection, identifier: str) -> Row[Any] | None:
    """One account with its holding and its entity's name."""
    return connection.execute(_accounts_query().where(accounts.c.identifier == identifier)).first()


def account_blocks(
    connection: Connection, account_id: int, after_serial: int, limit: int
) -> Sequence[Row[*tuple[Any, ...]]]:
    """One page of an account's blocks (keyset by serial): `BLOCK_COLUMNS` and the reserving
    transaction's identifier as `reservation`."""
    return connection.execute(
        select(*BLOCK_COLUMNS, transactions.c.identifier.label("reservation"))
        .select_from(
            unit_blocks.outerjoin(transactions, transactions.c.id == unit_blocks.c.reserved_by)
        )
        .where(
            and_(unit_blocks.c.account_id == account_id, unit_blocks.c.serial_first > after_serial)
        )
        .order_by(unit_blocks.c.serial_first)
        .limit(limit)
    ).all()


def section_blocks(
    connection: Connection,
    party: str,
    *,
    entity: str | None,
    account: str | None,
    cooperative_approach: str | None,
    vintage: int | None,
    state: str | None,
    authorization_id: str | None,
    after: int | None,
    limit: int,
) -> Sequence[Row[*tuple[Any, ...]]]:
    """Up to `limit` + 1 blocks held in a Party section's accounts, in block order (keyset on
    block id): the block's `id`, `BLOCK_COLUMNS`, the holder's identifier as `holder` and the
    reserving transaction's as `reservation`. The extra row tells whether a next page exists."""
    holder = accounts.alias("holder")
    reservation = transactions.alias("reservation")
    query = (
        select(
            unit_blocks.c.id,
            *BLOCK_COLUMNS,
            holder.c.identifier.label("holder"),
            reservation.c.identifier.label("reservation"),
        )
        .select_from(
            unit_blocks.join(holder, holder.c.id == unit_blocks.c.account_id).outerjoin(
                reservation, reservation.c.id == unit_blocks.c.reserved_by
            )
        )
        .where(holder.c.party_code == party)
    )
    if entity is not None:
        query = query.where(holder.c.id.in_(entity_account_ids(party, entity)))
    if account is not None:
        # The account's id as a value, not a join condition, so its blocks come in id order
        # from the (account, id) index instead of being read whole and sorted.
        named = select(accounts.c.id).where(accounts.c.identifier == account)
        query = query.where(unit_blocks.c.account_id == named.scalar_subquery())
    if cooperative_approach is not None:
        query = query.where(unit_blocks.c.cooperative_approach_id == cooperative_approach)
    if vintage is not None:
        query = query.where(unit_blocks.c.vintage == vintage)
    if state is not None:
        query = query.where(unit_blocks.c.state == state)
    if authorization_id is not None:
        query = query.where(unit_blocks.c.authorization_id == authorization_id)
    if after is not None:
        query = query.where(unit_blocks.c.id > after)
    return connection.execute(query.order_by(unit_blocks.c.id).limit(limit + 1)).all()
