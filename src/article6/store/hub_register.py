"""The hub's register of where units are (`hub_unit_locations`): serial ranges per originating
registry, each with the registry that holds it, its state and the transfer it is in transit
under, if any. Records are cut and written anew, never changed in place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, Row, Select, and_, select

from article6.domain.protocol import Range
from article6.store.interop_schema import hub_unit_locations as locations


@dataclass(frozen=True)
class Location:
    """Where a range of units is: the registry holding it, its state, the transfer it is in
    transit under."""

    range: Range
    registry: str
    state: str
    transaction_id: str | None


def _location(row: Row[Any]) -> Location:
    return Location(
        Range(row.originating_registry, row.serial_first, row.serial_last),
        row.registry_id,
        row.state,
        row.transaction_id,
    )


def _sharing(wanted: Range) -> Select[Any]:
    return select(locations).where(
        and_(
            locations.c.originating_registry == wanted.registry,
            locations.c.serial_first <= wanted.last,
            locations.c.serial_last >= wanted.first,
        )
    )


def overlapping(connection: Connection, wanted: Range) -> list[Location]:
    """The records that share a unit with `wanted`, in serial order."""
    query = _sharing(wanted).order_by(locations.c.serial_first)
    return [_location(row) for row in connection.execute(query)]


def to_cut(connection: Connection, where: Range) -> list[tuple[int, Location]]:
    """The records (with their ids) that share a unit with `where`, in no particular order:
    those placing a range there cuts back."""
    return [(row.id, _location(row)) for row in connection.execute(_sharing(where))]


def at(connection: Connection, registry: str) -> list[Location]:
    query = (
        select(locations)
        .where(locations.c.registry_id == registry)
        .order_by(locations.c.originating_registry, locations.c.serial_first)
    )
    return [_location(row) for row in connection.execute(query)]


def in_transit(connection: Connection, transaction_id: str) -> list[Location]:
    query = select(locations).where(locations.c.transaction_id == transaction_id)
    return [_location(row) for row in connection.execute(query)]


def delete_location(connection: Connection, location_id: int) -> None:
    connection.execute(locations.delete().where(locations.c.id == location_id))


def insert_location(connection: Connection, location: Location) -> None:
    connection.execute(
        locations.insert().values(
            originating_registry=location.range.registry,
            serial_first=location.range.first,
            serial_last=location.range.last,
            registry_id=location.registry,
            state=location.state,
            transaction_id=location.transaction_id,
        )
    )
