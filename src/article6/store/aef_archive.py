"""What the AEF freezes: a Party's year-end holdings snapshot (`holdings_snapshots` and its
rows) and every submitted version of its AEF with the rows of each table (`aef_submissions`)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, Row, and_, select

from article6.store.reports import stream
from article6.store.reports_schema import (
    aef_submission_rows,
    aef_submissions,
    holdings_snapshot_rows,
    holdings_snapshots,
)


def snapshot(connection: Connection, code: str, year: int) -> Row[Any] | None:
    return connection.execute(
        select(holdings_snapshots).where(
            and_(holdings_snapshots.c.party_code == code, holdings_snapshots.c.year == year)
        )
    ).first()


def insert_snapshot(connection: Connection, **values: Any) -> None:
    connection.execute(holdings_snapshots.insert().values(**values))


def insert_snapshot_rows(connection: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        connection.execute(holdings_snapshot_rows.insert(), rows)


def snapshot_rows(connection: Connection, code: str, year: int) -> Iterator[Row[Any]]:
    query = select(holdings_snapshot_rows).where(
        and_(holdings_snapshot_rows.c.party_code == code, holdings_snapshot_rows.c.year == year)
    )
    return stream(connection, query, [holdings_snapshot_rows.c.id])


def submissions(connection: Connection, code: str, year: int) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(aef_submissions)
            .where(and_(aef_submissions.c.party_code == code, aef_submissions.c.year == year))
            .order_by(aef_submissions.c.major, aef_submissions.c.minor)
        )
    )


def insert_submission(connection: Connection, **values: Any) -> int:
    submission_id: int = connection.execute(
        aef_submissions.insert().values(**values).returning(aef_submissions.c.id)
    ).scalar_one()
    return submission_id


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
