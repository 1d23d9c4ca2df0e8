"""The unit marks page: every reader sees the marks it may see (`services.unit_marks`); the
secretariat marks the units an inconsistency names and lifts marks.

Marking and lifting are POSTs in two steps, as elsewhere: the first rehearses the command (every
check runs, nothing is kept) and shows what will happen; the second, with an idempotency key so
a double submission acts once, does it.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from article6.domain.access import Role
from article6.domain.checks import CommandRefused, Refusal
from article6.domain.unit_marks import CONSISTENCY_CODES, MarkSource
from article6.http.problems import status_of
from article6.http.security import Registry_
from article6.services import unit_marks
from article6.services.context import Registry
from article6.services.preview import rehearsal
from article6.web.forms import Fields, build, fields_of
from article6.web.rendering import render
from article6.web.session import Looking, Viewer

router = APIRouter(include_in_schema=False)
Form = Annotated[Fields, Depends(fields_of)]
CODES = sorted(CONSISTENCY_CODES, key=lambda code: (code.rstrip("0123456789"), code))


def marks_page(
    request: Request,
    viewer: Viewer,
    registry: Registry,
    values: dict[str, Any] | None = None,
    refusals: list[Refusal] | None = None,
    done: str | None = None,
) -> Response:
    refusals = refusals or []
    return render(
        request,
        "marks.html",
        status_code=status_of(refusals) if refusals else 200,
        viewer=viewer,
        active="marks",
        marks=unit_marks.list_marks(registry, viewer.actor, limit=unit_marks.PAGE_LIMIT),
        secretariat=viewer.actor.role is Role.SECRETARIAT,
        codes=CODES,
        sources=[s.value for s in MarkSource],
        values=values or {},
        refusals=refusals,
        done=done,
    )


@router.get("/marks", response_class=HTMLResponse)
def marks(request: Request, viewer: Looking, registry: Registry_) -> Response:
    done = request.query_params.get("done", "")[:20]
    return marks_page(request, viewer, registry, done=done if done.isdecimal() else None)


@router.post("/marks", response_class=HTMLResponse)
def mark_units(request: Request, viewer: Looking, registry: Registry_, form: Form) -> Response:
    """Step one rehearses the mark and shows it; `step=confirm` records it."""
    try:
        command = build(
            unit_marks.MarkUnits,
            {
                "registry_id": form.text("registry_id") or "",
                "serial_first": form.number("serial_first"),
                "serial_last": form.number("serial_last"),
                "inconsistency_code": form.text("inconsistency_code") or "",
                "reason": form.text("reason") or "",
                "source": form.text("source") or MarkSource.CHECK.value,
            },
        )
        if form.get("step") == "confirm":
            key = (form.text("idempotency_key") or "")[:200] or None
            mark = unit_marks.mark_units(registry, viewer.actor, command, key)
            return RedirectResponse(f"/marks?done={mark.id}", status_code=303)
        with rehearsal(registry) as rehearsed:
            rehearsed_mark = unit_marks.mark_units(rehearsed, viewer.actor, command)
    except CommandRefused as refused:
        return marks_page(request, viewer, registry, form.kept(), refused.refusals)
    return render(
        request,
        "mark_action.html",
        viewer=viewer,
        active="marks",
        lifting=False,
        mark=rehearsed_mark,
        values=form.kept(),
        idempotency_key=str(uuid.uuid4()),
    )


@router.post("/marks/{mark}/lift", response_class=HTMLResponse)
def lift_mark(
    request: Request, mark: int, viewer: Looking, registry: Registry_, form: Form
) -> Response:
    """Step one rehearses the lift and shows the mark; `step=confirm` lifts it."""
    try:
        command = build(unit_marks.LiftMark, {"mark": mark, "reason": form.text("reason") or ""})
        if form.get("step") == "confirm":
            key = (form.text("idempotency_key") or "")[:200] or None
            unit_marks.lift_mark(registry, viewer.actor, command, key)
            return RedirectResponse(f"/marks?done={mark}", status_code=303)
        with rehearsal(registry) as rehearsed:
            lifted = unit_marks.lift_mark(rehearsed, viewer.actor, command)
    except CommandRefused as refused:
        return marks_page(request, viewer, registry, form.kept(), refused.refusals)
    return render(
        request,
        "mark_action.html",
        viewer=viewer,
        active="marks",
        lifting=True,
        mark=lifted,
        values={"reason": command.reason},
        idempotency_key=str(uuid.uuid4()),
    )
