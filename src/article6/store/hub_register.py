"""The hub's register of where units are (`hub_unit_locations`): serial ranges per originating
registry, each with the registry that holds it, its state and the transfer it is in transit
under, if any. Records are cut and written anew, never changed in place.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Connection, Row, and_, select

from article6.domain.protocol import Range
from article6.store.interop_schema import hub_unit_locations as locations


def overlapping(connection: Connection, wanted: Range) -> Sequence[Row[Any]]:
    """The records that share a unit with `wanted`, in serial order."""
    return connection.execute(
        select(locations)
        .where(
            and_(
                locations.c.originating_registry == wanted.registry,
                locations.c.serial_first <= wanted.last,
                locations.c.serial_last >= wanted.first,
            )
        )
        .order_by(locations.c.serial_first)
    ).all()


def to_cut(connection: Connection, where: Range) -> Sequence[Row[Any]]:
    """The records that share a unit with `where`, in no particular order: those placing a
    range there cuts back."""
    return connection.execute(
        select(locations).where(
            and_(
                locations.c.originating_registry == where.registry,
                locations.c.serial_first <= where.last,
                locations.c.serial_last >= where.first,
            )
        )
    ).all()


def at(connection: Connection, registry: str) -> Sequence[Row[Any]]:
    return connection.execute(
        select(locations)
        .where(locations.c.registry_id == registry)
        .order_by(locations.c.originating_registry, locations.c.serial_first)
    ).all()


def in_transit(connection: Connection, transaction_id: str) -> Sequence[Row[Any]]:
    return connection.execute(
        select(locations).where(locations.c.transaction_id == transaction_id)
    ).all()


def delete_location(connection: Connection, location_id: int) -> None:
    connection.execute(locations.delete().where(locations.c.id == location_id))


def insert_location(connection: Connection, **values: Any) -> None:
    connection.execute(locations.insert().values(**values))
