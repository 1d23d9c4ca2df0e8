"""The statements on the ledger (unit blocks, moved ranges) that only the protocol makes: whether
an arriving range is here already, removing the blocks that left, the mechanism's next serial,
and the snapshot a registry reports to a reconciliation (totals, then every block).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, and_, func, select

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


def unit_totals(connection: Connection) -> Sequence[Row[Any, Any, Any]]:
    """(originating registry, state, units) over every block here, in that order."""
    return connection.execute(
        select(unit_blocks.c.registry_id, unit_blocks.c.state, func.sum(_SIZE))
        .group_by(unit_blocks.c.registry_id, unit_blocks.c.state)
        .order_by(unit_blocks.c.registry_id, unit_blocks.c.state)
    ).all()


def blocks_in_serial_order(connection: Connection) -> Sequence[Row[Any]]:
    return connection.execute(
        select(unit_blocks).order_by(unit_blocks.c.registry_id, unit_blocks.c.serial_first)
    ).all()
