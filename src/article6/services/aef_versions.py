"""The AEF of a Party and year: drafts from the ledger, and submitted versions (1.0, 1.1, ...)
stored exactly as generated and never changed afterwards.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date, datetime
from pathlib import Path

from pydantic import BaseModel, Field
from sqlalchemy import Connection

from article6.domain.access import Actor, Permission
from article6.domain.checks import Check, refuse
from article6.domain.wording import words
from article6.reports import aef, aef_actions, aef_holdings
from article6.reports.aef_spec import TABLE, TABLES
from article6.reports.aef_writers import Format, write
from article6.services.access import allow
from article6.services.checkpoints import checkpoint_after
from article6.services.commands import Command
from article6.services.context import Registry, execute
from article6.services.holdings_snapshots import (
    SNAPSHOT_BATCH,
    freeze_snapshot,
    require_year_ended,
)
from article6.services.journal import log
from article6.services.report_access import allow_aef_reader, reporting_party
from article6.services.views import UtcDateTime
from article6.store import aef_archive, initial_reports, replication, reports
from article6.store.aef_archive import HeldRange, Submission
from article6.store.database import single_read
from article6.store.sections import PartyWithSection

FIRST_REPORTED_YEAR = 2021
"""The first year an Article 6.2 AEF reports (the API's lowest reported year)."""


def require_reported_year(registry: Registry, year: int) -> None:
    """A reported year lies from 2021 to the current year: a later one has no action yet."""
    current = registry.now().year
    if not FIRST_REPORTED_YEAR <= year <= current:
        raise refuse(
            Check.C1019,
            "year",
            words(
                "{year} is not a reported year: from {first_year} to {current}",
                year=year,
                first_year=FIRST_REPORTED_YEAR,
                current=current,
            ),
        )


class SubmitAEF(Command):
    party: str = Field(max_length=3)
    year: int


class SubmissionView(BaseModel):
    party: str
    year: int
    version: str
    date_of_submission: date
    submitted_at: UtcDateTime
    submitted_by: str
    row_counts: dict[str, int]
    digest: str
    current: bool = True


class ExportView(BaseModel):
    party: str
    year: int
    version: str
    draft: bool
    format: str
    output: str
    row_counts: dict[str, int]
    replica_lag_seconds: float | None = None
    """Read from a replica this many seconds behind the registry's database (None: read from
    the database itself)."""


def _next_version(existing: list[Submission]) -> tuple[int, int]:
    if not existing:
        return 1, 0
    last = existing[-1]
    return last.major, last.minor + 1


def _document(
    connection: Connection,
    party: PartyWithSection,
    year: int,
    version: str,
    submitted: date,
    snapshot_rows: Iterable[HeldRange],
) -> aef.AEFDocument:
    """The five tables as generators over `connection` (valid while it is open)."""
    registry_id = party.registry_id or ""
    end = aef.year_end(year)
    return aef.AEFDocument(
        party.code,
        year,
        version,
        [
            aef.AEFTable(
                TABLE[1],
                [
                    aef.submission_row(
                        party,
                        year,
                        version,
                        submitted,
                        initial_reports.reports_of(connection, party.code, until=end.date()),
                    )
                ],
            ),
            aef.AEFTable(
                TABLE[2],
                aef.authorization_rows(
                    reports.authorization_versions(connection, party.code, end.date())
                ),
            ),
            aef.AEFTable(
                TABLE[3],
                aef_actions.action_rows(
                    reports.action_ranges(
                        connection,
                        party.code,
                        aef.year_start(year),
                        aef.year_start(year + 1),
                        aef_actions.ACTION_RANGE_COLUMNS,
                    ),
                    party.code,
                    registry_id,
                ),
            ),
            aef.AEFTable(TABLE[4], aef_holdings.holding_rows(snapshot_rows, registry_id)),
            aef.AEFTable(
                TABLE[5],
                aef.entity_rows(reports.entity_records(connection, party.code, end.date()), end),
            ),
        ],
    )


def _holdings_at(connection: Connection, party: str, moment: datetime) -> Iterator[HeldRange]:
    """Table 4's rows computed from the history and not stored (what a read shows)."""
    accounts = reports.party_account_ids(connection, party)
    return aef_holdings.holdings_at(
        reports.moves_touching(connection, party, moment, aef_holdings.MOVE_COLUMNS), accounts
    )


@contextmanager
def open_aef(
    registry: Registry,
    actor: Actor,
    party: str,
    year: int,
    version: str | None = None,
    from_replica: bool = False,
) -> Iterator[aef.AEFDocument]:
    """The AEF of a Party and year, to be consumed inside the `with` block: a submitted version
    as stored, or (no version) a draft from the ledger now, numbered as the next version.
    Reading writes nothing: a draft's Table 4 is the frozen snapshot if a submission froze one,
    else the holdings reconstructed from the moved ranges up to the year end (or up to now for
    the current year), which is the same as a snapshot taken at any later time.

    `from_replica` reads it from the read replica (`Registry.read_engine`), if there is one."""
    allow_aef_reader(actor, party)
    engine = registry.read_engine if from_replica else registry.engine
    with reports.reading(engine) as connection:
        row = reporting_party(connection, party)
        existing = aef_archive.submissions(connection, party, year)
        if version is not None:
            stored = next((s for s in existing if s.version == version), None)
            if stored is None:
                raise refuse(
                    Check.C1012,
                    "version",
                    words(
                        "{party} has no AEF version {version} for {year}",
                        party=party,
                        version=version,
                        year=year,
                    ),
                )
            key = (party, year, version)
            yield aef.AEFDocument(
                party,
                year,
                version,
                [
                    aef.AEFTable(
                        spec,
                        aef.stored_rows(
                            spec, aef_archive.submission_rows(connection, key, spec.number)
                        ),
                    )
                    for spec in TABLES
                ],
            )
            return
        major, minor = _next_version(existing)
        holdings = (
            aef_archive.snapshot_rows(connection, party, year)
            if aef_archive.snapshot(connection, party, year) is not None
            else _holdings_at(connection, party, min(registry.now(), aef.year_end(year)))
        )
        yield _document(connection, row, year, f"{major}.{minor}", registry.now().date(), holdings)


def export_aef(
    registry: Registry,
    actor: Actor,
    party: str,
    year: int,
    format: Format,
    output: Path,
    version: str | None = None,
) -> ExportView:
    """Write the AEF of a reported year (C1019: from 2021 to the current year) to `output`."""
    require_reported_year(registry, year)
    # A draft may lag on the replica; a version just submitted must be found where it was.
    from_replica = version is None
    with single_read(registry.read_engine if from_replica else registry.engine) as connection:
        lag = replication.replay_lag(connection)
    with open_aef(registry, actor, party, year, version, from_replica) as document:
        counts = write(document, format, output)
    return ExportView(
        party=party,
        year=year,
        version=document.version,
        draft=version is None,
        format=format.value,
        output=str(output),
        row_counts={str(k): v for k, v in counts.items()},
        replica_lag_seconds=lag,
    )


def _submission_view(row: Submission, current: bool) -> SubmissionView:
    return SubmissionView(
        party=row.party_code,
        year=row.year,
        version=row.version,
        date_of_submission=row.date_of_submission,
        submitted_at=row.submitted_at,
        submitted_by=row.submitted_by,
        row_counts=dict(row.row_counts),
        digest=row.digest,
        current=current,
    )


def submit_aef(
    registry: Registry, actor: Actor, command: SubmitAEF, idempotency_key: str | None = None
) -> SubmissionView:
    """Store the next version (1.0, then 1.1, ...) of the Party's AEF for a finished year,
    exactly as generated now; it never changes afterwards and a later version supersedes it."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> SubmissionView:
        allow(actor, Permission.ADMINISTER, command.party)
        party = reporting_party(connection, command.party)
        require_year_ended(registry, command.year)
        freeze_snapshot(connection, registry, actor, command.party, command.year)
        major, minor = _next_version(
            aef_archive.submissions(connection, command.party, command.year)
        )
        version = f"{major}.{minor}"
        today = registry.now().date()
        document = _document(
            connection,
            party,
            command.year,
            version,
            today,
            aef_archive.snapshot_rows(connection, command.party, command.year),
        )
        key = (command.party, command.year, version)
        digest = hashlib.sha256()
        counts: dict[str, int] = {}
        for table in document.tables:
            number = table.spec.number
            batch: list[tuple[int, str]] = []
            count = 0
            for count, cells in enumerate(table.rows, start=1):
                encoded = json.dumps(list(cells), ensure_ascii=False, default=aef.json_cell)
                digest.update(f"{number}\t{encoded}\n".encode())
                batch.append((count, encoded))
                if len(batch) >= SNAPSHOT_BATCH:
                    aef_archive.insert_submission_rows(connection, key, number, batch)
                    batch = []
            aef_archive.insert_submission_rows(connection, key, number, batch)
            counts[str(number)] = count
        now = registry.now()
        aef_archive.insert_submission(
            connection,
            Submission(
                party_code=command.party,
                year=command.year,
                version=version,
                major=major,
                minor=minor,
                date_of_submission=today,
                submitted_at=now,
                submitted_by=actor.label,
                row_counts=counts,
                digest=digest.hexdigest(),
            ),
        )
        log(
            connection,
            registry,
            actor,
            "AEFSubmitted",
            command.party,
            f"aef-{command.party}-{command.year}-{version}",
            {
                "year": command.year,
                "version": version,
                "rows": counts,
                "digest": digest.hexdigest(),
            },
        )
        rows = aef_archive.submissions(connection, command.party, command.year)
        return _submission_view(rows[-1], current=True)

    submitted = execute(registry, actor, command, handle, SubmissionView, idempotency_key)
    # A submitted version is fixed outside the database at once: the journal's head, signed.
    checkpoint_after(registry, "AEFSubmitted")
    return submitted


def aef_years(registry: Registry, actor: Actor, party: str) -> list[int]:
    """The reported years whose AEF can be read, newest first: from the year of the Party's
    first transaction or authorization (2021 at the earliest) to the current year, whose AEF
    is provisional until 31/12 23:59:59 UTC."""
    allow_aef_reader(actor, party)
    current = registry.now().year
    with reports.reading(registry.engine) as connection:
        first = reports.first_reportable(connection, party)
    earliest = max(FIRST_REPORTED_YEAR, min(first.year if first else current, current))
    return list(range(current, earliest - 1, -1))


def aef_submissions(
    registry: Registry, actor: Actor, party: str, year: int
) -> list[SubmissionView]:
    """The submitted versions, oldest first; only the newest is current."""
    allow_aef_reader(actor, party)
    with reports.reading(registry.engine) as connection:
        rows = aef_archive.submissions(connection, party, year)
    return [_submission_view(r, current=i == len(rows) - 1) for i, r in enumerate(rows)]
