"""Initial reports over HTTP: the Party's administrators record its initial report of a
cooperative approach and its updates; the section's readers list them."""

from __future__ import annotations

from datetime import date

from fastapi import APIRouter
from pydantic import Field

from article6.api.routes_setup import IdempotencyKey
from article6.domain.initial_reports import ReportKind
from article6.http.security import InSection, PartyCode, Registry_
from article6.services import initial_reports
from article6.services.commands import Command

router = APIRouter(prefix="/api/v1", tags=["initial reports"])


class InitialReportBody(Command):
    cooperative_approach: str = Field(max_length=6)
    kind: ReportKind = ReportKind.INITIAL
    report_date: date
    review_reference: str = Field(max_length=500)


@router.post("/parties/{party}/initial-reports", status_code=201)
def record_initial_report(
    party: PartyCode,
    body: InitialReportBody,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> initial_reports.InitialReportView:
    """Record the Party's initial report of a cooperative approach, or an update (C3011)."""
    command = initial_reports.RecordInitialReport(party=party, **body.model_dump())
    return initial_reports.record_initial_report(registry, actor, command, key)


@router.get("/parties/{party}/initial-reports")
def list_initial_reports(
    party: PartyCode, actor: InSection, registry: Registry_
) -> list[initial_reports.InitialReportView]:
    """The Party's initial reports and updates, oldest first."""
    return initial_reports.initial_reports_of(registry, actor, party)
