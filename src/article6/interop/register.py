"""The hub's register of where units are: serial ranges per originating registry, each with
the registry that holds it, its state, and the transfer it is in transit under, if any.

The hub learns it from transfers it completed and from reconciliation's unit-block reports.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from article6.domain.protocol import Range
from article6.store import hub_register

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
    return [_location(row) for row in hub_register.overlapping(connection, wanted)]


def at(connection: Connection, registry: str) -> list[Location]:
    return [_location(row) for row in hub_register.at(connection, registry)]


def in_transit(connection: Connection, transaction_id: str) -> list[Location]:
    return [_location(row) for row in hub_register.in_transit(connection, transaction_id)]


def place(
    connection: Connection,
    where: Range,
    registry: str,
    state: str = HELD,
    transaction_id: str | None = None,
) -> None:
    """Record that `where` is in `registry`: overlapping records are cut back around it."""
    for row in hub_register.to_cut(connection, where):
        hub_register.delete_location(connection, row.id)
        kept = Range(row.originating_registry, row.serial_first, row.serial_last)
        for part in kept.minus(where):
            hub_register.insert_location(
                connection,
                originating_registry=part.registry,
                serial_first=part.first,
                serial_last=part.last,
                registry_id=row.registry_id,
                state=row.state,
                transaction_id=row.transaction_id,
            )
    hub_register.insert_location(
        connection,
        originating_registry=where.registry,
        serial_first=where.first,
        serial_last=where.last,
        registry_id=registry,
        state=state,
        transaction_id=transaction_id,
    )
