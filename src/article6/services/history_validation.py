"""The checks of a Party's history before anything is recorded (docs/history-import.md): who
imports (C7009), each file on its own (C7001, C7002), across the files (C7003-C7006,
`reports.history_checks`), against this registry (units held or recorded here, C7006, C7007;
the section's first live action, C7008) and the detail the held units need (C7010). The import
(`history_import`) runs them before it asks the hub or shows a dry run, and again in the
recording transaction, so that nothing recorded in between slips through.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection

from article6.domain.access import Actor, Role
from article6.domain.authorizations import Authorization
from article6.domain.checks import Check, CommandRefused, Refusal, refuse
from article6.domain.wording import words
from article6.reports import aef
from article6.reports.history_checks import ImportedYear, held_at_end, history_refusals, years_of
from article6.reports.history_files import HistoryFile, read_file
from article6.services.context import Registry
from article6.services.history_authorizations import new_authorizations
from article6.services.history_entities import ImportedEntity, new_entities
from article6.services.history_holdings import HeldPlan, held_plans
from article6.store import history_import as store
from article6.store.sections import section


@dataclass(frozen=True)
class Checked:
    """A history that passed every check: its years, the blocks it ends with, and the
    authorization versions to record."""

    years: list[ImportedYear]
    plans: list[HeldPlan]
    authorizations: list[tuple[ImportedYear, Authorization]]
    entities: list[ImportedEntity]


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


def allow(actor: Actor, on_request_of: str) -> None:
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


def checked_history(
    connection: Connection,
    registry: Registry,
    party: str,
    files: list[HistoryFile],
) -> Checked:
    """The history checked whole, or every refusal found at once."""
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
