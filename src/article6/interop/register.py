"""The hub's register of where units are: serial ranges per originating registry, each with
the registry that holds it, its state, and the transfer it is in transit under, if any.

The hub learns it from transfers it completed and from reconciliation's unit-block reports.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, and_, select

from article6.domain.protocol import Range
from article6.store.interop_schema import hub_unit_locations as locations

HELD = "held"


@dataclass(frozen=True)
class Location:
    range: Range
    registry: str
    state: str
    transaction_id: str | None


def _location(row: object) -> Location:
    return Location(
        Range(row.originating_registry, row.serial_first, row.serial_last),  # type: ignore[attr-defined]
        row.registry_id,  # type: ignore[attr-defined]
        row.state,  # type: ignore[attr-defined]
        row.transaction_id,  # type: ignore[attr-defined]
    )


def overlapping(connection: Connection, wanted: Range) -> list[Location]:
    rows = connection.execute(
        select(locations)
        .where(
            and_(
                locations.c.originating_registry == wanted.registry,
                locations.c.serial_first <= wanted.last,
                locations.c.serial_last >= wanted.first,
            )
        )
        .order_by(locations.c.serial_first)
    )
    return [_location(row) for row in rows]


def at(connection: Connection, registry: str) -> list[Location]:
    rows = connection.execute(
        select(locations)
        .where(locations.c.registry_id == registry)
        .order_by(locations.c.originating_registry, locations.c.serial_first)
    )
    return [_location(row) for row in rows]


def in_transit(connection: Connection, transaction_id: str) -> list[Location]:
    rows = connection.execute(select(locations).where(locations.c.transaction_id == transaction_id))
    return [_location(row) for row in rows]


def place(
    connection: Connection,
    where: Range,
    registry: str,
    state: str = HELD,
    transaction_id: str | None = None,
) -> None:
    """Record that `where` is in `registry`: overlapping records are cut back around it."""
    rows = connection.execute(
        select(locations).where(
            and_(
                locations.c.originating_registry == where.registry,
                locations.c.serial_first <= where.last,
                locations.c.serial_last >= where.first,
            )
        )
    ).all()
    for row in rows:
        connection.execute(locations.delete().where(locations.c.id == row.id))
        kept = Range(row.originating_registry, row.serial_first, row.serial_last)
        for part in kept.minus(where):
            connection.execute(
                locations.insert().values(
                    originating_registry=part.registry,
                    serial_first=part.first,
                    serial_last=part.last,
                    registry_id=row.registry_id,
                    state=row.state,
                    transaction_id=row.transaction_id,
                )
            )
    connection.execute(
        locations.insert().values(
            originating_registry=where.registry,
            serial_first=where.first,
            serial_last=where.last,
            registry_id=registry,
            state=state,
            transaction_id=transaction_id,
        )
    )
