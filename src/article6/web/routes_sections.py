"""The secretariat suspends, reopens or closes a Party's section on a page (the API's
`POST /api/v1/parties/{party}/section-status`): a form with the reason, then a confirm step
that says what happens to the section's holdings before anything changes
(`services.section_status` decides and journals)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from article6.domain.checks import CommandRefused, Refusal
from article6.domain.wording import words
from article6.http.problems import status_of
from article6.http.security import PartyCode, Registry_
from article6.services import section_status
from article6.services.context import Registry
from article6.services.section_status import SectionStatusChange
from article6.web.forms import Fields, build, errors_by_field, fields_of
from article6.web.rendering import render
from article6.web.session import Looking, Viewer

router = APIRouter(include_in_schema=False)
Form = Annotated[Fields, Depends(fields_of)]
CHOICES = [
    ("suspended", words("Suspend the section")),
    ("open", words("Reopen the section")),
    ("closed", words("Close the section for good")),
]


def status_page(
    request: Request,
    viewer: Viewer,
    registry: Registry,
    party: str,
    values: dict[str, str] | None = None,
    refusals: list[Refusal] | None = None,
    confirming: bool = False,
) -> Response:
    refusals = refusals or []
    return render(
        request,
        "section_status.html",
        status_code=status_of(refusals) if refusals else 200,
        viewer=viewer,
        active="admin",
        section=section_status.standing(registry, viewer.actor, party),
        choices=CHOICES,
        values=values or {},
        refusals=refusals,
        errors=errors_by_field(refusals),
        confirming=confirming and not refusals,
        done=request.query_params.get("done", "")[:20],
    )


@router.get("/admin/sections/{party}/status", response_class=HTMLResponse)
def section_status_form(
    request: Request, party: PartyCode, viewer: Looking, registry: Registry_
) -> Response:
    """The section's status and holdings, and the form to change it (the secretariat's only)."""
    return status_page(request, viewer, registry, party)


@router.post("/admin/sections/{party}/status", response_class=HTMLResponse)
def change_section_status(
    request: Request, party: PartyCode, viewer: Looking, registry: Registry_, form: Form
) -> Response:
    """First post: the confirm step (nothing changes); the second, confirmed: the change."""
    values = {"status": form.get("status"), "reason": form.get("reason").strip()}
    try:
        command = build(
            SectionStatusChange,
            {"party": party, "status": values["status"], "reason": values["reason"]},
        )
        if form.get("step") != "confirm":
            return status_page(request, viewer, registry, party, values, confirming=True)
        section_status.change_section_status(registry, viewer.actor, command)
    except CommandRefused as refused:
        return status_page(request, viewer, registry, party, values, refused.refusals)
    return RedirectResponse(
        f"/admin/sections/{command.party}/status?done={command.status}", status_code=303
    )
