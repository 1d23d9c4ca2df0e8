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
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Connection

from article6.domain.access import Actor, Role
from article6.domain.accounts import Account, AccountKind, UnitState
from article6.domain.blocks import UnitAttributes, UnitBlock
from article6.domain.checks import Check, CommandRefused, Refusal, refuse
from article6.domain.nomenclature import ActionType, Metric, MitigationType
from article6.domain.transactions import TransactionKind, TransactionRecord, TransactionStatus
from article6.reports import aef
from article6.reports.aef_consistency.model import AEFRow, UnitRange, day, integer
from article6.reports.aef_spec import NA, TABLE, Kind
from article6.reports.history_checks import ImportedYear, held_at_end, history_refusals, years_of
from article6.reports.history_files import HeldDetail, HistoryFile, read_file
from article6.services.commands import Command
from article6.services.context import Registry, execute
from article6.services.journal import log
from article6.store import (
    account_register,
    aef_archive,
    history,
    holdings,
    placement,
    records,
    reports,
)
from article6.store import history_import as store
from article6.store.aef_archive import HeldRange, HoldingsSnapshot, Submission
from article6.store.sections import number_transaction, section

Progress = Callable[[str, int, int], None]
"""Told (step, done, total) as the import writes: the command line draws its bar from it."""
IMPORTED_ACTIVITY = "imported"
"""The mitigation activity of held units when the history's JSON lines name none."""


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
    held_units: int
    transaction: str | None = None


@dataclass(frozen=True)
class HeldPlan:
    """One held range of the last year as the block it becomes."""

    block: UnitBlock
    account: Account


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
        refused.append(Refusal(Check.C7001, "files", "give at least one file"))
    if refused:
        raise CommandRefused(refused)
    return files


def _allow(actor: Actor, on_request_of: str) -> None:
    """C7009: the secretariat, on the Party's request."""
    if actor.role is not Role.SECRETARIAT:
        raise refuse(Check.C7009, "actor", "only the secretariat imports a Party's history")
    if not on_request_of.strip():
        raise refuse(Check.C7009, "on_request_of", "name the Party's request (its reference)")


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
            Refusal(Check.C7008, last.file.name, f"{last.year} has not ended: import ended years")
        )
    first_live = store.first_live_action(connection, party)
    if first_live is not None and aef.year_end(last.year) >= _utc(first_live):
        refused.append(
            Refusal(
                Check.C7008,
                last.file.name,
                f"{party}'s section here acted first on {aef.aef_date(first_live)}, within or"
                f" before the imported period (to {last.year})",
            )
        )
    for one, row, units in held_at_end(years):
        place = one.file.where(row.sheet, row.number)
        found = store.held_here(connection, units.registry, units.first, units.last)
        for held in found:
            check = Check.C7006 if held.party_code == party else Check.C7007
            refused.append(
                Refusal(
                    check,
                    place,
                    f"{units} is already held here by {held.party_code} in account"
                    f" {held.account} (serials {held.serial_first}-{held.serial_last})",
                )
            )
        if not found and store.recorded_before(connection, units.registry, units.first, units.last):
            refused.append(
                Refusal(Check.C7006, place, f"{units} is already recorded in this registry")
            )
    return refused


