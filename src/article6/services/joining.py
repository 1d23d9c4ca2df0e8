"""Joining the registry: a Party asks for a section on a public form (its focal point, the Party
Section Administrators it nominates, the registry's terms accepted in their current version);
the secretariat opens the section or declines with a reason. Opening creates the section and
one user per nominated administrator, each sent a one-time, expiring enrolment link (kept only
as a keyed hash) with which they set their own password and second factor: the secretariat
never knows either."""

from __future__ import annotations

import secrets
from dataclasses import replace
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from article6 import translation
from article6.domain import passwords, totp
from article6.domain.access import Actor, Permission, Role
from article6.domain.checks import Check, CommandRefused, Refusal, refuse
from article6.domain.wording import words
from article6.services import commands as c
from article6.services.access import allow
from article6.services.context import Registry
from article6.services.enrolment_links import make_link
from article6.services.enrolment_mail import LinkToSend, SentLink, send_links
from article6.services.identity import (
    NAME_PATTERN,
    CreateUser,
    GrantRole,
    add_section_user,
    hasher,
    journal_event,
    token_hash,
)
from article6.services.parties import record_party
from article6.services.views import UtcDateTime
from article6.settings import Settings
from article6.store import identity, joining, sections
from article6.store.database import aware, unit_of_work
from article6.store.joining import StoredJoiningRequest
from article6.store.notifications import set_email

TERMS_VERSION = "2026-1"
"""The registry's terms of participation a joining request accepts (C1024)."""

EMAIL_PATTERN = r"^[^@\s]{1,64}@[^@\s]{1,189}\.[^@\s]{2,}$"
APPLICANT = "joining request (public)"


