"""The hub's reconciliation runs (`hub_reconciliations`): one row per run and registry, with the
phase reached, the status and the discrepancies found so far.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, func, select, text, update

from article6.store.interop_schema import hub_reconciliations


def open_with(
    connection: Connection, registries: Iterable[str], over: list[str], started_after: datetime
) -> dict[str, str]:
    """Which of `registries` a run is open with (its status not in `over`, started after
    `started_after`), and the run."""
    rows = connection.execute(
        select(hub_reconciliations.c.registry_id, hub_reconciliations.c.reconciliation_id)
        .where(
            hub_reconciliations.c.registry_id.in_(sorted(set(registries)))
            & hub_reconciliations.c.status.not_in(over)
            & (hub_reconciliations.c.started_at > started_after)
        )
        .order_by(hub_reconciliations.c.started_at)
    )
    return {registry: run for registry, run in rows}


@dataclass(frozen=True)
class NewRun:
    """A run's start with one registry: the phase asked first, the discrepancies' JSON."""

    reconciliation_id: str
    registry_id: str
    phase: str
    status: str
    discrepancies: str
    started_at: datetime


@dataclass(frozen=True)
class Run:
    """A run with one registry as far as it has gone."""

    id: int
    reconciliation_id: str
    registry_id: str
    phase: str
    status: str
    discrepancies: str
    started_at: datetime
    finished_at: datetime | None


def _run(row: Row[Any]) -> Run:
    return Run(**row._asdict())


def insert_run(connection: Connection, run: NewRun) -> None:
    connection.execute(hub_reconciliations.insert().values(**asdict(run)))


def run(connection: Connection, reconciliation_id: str, registry_id: str) -> Run | None:
    row = connection.execute(
        select(hub_reconciliations).where(
            (hub_reconciliations.c.reconciliation_id == reconciliation_id)
            & (hub_reconciliations.c.registry_id == registry_id)
        )
    ).first()
    return None if row is None else _run(row)


def _update(connection: Connection, run_id: int, values: dict[str, object]) -> None:
    connection.execute(
        update(hub_reconciliations).where(hub_reconciliations.c.id == run_id).values(**values)
    )


def advance(connection: Connection, run_id: int, phase: str, discrepancies: str) -> None:
    """The run moves on to `phase` with the discrepancies found so far."""
    _update(connection, run_id, {"phase": phase, "discrepancies": discrepancies})


def finish(
    connection: Connection, run_id: int, status: str, discrepancies: str, at: datetime
) -> None:
    """The run with the registry ends with its status and discrepancies."""
    _update(
        connection,
        run_id,
        {"status": status, "discrepancies": discrepancies, "finished_at": at},
    )


def runs(connection: Connection, reconciliation_id: str) -> list[Run]:
    """One run with every registry it asked."""
    query = select(hub_reconciliations).where(
        hub_reconciliations.c.reconciliation_id == reconciliation_id
    )
    return [_run(row) for row in connection.execute(query)]


START_LOCK = 6_200_016  # the advisory lock key that orders starts of runs (PostgreSQL)


def serialise_starts(connection: Connection) -> None:
    """Queue concurrent starts of a run, so two never both find none in progress (PostgreSQL;
    on SQLite `BEGIN IMMEDIATE` already serialises writers)."""
    if connection.dialect.name == "postgresql":
        connection.execute(text(f"SELECT pg_advisory_xact_lock({START_LOCK})"))


def last_started(connection: Connection) -> datetime | None:
    """When the latest run started, if any did."""
    found: datetime | None = connection.execute(
        select(func.max(hub_reconciliations.c.started_at))
    ).scalar()
    return found
