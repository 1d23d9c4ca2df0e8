"""Pages for joining and the Party's authority: the public request to join, the secretariat's
review list, the enrolment link's landing, an entity's application (public) and its review by
the Party's administrator, and the Party's delegations to the secretariat."""

from __future__ import annotations

import base64
from typing import Annotated

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from article6.domain.access import Actor, Delegable, Role
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.wording import words
from article6.http.downloads import attachment
from article6.http.language import language_of
from article6.http.problems import status_of
from article6.http.security import CSRF_COOKIE, Registry_, Settings_
from article6.services import delegations, enrolment_links, entity_applications, joining
from article6.services.context import Registry
from article6.services.delegations import DelegationChange
from article6.services.enrolment_mail import SentLink, link_url
from article6.services.entity_applications import ApplicationReview, EntityApplication
from article6.services.joining import (
    FollowLink,
    JoiningRequest,
    JoiningRequestView,
    JoiningReview,
)
from article6.services.sign_in import Principal
from article6.web.forms import Fields, build, errors_by_field, fields_of
from article6.web.rendering import render
from article6.web.session import Looking, Signed, cross_site, viewer_for

router = APIRouter(include_in_schema=False)
Form = Annotated[Fields, Depends(fields_of)]
NOMINEES = (1, 2)
KIND_WORDS = {
    Delegable.ISSUANCE: words("Issue units"),
    Delegable.AUTHORIZATION: words("Record authorizations and link units to them"),
    Delegable.TRANSFER: words("Transfer units (within the registry and to other registries)"),
    Delegable.USE: words("Use units towards the NDC"),
    Delegable.CANCELLATION: words("Cancel units"),
    Delegable.FIRST_TRANSFER_RECORD: words("Record first transfers"),
}


def _public(request: Request) -> None:
    """A public form posted from another site is refused (C1017), as the sign-in form is."""
    refusal = cross_site(request)
    if refusal is not None:
        raise CommandRefused([refusal])


# --- joining: the public request, the secretariat's review ----------------------------------


@router.get("/join", response_class=HTMLResponse)
def join_form(request: Request) -> Response:
    return render(
        request, "join.html", values={}, refusals=[], errors={}, terms=joining.TERMS_VERSION
    )


@router.post("/join", response_class=HTMLResponse)
def join_submit(request: Request, form: Form, registry: Registry_) -> Response:
    _public(request)
    values = form.kept()
    nominees = [
        {
            "name": form.get(f"admin{i}_name").strip(),
            "display_name": form.get(f"admin{i}_display_name").strip(),
            "email": form.get(f"admin{i}_email").strip(),
            "language": language_of(request),
        }
        for i in NOMINEES
        if form.text(f"admin{i}_name")
    ]
    try:
        command = build(
            JoiningRequest,
            {
                "party_code": form.get("party_code").strip().upper(),
                "party_name": form.get("party_name").strip(),
                "ndc_first_year": form.number("ndc_first_year") or "0",
                "ndc_last_year": form.number("ndc_last_year") or "0",
                "focal_point_name": form.get("focal_point_name").strip(),
                "focal_point_email": form.get("focal_point_email").strip(),
                "administrators": nominees,
                "terms_accepted": form.get("terms_accepted") == "yes",
                "terms_version": form.get("terms_version"),
            },
        )
        made = joining.submit(registry, command)
    except CommandRefused as refused:
        return render(
            request,
            "join.html",
            status_code=status_of(refused.refusals),
            values=values,
            refusals=refused.refusals,
            errors=errors_by_field(refused.refusals),
            terms=joining.TERMS_VERSION,
        )
    return render(request, "join.html", values={}, refusals=[], errors={}, submitted=made)


def _requests_page(
    request: Request,
    who: Principal,
    registry: Registry,
    links: list[tuple[SentLink, str | None]],
    reviewed: JoiningRequestView | None = None,
) -> Response:
    """The requests, each opened one with where its administrators' newest links stand."""
    found = joining.requests(registry, _registry_wide(who))
    names = [a.name for r in found if r.status == "opened" for a in r.administrators]
    return render(
        request,
        "joining_requests.html",
        viewer=viewer_for(registry, who, request),
        csrf=request.cookies.get(CSRF_COOKIE, ""),
        active="admin",
        found=found,
        statuses=enrolment_links.link_statuses(registry, names),
        reviewed=reviewed,
        links=links,
    )


def _shown(request: Request, links: list[SentLink]) -> list[tuple[SentLink, str | None]]:
    """Each link with the address to pass on by hand when its e-mail did not leave."""
    base = str(request.base_url)
    return [(link, None if link.token is None else link_url(base, link.token)) for link in links]


@router.get("/joining-requests", response_class=HTMLResponse)
def joining_requests(request: Request, who: Signed, registry: Registry_) -> Response:
    return _requests_page(request, who, registry, [])


@router.post("/joining-requests/enrolment-links/{user}", response_class=HTMLResponse)
def joining_new_link(
    request: Request, user: str, who: Signed, registry: Registry_, settings: Settings_
) -> Response:
    """Send a nominated administrator a new enrolment link (their previous one stops working)."""
    actor = _registry_wide(who)
    sent = enrolment_links.send_new_link(
        registry, settings, actor, user[:80], str(request.base_url)
    )
    return _requests_page(request, who, registry, _shown(request, [sent]))


@router.post("/joining-requests/{request_id}/review", response_class=HTMLResponse)
def joining_review(
    request: Request,
    request_id: int,
    who: Signed,
    registry: Registry_,
    settings: Settings_,
    form: Form,
) -> Response:
    decision = build(
        JoiningReview, {"decision": form.get("decision"), "reason": form.text("reason")}
    )
    actor = _registry_wide(who)
    outcome = joining.review(registry, settings, actor, request_id, decision, str(request.base_url))
    links = _shown(request, outcome.links)
    return _requests_page(request, who, registry, links, reviewed=outcome.request)


