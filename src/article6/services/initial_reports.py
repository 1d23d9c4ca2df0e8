"""Initial reports and their updates, per cooperative approach (`domain.initial_reports`): the
Party's administrators record them, everyone who reads the section sees them; each is
journaled, and AEF Table 1 field 9 and the first-transfer advice (C3010) read them."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field
from sqlalchemy import Connection

from article6.domain.access import Actor, Permission
from article6.domain.checks import CommandRefused
from article6.domain.initial_reports import (
    FirstTransferWithoutReport,
    InitialReport,
    ReportKind,
    first_transfer_advice,
    report_refusals,
)
from article6.services.access import allow
from article6.services.commands import Command
from article6.services.context import Registry, execute
from article6.services.journal import log
from article6.services.views import UtcDateTime
from article6.settings import Settings
from article6.store import initial_reports as store
from article6.store import records, reports


class RecordInitialReport(Command):
    party: str = Field(max_length=3)
    cooperative_approach: str = Field(max_length=6)
    kind: ReportKind = ReportKind.INITIAL
    report_date: date
    review_reference: str = Field(max_length=500)


class InitialReportView(BaseModel):
    party: str
    cooperative_approach: str
    kind: ReportKind
    report_date: date
    review_reference: str
    recorded_at: UtcDateTime
    recorded_by: str


def _view(report: InitialReport) -> InitialReportView:
    return InitialReportView(
        party=report.party_code,
        cooperative_approach=report.cooperative_approach_id,
        kind=report.kind,
        report_date=report.report_date,
        review_reference=report.review_reference,
        recorded_at=report.recorded_at,
        recorded_by=report.recorded_by,
    )


def record_initial_report(
    registry: Registry,
    actor: Actor,
    command: RecordInitialReport,
    idempotency_key: str | None = None,
) -> InitialReportView:
    """Record the Party's initial report of an approach, or an update (C3011)."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> InitialReportView:
        allow(actor, Permission.ADMINISTER, command.party)
        approach = command.cooperative_approach
        participates = command.party in records.participants(connection, approach)
        earlier = store.reports_of(connection, command.party, approach)
        now = registry.now()
        refused = report_refusals(
            command.kind,
            command.report_date,
            command.review_reference,
            now.date(),
            participates,
            earlier,
        )
        if refused:
            raise CommandRefused(refused)
        report = InitialReport(
            party_code=command.party,
            cooperative_approach_id=approach,
            kind=command.kind,
            report_date=command.report_date,
            review_reference=command.review_reference.strip(),
            recorded_at=now,
            recorded_by=actor.label,
        )
        store.insert(connection, report)
        log(
            connection,
            registry,
            actor,
            "InitialReportRecorded",
            command.party,
            f"initial-report-{command.party}-{approach}",
            {
                "cooperative_approach": approach,
                "kind": command.kind.value,
                "report_date": command.report_date.isoformat(),
                "review_reference": report.review_reference,
            },
        )
        return _view(report)

    return execute(registry, actor, command, handle, InitialReportView, idempotency_key)


def initial_reports_of(registry: Registry, actor: Actor, party: str) -> list[InitialReportView]:
    """The Party's initial reports and updates, oldest first."""
    allow(actor, Permission.READ, party)
    with reports.reading(registry.engine) as connection:
        return [_view(r) for r in store.reports_of(connection, party)]


def first_transfer_warnings(connection: Connection, party: str, approaches: set[str]) -> list[str]:
    """C3010 before a first transfer by `party`: the warnings to give, or a refusal raised when
    the registry is set to refuse (read only when an approach lacks its initial report)."""
    reported = store.reported_approaches(connection, party, approaches)
    if reported >= approaches:
        return []
    setting = FirstTransferWithoutReport(Settings().first_transfer_without_initial_report)
    refusal, warnings = first_transfer_advice(party, approaches, reported, setting)
    if refusal is not None:
        raise CommandRefused([refusal])
    return warnings