class NominatedAdministrator(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(pattern=NAME_PATTERN, description="The user name they will sign in with")
    display_name: str = Field(min_length=1, max_length=200)
    email: str = Field(pattern=EMAIL_PATTERN, max_length=254)
    language: str | None = Field(
        default=None,
        pattern="^[a-z]{2}$",
        description="The language their enrolment e-mail and pages speak (the request's own)",
    )


class JoiningRequest(BaseModel):
    """A Party's request for a section, submitted without an account."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    party_code: str = Field(pattern="^[A-Z]{3}$")
    party_name: str = Field(min_length=1, max_length=200)
    ndc_first_year: int = Field(ge=2021, le=2100)
    ndc_last_year: int = Field(ge=2021, le=2100)
    focal_point_name: str = Field(min_length=1, max_length=200)
    focal_point_email: str = Field(pattern=EMAIL_PATTERN, max_length=254)
    administrators: list[NominatedAdministrator] = Field(max_length=5)
    terms_accepted: bool
    terms_version: str = Field(max_length=20)


class JoiningReview(BaseModel):
    """The secretariat's decision on a joining request; declining says why."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    decision: Literal["open", "decline"]
    reason: str | None = Field(default=None, max_length=2000)


class JoiningRequestView(BaseModel):
    id: int
    party_code: str
    party_name: str
    ndc_first_year: int
    ndc_last_year: int
    focal_point_name: str
    focal_point_email: str
    administrators: list[NominatedAdministrator]
    terms_version: str
    status: str
    submitted_at: UtcDateTime
    reviewed_by: str | None
    reviewed_at: UtcDateTime | None
    reason: str | None


class JoiningOutcome(BaseModel):
    request: JoiningRequestView
    links: list[SentLink] = Field(default_factory=list)


def _view(row: StoredJoiningRequest) -> JoiningRequestView:
    return JoiningRequestView(
        **{
            **row.__dict__,
            "administrators": [NominatedAdministrator(**a) for a in row.administrators],
        }
    )


def request_refusals(request: JoiningRequest) -> list[Refusal]:
    """C1024: the terms accepted in their current version, at least one administrator, named
    once each; C1009: the NDC period in order."""
    found = []
    if not request.terms_accepted or request.terms_version != TERMS_VERSION:
        found.append(
            Refusal(
                Check.C1024,
                "terms_accepted",
                words(
                    "the registry's terms, version {terms_version}, are accepted to join",
                    terms_version=TERMS_VERSION,
                ),
            )
        )
    names = [a.name for a in request.administrators]
    if not names:
        found.append(
            Refusal(Check.C1024, "administrators", words("nominate at least one administrator"))
        )
    elif len(set(names)) != len(names):
        found.append(
            Refusal(Check.C1024, "administrators", words("each administrator is nominated once"))
        )
    if request.ndc_first_year > request.ndc_last_year:
        found.append(
            Refusal(
                Check.C1009,
                "ndc_last_year",
                words("the NDC implementation period runs from its first to its last year"),
            )
        )
    return found


def submit(registry: Registry, request: JoiningRequest) -> JoiningRequestView:
    """Record a request (anyone may submit one); it is journaled and waits for review."""
    refusals = request_refusals(request)
    if refusals:
        raise CommandRefused(refusals)
    with unit_of_work(registry.engine) as connection:
        if sections.section(connection, request.party_code) is not None:
            raise refuse(
                Check.C4025,
                "party_code",
                words("{party_code} already has a section", party_code=request.party_code),
            )
        now = registry.now()
        values = request.model_dump(mode="json", exclude={"terms_accepted"})
        request_id = joining.insert_request(
            connection, {**values, "status": "pending", "submitted_at": now}
        )
        journal_event(
            connection,
            registry,
            APPLICANT,
            "JoiningRequested",
            f"{request.party_code}/{request_id}",
            {**values, "request": request_id},
        )
        stored = joining.request(connection, request_id)
        if stored is None:
            raise LookupError("the request vanished inside its own command")
        return _view(stored)


def requests(
    registry: Registry, actor: Actor, status: str | None = None
) -> list[JoiningRequestView]:
    """The requests for the secretariat to review, newest first."""
    allow(actor, Permission.REGISTRY_SETUP, None)
    with unit_of_work(registry.engine, read_only=True) as connection:
        return [_view(r) for r in joining.requests(connection, status)]


def review(
    registry: Registry,
    settings: Settings,
    actor: Actor,
    request_id: int,
    decision: JoiningReview,
    base_url: str | None = None,
) -> JoiningOutcome:
    """Open the section (the Party registered if new, its administrators created with their
    enrolment links) or decline with a reason; once (C4025), whole or not at all. Once the
    section is open, each link is e-mailed to its administrator (`enrolment_mail`)."""
    allow(actor, Permission.REGISTRY_SETUP, None)
    if decision.decision == "decline" and not (decision.reason or "").strip():
        raise refuse(Check.C4025, "reason", words("a declined request says why"))
    with unit_of_work(registry.engine) as connection:
        stored = joining.request(connection, request_id, lock=True)
        if stored is None:
            raise refuse(
                Check.C1012,
                "request",
                words("{request_id} is not a joining request", request_id=request_id),
            )
        if stored.status != "pending":
            raise refuse(
                Check.C4025,
                "request",
                words(
                    "request {request_id} was already {status}",
                    request_id=request_id,
                    status=stored.status,
                ),
            )
        now = registry.now()
        subject = f"{stored.party_code}/{request_id}"
        if decision.decision == "decline":
            joining.review(connection, request_id, "declined", actor.label, now, decision.reason)
            journal_event(
                connection,
                registry,
                actor.label,
                "JoiningDeclined",
                subject,
                {"request": request_id, "reason": decision.reason},
            )
            return JoiningOutcome(request=_view(_reread(connection, request_id)))
        if sections.section(connection, stored.party_code) is not None:
            raise refuse(
                Check.C4025,
                "request",
                words("{party_code} already has a section", party_code=stored.party_code),
            )
        record_party(
            connection,
            registry,
            actor,
            c.RegisterParty(
                code=stored.party_code,
                name=stored.party_name,
                ndc_first_year=stored.ndc_first_year,
                ndc_last_year=stored.ndc_last_year,
            ),
        )
        links = [
            _enrol(connection, registry, settings, actor, stored.party_code, nominee)
            for nominee in stored.administrators
        ]
        joining.review(connection, request_id, "opened", actor.label, now, decision.reason)
        journal_event(
            connection,
            registry,
            actor.label,
            "JoiningOpened",
            subject,
            {"request": request_id, "administrators": [link.user for link in links]},
            stored.party_code,
        )
        opened = _view(_reread(connection, request_id))
    sent = send_links(registry, settings, actor.label, links, base_url)
    return JoiningOutcome(request=opened, links=sent)


def _reread(connection: Connection, request_id: int) -> StoredJoiningRequest:
    stored = joining.request(connection, request_id)
    if stored is None:
        raise LookupError("the request vanished inside its own command")
    return stored


def _enrol(
    connection: Connection,
    registry: Registry,
    settings: Settings,
    actor: Actor,
    party: str,
    nominee: dict[str, str],
) -> LinkToSend:
    """A nominated administrator's user, with an unguessable password nobody is told (the link
    replaces it), their address and language, the section's administrator role, and their
    enrolment link."""
    user = NominatedAdministrator(**nominee)
    add_section_user(
        connection,
        registry,
        actor,
        CreateUser(
            name=user.name, display_name=user.display_name, password=secrets.token_urlsafe(32)
        ),
        GrantRole(role=Role.ADMINISTRATOR, party=party),
    )
    row = identity.user_by_name(connection, user.name, lock=True)
    if row is None:
        raise LookupError("the user vanished inside its own command")
    set_email(connection, row.id, user.email)
    if user.language in translation.LANGUAGES:
        identity.set_language(connection, row.id, user.language)
    row = replace(row, email=user.email, language=user.language)
    return make_link(connection, registry, settings, actor.label, row, party)


class FollowLink(BaseModel):
    """Following an enrolment link: the token it carries and the password one chooses."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    token: str = Field(min_length=1, max_length=200)
    password: str = Field(exclude=True, max_length=200)


class LinkEnrolment(BaseModel):
    """What the authenticator app needs, and the user name to confirm the code with."""

    user: str
    secret: str
    otpauth_uri: str


def follow_link(registry: Registry, settings: Settings, command: FollowLink) -> LinkEnrolment:
    """Use an enrolment link once, before it expires (C4024): the user's password becomes the
    one chosen here and a second factor is offered; they confirm it with a code as any user
    enrols (`POST /api/v1/enrolment/confirmation`)."""
    hashed = token_hash(settings, command.token)
    with unit_of_work(registry.engine) as connection:
        found = joining.link(connection, hashed)
        now = registry.now()
        if found is None:
            raise refuse(
                Check.C4024, "token", words("this enrolment link is not one the registry sent")
            )
        if found.used_at is not None:
            raise refuse(Check.C4024, "token", words("this enrolment link was already used"))
        if found.replaced_at is not None:
            raise refuse(
                Check.C4024,
                "token",
                words("this enrolment link was replaced by a newer one: use the newest"),
            )
        if aware(found.expires_at) <= now:
            raise refuse(
                Check.C4024,
                "token",
                words("this enrolment link has expired: ask the secretariat"),
            )
        weak = passwords.policy_refusals(command.password, found.user_name, field="password")
        if weak:
            raise CommandRefused(weak)
        row = identity.user_by_name(connection, found.user_name, lock=True)
        if row is None or row.totp_enrolled_at is not None:
            raise refuse(
                Check.C4024, "token", words("this enrolment link's user is already enrolled")
            )
        identity.set_password(connection, row.id, hasher().hash(command.password), False, now)
        secret = totp.new_secret()
        identity.begin_enrolment(connection, row.id, secret)
        joining.use_link(connection, hashed, now)
        journal_event(connection, registry, row.name, "EnrolmentLinkUsed", row.name, {})
        journal_event(connection, registry, row.name, "TotpEnrolmentStarted", row.name, {})
        return LinkEnrolment(
            user=row.name,
            secret=secret,
            otpauth_uri=totp.provisioning_uri(secret, row.name, settings.issuer),
        )