def _utc(moment: datetime) -> datetime:
    """A stored time in UTC (SQLite gives it back naive)."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment


# The held units as blocks -------------------------------------------------------------------


def _text(row: AEFRow, key: str) -> str | None:
    value = row[key]
    return None if value in ("", NA) else value


def _authorizations(years: list[ImportedYear]) -> dict[tuple[str, str], AEFRow]:
    """Each authorization's latest version in the history's Tables 2, by (ID, approach)."""
    found: dict[tuple[str, str], AEFRow] = {}
    for one in years:
        for row in one.aef.rows(2):
            key = (row["authorization_id"], row["cooperative_approach_id"])
            known = found.get(key)
            if known is None or (integer(row["version"]) or 0) >= (integer(known["version"]) or 0):
                found[key] = row
    return found


def _first_transferred(years: list[ImportedYear], party: str, units: UnitRange) -> bool:
    """Another Party's units came here first transferred; the Party's own are ITMOs once a
    First transfer row of the history covers them."""
    if units.party != party:
        return True
    for one in years:
        for row in one.aef.rows(3):
            other = row.units
            if (
                row.action is ActionType.FIRST_TRANSFER
                and other is not None
                and other.registry == units.registry
                and other.first <= units.first
                and units.last <= other.last
            ):
                return True
    return False


def _per_unit(row: AEFRow, quantity: int) -> str | None:
    amount = _text(row, "non_ghg_quantity")
    if amount is None:
        return None
    try:
        return str((Decimal(amount.replace(",", "")) / quantity).normalize())
    except (InvalidOperation, ZeroDivisionError):
        return None


def _held_plans(
    connection: Connection, party: str, files: list[HistoryFile], years: list[ImportedYear]
) -> tuple[list[HeldPlan], list[Refusal]]:
    """C7010: each held range's attributes and account, from Table 2 and the JSON lines."""
    details: dict[tuple[str, str], HeldDetail] = {
        (d.first_id, d.last_id): d for file in files for d in file.details
    }
    authorizations = _authorizations(years)
    plans: list[HeldPlan] = []
    refused: list[Refusal] = []
    for one, row, units in held_at_end(years):
        place = one.file.where(row.sheet, row.number)
        detail = details.get((row["first_id"], row["last_id"]))
        authorization = authorizations.get((row["authorization_id"], units.approach))
        sectors = (authorization["sectors"] if authorization else "").split(";")
        activities = (authorization["activity_types"] if authorization else "").split(";")
        version = integer(authorization["version"]) if authorization else None
        recorded = (
            None
            if authorization
            else records.authorization(connection, units.party, row["authorization_id"])
        )
        if recorded is not None:  # another Party's authorization, recorded here
            sectors = [str(s.value) for s in recorded.sectors]
            activities = [str(a.value) for a in recorded.activity_types] or [""]
            version = recorded.version
        sector = (detail.sector if detail else None) or sectors[0].strip()
        if not sector or sector == NA:
            refused.append(
                Refusal(
                    Check.C7010,
                    place,
                    f"no sector for {units}: its authorization {row['authorization_id']} is"
                    " neither in the history's Table 2 nor recorded here, and no holding line"
                    " names one",
                )
            )
            continue
        first_transferred = _first_transferred(years, party, units)
        kind = AccountKind.ITMO_HOLDING if first_transferred else AccountKind.AMO_HOLDING
        account = (
            account_register.account(connection, detail.account)
            if detail and detail.account
            else account_register.find_account(connection, party, kind, units.approach)
        )
        if account is None or account.party_code != party or account.kind != kind.value:
            named = detail.account if detail and detail.account else f"{kind.value} account"
            refused.append(
                Refusal(
                    Check.C7010,
                    place,
                    f"{units} needs {party}'s {kind.value} account of {units.approach}:"
                    f" {named} is not one",
                )
            )
            continue
        activity = ((detail.activity_type if detail else None) or activities[0].strip()) or None
        attributes = UnitAttributes(
            cooperative_approach=units.approach,
            registry=units.registry,
            first_transferring_party=units.party,
            vintage=int(units.vintage),
            metric=Metric(row["metric"]),
            mitigation_type=MitigationType(row["mitigation_type"]),
            sector=sector,
            activity_type=None if activity == NA else activity,
            mitigation_activity=(detail.mitigation_activity if detail else None)
            or IMPORTED_ACTIVITY,
            gwp_values=_text(row, "gwp_values"),
            non_ghg_metric=_text(row, "non_ghg_metric"),
            non_ghg_per_unit=_per_unit(row, units.quantity),
            underlying_registry=_text(row, "underlying_registry"),
            authorization_id=_text(row, "authorization_id"),
            authorization_version=version,
        )
        underlying = integer(row["first_unit_id"])
        block = UnitBlock(
            id=0,
            first=units.first,
            last=units.last,
            attributes=attributes,
            state=kind.holds,
            account_id=account.id,
            first_transferred=first_transferred,
            underlying_first=underlying,
        )
        plans.append(HeldPlan(block, account))
    return plans, refused


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


