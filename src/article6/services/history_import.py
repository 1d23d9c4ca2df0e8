"""Import a Party's history: the AEFs it submitted before its section here went live, and the
holdings they end with (docs/history-import.md).

The files are read and checked whole before anything is written: each file on its own (C7001,
C7002), across the files (C7003-C7006, `reports.history_checks`), against this registry (units
held or recorded here, C7006, C7007; the section's first live action, C7008) and for the detail
the held units need (C7010). Only the secretariat imports, on the Party's request (C7009). Then
one transaction records it all: each year's AEF as the version the Party submitted, exactly as
given (so the registry's AEF of that year reproduces the file), its Table 4 as the year's
frozen holdings snapshot, and the last year's holdings as blocks in the Party's accounts,
dated at the end of that year by one `history_import` transaction. Each record's journal entry
names its source file and SHA-256.
"""

from __future__ import annotations

import hashlib
import json
from bisect import bisect_right
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Connection

from article6.domain.access import Actor, Role
from article6.domain.authorizations import Authorization
from article6.domain.checks import Check, CommandRefused, Refusal, refuse
from article6.domain.wording import Sentence, words
from article6.reports import aef
from article6.reports.aef_consistency.model import day, integer
from article6.reports.aef_spec import TABLE, Kind
from article6.reports.history_checks import ImportedYear, held_at_end, history_refusals, years_of
from article6.reports.history_files import HistoryFile, read_file
from article6.services.commands import Command
from article6.services.context import Registry, execute
from article6.services.history_authorizations import new_authorizations, record_authorizations
from article6.services.history_entities import ImportedEntity, new_entities, record_entities
from article6.services.history_holdings import HeldPlan, held_plans, held_range, record_holdings
from article6.services.history_hub_check import AskHub, HubCheckView, consult_hub
from article6.services.journal import log
from article6.store import (
    aef_archive,
    reports,
)
from article6.store import history_import as store
from article6.store.aef_archive import HoldingsSnapshot, Submission
from article6.store.sections import section

Progress = Callable[[str, int, int], None]
"""Told (step, done, total) as the import writes: the command line draws its bar from it."""


class ImportHistory(Command):
    party: str = Field(max_length=3)
    on_request_of: str = Field(max_length=500)
    files: list[str]
    sha256: list[str]


class YearView(BaseModel):
    year: int
    version: str
    source: str
    sha256: str
    rows: dict[str, int]
    actions: dict[str, int]


class HistoryView(BaseModel):
    party: str
    on_request_of: str
    recorded: bool
    years: list[YearView]
    held_ranges: int
    authorizations: list[Sentence] = []
    """The authorization versions of the history's Tables 2 recorded here (not yet recorded)."""
    held_units: int
    entities: list[str] = []
    """The authorized entities of the history's Tables 5 recorded here (name and approach)."""
    transaction: str | None = None
    hub_check: HubCheckView | None = None
    """Whether the hub was asked if any unit is held in another registry (C7012), and what
    came of it; a warning when it was not."""


@dataclass(frozen=True)
class Checked:
    """A history that passed every check: its years, the blocks it ends with, and the
    authorization versions to record."""

    years: list[ImportedYear]
    plans: list[HeldPlan]
    authorizations: list[tuple[ImportedYear, Authorization]]
    entities: list[ImportedEntity]


def _noop(step: str, done: int, total: int) -> None:
    return None


def read_history(paths: list[Path]) -> list[HistoryFile]:
    """Every file read and checked on its own; refused together (C7001, C7002)."""
    files: list[HistoryFile] = []
    refused: list[Refusal] = []
    for path in paths:
        file, found = read_file(path)
        files.append(file)
        refused.extend(found)
    if not files:
        refused.append(Refusal(Check.C7001, "files", words("give at least one file")))
    if refused:
        raise CommandRefused(refused)
    return files


def _allow(actor: Actor, on_request_of: str) -> None:
    """C7009: the secretariat, on the Party's request."""
    if actor.role is not Role.SECRETARIAT:
        raise refuse(Check.C7009, "actor", words("only the secretariat imports a Party's history"))
    if not on_request_of.strip():
        raise refuse(
            Check.C7009, "on_request_of", words("name the Party's request (its reference)")
        )


