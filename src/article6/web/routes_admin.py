"""The administration pages: a landing page listing the screens a user may use, a section's
approval policies (four eyes per kind of transaction) and the secretariat's overview across
sections. Every change goes through the service the API calls, so the same decisions apply
(C4002, C4006, C4017)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from article6.domain.access import Permission, Role
from article6.domain.checks import Check, CommandRefused, Refusal, refuse
from article6.domain.wording import words
from article6.http.problems import status_of
from article6.http.security import Registry_
from article6.services import administration, parties
from article6.services import commands as c
from article6.services.context import Registry
from article6.web.chart import Bar, holdings_chart
from article6.web.forms import Fields, build, errors_by_field, fields_of
from article6.web.rendering import render, transaction_kind
from article6.web.session import Looking, Viewer

router = APIRouter(include_in_schema=False)
Form = Annotated[Fields, Depends(fields_of)]
STATE_ORDER = ("MO", "AMO", "ITMO", "used", "cancelled")


def administering(viewer: Viewer) -> None:
    """The administration pages are for the secretariat and Party Section Administrators; the
    services refuse the rest anyway, this says so before anything is read."""
    if not viewer.may(Permission.MANAGE_USERS.value):
        raise refuse(
            Check.C4002,
            "actor",
            words("the role {role} does not allow administration", role=viewer.actor.role.value),
        )


@router.get("/admin", response_class=HTMLResponse)
def landing(request: Request, viewer: Looking) -> Response:
    administering(viewer)
    return render(
        request,
        "admin.html",
        viewer=viewer,
        active="admin",
        secretariat=viewer.actor.role is Role.SECRETARIAT,
    )


def policies_page(
    request: Request, viewer: Viewer, registry: Registry, refusals: list[Refusal], done: str = ""
) -> Response:
    return render(
        request,
        "admin_policies.html",
        status_code=status_of(refusals) if refusals else 200,
        viewer=viewer,
        active="admin",
        section=administration.section_policies(registry, viewer.actor, viewer.party),
        kind_label=transaction_kind,
        refusals=refusals,
        errors=errors_by_field(refusals),
        done=done,
    )


@router.get("/admin/approval-policies", response_class=HTMLResponse)
def approval_policies(request: Request, viewer: Looking, registry: Registry_) -> Response:
    administering(viewer)
    done = request.query_params.get("done", "")[:40]
    return policies_page(request, viewer, registry, [], done)


@router.post("/admin/approval-policies", response_class=HTMLResponse)
def set_approval_policy(
    request: Request, viewer: Looking, registry: Registry_, form: Form
) -> Response:
    """Four eyes on or off for one kind; switching it on with fewer than two people who may
    approve is refused (C4017, on the field `four_eyes`)."""
    administering(viewer)
    try:
        command = build(
            c.SetApprovalPolicy,
            {"kind": form.text("kind"), "four_eyes": form.get("four_eyes") == "on"},
        )
        parties.set_approval_policy(registry, viewer.actor, command)
    except CommandRefused as refused:
        return policies_page(request, viewer, registry, refused.refusals)
    return RedirectResponse(f"/admin/approval-policies?done={command.kind.value}", 303)


@router.get("/admin/overview", response_class=HTMLResponse)
def overview(request: Request, viewer: Looking, registry: Registry_) -> Response:
    """Every section at a glance: units held by Party, requests waiting, the reconciliation
    hold and the users; the secretariat's only (C4002)."""
    administering(viewer)
    found = administration.overview(registry, viewer.actor, registry.now())
    bars = [
        Bar(f"{s.party} · {state}", s.held[state], state)
        for s in found.sections
        for state in STATE_ORDER
        if s.held.get(state)
    ]
    return render(
        request,
        "admin_overview.html",
        viewer=viewer,
        active="admin",
        overview=found,
        states=STATE_ORDER,
        chart=holdings_chart(bars, words("Units held by Party and state")),
    )
