"""Units held, summed from the live blocks: per account kind (the dashboard) or per account
(the API's holdings list), cooperative approach, vintage and state."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, func, select

from article6.store.account_pages import entity_account_ids
from article6.store.schema import accounts, unit_blocks


def totals_by_kind(connection: Connection, party: str) -> Sequence[Row[*tuple[Any, ...]]]:
    """A Party section's units per account kind, cooperative approach, vintage and state."""
    size = unit_blocks.c.serial_last - unit_blocks.c.serial_first + 1
    return connection.execute(
        select(
            accounts.c.kind,
            unit_blocks.c.cooperative_approach_id,
            unit_blocks.c.vintage,
            unit_blocks.c.state,
            func.sum(size).label("quantity"),
        )
        .select_from(unit_blocks.join(accounts))
        .where(accounts.c.party_code == party)
        .group_by(
            accounts.c.kind,
            unit_blocks.c.cooperative_approach_id,
            unit_blocks.c.vintage,
            unit_blocks.c.state,
        )
        .order_by(accounts.c.kind, unit_blocks.c.cooperative_approach_id, unit_blocks.c.vintage)
    ).all()


def totals_by_account(
    connection: Connection,
    party: str,
    *,
    entity: str | None,
    account: str | None,
    cooperative_approach: str | None,
    vintage: int | None,
    state: str | None,
) -> Sequence[Row[*tuple[Any, ...]]]:
    """A Party section's units per account, cooperative approach, vintage and state; for an
    entity's representative, only the accounts it may see."""
    size = unit_blocks.c.serial_last - unit_blocks.c.serial_first + 1
    query = (
        select(
            accounts.c.identifier,
            accounts.c.kind,
            unit_blocks.c.cooperative_approach_id,
            unit_blocks.c.vintage,
            unit_blocks.c.state,
            func.sum(size).label("quantity"),
        )
        .select_from(unit_blocks.join(accounts))
        .where(accounts.c.party_code == party)
    )
    if entity is not None:
        query = query.where(accounts.c.id.in_(entity_account_ids(party, entity)))
    if account is not None:
        query = query.where(accounts.c.identifier == account)
    if cooperative_approach is not None:
        query = query.where(unit_blocks.c.cooperative_approach_id == cooperative_approach)
    if vintage is not None:
        query = query.where(unit_blocks.c.vintage == vintage)
    if state is not None:
        query = query.where(unit_blocks.c.state == state)
    group = (
        accounts.c.identifier,
        accounts.c.kind,
        unit_blocks.c.cooperative_approach_id,
        unit_blocks.c.vintage,
        unit_blocks.c.state,
    )
    return connection.execute(query.group_by(*group).order_by(*group)).all()