# Checks against the registry ---------------------------------------------------------------


def _registry_refusals(
    connection: Connection, registry: Registry, party: str, years: list[ImportedYear]
) -> list[Refusal]:
    """C7008: the history ends before the section's first live action, in an ended year.
    C7006/C7007: no unit of the last holdings is held or recorded here already."""
    refused: list[Refusal] = []
    last = years[-1]
    if last.year >= registry.now().year:
        refused.append(
            Refusal(
                Check.C7008,
                last.file.name,
                words("{year} has not ended: import ended years", year=last.year),
            )
        )
    first_live = store.first_live_action(connection, party)
    if first_live is not None and aef.year_end(last.year) >= _utc(first_live):
        refused.append(
            Refusal(
                Check.C7008,
                last.file.name,
                words(
                    "{party}'s section here acted first on {acted_on}, within or before the "
                    "imported period (to {year})",
                    party=party,
                    acted_on=aef.aef_date(first_live),
                    year=last.year,
                ),
            )
        )
    ends = held_at_end(years)
    spans: dict[str, tuple[int, int]] = {}
    for _, _, units in ends:
        low, high = spans.get(units.registry, (units.first, units.last))
        spans[units.registry] = (min(low, units.first), max(high, units.last))
    blocks = {
        r: _Ordered(store.held_here(connection, r, *span, limit=None)) for r, span in spans.items()
    }
    recorded = {
        r: _Ordered(store.recorded_spans(connection, r, *span)) for r, span in spans.items()
    }
    for one, row, units in ends:
        place = one.file.where(row.sheet, row.number)
        found = blocks[units.registry].overlapping(units.first, units.last)[:5]
        for held in found:
            check = Check.C7006 if held.party_code == party else Check.C7007
            refused.append(
                Refusal(
                    check,
                    place,
                    words(
                        "{units} is already held here by {party_code} in account {account} "
                        "(serials {serial_first}-{serial_last})",
                        units=units,
                        party_code=held.party_code,
                        account=held.account,
                        serial_first=held.serial_first,
                        serial_last=held.serial_last,
                    ),
                )
            )
        if not found and recorded[units.registry].overlapping(units.first, units.last):
            refused.append(
                Refusal(
                    Check.C7006,
                    place,
                    words("{units} is already recorded in this registry", units=units),
                )
            )
    return refused


class _Ordered:
    """Disjoint ranges in serial order (blocks, or (first, last) spans), searched by bisection
    so a long history is judged in near-linear time."""

    def __init__(self, ranges: Sequence[Any]) -> None:
        self.ranges = ranges
        self.bounds = [
            (r.serial_first, r.serial_last) if hasattr(r, "serial_first") else r for r in ranges
        ]
        self.starts = [low for low, _ in self.bounds]

    def overlapping(self, first: int, last: int) -> list[Any]:
        at = max(bisect_right(self.starts, first) - 1, 0)
        found = []
        for index in range(at, len(self.bounds)):
            low, high = self.bounds[index]
            if low > last:
                break
            if high >= first:
                found.append(self.ranges[index])
        return found


