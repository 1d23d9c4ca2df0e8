"""The initial reports page: the section's readers see its initial reports and updates per
cooperative approach; its administrators record them in two steps, as elsewhere (the first
rehearses the command and shows what will be recorded, the second, with an idempotency key,
records it)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from article6.domain.checks import CommandRefused, Refusal
from article6.domain.initial_reports import ReportKind
from article6.http.problems import status_of
from article6.http.security import Registry_
from article6.services import initial_reports
from article6.services.context import Registry
from article6.services.preview import rehearsal
from article6.web.forms import Fields, build, fields_of
from article6.web.rendering import render
from article6.web.session import Looking, Viewer

router = APIRouter(include_in_schema=False)
Form = Annotated[Fields, Depends(fields_of)]


def reports_page(
    request: Request,
    viewer: Viewer,
    registry: Registry,
    values: dict[str, Any] | None = None,
    refusals: list[Refusal] | None = None,
    done: bool = False,
    rehearsed: initial_reports.InitialReportView | None = None,
) -> Response:
    refusals = refusals or []
    return render(
        request,
        "initial_reports.html",
        status_code=status_of(refusals) if refusals else 200,
        viewer=viewer,
        active="authorizations",
        reports=initial_reports.initial_reports_of(registry, viewer.actor, viewer.party),
        may_record=viewer.may("administer"),
        kinds=[k.value for k in ReportKind],
        values=values or {},
        refusals=refusals,
        done=done,
        rehearsed=rehearsed,
        idempotency_key=str(uuid.uuid4()),
    )


@router.get("/initial-reports", response_class=HTMLResponse)
def reports(request: Request, viewer: Looking, registry: Registry_) -> Response:
    done = request.query_params.get("done") == "1"
    return reports_page(request, viewer, registry, done=done)


@router.post("/initial-reports", response_class=HTMLResponse)
def record(request: Request, viewer: Looking, registry: Registry_, form: Form) -> Response:
    """Step one rehearses the record and shows it; `step=confirm` records it."""
    try:
        command = build(
            initial_reports.RecordInitialReport,
            {
                "party": viewer.party,
                "cooperative_approach": form.text("cooperative_approach") or "",
                "kind": form.text("kind") or ReportKind.INITIAL.value,
                "report_date": form.text("report_date") or "",
                "review_reference": form.text("review_reference") or "",
            },
        )
        if form.get("step") == "confirm":
            key = (form.text("idempotency_key") or "")[:200] or None
            initial_reports.record_initial_report(registry, viewer.actor, command, key)
            return RedirectResponse("/initial-reports?done=1", status_code=303)
        with rehearsal(registry) as rehearsed:
            shown = initial_reports.record_initial_report(rehearsed, viewer.actor, command)
    except CommandRefused as refused:
        return reports_page(request, viewer, registry, form.kept(), refused.refusals)
    return reports_page(request, viewer, registry, form.kept(), rehearsed=shown)
