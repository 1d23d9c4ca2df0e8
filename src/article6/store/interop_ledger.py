"""The statements on the ledger (unit blocks, moved ranges) that only the protocol makes: whether
an arriving range is here already, removing the blocks that left, the mechanism's next serial,
and the snapshot a registry reports to a reconciliation (totals, then every block).
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, func, select

from article6.domain.blocks import UnitBlock
from article6.store.block_rows import to_block
from article6.store.schema import transaction_blocks, unit_blocks

_SIZE = unit_blocks.c.serial_last - unit_blocks.c.serial_first + 1


def range_present(connection: Connection, registry_id: str, first: int, last: int) -> bool:
    """Whether any unit of `registry_id` [first, last] is in a block of this registry."""
    return (
        connection.execute(
            select(unit_blocks.c.id).where(
                and_(
                    unit_blocks.c.registry_id == registry_id,
                    unit_blocks.c.serial_first <= last,
                    unit_blocks.c.serial_last >= first,
                )
            )
        ).first()
        is not None
    )


def delete_blocks(connection: Connection, ids: list[int]) -> None:
    """Remove the blocks that left this registry (their moved ranges stay on record)."""
    connection.execute(unit_blocks.delete().where(unit_blocks.c.id.in_(ids)))


def last_serial(connection: Connection, registry_id: str) -> int | None:
    """The highest serial ever recorded under an originating registry, None if none was."""
    last = connection.execute(
        select(func.max(transaction_blocks.c.serial_last)).where(
            transaction_blocks.c.registry_id == registry_id
        )
    ).scalar()
    return None if last is None else int(last)


@dataclass(frozen=True)
class UnitTotal:
    """How many units of an originating registry are here in one state."""

    originating_registry: str
    state: str
    quantity: int


def unit_totals(connection: Connection) -> list[UnitTotal]:
    """The units over every block here, per originating registry and state, in that order."""
    rows = connection.execute(
        select(unit_blocks.c.registry_id, unit_blocks.c.state, func.sum(_SIZE))
        .group_by(unit_blocks.c.registry_id, unit_blocks.c.state)
        .order_by(unit_blocks.c.registry_id, unit_blocks.c.state)
    )
    return [UnitTotal(registry, state, int(quantity)) for registry, state, quantity in rows]


def blocks_in_serial_order(connection: Connection) -> list[UnitBlock]:
    query = select(unit_blocks).order_by(unit_blocks.c.registry_id, unit_blocks.c.serial_first)
    return [to_block(row) for row in connection.execute(query)]