def _held_range(row: AEFRow, units: UnitRange) -> HeldRange:
    return HeldRange(
        origin_registry_id=units.registry,
        serial_first=units.first,
        serial_last=units.last,
        underlying_first=integer(row["first_unit_id"]),
        cooperative_approach_id=units.approach,
        authorization_id=_text(row, "authorization_id"),
        first_transferring_party=units.party,
        vintage=int(units.vintage),
        metric=row["metric"],
        gwp_values=_text(row, "gwp_values"),
        non_ghg_metric=_text(row, "non_ghg_metric"),
        non_ghg_per_unit=_per_unit(row, units.quantity),
        mitigation_type=row["mitigation_type"],
        underlying_registry=_text(row, "underlying_registry"),
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
    held = [_held_range(row, row.units) for row in one.aef.rows(4) if row.units is not None]
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


def _record_holdings(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    command: ImportHistory,
    last: ImportedYear,
    plans: list[HeldPlan],
) -> str | None:
    """The last year's holdings as blocks, moved in by one completed `history_import`
    transaction dated at the end of that year (its original date), journaled."""
    if not plans:
        return None
    party = command.party
    number, row = number_transaction(connection, party)
    identifier = f"{row.registry_id}-{number:08d}"
    at = aef.year_end(last.year)
    quantity = sum(p.block.quantity for p in plans)
    by_account = sorted({p.account.id for p in plans})
    holdings.lock_holdings(connection, by_account)
    transaction_id = history.insert_record(
        connection,
        TransactionRecord(
            identifier=identifier,
            party_code=party,
            kind=TransactionKind.HISTORY_IMPORT.value,
            status=TransactionStatus.COMPLETED.value,
            quantity=quantity,
            initiator=actor.label,
            initiator_user=actor.name,
            created_at=at,
            destination_account_id=plans[0].account.id,
            reason=f"Imported history of {party} to {last.year} on request {command.on_request_of}"
            f" ({last.file.name}, SHA-256 {last.file.sha256})",
            proposed_at=at,
            checked_at=at,
            finished_at=at,
        ),
    )
    moves: list[tuple[UnitBlock, UnitState | None, str | None]] = []
    for plan in plans:
        block = replace(plan.block, id=placement.insert_block(connection, plan.block))
        moves.append((block, None, None))
        store.move_serials_past(connection, block.attributes.registry, block.last)
    holdings.change_holdings(
        connection,
        [
            (account, sum(p.block.quantity for p in plans if p.account.id == account), 0)
            for account in by_account
        ],
    )
    history.record_ranges(connection, transaction_id, moves)
    log(
        connection,
        registry,
        actor,
        "HistoryHoldingsImported",
        party,
        identifier,
        {
            "year": last.year,
            "ranges": len(plans),
            "quantity": quantity,
            "accounts": sorted({p.account.identifier for p in plans}),
            "source": last.file.name,
            "sha256": last.file.sha256,
            "on_request_of": command.on_request_of,
        },
    )
    return identifier


# The command ---------------------------------------------------------------------------------


def _checked(
    connection: Connection,
    registry: Registry,
    party: str,
    files: list[HistoryFile],
) -> tuple[list[ImportedYear], list[HeldPlan]]:
    if section(connection, party) is None:
        raise refuse(Check.C7003, "party", f"{party} has no Party section in this registry")
    refused = history_refusals(files, party, store.reported_years(connection, party))
    earlier = store.imported_before(connection, party)
    if earlier is not None:
        refused.append(
            Refusal(
                Check.C7004,
                "party",
                f"{party}'s history is already imported (transaction {earlier}): an import is"
                " done once, whole",
            )
        )
    if refused:
        raise CommandRefused(refused)
    years = years_of(files)
    refused = _registry_refusals(connection, registry, party, years)
    plans, missing = _held_plans(connection, party, files, years)
    if refused or missing:
        raise CommandRefused([*refused, *missing])
    return years, plans


def _view(
    command: ImportHistory,
    years: list[ImportedYear],
    plans: list[HeldPlan],
    recorded: bool,
    transaction: str | None = None,
) -> HistoryView:
    return HistoryView(
        party=command.party,
        on_request_of=command.on_request_of,
        recorded=recorded,
        years=[_year_view(one) for one in years],
        held_ranges=len(plans),
        held_units=sum(p.block.quantity for p in plans),
        transaction=transaction,
    )


def import_history(
    registry: Registry,
    actor: Actor,
    party: str,
    paths: list[Path],
    on_request_of: str,
    dry_run: bool = False,
    progress: Progress = _noop,
) -> HistoryView:
    """Check the whole history, then (unless `dry_run`) record it all in one transaction."""
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
    if dry_run:
        with reports.reading(registry.engine) as connection:
            years, plans = _checked(connection, registry, party, files)
        return _view(command, years, plans, recorded=False)

    def handle(connection: Connection, registry: Registry, actor: Actor) -> HistoryView:
        years, plans = _checked(connection, registry, party, files)
        total = len(years) + 1
        for done, one in enumerate(years):
            progress(f"recording {one.year}", done, total)
            _record_year(connection, registry, actor, party, one)
        progress("recording holdings", len(years), total)
        identifier = _record_holdings(connection, registry, actor, command, years[-1], plans)
        progress("committing", total, total)
        return _view(command, years, plans, recorded=True, transaction=identifier)

    return execute(registry, actor, command, handle, HistoryView)
