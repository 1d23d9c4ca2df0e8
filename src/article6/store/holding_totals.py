"""Units held, summed from the live blocks per account, cooperative approach, vintage and
state: the dashboard and the API's holdings list."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from article6.domain.filters import BlockFilter
from article6.store.account_pages import block_conditions, entity_account_ids
from article6.store.schema import accounts, unit_blocks


@dataclass(frozen=True)
class HeldTotal:
    """The units of one state, cooperative approach and vintage an account holds."""

    account: str
    kind: str
    cooperative_approach_id: str
    vintage: int
    state: str
    quantity: int


def totals_by_account(
    connection: Connection, party: str, where: BlockFilter, *, entity: str | None
) -> list[HeldTotal]:
    """A Party section's units per account, cooperative approach, vintage and state, of the
    blocks `where` chooses; for an entity's representative, only the accounts it may see."""
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
    if where.account is not None:
        query = query.where(accounts.c.identifier == where.account)
    query = query.where(*block_conditions(where))
    group = (
        accounts.c.identifier,
        accounts.c.kind,
        unit_blocks.c.cooperative_approach_id,
        unit_blocks.c.vintage,
        unit_blocks.c.state,
    )
    return [
        HeldTotal(account, kind, approach, vintage, state, int(quantity))
        for account, kind, approach, vintage, state, quantity in connection.execute(
            query.group_by(*group).order_by(*group)
        )
    ]
