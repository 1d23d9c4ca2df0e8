"""Joining over HTTP: a Party's public request for a section, the secretariat's review, the
enrolment link a nominated administrator follows, and a section's suspension or closure."""

from __future__ import annotations

from typing import Annotated, Literal

import segno
from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from article6.http.downloads import attachment
from article6.http.security import InSection, PartyCode, Registry_, RegistryWide, Settings_
from article6.services import enrolment_links, entity_applications, joining, section_status
from article6.services.enrolment_mail import SentLink
from article6.services.entity_applications import (
    DOCUMENT_TYPES,
    ApplicationReview,
    ApplicationView,
    EntityApplication,
)
from article6.services.identity import NAME_PATTERN
from article6.services.joining import (
    FollowLink,
    JoiningOutcome,
    JoiningRequest,
    JoiningRequestView,
    JoiningReview,
    LinkEnrolment,
)
from article6.services.section_status import SectionStatusChange
from article6.services.views import Receipt

router = APIRouter(prefix="/api/v1", tags=["joining"])


class LinkEnrolmentView(LinkEnrolment):
    qr_svg: str


class StatusChange(SectionStatusChange):
    party: str = "-"  # from the path


@router.post("/joining-requests", status_code=201)
def submit_joining_request(request: JoiningRequest, registry: Registry_) -> JoiningRequestView:
    """A Party asks for a section (no account needed); the secretariat reviews it."""
    return joining.submit(registry, request)


@router.get("/joining-requests")
def list_joining_requests(
    actor: RegistryWide,
    registry: Registry_,
    status: Annotated[Literal["pending", "opened", "declined"] | None, Query()] = None,
) -> list[JoiningRequestView]:
    return joining.requests(registry, actor, status)


@router.post("/joining-requests/{request}/review")
def review_joining_request(
    request: Annotated[int, Path(ge=1)],
    decision: JoiningReview,
    actor: RegistryWide,
    registry: Registry_,
    settings: Settings_,
    call: Request,
) -> JoiningOutcome:
    """Open the section (each nominated administrator e-mailed their enrolment link; a link
    whose e-mail did not leave is shown once, with why) or decline with a reason."""
    return joining.review(registry, settings, actor, request, decision, str(call.base_url))


UserName = Path(pattern=NAME_PATTERN, description="A user name")


@router.post("/users/{user}/enrolment-link")
def send_enrolment_link(
    actor: RegistryWide,
    registry: Registry_,
    settings: Settings_,
    call: Request,
    user: str = UserName,
) -> SentLink:
    """A new enrolment link for a user who has not enrolled a second factor yet (C1033),
    e-mailed to them; their previous link stops working."""
    return enrolment_links.send_new_link(registry, settings, actor, user, str(call.base_url))


@router.post("/parties/{party}/users/{user}/enrolment-link")
def send_section_enrolment_link(
    party: PartyCode,
    actor: InSection,
    registry: Registry_,
    settings: Settings_,
    call: Request,
    user: str = UserName,
) -> SentLink:
    """The same, by the section's administrator, for a user of the section (C4006)."""
    return enrolment_links.send_new_link(registry, settings, actor, user, str(call.base_url))


@router.post("/enrolment-links")
def follow_enrolment_link(
    command: FollowLink, registry: Registry_, settings: Settings_
) -> LinkEnrolmentView:
    """Use an enrolment link once: choose one's password and receive a second factor to confirm
    with `POST /api/v1/enrolment/confirmation`."""
    enrolment = joining.follow_link(registry, settings, command)
    qr = segno.make(enrolment.otpauth_uri, error="m").svg_inline(scale=4)
    return LinkEnrolmentView(**enrolment.model_dump(), qr_svg=qr)


@router.post("/parties/{party}/section-status")
def change_section_status(
    party: PartyCode, change: StatusChange, actor: RegistryWide, registry: Registry_
) -> Receipt:
    """Suspend, reopen or close a Party's section (closing only once it holds no units)."""
    command = SectionStatusChange(party=party, status=change.status, reason=change.reason)
    return section_status.change_section_status(registry, actor, command)


@router.post("/parties/{party}/entity-applications", status_code=201)
def apply_to_party(
    party: PartyCode, application: EntityApplication, registry: Registry_, settings: Settings_
) -> ApplicationView:
    """An entity applies to a Party (no account needed), with its documents (C1025)."""
    return entity_applications.submit(registry, settings, party, application)


@router.get("/parties/{party}/entity-applications")
def list_entity_applications(
    party: PartyCode, actor: InSection, registry: Registry_
) -> list[ApplicationView]:
    return entity_applications.applications(registry, actor, party)


@router.post("/parties/{party}/entity-applications/{application}/review")
def review_entity_application(
    party: PartyCode,
    application: Annotated[int, Path(ge=1)],
    decision: ApplicationReview,
    actor: InSection,
    registry: Registry_,
) -> ApplicationView:
    """Approve (the entity is recorded with its accounts) or decline with a reason."""
    return entity_applications.review(registry, actor, party, application, decision)


@router.get(
    "/parties/{party}/entity-applications/{application}/documents/{document}",
    response_class=Response,
    responses={200: {"content": {kind: {} for kind in sorted(DOCUMENT_TYPES)}}},
)
def download_application_document(
    party: PartyCode,
    application: Annotated[int, Path(ge=1, le=2**62)],
    document: Annotated[int, Path(ge=1, le=2**62)],
    actor: InSection,
    registry: Registry_,
) -> Response:
    """A document of an application, as an attachment under its original name and type, only
    while its SHA-256 is the journaled one (C1026); another Party's is unknown (C1012)."""
    return attachment(entity_applications.document(registry, actor, party, application, document))
