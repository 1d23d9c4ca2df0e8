"""Mitigation activities: recording them, numbered per host Party, and advancing the next
underlying unit ID as issuances take them. The read (`activity`, locked for issuance) is in
`store.records`."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Connection, select, update

from article6.store.schema import mitigation_activities


@dataclass(frozen=True)
class ActivityRecord:
    """A mitigation activity as its host Party records it: what its units will carry, and the
    range of underlying unit IDs it brings from another registry, if any."""

    identifier: str
    title: str
    host_party: str
    cooperative_approach_id: str
    sector: str
    activity_type: str | None
    mitigation_type: str
    metric: str
    gwp_values: str | None
    non_ghg_metric: str | None
    underlying_registry: str | None
    underlying_first: int | None
    underlying_last: int | None
    underlying_next: int | None
    description: str | None
    recorded_at: datetime
    recorded_by: str


def hosted_count(connection: Connection, party: str) -> int:
    """How many activities the Party hosts (they are numbered in that order)."""
    return len(
        connection.execute(
            select(mitigation_activities.c.id).where(mitigation_activities.c.host_party == party)
        ).all()
    )


def insert_activity(connection: Connection, activity: ActivityRecord) -> None:
    connection.execute(mitigation_activities.insert().values(**asdict(activity)))


def advance_underlying(connection: Connection, activity_id: int, underlying_next: int) -> None:
    """The activity's next underlying unit ID, past the units an issuance has taken."""
    connection.execute(
        update(mitigation_activities)
        .where(mitigation_activities.c.id == activity_id)
        .values(underlying_next=underlying_next)
    )