def _utc(moment: datetime) -> datetime:
    """A stored time in UTC (SQLite gives it back naive)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# The AEF versions as stored -----------------------------------------------------------------


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


def _year_view(one: ImportedYear) -> YearView:
    actions: dict[str, int] = {}
    for row in one.aef.rows(3):
        actions[row["action_type"]] = actions.get(row["action_type"], 0) + 1
    return YearView(
        year=one.year,
        version=one.aef.version,
        source=one.file.name,
        sha256=one.file.sha256,
        rows={str(n): len(one.aef.rows(n)) for n in TABLE},
        actions=actions,
    )


def _record_year(
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


# The command ---------------------------------------------------------------------------------


def _checked(
    connection: Connection,
    registry: Registry,
    party: str,
    files: list[HistoryFile],
) -> Checked:
    if section(connection, party) is None:
        raise refuse(
            Check.C7003,
            "party",
            words("{party} has no Party section in this registry", party=party),
        )
    refused = history_refusals(files, party, store.reported_years(connection, party))
    earlier = store.imported_before(connection, party)
    if earlier is not None:
        refused.append(
            Refusal(
                Check.C7004,
                "party",
                words(
                    "{party}'s history is already imported (transaction {earlier}): an import is "
                    "done once, whole",
                    party=party,
                    earlier=earlier,
                ),
            )
        )
    if refused:
        raise CommandRefused(refused)
    years = years_of(files)
    refused = _registry_refusals(connection, registry, party, years)
    authorizations, unread = new_authorizations(connection, registry, party, years)
    plans, missing = held_plans(connection, party, files, years)
    entities, unknown = new_entities(connection, party, years)
    if refused or unread or missing or unknown:
        raise CommandRefused([*refused, *unread, *missing, *unknown])
    return Checked(years, plans, authorizations, entities)


def _view(
    command: ImportHistory,
    checked: Checked,
    recorded: bool,
    transaction: str | None = None,
    hub_check: HubCheckView | None = None,
) -> HistoryView:
    years, plans = checked.years, checked.plans
    return HistoryView(
        party=command.party,
        on_request_of=command.on_request_of,
        recorded=recorded,
        years=[_year_view(one) for one in years],
        held_ranges=len(plans),
        held_units=sum(p.block.quantity for p in plans),
        authorizations=[
            words(
                "{authorization_id} version {version}",
                authorization_id=a.authorization_id,
                version=a.version,
            )
            for _, a in checked.authorizations
        ],
        entities=[
            words(
                "{name} ({country}, {number}) for {approach}",
                name=e.name,
                country=e.country,
                number=e.number,
                approach=e.approach,
            )
            for e in checked.entities
        ],
        transaction=transaction,
        hub_check=hub_check,
    )


def import_history(
    registry: Registry,
    actor: Actor,
    party: str,
    paths: list[Path],
    on_request_of: str,
    dry_run: bool = False,
    progress: Progress = _noop,
    ask_hub: AskHub | None = None,
    without_hub_check: bool = False,
) -> HistoryView:
    """Check the whole history, ask the hub whether any unit it ends with is held or issued
    in another registry (`ask_hub`; none: no hub configured), then (unless `dry_run`) record
    it all in one transaction. An import the hub could not be asked about is refused (C7012)
    unless `without_hub_check`; a dry run warns of it instead."""
    _allow(actor, on_request_of)
    progress("reading", 0, len(paths))
    files = read_history(paths)
    progress("reading", len(paths), len(paths))
    command = ImportHistory(
        party=party,
        on_request_of=on_request_of,
        files=[f.name for f in files],
        sha256=[f.sha256 for f in files],
    )
    with reports.reading(registry.engine) as connection:
        checked = _checked(connection, registry, party, files)
    # Asked outside the recording transaction: no lock is held while the hub answers.
    hub = consult_hub(checked.years, ask_hub, without_hub_check)
    if hub.refusals or (hub.unasked and not dry_run):
        raise CommandRefused([*hub.refusals, *hub.unasked])
    if dry_run:
        return _view(command, checked, recorded=False, hub_check=hub.view)

    def handle(connection: Connection, registry: Registry, actor: Actor) -> HistoryView:
        checked = _checked(connection, registry, party, files)
        years, plans = checked.years, checked.plans
        total = len(years) + 1
        record_authorizations(connection, registry, actor, checked.authorizations)
        record_entities(connection, registry, actor, party, checked.entities)
        for done, one in enumerate(years):
            progress(f"recording {one.year}", done, total)
            _record_year(connection, registry, actor, party, one)
        progress("recording holdings", len(years), total)
        identifier = record_holdings(
            connection,
            registry,
            actor,
            party,
            command.on_request_of,
            years[-1],
            plans,
            hub.journaled,
        )
        progress("committing", total, total)
        return _view(command, checked, recorded=True, transaction=identifier, hub_check=hub.view)

    return execute(registry, actor, command, handle, HistoryView)
