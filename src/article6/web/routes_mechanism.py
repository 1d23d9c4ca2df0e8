"""The pull-and-view page of the Article 6.4 mechanism registry (seed para 49): a reader sees
the pulls they may view and, for each, the holdings and action history of authorized A6.4ERs
the 6.4 registry answered with, only once its answer was checked (`services.mechanism_pulls`).

Pulling is one POST (a read request: journaled, nothing in the registry changes); the answer
arrives through the hub moments later, so the pull's page says it is waiting until then.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from article6.domain.access import Role, may_pull_mechanism
from article6.domain.checks import CommandRefused, Refusal
from article6.domain.messages import QueryBy
from article6.domain.wording import words
from article6.http.problems import status_of
from article6.http.security import Registry_
from article6.services import mechanism_pulls
from article6.services.context import Registry
from article6.web.forms import Fields, build, fields_of
from article6.web.rendering import render
from article6.web.session import Looking, Viewer

router = APIRouter(include_in_schema=False)
Form = Annotated[Fields, Depends(fields_of)]
SELECTORS = [
    (QueryBy.AUTHORIZATION.value, words("an authorization")),
    (QueryBy.ACCOUNT.value, words("an account at the 6.4 registry")),
    (QueryBy.SERIAL.value, words("a range of serial numbers")),
]


def mechanism_page(
    request: Request,
    viewer: Viewer,
    registry: Registry,
    values: dict[str, Any] | None = None,
    refusals: list[Refusal] | None = None,
) -> Response:
    refusals = refusals or []
    secretariat = viewer.actor.role is Role.SECRETARIAT
    return render(
        request,
        "mechanism.html",
        status_code=status_of(refusals) if refusals else 200,
        viewer=viewer,
        active="mechanism",
        pulls=mechanism_pulls.list_pulls(registry, viewer.actor),
        may_pull=may_pull_mechanism(viewer.actor, None if secretariat else viewer.actor.party)
        is None,
        secretariat=secretariat,
        selectors=SELECTORS,
        values=values or {},
        refusals=refusals,
    )


@router.get("/mechanism", response_class=HTMLResponse)
def mechanism(request: Request, viewer: Looking, registry: Registry_) -> Response:
    return mechanism_page(request, viewer, registry)


@router.post("/mechanism", response_class=HTMLResponse)
def pull(request: Request, viewer: Looking, registry: Registry_, form: Form) -> Response:
    """Ask the 6.4 registry; a Party's users always ask for their own Party."""
    secretariat = viewer.actor.role is Role.SECRETARIAT
    by = form.text("by") or QueryBy.AUTHORIZATION.value
    try:
        command = build(
            mechanism_pulls.PullA64ERs,
            {
                "party": (form.text("party") if secretariat else viewer.actor.party),
                "by": by,
                "account": form.text("account") if by == QueryBy.ACCOUNT else None,
                "first": form.number("first") if by == QueryBy.SERIAL else None,
                "last": form.number("last") if by == QueryBy.SERIAL else None,
                "authorization_id": (
                    form.text("authorization_id") if by == QueryBy.AUTHORIZATION else None
                ),
                "cursor": form.text("cursor"),
                **({"limit": form.number("limit")} if form.text("limit") else {}),
            },
        )
        asked = mechanism_pulls.request_pull(registry, viewer.actor, command)
    except CommandRefused as refused:
        return mechanism_page(request, viewer, registry, form.kept(), refused.refusals)
    return RedirectResponse(f"/mechanism/{asked.query_id}", status_code=303)


@router.get("/mechanism/{query_id}", response_class=HTMLResponse)
def one_pull(request: Request, query_id: str, viewer: Looking, registry: Registry_) -> Response:
    try:
        shown = mechanism_pulls.view_pull(registry, viewer.actor, query_id)
    except CommandRefused as refused:
        return mechanism_page(request, viewer, registry, refusals=refused.refusals)
    held = sum(h.last - h.first + 1 for h in shown.answer.holdings) if shown.answer else 0
    return render(
        request,
        "mechanism_pull.html",
        viewer=viewer,
        active="mechanism",
        pull=shown,
        held=held,
    )
