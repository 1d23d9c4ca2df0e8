"""Report services: the frozen year-end holdings snapshot, AEF drafts and submitted versions,
account statements, use and cancellation certificates, and the public report of a Party.

Access goes through `permits` like every other service. The AEF is the Party's: its
administrators, users and auditors (and the secretariat) read it, an entity's representative
does not; only administrators submit it. The public report needs no actor at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Connection, Row
from sqlalchemy.exc import IntegrityError

from article6.domain.access import Actor, Permission
from article6.domain.checks import Check, refuse
from article6.domain.identifiers import block_identifier
from article6.domain.nomenclature import ActionType
from article6.reports import aef
from article6.reports.aef_spec import TABLE, TABLES
from article6.reports.aef_writers import Format, write
from article6.services.commands import Command
from article6.services.context import Registry, execute
from article6.services.setup import allow, log
from article6.services.views import UtcDateTime
from article6.store import reports as store

SNAPSHOT_BATCH = 1000
STATEMENT_LIMIT = 100_000


class TakeHoldingsSnapshot(Command):
    party: str = Field(max_length=3)
    year: int


class SubmitAEF(Command):
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


def _reader(actor: Actor, party: str) -> None:
    allow(actor, Permission.READ, party)
    if actor.entity is not None:
        raise refuse(Check.C4002, "actor", "the AEF is the Party's; entities do not read it")


def _party(connection: Connection, code: str) -> Row[Any]:
    row = store.party(connection, code)
    if row is None:
        raise refuse(Check.C1001, "party", f"{code} is not a Party of this registry")
    return row


def _ended(registry: Registry, year: int) -> bool:
    return registry.now() > aef.year_end(year)


def _require_ended(registry: Registry, year: int) -> None:
    if not _ended(registry, year):
        raise refuse(
            Check.C1009,
            "year",
            f"{year} has not ended; its holdings are frozen after 31/12/{year} 23:59:59 UTC",
        )


# Holdings snapshot ------------------------------------------------------------------------


def _snapshot_view(row: Row[Any]) -> SnapshotView:
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
) -> Row[Any]:
    """The stored snapshot, or take it now: the ITMO holdings of the Party's accounts at the end
    of `year`, reconstructed from the moved ranges, so it is exact whenever it is taken."""
    existing = store.snapshot(connection, party, year)
    if existing is not None:
        return existing
    _require_ended(registry, year)
    as_of = aef.year_end(year)
    digest = hashlib.sha256()
    count = quantity = 0
    batch: list[dict[str, Any]] = []
    accounts = store.party_account_ids(connection, party)
    for row in aef.holdings_at(
        store.moves_touching(connection, party, as_of, aef.MOVE_COLUMNS), accounts
    ):
        row.update(party_code=party, year=year)
        digest.update((json.dumps(row, sort_keys=True, default=str) + "\n").encode())
        count += 1
        quantity += row["serial_last"] - row["serial_first"] + 1
        batch.append(row)
        if len(batch) >= SNAPSHOT_BATCH:
            store.insert_snapshot_rows(connection, batch)
            batch = []
    store.insert_snapshot_rows(connection, batch)
    store.insert_snapshot(
        connection,
        party_code=party,
        year=year,
        as_of=as_of,
        taken_at=registry.now(),
        taken_by=actor.label,
        row_count=count,
        quantity=quantity,
        digest=digest.hexdigest(),
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
    taken = store.snapshot(connection, party, year)
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
    _reader(actor, command.party)

    def handle(connection: Connection, registry: Registry, actor: Actor) -> SnapshotView:
        _party(connection, command.party)
        return _snapshot_view(
            freeze_snapshot(connection, registry, actor, command.party, command.year)
        )

    try:
        return execute(registry, actor, command, handle, SnapshotView, idempotency_key)
    except IntegrityError:  # another request froze it first: that one is the snapshot
        with store.reading(registry.engine) as connection:
            row = store.snapshot(connection, command.party, command.year)
        if row is None:
            raise
        return _snapshot_view(row)


# AEF --------------------------------------------------------------------------------------


def _next_version(existing: list[Row[Any]]) -> tuple[int, int]:
    if not existing:
        return 1, 0
    last = existing[-1]
    return last.major, last.minor + 1


def _document(
    connection: Connection,
    party: Row[Any],
    year: int,
    version: str,
    submitted: date,
    snapshot_rows: Any,
) -> aef.AEFDocument:
    """The five tables as generators over `connection` (valid while it is open)."""
    registry_id = party.registry_id or ""
    end = aef.year_end(year)
    return aef.AEFDocument(
        party.code,
        year,
        version,
        [
            aef.AEFTable(TABLE[1], [aef.submission_row(party, year, version, submitted)]),
            aef.AEFTable(
                TABLE[2],
                aef.authorization_rows(store.authorization_versions(connection, party.code, end)),
            ),
            aef.AEFTable(
                TABLE[3],
                aef.action_rows(
                    store.action_ranges(
                        connection,
                        party.code,
                        aef.year_start(year),
                        aef.year_start(year + 1),
                        aef.ACTION_RANGE_COLUMNS,
                    ),
                    party.code,
                    registry_id,
                ),
            ),
            aef.AEFTable(TABLE[4], aef.holding_rows(snapshot_rows, registry_id)),
            aef.AEFTable(
                TABLE[5],
                aef.entity_rows(store.entity_records(connection, party.code, end.date()), end),
            ),
        ],
    )


def _provisional(connection: Connection, party: str, moment: datetime) -> Iterator[Any]:
    accounts = store.party_account_ids(connection, party)
    for row in aef.holdings_at(
        store.moves_touching(connection, party, moment, aef.MOVE_COLUMNS), accounts
    ):
        yield SimpleNamespace(**row)


@contextmanager
def open_aef(
    registry: Registry, actor: Actor, party: str, year: int, version: str | None = None
) -> Iterator[aef.AEFDocument]:
    """The AEF of a Party and year, to be consumed inside the `with` block: a submitted version
    as stored, or (no version) a draft from the ledger now, numbered as the next version. A
    draft of a finished year freezes the year-end snapshot first; a draft of the current year
    shows the holdings at this moment (provisional, not stored)."""
    _reader(actor, party)
    if version is None and _ended(registry, year):
        take_holdings_snapshot(registry, actor, TakeHoldingsSnapshot(party=party, year=year))
    with store.reading(registry.engine) as connection:
        row = _party(connection, party)
        existing = store.submissions(connection, party, year)
        if version is not None:
            stored = next((s for s in existing if s.version == version), None)
            if stored is None:
                raise refuse(
                    Check.C1012, "version", f"{party} has no AEF version {version} for {year}"
                )
            key = (party, year, version)
            yield aef.AEFDocument(
                party,
                year,
                version,
                [
                    aef.AEFTable(
                        spec,
                        (tuple(c) for c in store.submission_rows(connection, key, spec.number)),
                    )
                    for spec in TABLES
                ],
            )
            return
        major, minor = _next_version(existing)
        holdings: Any = (
            store.snapshot_rows(connection, party, year)
            if _ended(registry, year)
            else _provisional(connection, party, min(registry.now(), aef.year_end(year)))
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
    with open_aef(registry, actor, party, year, version) as document:
        counts = write(document, format, output)
    return ExportView(
        party=party,
        year=year,
        version=document.version,
        draft=version is None,
        format=format.value,
        output=str(output),
        row_counts={str(k): v for k, v in counts.items()},
    )


def _submission_view(row: Row[Any], current: bool) -> SubmissionView:
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
        party = _party(connection, command.party)
        _require_ended(registry, command.year)
        freeze_snapshot(connection, registry, actor, command.party, command.year)
        major, minor = _next_version(store.submissions(connection, command.party, command.year))
        version = f"{major}.{minor}"
        today = registry.now().date()
        document = _document(
            connection,
            party,
            command.year,
            version,
            today,
            store.snapshot_rows(connection, command.party, command.year),
        )
        key = (command.party, command.year, version)
        digest = hashlib.sha256()
        counts: dict[str, int] = {}
        for table in document.tables:
            number = table.spec.number
            batch: list[tuple[int, str]] = []
            count = 0
            for count, cells in enumerate(table.rows, start=1):
                encoded = json.dumps(list(cells), ensure_ascii=False)
                digest.update(f"{number}\t{encoded}\n".encode())
                batch.append((count, encoded))
                if len(batch) >= SNAPSHOT_BATCH:
                    store.insert_submission_rows(connection, key, number, batch)
                    batch = []
            store.insert_submission_rows(connection, key, number, batch)
            counts[str(number)] = count
        now = registry.now()
        store.insert_submission(
            connection,
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
        rows = store.submissions(connection, command.party, command.year)
        return _submission_view(rows[-1], current=True)

    return execute(registry, actor, command, handle, SubmissionView, idempotency_key)


def aef_submissions(
    registry: Registry, actor: Actor, party: str, year: int
) -> list[SubmissionView]:
    """The submitted versions, oldest first; only the newest is current."""
    _reader(actor, party)
    with store.reading(registry.engine) as connection:
        rows = store.submissions(connection, party, year)
    return [_submission_view(r, current=i == len(rows) - 1) for i, r in enumerate(rows)]


# Account statement ------------------------------------------------------------------------


class StatementLine(BaseModel):
    date: UtcDateTime
    transaction: str
    kind: str
    counterpart: str | None
    quantity_in: int
    quantity_out: int
    balance: int
    units: list[str]


class Statement(BaseModel):
    account: str
    name: str
    party: str
    holder: str
    entity_name: str | None
    kind: str
    start: date
    end: date
    opening: int
    closing: int
    total_in: int
    total_out: int
    lines: list[StatementLine]
    generated_at: UtcDateTime


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def account_statement(
    registry: Registry, actor: Actor, account: str, start: date, end: date
) -> Statement:
    """Holdings at the start and end of [start, end] (whole UTC days) and every completed
    movement in between, from the moved ranges."""
    if end < start:
        raise refuse(Check.C1009, "end", "the period ends before it starts")
    with store.reading(registry.engine) as connection:
        row = store.account(connection, account)
        if row is None:
            raise refuse(Check.C1012, "account", f"{account} is not an account")
        allow(actor, Permission.READ, row.party_code)
        if actor.entity is not None and row.holder != actor.entity:
            raise refuse(Check.C4002, "account", "an entity sees only its own accounts")
        before = _day_start(start) - timedelta(microseconds=1)
        until = _day_start(end + timedelta(days=1)) - timedelta(microseconds=1)
        opening = store.balance_at(connection, row.id, before)
        lines: list[StatementLine] = []
        balance = opening
        for moved in store.account_movements(connection, row.id, before, until):
            size = moved.serial_last - moved.serial_first + 1
            incoming = moved.destination_account_id == row.id
            unit = block_identifier(
                moved.cooperative_approach_id,
                moved.registry_id,
                moved.first_transferring_party,
                moved.serial_first,
                moved.serial_last,
                moved.vintage,
            )
            if not lines or lines[-1].transaction != moved.transaction:
                if len(lines) >= STATEMENT_LIMIT:
                    raise refuse(
                        Check.C1009, "end", "the period has too many movements; shorten it"
                    )
                counterpart = moved.source_account if incoming else moved.destination_account
                lines.append(
                    StatementLine(
                        date=moved.finished_at,
                        transaction=moved.transaction,
                        kind=(
                            moved.cancellation_purpose
                            and f"{moved.kind} ({moved.cancellation_purpose})"
                        )
                        or moved.kind,
                        counterpart=counterpart,
                        quantity_in=0,
                        quantity_out=0,
                        balance=balance,
                        units=[],
                    )
                )
            line = lines[-1]
            if incoming:
                line.quantity_in += size
                balance += size
            else:
                line.quantity_out += size
                balance -= size
            line.balance = balance
            line.units.append(unit)
        closing = store.balance_at(connection, row.id, until)
    return Statement(
        account=row.identifier,
        name=row.name,
        party=row.party_code,
        holder=row.holder,
        entity_name=row.entity_name,
        kind=row.kind,
        start=start,
        end=end,
        opening=opening,
        closing=closing,
        total_in=sum(line.quantity_in for line in lines),
        total_out=sum(line.quantity_out for line in lines),
        lines=lines,
        generated_at=registry.now(),
    )


# Certificate ------------------------------------------------------------------------------


class Certificate(BaseModel):
    transaction: str
    kind: str
    action: str
    party: str
    party_name: str
    by: str
    entity: str | None
    entity_name: str | None
    purpose: str
    ndc_year: int | None
    cancellation_purpose: str | None
    date: UtcDateTime
    quantity: int
    units: list[str]
    first_transfer: bool
    initiator: str
    approver: str | None
    issued_at: UtcDateTime


CERTIFIED_KINDS = ("use", "cancellation")


def certificate(registry: Registry, actor: Actor, transaction: str) -> Certificate:
    """The certificate of a completed use or cancellation: who, which units, for what, when."""
    with store.reading(registry.engine) as connection:
        row = store.transaction(connection, transaction)
        if row is None:
            raise refuse(Check.C1012, "transaction", f"{transaction} is not a transaction")
        allow(actor, Permission.READ, row.party_code)
        if actor.entity is not None and row.using_entity != actor.entity:
            raise refuse(Check.C4002, "transaction", "an entity sees only its own certificates")
        if row.kind not in CERTIFIED_KINDS or row.status != "completed":
            raise refuse(
                Check.C4007,
                "transaction",
                f"{transaction} is a {row.status} {row.kind}; certificates are for completed "
                "uses and cancellations",
            )
        party = _party(connection, row.party_code)
        ranges = store.transaction_ranges(connection, row.id)
    action, subtype = (
        (ActionType.USE, None)
        if row.kind == "use"
        else aef.CANCELLATION_ACTION[row.cancellation_purpose]
    )
    if row.kind == "use":
        purpose = f"Use towards the NDC of {row.party_code} for {row.ndc_year}"
    else:
        purpose = {
            "IMP": "Use for other international mitigation purposes",
            "OP": "Cancellation for other purposes",
            "OMGE": "Voluntary cancellation to deliver OMGE",
            "voluntary": "Voluntary cancellation",
        }[row.cancellation_purpose]
        if row.purpose:
            purpose += f": {row.purpose}"
    return Certificate(
        transaction=row.identifier,
        kind=row.kind,
        action=action.value + (f" ({subtype})" if subtype else ""),
        party=row.party_code,
        party_name=party.name,
        by=row.using_entity_name or party.name,
        entity=row.using_entity,
        entity_name=row.using_entity_name,
        purpose=purpose,
        ndc_year=row.ndc_year,
        cancellation_purpose=row.cancellation_purpose,
        date=row.finished_at,
        quantity=row.quantity,
        units=[
            block_identifier(
                r.cooperative_approach_id,
                r.registry_id,
                r.first_transferring_party,
                r.serial_first,
                r.serial_last,
                r.vintage,
            )
            for r in ranges
        ],
        first_transfer=row.first_transfer,
        initiator=row.initiator,
        approver=row.approver,
        issued_at=registry.now(),
    )


# Public report ----------------------------------------------------------------------------


class PublicAuthorization(BaseModel):
    authorization_id: str
    version: int
    date_of_authorization: date
    cooperative_approach: str
    purposes: str
    authorized_quantity: int | None
    oimp_authorized: str | None
    first_transfer_definition: str | None
    authorized_parties: list[str]
    timeframe: str | None
    revoked: bool


class PublicFirstTransfer(BaseModel):
    transaction: str
    date: UtcDateTime
    cooperative_approach: str
    authorization_id: str | None
    vintage: int
    subtype: str
    acquiring_party: str | None
    quantity: int


class PublicHolding(BaseModel):
    cooperative_approach: str
    vintage: int
    held: int = 0
    used: int = 0
    cancelled: int = 0


class PublicReport(BaseModel):
    party: str
    name: str
    generated_at: UtcDateTime
    authorizations: list[PublicAuthorization]
    first_transfers: list[PublicFirstTransfer]
    holdings: list[PublicHolding]


def public_report(registry: Registry, party: str) -> PublicReport:
    """What anyone may read about a Party, without signing in: its authorizations, its first
    transfers and its ITMO totals per cooperative approach and vintage. No accounts, no
    entities, nothing an entity holds."""
    with store.reading(registry.engine) as connection:
        row = _party(connection, party)
        authorizations = [
            PublicAuthorization(
                authorization_id=a.authorization_id,
                version=a.version,
                date_of_authorization=a.date_of_authorization,
                cooperative_approach=a.cooperative_approach_id,
                purposes=a.purposes,
                authorized_quantity=a.authorized_quantity,
                oimp_authorized=a.oimp_authorized,
                first_transfer_definition=a.first_transfer_definition,
                authorized_parties=list(a.authorized_parties),
                timeframe=f"{a.timeframe_first} - {a.timeframe_last}"
                if a.timeframe_first is not None
                else None,
                revoked=a.revoked,
            )
            for a in store.current_authorizations(connection, party)
        ]
        first_transfers = [
            PublicFirstTransfer(
                transaction=f.identifier,
                date=f.finished_at,
                cooperative_approach=f.cooperative_approach_id,
                authorization_id=f.authorization_id,
                vintage=f.vintage,
                subtype=f.first_transfer_subtype,
                acquiring_party=f.acquiring_party,
                quantity=int(f.quantity),
            )
            for f in store.first_transfer_summary(connection, party)
        ]
        totals: dict[tuple[str, int], PublicHolding] = {}
        for h in store.holdings_totals(connection, party):
            column = {"ITMO": "held", "used": "used", "cancelled": "cancelled"}.get(h.state)
            if column is None:
                continue
            key = (h.cooperative_approach_id, h.vintage)
            entry = totals.setdefault(
                key, PublicHolding(cooperative_approach=key[0], vintage=key[1])
            )
            setattr(entry, column, getattr(entry, column) + int(h.quantity))
    return PublicReport(
        party=party,
        name=row.name,
        generated_at=registry.now(),
        authorizations=authorizations,
        first_transfers=first_transfers,
        holdings=[totals[k] for k in sorted(totals)],
    )
