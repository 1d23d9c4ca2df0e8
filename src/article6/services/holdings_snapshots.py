"""The frozen year-end holdings snapshot of a Party: what AEF Table 4 reports for a finished
year, taken once after 31/12 23:59:59 UTC and never changed afterwards.
"""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel, Field
from sqlalchemy import Connection

from article6.domain.access import Actor
from article6.domain.checks import Check, refuse
from article6.domain.wording import words
from article6.reports import aef, aef_holdings
from article6.services.commands import Command
from article6.services.context import Registry, execute
from article6.services.journal import log
from article6.services.report_access import allow_aef_reader, reporting_party
from article6.services.views import UtcDateTime
from article6.store import aef_archive, reports
from article6.store.aef_archive import HeldRange, HoldingsSnapshot
from article6.store.database import ConstraintViolation

SNAPSHOT_BATCH = 1000


class TakeHoldingsSnapshot(Command):
    party: str = Field(max_length=3)
    year: int


class SnapshotView(BaseModel):
    party: str
    year: int
    as_of: UtcDateTime
    taken_at: UtcDateTime | None
    taken_by: str | None
    rows: int
    quantity: int
    digest: str | None
    frozen: bool


def year_ended(registry: Registry, year: int) -> bool:
    """Whether the year is over, so its holdings can be frozen and its AEF submitted."""
    return registry.now() > aef.year_end(year)


def require_year_ended(registry: Registry, year: int) -> None:
    """Refuse to freeze or submit a year that has not ended (C1009)."""
    if not year_ended(registry, year):
        raise refuse(
            Check.C1009,
            "year",
            words(
                "{year} has not ended; its holdings are frozen after 31/12/{year} 23:59:59 UTC",
                year=year,
            ),
        )


def _snapshot_view(row: HoldingsSnapshot) -> SnapshotView:
    return SnapshotView(
        party=row.party_code,
        year=row.year,
        as_of=row.as_of,
        taken_at=row.taken_at,
        taken_by=row.taken_by,
        rows=row.row_count,
        quantity=row.quantity,
        digest=row.digest,
        frozen=True,
    )


def freeze_snapshot(
    connection: Connection, registry: Registry, actor: Actor, party: str, year: int
) -> HoldingsSnapshot:
    """The stored snapshot, or take it now: the ITMO holdings of the Party's accounts at the end
    of `year`, reconstructed from the moved ranges, so it is exact whenever it is taken."""
    existing = aef_archive.snapshot(connection, party, year)
    if existing is not None:
        return existing
    require_year_ended(registry, year)
    as_of = aef.year_end(year)
    digest = hashlib.sha256()
    count = quantity = 0
    batch: list[HeldRange] = []
    accounts = reports.party_account_ids(connection, party)
    for held in aef_holdings.holdings_at(
        reports.moves_touching(connection, party, as_of, aef_holdings.MOVE_COLUMNS), accounts
    ):
        stored = aef_archive.snapshot_row(party, year, held)
        digest.update((json.dumps(stored, sort_keys=True, default=str) + "\n").encode())
        count += 1
        quantity += held.serial_last - held.serial_first + 1
        batch.append(held)
        if len(batch) >= SNAPSHOT_BATCH:
            aef_archive.insert_snapshot_rows(connection, party, year, batch)
            batch = []
    aef_archive.insert_snapshot_rows(connection, party, year, batch)
    aef_archive.insert_snapshot(
        connection,
        HoldingsSnapshot(
            party_code=party,
            year=year,
            as_of=as_of,
            taken_at=registry.now(),
            taken_by=actor.label,
            row_count=count,
            quantity=quantity,
            digest=digest.hexdigest(),
        ),
    )
    log(
        connection,
        registry,
        actor,
        "HoldingsSnapshotTaken",
        party,
        f"holdings-{party}-{year}",
        {"year": year, "rows": count, "quantity": quantity, "digest": digest.hexdigest()},
    )
    taken = aef_archive.snapshot(connection, party, year)
    assert taken is not None
    return taken


def take_holdings_snapshot(
    registry: Registry,
    actor: Actor,
    command: TakeHoldingsSnapshot,
    idempotency_key: str | None = None,
) -> SnapshotView:
    """Freeze the year-end holdings of a Party (taken once; later calls return it unchanged).
    Any reader of the Party may trigger it: its content does not depend on who or when."""
    allow_aef_reader(actor, command.party)

    def handle(connection: Connection, registry: Registry, actor: Actor) -> SnapshotView:
        reporting_party(connection, command.party)
        return _snapshot_view(
            freeze_snapshot(connection, registry, actor, command.party, command.year)
        )

    try:
        return execute(registry, actor, command, handle, SnapshotView, idempotency_key)
    except ConstraintViolation:  # another request froze it first: that one is the snapshot
        with reports.reading(registry.engine) as connection:
            row = aef_archive.snapshot(connection, command.party, command.year)
        if row is None:
            raise
        return _snapshot_view(row)
