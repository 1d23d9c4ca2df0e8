"""Recording one imported year (docs/history-import.md): its AEF as the version the Party
submitted, exactly as given (so the registry's AEF of that year reproduces the file), and its
Table 4 as the year's frozen holdings snapshot, journaled with the source file and its SHA-256.
Called by `history_import` inside its one transaction, once every check passed."""

from __future__ import annotations

import hashlib
import json
from datetime import date
from typing import Any

from sqlalchemy import Connection

from article6.domain.access import Actor
from article6.reports import aef
from article6.reports.aef_consistency.model import day, integer
from article6.reports.aef_spec import TABLE, Kind
from article6.reports.history_checks import ImportedYear
from article6.services.context import Registry
from article6.services.history_holdings import held_range
from article6.services.journal import log
from article6.store import aef_archive
from article6.store.aef_archive import HoldingsSnapshot, Submission


def _cell(kind: Kind, value: str) -> Any:
    """A cell as a submission stores it: integers as numbers, the rest as the text read."""
    if value == "":
        return None
    if kind in (Kind.INTEGER, Kind.NUMBER):
        number = integer(value)
        return value if number is None else number
    return value


def stored_cells(one: ImportedYear, table: int) -> list[list[Any]]:
    spec = TABLE[table]
    return [[_cell(r.kind, row[r.key]) for r in spec.fields] for row in one.aef.rows(table)]


def _version(text: str) -> tuple[int, int]:
    major, _, minor = text.partition(".")
    return int(major) if major.isdigit() else 1, int(minor) if minor.isdigit() else 0


def record_year(
    connection: Connection, registry: Registry, actor: Actor, party: str, one: ImportedYear
) -> None:
    """The year's AEF as the version the Party submitted, and its Table 4 as the year's frozen
    holdings snapshot, journaled with the source file and its SHA-256."""
    now = registry.now()
    major, minor = _version(one.aef.version)
    key = (party, one.year, one.aef.version)
    digest = hashlib.sha256()
    counts: dict[str, int] = {}
    for number in TABLE:
        rows = stored_cells(one, number)
        encoded = [json.dumps(cells, ensure_ascii=False) for cells in rows]
        for line in encoded:
            digest.update(f"{number}\t{line}\n".encode())
        aef_archive.insert_submission_rows(
            connection, key, number, list(enumerate(encoded, start=1))
        )
        counts[str(number)] = len(rows)
    submitted = day(one.aef.submission.get("date_of_submission", "")) or date(one.year + 1, 1, 1)
    aef_archive.insert_submission(
        connection,
        Submission(
            party_code=party,
            year=one.year,
            version=one.aef.version,
            major=major,
            minor=minor,
            date_of_submission=submitted,
            submitted_at=now,
            submitted_by=f"{actor.label} (imported)",
            row_counts=counts,
            digest=digest.hexdigest(),
        ),
    )
    held = [held_range(row, row.units) for row in one.aef.rows(4) if row.units is not None]
    snapshot = hashlib.sha256()
    for piece in held:
        stored = aef_archive.snapshot_row(party, one.year, piece)
        snapshot.update((json.dumps(stored, sort_keys=True, default=str) + "\n").encode())
    aef_archive.insert_snapshot_rows(connection, party, one.year, held)
    aef_archive.insert_snapshot(
        connection,
        HoldingsSnapshot(
            party_code=party,
            year=one.year,
            as_of=aef.year_end(one.year),
            taken_at=now,
            taken_by=f"{actor.label} (imported)",
            row_count=len(held),
            quantity=sum(h.serial_last - h.serial_first + 1 for h in held),
            digest=snapshot.hexdigest(),
        ),
    )
    log(
        connection,
        registry,
        actor,
        "HistoryYearImported",
        party,
        f"history-{party}-{one.year}",
        {
            "year": one.year,
            "version": one.aef.version,
            "source": one.file.name,
            "sha256": one.file.sha256,
            "rows": counts,
            "digest": digest.hexdigest(),
        },
    )
