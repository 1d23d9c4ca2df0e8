"""The consistency checks' page: every Party section's AEF of a year checked against the
others, per code passed or failed, each finding with its Parties, sheets, rows and units. For
the secretariat and registry-wide auditors (the same service and rule as the API)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from fastapi.responses import HTMLResponse, Response

from article6.domain.access import Role
from article6.domain.checks import Check, refuse
from article6.domain.wording import words
from article6.http.security import Registry_
from article6.services.aef_consistency import consistency
from article6.web.rendering import render
from article6.web.session import Looking

router = APIRouter(include_in_schema=False)

Year = Annotated[int, Path(ge=2021, le=2100)]


@router.get("/aef/{year}/consistency", response_class=HTMLResponse)
def consistency_page(
    request: Request, year: Year, viewer: Looking, registry: Registry_
) -> Response:
    actor = viewer.principal.actor_for(None)
    if actor is None:
        raise refuse(Check.C4006, "actor", words("the consistency checks cover every Party's AEF"))
    return render(
        request,
        "consistency.html",
        viewer=viewer,
        active="reports",
        result=consistency(registry, actor, year),
        secretariat=actor.role is Role.SECRETARIAT,
    )
