"""What the AEF freezes: a Party's year-end holdings snapshot (`holdings_snapshots` and its
rows) and every submitted version of its AEF with the rows of each table (`aef_submissions`)."""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import Connection, and_, select

from article6.store.reports import stream
from article6.store.reports_schema import (
    aef_submission_rows,
    aef_submissions,
    holdings_snapshot_rows,
    holdings_snapshots,
)


@dataclass(frozen=True)
class HoldingsSnapshot:
    """A Party's frozen year-end holdings: when and by whom it was taken, and how many rows and
    units it froze, with their digest."""

    party_code: str
    year: int
    as_of: datetime
    taken_at: datetime
    taken_by: str
    row_count: int
    quantity: int
    digest: str


@dataclass(frozen=True, slots=True)
class HeldRange:
    """A range of ITMOs a Party held at a year end with the attributes Table 4 reports: one row
    of a frozen snapshot, or of the holdings reconstructed from the moved ranges."""

    origin_registry_id: str
    serial_first: int
    serial_last: int
    underlying_first: int | None
    cooperative_approach_id: str
    authorization_id: str | None
    first_transferring_party: str
    vintage: int
    metric: str
    gwp_values: str | None
    non_ghg_metric: str | None
    non_ghg_per_unit: str | None
    mitigation_type: str
    underlying_registry: str | None


HELD_RANGE_COLUMNS = tuple(field.name for field in fields(HeldRange))


@dataclass(frozen=True)
class Submission:
    """One submitted version of a Party's AEF for a year: who submitted it, when, and the row
    counts and digest of its tables."""

    party_code: str
    year: int
    version: str
    major: int
    minor: int
    date_of_submission: date
    submitted_at: datetime
    submitted_by: str
    row_counts: Mapping[str, int]
    digest: str


_SNAPSHOT = select(*(holdings_snapshots.c[f.name] for f in fields(HoldingsSnapshot)))
_SUBMISSION = select(*(aef_submissions.c[f.name] for f in fields(Submission)))


def snapshot(connection: Connection, code: str, year: int) -> HoldingsSnapshot | None:
    row = connection.execute(
        _SNAPSHOT.where(
            and_(holdings_snapshots.c.party_code == code, holdings_snapshots.c.year == year)
        )
    ).first()
    return None if row is None else HoldingsSnapshot(*row)


def insert_snapshot(connection: Connection, taken: HoldingsSnapshot) -> None:
    connection.execute(holdings_snapshots.insert().values(**asdict(taken)))


def insert_snapshot_rows(
    connection: Connection, code: str, year: int, held: Sequence[HeldRange]
) -> None:
    if held:
        connection.execute(
            holdings_snapshot_rows.insert(),
            [snapshot_row(code, year, piece) for piece in held],
        )


def snapshot_row(code: str, year: int, held: HeldRange) -> dict[str, Any]:
    """A held range as the snapshot stores it: its columns, with the Party and year (what the
    snapshot's digest is taken over)."""
    row: dict[str, Any] = {name: getattr(held, name) for name in HELD_RANGE_COLUMNS}
    row["party_code"] = code
    row["year"] = year
    return row


def snapshot_rows(connection: Connection, code: str, year: int) -> Iterator[HeldRange]:
    query = select(*(holdings_snapshot_rows.c[name] for name in HELD_RANGE_COLUMNS)).where(
        and_(holdings_snapshot_rows.c.party_code == code, holdings_snapshot_rows.c.year == year)
    )
    for row in stream(connection, query, [holdings_snapshot_rows.c.id]):
        yield HeldRange(**row._mapping)


def submissions(connection: Connection, code: str, year: int) -> list[Submission]:
    """The Party's submitted versions for the year, oldest first."""
    rows = connection.execute(
        _SUBMISSION.where(
            and_(aef_submissions.c.party_code == code, aef_submissions.c.year == year)
        ).order_by(aef_submissions.c.major, aef_submissions.c.minor)
    )
    return [Submission(*row) for row in rows]


def insert_submission(connection: Connection, submission: Submission) -> None:
    values = asdict(submission)
    values["row_counts"] = dict(submission.row_counts)
    connection.execute(aef_submissions.insert().values(**values))


def insert_submission_rows(
    connection: Connection, key: tuple[str, int, str], table: int, rows: list[tuple[int, str]]
) -> None:
    """Store rows (number, JSON cells) of one table of the submission `key` (Party, year,
    version)."""
    code, year, version = key
    if rows:
        connection.execute(
            aef_submission_rows.insert(),
            [
                {
                    "party_code": code,
                    "year": year,
                    "version": version,
                    "table_number": table,
                    "row_number": number,
                    "cells": cells,
                }
                for number, cells in rows
            ],
        )


def submission_rows(
    connection: Connection, key: tuple[str, int, str], table: int
) -> Iterator[list[Any]]:
    """The stored rows of one table of the submission `key`, as the JSON cells they were
    written with (any JSON value: a cell is text, a number or empty)."""
    code, year, version = key
    query = select(aef_submission_rows.c.row_number, aef_submission_rows.c.cells).where(
        and_(
            aef_submission_rows.c.party_code == code,
            aef_submission_rows.c.year == year,
            aef_submission_rows.c.version == version,
            aef_submission_rows.c.table_number == table,
        )
    )
    for row in stream(connection, query, [aef_submission_rows.c.row_number]):
        cells: list[Any] = json.loads(row.cells)
        yield cells
