"""Parties and cooperative approaches: registering them, which Parties take part in which
approach, and whether a Party still participates actively. The reads every command makes are
in `store.sections` (`party`, `section`) and `store.records` (`is_cooperative_approach`,
`participants`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import Connection, bindparam, select

from article6.store import holdings
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


_STATUS_OF = {
    side: select(parties.c.participation_status)
    .where(parties.c.code == bindparam(f"{side}_party"))
    .scalar_subquery()
    .label(f"{side}_participation")
    for side in ("transferring", "acquiring")
}


def participation_with_lock(
    connection: Connection, transferring: str, acquiring: str
) -> tuple[holdings.Rider, holdings.Rider]:
    """`participation_status` of both Parties of an international transfer, read in the
    statement that locks its holdings (`holdings.ride_with_lock`)."""
    riders = (
        holdings.Rider(_STATUS_OF["transferring"], {"transferring_party": transferring}),
        holdings.Rider(_STATUS_OF["acquiring"], {"acquiring_party": acquiring}),
    )
    for rider in riders:
        holdings.ride_with_lock(connection, rider)
    return riders


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
