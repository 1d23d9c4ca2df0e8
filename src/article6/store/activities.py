"""Mitigation activities: recording them, numbered per host Party, and advancing the next
underlying unit ID as issuances take them. The read (`activity`, locked for issuance) is in
`store.records`."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, select, update

from article6.store.schema import mitigation_activities


def hosted_count(connection: Connection, party: str) -> int:
    """How many activities the Party hosts (they are numbered in that order)."""
    return len(
        connection.execute(
            select(mitigation_activities.c.id).where(mitigation_activities.c.host_party == party)
        ).all()
    )


def insert_activity(connection: Connection, **values: Any) -> None:
    connection.execute(mitigation_activities.insert().values(**values))


def advance_underlying(connection: Connection, activity_id: int, underlying_next: int) -> None:
    """The activity's next underlying unit ID, past the units an issuance has taken."""
    connection.execute(
        update(mitigation_activities)
        .where(mitigation_activities.c.id == activity_id)
        .values(underlying_next=underlying_next)
    )
