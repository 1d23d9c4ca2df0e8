"""Accounts with their holdings, and pages of unit blocks as the read side shows them (a Party
section's, keyset by block id), each narrowed by its filter. An entity's representative is
shown only the accounts `entity_account_ids` names."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, fields
from typing import Any

from sqlalchemy import ColumnElement, Connection, Row, Select, or_, select

from article6.domain.accounts import Account, AccountKind
from article6.domain.filters import AccountFilter, BlockFilter
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


@dataclass(frozen=True)
class AccountHolding(Account):
    """An account as its page shows it: the account, its name and container, its entity's name,
    and its holding (units held, of which reserved by waiting transactions)."""

    name: str = field(kw_only=True)
    container: str = field(kw_only=True)
    entity_name: str | None = field(kw_only=True)
    quantity: int = field(kw_only=True)
    reserved: int = field(kw_only=True)


_ACCOUNT_HOLDING_FIELDS = tuple(f.name for f in fields(AccountHolding))


def _account_holding(row: Row[Any]) -> AccountHolding:
    values = row._mapping
    return AccountHolding(**{name: values[name] for name in _ACCOUNT_HOLDING_FIELDS})


def entity_account_ids(party: str, entity: str) -> Select[tuple[int]]:
    """The accounts an entity's representative may see: its own and the Party's terminal
    (use and cancellation) accounts, which record what it used or cancelled."""
    terminal = [k.value for k in AccountKind if k.terminal]
    return select(accounts.c.id).where(
        (accounts.c.party_code == party)
        & or_(accounts.c.holder == entity, accounts.c.kind.in_(terminal))
    )


def _accounts_query() -> Select[Any]:
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
    connection: Connection, party: str, entity: str | None, where: AccountFilter
) -> list[AccountHolding]:
    """A Party section's accounts with their holdings, in id order; with `entity`, only that
    entity's and the Party's terminal (use and cancellation) accounts."""
    query = _accounts_query().where(accounts.c.party_code == party)
    if entity is not None:
        terminal = [k.value for k in AccountKind if k.terminal]
        query = query.where(or_(accounts.c.holder == entity, accounts.c.kind.in_(terminal)))
    if where.kind is not None:
        query = query.where(accounts.c.kind == where.kind.value)
    if where.cooperative_approach is not None:
        query = query.where(accounts.c.cooperative_approach_key == where.cooperative_approach)
    if where.status is not None:
        query = query.where(accounts.c.status == where.status.value)
    if where.holder is not None:
        query = query.where(accounts.c.holder == where.holder)
    return [_account_holding(row) for row in connection.execute(query.order_by(accounts.c.id))]


def account_with_holding(connection: Connection, identifier: str) -> AccountHolding | None:
    """One account with its holding and its entity's name."""
    row = connection.execute(_accounts_query().where(accounts.c.identifier == identifier)).first()
    return None if row is None else _account_holding(row)


def section_blocks(
    connection: Connection,
    party: str,
    where: BlockFilter,
    *,
    entity: str | None,
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
    if where.account is not None:
        # The account's id as a value, not a join condition, so its blocks come in id order
        # from the (account, id) index instead of being read whole and sorted.
        named = select(accounts.c.id).where(accounts.c.identifier == where.account)
        query = query.where(unit_blocks.c.account_id == named.scalar_subquery())
    query = query.where(*block_conditions(where))
    if after is not None:
        query = query.where(unit_blocks.c.id > after)
    return connection.execute(query.order_by(unit_blocks.c.id).limit(limit + 1)).all()


def block_conditions(where: BlockFilter) -> list[ColumnElement[bool]]:
    """The conditions on `unit_blocks` itself that `where` sets (its account is the caller's:
    a block page and the holdings' totals reach the account differently)."""
    found: list[ColumnElement[bool]] = []
    if where.cooperative_approach is not None:
        found.append(unit_blocks.c.cooperative_approach_id == where.cooperative_approach)
    if where.vintage is not None:
        found.append(unit_blocks.c.vintage == where.vintage)
    if where.state is not None:
        found.append(unit_blocks.c.state == where.state.value)
    if where.authorization_id is not None:
        found.append(unit_blocks.c.authorization_id == where.authorization_id)
    return found