def _registry_wide(who: Principal) -> Actor:
    actor = who.actor_for(None)
    if actor is None or actor.role is not Role.SECRETARIAT:
        raise CommandRefused(
            [Refusal(Check.C4006, "party", words("the secretariat reviews requests to join"))]
        )
    return actor


# --- the enrolment link's landing -----------------------------------------------------------


@router.get("/enrolment-link/{token}", response_class=HTMLResponse)
def enrolment_link(request: Request, token: str) -> Response:
    return render(request, "enrolment_link.html", token=token[:200], refusals=[])


@router.post("/enrolment-link/{token}", response_class=HTMLResponse)
def enrolment_link_submit(
    request: Request, token: str, form: Form, registry: Registry_, settings: Settings_
) -> Response:
    """Choose one's password; then the existing enrolment page's second step confirms a code."""
    _public(request)
    password, again = form.get("password"), form.get("password_again")
    try:
        if password != again:
            raise CommandRefused(
                [Refusal(Check.C4015, "password_again", words("the two passwords differ"))]
            )
        started = joining.follow_link(
            registry, settings, build(FollowLink, {"token": token[:200], "password": password})
        )
    except CommandRefused as refused:
        return render(
            request,
            "enrolment_link.html",
            status_code=status_of(refused.refusals),
            token=token[:200],
            refusals=refused.refusals,
        )
    qr = Markup(segno.make(started.otpauth_uri, error="m").svg_inline(scale=4))
    return render(
        request,
        "enrolment.html",
        values={"name": started.user},
        refusals=[],
        secret=started.secret,
        qr=qr,
    )


# --- an entity's application and its review -------------------------------------------------


@router.get("/apply/{party}", response_class=HTMLResponse)
def application_form(request: Request, party: str) -> Response:
    return render(
        request, "entity_apply.html", party=party[:3].upper(), values={}, refusals=[], errors={}
    )


@router.post("/apply/{party}", response_class=HTMLResponse)
async def application_submit(
    request: Request, party: str, registry: Registry_, settings: Settings_
) -> Response:
    _public(request)
    party = party[:3].upper()
    submitted = await request.form()
    values = {k: v for k, v in submitted.items() if isinstance(v, str)}
    documents = []
    for upload in submitted.getlist("documents"):
        if isinstance(upload, str) or not upload.filename:
            continue
        content = await upload.read(settings.max_document_bytes + 1)
        documents.append(
            {
                "file_name": upload.filename[:200],
                "content_type": upload.content_type or "",
                "content_base64": base64.b64encode(content).decode(),
            }
        )
    try:
        application = build(
            EntityApplication,
            {
                "name": values.get("name", "").strip(),
                "country_of_incorporation": values.get("country_of_incorporation", "").upper(),
                "identification_number": values.get("identification_number", "").strip(),
                "cooperative_approach": values.get("cooperative_approach", "").strip(),
                "contact_email": values.get("contact_email", "").strip(),
                "documents": documents,
            },
        )
        made = entity_applications.submit(registry, settings, party, application)
    except CommandRefused as refused:
        return render(
            request,
            "entity_apply.html",
            status_code=status_of(refused.refusals),
            party=party,
            values=values,
            refusals=refused.refusals,
            errors=errors_by_field(refused.refusals),
        )
    return render(request, "entity_apply.html", party=party, values={}, refusals=[], made=made)


@router.get("/entity-applications", response_class=HTMLResponse)
def applications_page(request: Request, viewer: Looking, registry: Registry_) -> Response:
    found = entity_applications.applications(registry, viewer.actor, viewer.party)
    return render(request, "entity_applications.html", viewer=viewer, active="admin", found=found)


@router.post("/entity-applications/{application}/review")
def application_review(
    application: int, viewer: Looking, registry: Registry_, form: Form
) -> Response:
    decision = build(
        ApplicationReview, {"decision": form.get("decision"), "reason": form.text("reason")}
    )
    entity_applications.review(registry, viewer.actor, viewer.party, application, decision)
    return RedirectResponse(f"/entity-applications?done={application}", status_code=303)


@router.get("/entity-applications/{application}/documents/{document}")
def application_document(
    application: int, document: int, viewer: Looking, registry: Registry_
) -> Response:
    """Download a document of an application to the section's Party (an attachment, never
    shown inline; refused if it is not the journaled one, C1026)."""
    return attachment(
        entity_applications.document(registry, viewer.actor, viewer.party, application, document)
    )


# --- delegations -----------------------------------------------------------------------------


@router.get("/delegations", response_class=HTMLResponse)
def delegations_page(request: Request, viewer: Looking, registry: Registry_) -> Response:
    history = delegations.delegations_of(registry, viewer.actor, viewer.party)
    in_force = {d.kind: d for d in history if d.in_force}
    return render(
        request,
        "delegations.html",
        viewer=viewer,
        active="admin",
        kinds=[(kind, KIND_WORDS[kind], in_force.get(kind)) for kind in Delegable],
        history=history,
        may_change=viewer.actor.role is Role.ADMINISTRATOR,
    )


@router.post("/delegations/{kind}")
def delegation_change(
    kind: Delegable, viewer: Looking, registry: Registry_, form: Form
) -> Response:
    change = DelegationChange(party=viewer.party, kind=kind)
    if form.get("step") == "revoke":
        delegations.revoke(registry, viewer.actor, change)
    else:
        delegations.delegate(registry, viewer.actor, change)
    return RedirectResponse(f"/delegations?done={kind.value}", status_code=303)
