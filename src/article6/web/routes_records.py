"""Mitigation activities and authorizations: record them, see every version of an
authorization and the unit blocks linked to it."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from article6.domain.checks import CommandRefused, Refusal
from article6.domain.filters import BlockFilter
from article6.domain.nomenclature import (
    ActivityType,
    FirstTransferDefinition,
    MitigationType,
    Purpose,
    Sector,
    UnderlyingRegistry,
)
from article6.http.problems import status_of
from article6.http.security import Registry_
from article6.services import authorizations as authorization_service
from article6.services import commands as c
from article6.services import directory, mitigation_activities
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.web.forms import Fields, build, errors_by_field, fields_of
from article6.web.rendering import render
from article6.web.session import Looking, Viewer

router = APIRouter(include_in_schema=False)
Form = Annotated[Fields, Depends(fields_of)]


def vocabularies(registry: Registry, viewer: Viewer) -> dict[str, list[str]]:
    return {
        "sectors": [s.value for s in Sector],
        "activity_types": [a.value for a in ActivityType],
        "mitigation_types": [m.value for m in MitigationType],
        "purposes": [p.value for p in Purpose],
        "first_transfer_definitions": [d.value for d in FirstTransferDefinition],
        "underlying_registries": [u.value for u in UnderlyingRegistry],
        "approaches": [
            a.id for a in directory.approaches_list(registry, viewer.actor, viewer.party)
        ],
        "parties": [
            p.code for p in directory.parties_list(registry, viewer.actor) if p.code != viewer.party
        ],
    }


@router.get("/activities", response_class=HTMLResponse)
def activities(request: Request, viewer: Looking, registry: Registry_) -> Response:
    return render(
        request,
        "activities.html",
        viewer=viewer,
        active="activities",
        activities=directory.activities(registry, viewer.actor, viewer.party),
    )


def activity_form(
    request: Request,
    viewer: Viewer,
    registry: Registry,
    values: dict[str, Any],
    refusals: list[Refusal],
) -> Response:
    return render(
        request,
        "activity_form.html",
        status_code=status_of(refusals) if refusals else 200,
        viewer=viewer,
        active="activities",
        values=values,
        refusals=refusals,
        errors=errors_by_field(refusals),
        v=vocabularies(registry, viewer),
    )


@router.get("/activities/new", response_class=HTMLResponse)
def new_activity(request: Request, viewer: Looking, registry: Registry_) -> Response:
    return activity_form(request, viewer, registry, {}, [])


@router.post("/activities", response_class=HTMLResponse)
def record_activity(request: Request, viewer: Looking, registry: Registry_, form: Form) -> Response:
    try:
        command = build(
            c.RecordMitigationActivity,
            {
                "title": form.text("title"),
                "cooperative_approach": form.text("cooperative_approach"),
                "sector": form.text("sector"),
                "activity_type": form.text("activity_type"),
                "mitigation_type": form.text("mitigation_type"),
                "underlying_registry": form.text("underlying_registry"),
                "underlying_first": form.number("underlying_first"),
                "underlying_last": form.number("underlying_last"),
                "description": form.text("description"),
            },
        )
        receipt = mitigation_activities.record_mitigation_activity(registry, viewer.actor, command)
    except CommandRefused as refused:
        return activity_form(request, viewer, registry, form.kept(), refused.refusals)
    return RedirectResponse(f"/activities?done={receipt.record}", status_code=303)


@router.get("/authorizations", response_class=HTMLResponse)
def authorizations(request: Request, viewer: Looking, registry: Registry_) -> Response:
    return render(
        request,
        "authorizations.html",
        viewer=viewer,
        active="authorizations",
        authorizations=directory.authorizations_list(registry, viewer.actor, viewer.party),
    )


def authorization_form(
    request: Request,
    viewer: Viewer,
    registry: Registry,
    values: dict[str, Any],
    refusals: list[Refusal],
) -> Response:
    return render(
        request,
        "authorization_form.html",
        status_code=status_of(refusals) if refusals else 200,
        viewer=viewer,
        active="authorizations",
        values=values,
        refusals=refusals,
        errors=errors_by_field(refusals),
        v=vocabularies(registry, viewer),
    )


@router.get("/authorizations/new", response_class=HTMLResponse)
def new_authorization(
    request: Request, viewer: Looking, registry: Registry_, version_of: str | None = None
) -> Response:
    """A blank form, or the current version of an authorization to record a new one."""
    values: dict[str, Any] = {}
    if version_of:
        current = directory.authorizations_list(
            registry, viewer.actor, viewer.party, authorization_id=version_of[:64]
        )[-1]
        values = {
            k: v
            for k, v in current.model_dump(mode="json").items()
            if v is not None and k not in ("party", "version", "recorded_at", "recorded_by")
        }
        values["revoked"] = "yes" if current.revoked else ""
    return authorization_form(request, viewer, registry, values, [])


@router.get("/authorizations/{authorization_id:path}", response_class=HTMLResponse)
def authorization_detail(
    request: Request, authorization_id: str, viewer: Looking, registry: Registry_
) -> Response:
    versions = directory.authorizations_list(
        registry, viewer.actor, viewer.party, authorization_id=authorization_id[:64]
    )
    blocks = ledger.blocks(
        registry,
        viewer.actor,
        viewer.party,
        BlockFilter(authorization_id=authorization_id[:64]),
        limit=200,
    )
    return render(
        request,
        "authorization.html",
        viewer=viewer,
        active="authorizations",
        versions=list(reversed(versions)),
        current=versions[-1],
        blocks=blocks.items,
        done=request.query_params.get("done"),
    )


@router.post("/authorizations", response_class=HTMLResponse)
def record_authorization(
    request: Request, viewer: Looking, registry: Registry_, form: Form
) -> Response:
    try:
        command = build(
            c.RecordAuthorization,
            {
                "authorization_id": form.text("authorization_id"),
                "date_of_authorization": form.text("date_of_authorization"),
                "cooperative_approach": form.text("cooperative_approach"),
                "sectors": form.all("sectors"),
                "activity_types": form.all("activity_types"),
                "purposes": form.text("purposes"),
                "authorized_quantity": form.number("authorized_quantity"),
                "authorized_parties": form.all("authorized_parties"),
                "oimp_authorized": form.text("oimp_authorized"),
                "timeframe_first": form.number("timeframe_first"),
                "timeframe_last": form.number("timeframe_last"),
                "first_transfer_definition": form.text("first_transfer_definition"),
                "terms_and_conditions": form.text("terms_and_conditions"),
                "revoked": form.get("revoked") == "yes",
            },
        )
        receipt = authorization_service.record_authorization(registry, viewer.actor, command)
    except CommandRefused as refused:
        values = form.kept()
        for many in ("sectors", "activity_types", "authorized_parties"):
            values[many] = form.all(many)
        return authorization_form(request, viewer, registry, values, refused.refusals)
    identifier = receipt.record.rsplit(" v", 1)[0]
    return RedirectResponse(
        f"/authorizations/{quote(identifier)}?done={quote(receipt.record)}", status_code=303
    )
