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
names its source file and SHA-256. The checks are `history_validation`, the recording of a
year `history_recording`; this module runs them in order and says what was (or would be) done.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from pydantic import BaseModel, Field
from sqlalchemy import Connection

from article6.domain.access import Actor
from article6.domain.checks import CommandRefused
from article6.domain.wording import Sentence, words
from article6.reports.aef_spec import TABLE
from article6.reports.history_checks import ImportedYear
from article6.services.commands import Command
from article6.services.context import Registry, execute
from article6.services.history_authorizations import record_authorizations
from article6.services.history_entities import record_entities
from article6.services.history_holdings import record_holdings
from article6.services.history_hub_check import AskHub, HubCheckView, consult_hub
from article6.services.history_recording import record_year
from article6.services.history_validation import Checked, allow, checked_history, read_history
from article6.store import (
    reports,
)

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


def _noop(step: str, done: int, total: int) -> None:
    return None


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


# The command ---------------------------------------------------------------------------------


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
    allow(actor, on_request_of)
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
        checked = checked_history(connection, registry, party, files)
    # Asked outside the recording transaction: no lock is held while the hub answers.
    hub = consult_hub(checked.years, ask_hub, without_hub_check)
    if hub.refusals or (hub.unasked and not dry_run):
        raise CommandRefused([*hub.refusals, *hub.unasked])
    if dry_run:
        return _view(command, checked, recorded=False, hub_check=hub.view)

    def handle(connection: Connection, registry: Registry, actor: Actor) -> HistoryView:
        checked = checked_history(connection, registry, party, files)
        years, plans = checked.years, checked.plans
        total = len(years) + 1
        record_authorizations(connection, registry, actor, checked.authorizations)
        record_entities(connection, registry, actor, party, checked.entities)
        for done, one in enumerate(years):
            progress(f"recording {one.year}", done, total)
            record_year(connection, registry, actor, party, one)
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
