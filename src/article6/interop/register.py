"""The hub's register of where units are: serial ranges per originating registry, each with
the registry that holds it, its state, and the transfer it is in transit under, if any.

The hub learns it from transfers it completed and from reconciliation's unit-block reports.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Connection

from article6.domain.protocol import Range
from article6.store import hub_register
from article6.store.hub_register import Location

HELD = "held"


def place(
    connection: Connection,
    where: Range,
    registry: str,
    state: str = HELD,
    transaction_id: str | None = None,
) -> None:
    """Record that `where` is in `registry`: overlapping records are cut back around it."""
    for location_id, cut in hub_register.to_cut(connection, where):
        hub_register.delete_location(connection, location_id)
        for part in cut.range.minus(where):
            hub_register.insert_location(connection, replace(cut, range=part))
    hub_register.insert_location(connection, Location(where, registry, state, transaction_id))
