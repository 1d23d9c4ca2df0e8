"""Parties and cooperative approaches: registering them, which Parties take part in which
approach, and whether a Party still participates actively. The reads every command makes are
in `store.sections` (`party`, `section`) and `store.records` (`is_cooperative_approach`,
`participants`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Connection, select

from article6.store.schema import cooperative_approach_parties, cooperative_approaches, parties
from article6.store.sections import Party


@dataclass(frozen=True)
class CooperativeApproach:
    """A cooperative approach as the registry records it; its Parties are added one by one."""

    id: str
    name: str
    description: str | None
    created_at: datetime


def insert_party(connection: Connection, party: Party) -> None:
    connection.execute(parties.insert().values(**asdict(party)))


def participation_status(connection: Connection, party: str) -> str | None:
    """The Party's participation status (`active` or not), None for an unknown Party."""
    status: str | None = connection.execute(
        select(parties.c.participation_status).where(parties.c.code == party)
    ).scalar()
    return status


def approaches_of(connection: Connection, party: str) -> list[str]:
    """The cooperative approaches the Party takes part in."""
    return list(
        connection.execute(
            select(cooperative_approach_parties.c.cooperative_approach_id).where(
                cooperative_approach_parties.c.party_code == party
            )
        ).scalars()
    )


def insert_cooperative_approach(connection: Connection, approach: CooperativeApproach) -> None:
    connection.execute(cooperative_approaches.insert().values(**asdict(approach)))


def add_participant(connection: Connection, ca_id: str, party: str) -> None:
    connection.execute(
        cooperative_approach_parties.insert().values(
            cooperative_approach_id=ca_id, party_code=party
        )
    )
