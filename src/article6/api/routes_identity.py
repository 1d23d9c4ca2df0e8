"""Sign-in, sessions, tokens, second-factor enrolment, and users with their roles."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

import segno
from fastapi import APIRouter, Path, Query, Request, Response
from pydantic import BaseModel, Field

from article6.api.routes_setup import IdempotencyKey
from article6.domain.access import Role
from article6.http.security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    InSection,
    OwingChange,
    Paged,
    PartyCode,
    Registry_,
    RegistryWide,
    Settings_,
    Signed,
    client_address,
)
from article6.services import identity, passwords, sign_in, user_status
from article6.services.identity import CreateUser, GrantRole, IdentityCommand, UserView
from article6.services.passwords import ChangePassword, PasswordReset
from article6.services.sign_in import ConfirmEnrolment, Credentials, SignedIn, SignIn

router = APIRouter(prefix="/api/v1", tags=["identity"])
UserName = Path(pattern=identity.NAME_PATTERN, description="A user name")
RoleFilter = Annotated[Role | None, Query(description="Only users holding this role")]
StateFilter = Annotated[
    Literal["active", "locked", "disabled", "enrolling"] | None,
    Query(description="Only users in this state (enrolling: second factor still to enrol)"),
]


class SessionView(BaseModel):
    """A browser session: its token travels only in the HttpOnly cookie."""

    csrf_token: str
    expires_at: datetime
    user: UserView


class EnrolmentView(sign_in.Enrolment):
    qr_svg: str = Field(description="The otpauth URI as an SVG QR code, to scan")


class SectionRole(IdentityCommand):
    role: Role
    entity: str | None = Field(default=None, max_length=40)


class RegistryRole(IdentityCommand):
    role: Role


class NewSectionUser(CreateUser):
    role: Role
    entity: str | None = Field(default=None, max_length=40)


@router.post("/session", status_code=201)
def sign_in_browser(
    command: SignIn,
    request: Request,
    response: Response,
    registry: Registry_,
    settings: Settings_,
) -> SessionView:
    """Sign in with password and TOTP code; the session travels in an HttpOnly cookie and
    unsafe requests must echo the CSRF token in the X-CSRF-Token header."""
    address = client_address(request)
    signed = sign_in.sign_in(registry, settings, command, kind="session", address=address)
    age = settings.session_minutes * 60
    response.set_cookie(
        SESSION_COOKIE,
        signed.token,
        max_age=age,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
        path="/",
    )
    response.set_cookie(
        CSRF_COOKIE,
        signed.csrf_token or "",
        max_age=age,
        httponly=False,
        secure=settings.cookie_secure,
        samesite="strict",
        path="/",
    )
    return SessionView(
        csrf_token=signed.csrf_token or "", expires_at=signed.expires_at, user=signed.user
    )


@router.delete("/session", status_code=204)
def sign_out_browser(who: OwingChange, registry: Registry_, response: Response) -> None:
    sign_in.sign_out(registry, who)
    response.delete_cookie(SESSION_COOKIE, path="/")
    response.delete_cookie(CSRF_COOKIE, path="/")


@router.post("/tokens", status_code=201)
def issue_token(
    command: SignIn, request: Request, registry: Registry_, settings: Settings_
) -> SignedIn:
    """Sign in with password and TOTP code for a short-lived bearer token."""
    address = client_address(request)
    return sign_in.sign_in(registry, settings, command, kind="token", label="api", address=address)


@router.delete("/tokens/current", status_code=204)
def revoke_token(who: OwingChange, registry: Registry_) -> None:
    """Revoke the token (or end the session) this request was made with."""
    sign_in.sign_out(registry, who)


@router.get("/me")
async def me(who: Signed) -> UserView:
    """The signed-in user and their roles, as the authentication read them: no second read,
    and no thread-pool hop besides the authentication's."""
    return who.view()


@router.post("/me/password")
def change_password(
    command: ChangePassword,
    who: OwingChange,
    request: Request,
    registry: Registry_,
    settings: Settings_,
) -> UserView:
    """Change one's own password with the current one and a current second-factor code (a
    wrong one counts as a failed sign-in); every other session and token of the user ends.
    The only route, besides signing out, open to a user whose password was reset."""
    return passwords.change_password(registry, settings, who, command, client_address(request))


@router.post("/enrolment", status_code=201)
def begin_enrolment(
    command: Credentials, request: Request, registry: Registry_, settings: Settings_
) -> EnrolmentView:
    """A user without a second factor proves their password and gets a TOTP secret, as an
    otpauth URI and a QR code to scan; it counts once confirmed with a code."""
    enrolment = sign_in.begin_enrolment(registry, settings, command, client_address(request))
    qr = segno.make(enrolment.otpauth_uri, error="m").svg_inline(scale=4)
    return EnrolmentView(secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri, qr_svg=qr)


