"""Pulls from the Article 6.4 mechanism registry, as typed records: the query sent (or, at the
hub, forwarded), and what became of its answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from article6.store.database import aware
from article6.store.interop_schema import mechanism_pulls

REQUESTED = "requested"
VERIFIED = "verified"
REFUSED = "refused"
FORWARDED = "forwarded"
ANSWERED = "answered"


@dataclass(frozen=True)
class PullRecord:
    """A query as sent and its answer: `answer` is the attested JSON once one was verified
    (the cached copy), `checks` why the last answer was refused."""

    query_id: str
    requesting_registry: str
    party: str | None
    query: str
    requested_by: str
    requested_at: datetime
    status: str
    answer: str | None = None
    checks: str | None = None
    answered_at: datetime | None = None
    fetched_at: datetime | None = None


def _record(row: Any) -> PullRecord:
    return PullRecord(
        query_id=row.query_id,
        requesting_registry=row.requesting_registry,
        party=row.party,
        query=row.query,
        requested_by=row.requested_by,
        requested_at=aware(row.requested_at),
        status=row.status,
        answer=row.answer,
        checks=row.checks,
        answered_at=aware(row.answered_at),
        fetched_at=aware(row.fetched_at),
    )


def insert_pull(connection: Connection, record: PullRecord) -> None:
    connection.execute(
        insert(mechanism_pulls).values(
            query_id=record.query_id,
            requesting_registry=record.requesting_registry,
            party=record.party,
            query=record.query,
            requested_by=record.requested_by,
            requested_at=record.requested_at,
            status=record.status,
        )
    )


def pull(connection: Connection, query_id: str, lock: bool = False) -> PullRecord | None:
    statement = select(mechanism_pulls).where(mechanism_pulls.c.query_id == query_id)
    row = connection.execute(statement.with_for_update() if lock else statement).first()
    return None if row is None else _record(row)


def record_outcome(
    connection: Connection,
    query_id: str,
    status: str,
    at: datetime,
    answer: str | None = None,
    checks: str | None = None,
    answered_at: datetime | None = None,
) -> None:
    """An answer's outcome: a verified one replaces the cached copy; a refused one keeps the
    last verified copy out of sight (status `refused`) until a good answer arrives."""
    values: dict[str, Any] = {"status": status, "checks": checks, "fetched_at": at}
    if answer is not None:
        values |= {"answer": answer, "answered_at": answered_at}
    connection.execute(
        update(mechanism_pulls).where(mechanism_pulls.c.query_id == query_id).values(**values)
    )


def pulls(connection: Connection, party: str | None, wide: bool, limit: int) -> list[PullRecord]:
    """The newest pulls first: every one when `wide`, else those for `party`."""
    statement = select(mechanism_pulls).order_by(mechanism_pulls.c.id.desc()).limit(limit)
    if not wide:
        statement = statement.where(mechanism_pulls.c.party == party)
    return [_record(row) for row in connection.execute(statement)]