@router.post("/enrolment/confirmation")
def confirm_enrolment(
    command: ConfirmEnrolment, request: Request, registry: Registry_, settings: Settings_
) -> UserView:
    return sign_in.confirm_enrolment(registry, settings, command, client_address(request))


# --- users and roles -----------------------------------------------------------------------


@router.get("/users")
def list_all_users(
    actor: RegistryWide,
    registry: Registry_,
    page: Paged,
    party: Annotated[str | None, Query(pattern="^[A-Z]{3}$")] = None,
    role: RoleFilter = None,
    status: StateFilter = None,
) -> list[UserView]:
    """Every user, or those holding a role in `party`'s section, `role`, in `status`."""
    found = identity.list_users(registry, actor, None)
    return page(user_status.matching(found, registry.now(), party, role, status))


@router.post("/users", status_code=201)
def create_user(
    command: CreateUser, actor: RegistryWide, registry: Registry_, key: IdempotencyKey = None
) -> UserView:
    """The secretariat creates a user; roles are granted separately."""
    return identity.create_user(registry, actor, command, idempotency_key=key)


@router.put("/users/{user}/role")
def grant_registry_role(
    command: RegistryRole,
    actor: RegistryWide,
    registry: Registry_,
    key: IdempotencyKey = None,
    user: str = UserName,
) -> UserView:
    return identity.grant_role(
        registry, actor, user, GrantRole(role=command.role), idempotency_key=key
    )


@router.delete("/users/{user}/role")
def revoke_registry_role(
    actor: RegistryWide, registry: Registry_, key: IdempotencyKey = None, user: str = UserName
) -> UserView:
    return identity.revoke_role(registry, actor, user, None, idempotency_key=key)


@router.get("/users/{user}")
def user_detail(actor: RegistryWide, registry: Registry_, user: str = UserName) -> UserView:
    return identity.user_detail(registry, actor, user)


@router.post("/users/{user}/unlock")
def unlock_user(
    actor: RegistryWide, registry: Registry_, key: IdempotencyKey = None, user: str = UserName
) -> UserView:
    return identity.unlock_user(registry, actor, user, idempotency_key=key)


@router.post("/users/{user}/second-factor-reset")
def reset_second_factor(
    actor: RegistryWide, registry: Registry_, key: IdempotencyKey = None, user: str = UserName
) -> UserView:
    return identity.reset_second_factor(registry, actor, user, idempotency_key=key)


@router.post("/users/{user}/password-reset")
def reset_password(
    actor: RegistryWide, registry: Registry_, key: IdempotencyKey = None, user: str = UserName
) -> PasswordReset:
    """A temporary password, shown once, that the user must change at their next sign-in;
    every session and token of the user ends."""
    return passwords.reset_password(registry, actor, user, idempotency_key=key)


@router.get("/parties/{party}/users")
def list_section_users(
    party: PartyCode,
    actor: InSection,
    registry: Registry_,
    page: Paged,
    role: RoleFilter = None,
    status: StateFilter = None,
) -> list[UserView]:
    found = identity.list_users(registry, actor, party)
    return page(user_status.matching(found, registry.now(), party, role, status))


@router.post("/parties/{party}/users", status_code=201)
def create_section_user(
    party: PartyCode,
    command: NewSectionUser,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> UserView:
    """A Party Section Administrator creates a user of their section with one role."""
    user = CreateUser(
        name=command.name, display_name=command.display_name, password=command.password
    )
    grant = GrantRole(role=command.role, party=party, entity=command.entity)
    return identity.create_section_user(registry, actor, user, grant, idempotency_key=key)


@router.put("/parties/{party}/users/{user}/role")
def grant_section_role(
    party: PartyCode,
    command: SectionRole,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
    user: str = UserName,
) -> UserView:
    grant = GrantRole(role=command.role, party=party, entity=command.entity)
    return identity.grant_role(registry, actor, user, grant, idempotency_key=key)


@router.delete("/parties/{party}/users/{user}/role")
def revoke_section_role(
    party: PartyCode,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
    user: str = UserName,
) -> UserView:
    return identity.revoke_role(registry, actor, user, party, idempotency_key=key)


@router.post("/parties/{party}/users/{user}/unlock")
def unlock_section_user(
    party: PartyCode,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
    user: str = UserName,
) -> UserView:
    return identity.unlock_user(registry, actor, user, idempotency_key=key)


@router.post("/parties/{party}/users/{user}/second-factor-reset")
def reset_section_second_factor(
    party: PartyCode,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
    user: str = UserName,
) -> UserView:
    return identity.reset_second_factor(registry, actor, user, idempotency_key=key)


@router.post("/parties/{party}/users/{user}/password-reset")
def reset_section_password(
    party: PartyCode,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
    user: str = UserName,
) -> PasswordReset:
    """As the secretariat's reset, for a user of the section only."""
    return passwords.reset_password(registry, actor, user, idempotency_key=key)
