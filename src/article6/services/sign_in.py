"""Sign-in: password and TOTP code for a browser session or an API token, throttling and
lockout (by name and by client address: `throttle`), sign-out, and second-factor enrolment.

Sign-in failures must be remembered even though the sign-in is refused, so these functions
commit the failure (and its journal entry) first and raise the refusal afterwards. Every
sign-in, failure and enrolment is journaled; no secret ever is.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, Field
from sqlalchemy import Connection

from article6.domain import totp
from article6.domain.access import Actor, Role
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.wording import words
from article6.services import throttle
from article6.services.context import Registry
from article6.services.identity import (
    GrantView,
    IdentityCommand,
    UserView,
    hasher,
    journal_event,
    token_hash,
    user_view,
)
from article6.services.throttle import Standing
from article6.settings import Settings
from article6.store import identity, loop_reads
from article6.store.database import (
    aware,
    once_more_if_disconnected,
    single_read,
    unit_of_work,
)
from article6.store.identity import NewSession, UserRecord

NOT_ACCEPTED = words("the name, password or second-factor code was not accepted")


class SignIn(IdentityCommand):
    name: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)
    code: str = Field(min_length=1, max_length=10)


class Credentials(IdentityCommand):
    name: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


class ConfirmEnrolment(Credentials):
    code: str = Field(min_length=1, max_length=10)


class Enrolment(BaseModel):
    """What an authenticator app needs; shown once, at enrolment."""

    secret: str
    otpauth_uri: str


class SignedIn(BaseModel):
    token: str
    csrf_token: str | None
    kind: str
    expires_at: datetime
    user: UserView
    language: str | None = None  # the user's chosen language: the pages follow it from sign-in


@dataclass(frozen=True)
class Principal:
    """An authenticated user with the roles they hold, as of this request."""

    user_id: int
    name: str
    grants: tuple[GrantView, ...]
    kind: str
    token_hash: str
    csrf_hash: str | None
    must_change_password: bool = False  # after an administrator's reset: C4014 until changed
    display_name: str = ""
    enrolled: bool = False
    locked_until: datetime | None = None

    def view(self) -> UserView:
        """The user as `GET /me` shows them, from the authentication's own read."""
        return UserView(
            name=self.name,
            display_name=self.display_name,
            enrolled=self.enrolled,
            locked_until=self.locked_until,
            disabled=False,  # a disabled user is never authenticated
            password_change_required=self.must_change_password,
            grants=list(self.grants),
        )

    def actor_for(self, party: str | None) -> Actor | None:
        """The Actor acting in `party`'s section (registry-wide when None), or None if the user
        holds no role there. A registry-wide role also acts in every section."""
        for grant in self.grants:
            if party is not None and grant.party == party:
                return Actor(self.name, grant.role, party, grant.entity)
        for grant in self.grants:
            if grant.party is None:
                return Actor(self.name, grant.role, party, None)
        return None

    def any_actor(self) -> Actor | None:
        registry_wide = self.actor_for(None)
        if registry_wide is not None:
            return registry_wide
        return self.actor_for(self.grants[0].party) if self.grants else None


def password_matches(row: UserRecord | None, password: str) -> bool:
    if row is None:
        hasher().hash(password)  # spend the same time whether or not the user exists
        return False
    try:
        return bool(hasher().verify(row.password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def admit(
    connection: Connection,
    registry: Registry,
    settings: Settings,
    name: str,
    address: str | None,
) -> tuple[UserRecord | None, Standing, CommandRefused | None]:
    """The user (if any) and the attempt's standing; a refusal, journaled, if the attempt is
    locked or throttled, before any password is hashed."""
    key = throttle.address_key(address)
    identity.queue_attempt(connection, name, key)
    row = identity.user_by_name(connection, name, lock=True)
    now = registry.now()
    standing = throttle.standing(connection, settings, name, key, row, now)
    gate = throttle.gate(settings, standing, now)
    if gate is None:
        return row, standing, None
    refusal, reason, seconds = gate
    fail(connection, registry, settings, standing, row, reason)
    return row, standing, CommandRefused([refusal], retry_after=seconds)


def fail(
    connection: Connection,
    registry: Registry,
    settings: Settings,
    standing: Standing,
    row: UserRecord | None,
    reason: str,
    answer: Refusal | None = None,
) -> CommandRefused:
    """Journal the failure; one whose password was checked also counts against the name and
    the address (a locked or throttled attempt does not: it is only journaled). The refusal is
    `answer` (sign-in's C4009 unless given), or C4010 once the failure locks the name."""
    now = registry.now()
    refusal = CommandRefused([answer or Refusal(Check.C4009, "name", NOT_ACCEPTED)])
    body: dict[str, Any] = {"reason": reason, "address": standing.address}
    if reason not in identity.UNCHECKED:
        identity.record_failure(connection, standing.name, reason, now, standing.address)
        failures = standing.failures + 1
        locked_until = None
        if failures >= settings.lock_after:
            locked_until = now + timedelta(minutes=settings.lock_minutes)
            refusal = CommandRefused(
                [Refusal(Check.C4010, "name", words("locked after repeated failures"))],
                retry_after=settings.lock_minutes * 60,
            )
            body["locked_until"] = locked_until.isoformat()
        if row is not None:
            identity.count_failure(connection, row.id, failures, now, locked_until)
        body["failures"] = failures
    name = standing.name
    journal_event(connection, registry, name[:80], "SignInFailed", name, body)
    return refusal


def refused(refusal: CommandRefused | None) -> CommandRefused:
    """The refusal a failed attempt ends with (every path that does not return sets one)."""
    if refusal is None:
        raise RuntimeError("a sign-in step neither succeeded nor was refused")
    return refusal


def current_counter(row: UserRecord | None, code: str, now: datetime) -> int | None:
    """The time step of `code` if it is the user's current code, not used before."""
    if row is None or row.totp_secret is None or row.totp_enrolled_at is None:
        return None
    return totp.matching_counter(row.totp_secret, code, now, after=row.totp_last_counter)


def temporary_password_lapsed(row: UserRecord, settings: Settings, now: datetime) -> bool:
    """Whether `row`'s password is a reset's temporary one older than its lifetime: refused like
    a wrong one (the answer tells no one that it was right), journaled with its own reason."""
    if not row.password_change_required or row.password_changed_at is None:
        return False
    lifetime = timedelta(hours=settings.temporary_password_hours)
    return bool(aware(row.password_changed_at) + lifetime < now)


def sign_in(
    registry: Registry,
    settings: Settings,
    command: SignIn,
    kind: str = "session",
    label: str | None = None,
    address: str | None = None,
) -> SignedIn:
    """Password and a current TOTP code give a browser session (with a CSRF token) or a
    short-lived API token. `address` is the client's, to throttle failures by address too."""
    with unit_of_work(registry.engine) as connection:
        row, standing, refusal = admit(connection, registry, settings, command.name, address)
        if refusal is None:
            now = registry.now()
            password_ok = password_matches(row, command.password)
            counter = current_counter(row, command.code, now) if password_ok else None
            lapsed = (
                row is not None and password_ok and temporary_password_lapsed(row, settings, now)
            )
            if row is None or row.disabled or not password_ok or counter is None or lapsed:
                reason = (
                    "unknown user"
                    if row is None
                    else "disabled"
                    if row.disabled
                    else "password"
                    if not password_ok
                    else "second factor"
                    if counter is None
                    else "temporary password expired"
                )
                refusal = fail(connection, registry, settings, standing, row, reason)
            else:
                token = secrets.token_urlsafe(32)
                csrf = secrets.token_urlsafe(32) if kind == "session" else None
                minutes = settings.session_minutes if kind == "session" else settings.token_minutes
                expires = now + timedelta(minutes=minutes)
                issued = NewSession(
                    token_hash=token_hash(settings, token),
                    user_id=row.id,
                    kind=kind,
                    csrf_hash=token_hash(settings, csrf) if csrf else None,
                    label=label,
                    created_at=now,
                    expires_at=expires,
                )
                identity.insert_session(connection, issued)
                identity.signed_in(connection, row.id, counter)
                journal_event(connection, registry, row.name, "SignedIn", row.name, {"kind": kind})
                return SignedIn(
                    token=token,
                    csrf_token=csrf,
                    kind=kind,
                    expires_at=expires,
                    user=user_view(connection, identity.user_by_id(connection, row.id)),
                    language=row.language,
                )
    raise refused(refusal)


def authenticate(registry: Registry, digest: str, kind: str) -> Principal | None:
    """The user a session cookie or bearer token (by its keyed hash, `token_hash`) belongs to,
    if it is current."""

    def read() -> list[identity.SessionGrant]:
        with single_read(registry.engine) as connection:
            return identity.session_with_grants(connection, digest)

    return principal_from(once_more_if_disconnected(read), registry, kind, digest)


def reads_on_loop(registry: Registry) -> bool:
    """Whether `authenticate_on_loop` serves this registry's database (PostgreSQL)."""
    return loop_reads.of(registry.engine) is not None


async def authenticate_on_loop(registry: Registry, digest: str, kind: str) -> Principal | None:
    """As `authenticate`, its read on the event loop's own connections: no thread-pool hop."""
    reads = loop_reads.of(registry.engine)
    if reads is None:
        raise RuntimeError("SQLite authenticates in the thread pool (see reads_on_loop)")
    rows = await identity.session_with_grants_on_loop(reads, digest)
    return principal_from(rows, registry, kind, digest)


def principal_from(
    rows: list[identity.SessionGrant], registry: Registry, kind: str, digest: str
) -> Principal | None:
    """The Principal a session's rows describe, if the session is of `kind`, current, and its
    user enabled."""
    if not rows:
        return None
    row = rows[0]
    if row.kind != kind or row.revoked_at is not None or row.disabled:
        return None
    expires = aware(row.expires_at)
    if expires is None or expires <= registry.now():
        return None
    grants = tuple(
        GrantView(role=Role(g.role), party=g.party_key or None, entity=g.entity)
        for g in rows
        if g.role is not None
    )
    return Principal(
        row.user_id,
        row.name,
        grants,
        kind,
        digest,
        row.csrf_hash,
        bool(row.password_change_required),
        row.display_name,
        row.totp_enrolled_at is not None,
        aware(row.locked_until),
    )


def csrf_matches(settings: Settings, principal: Principal, presented: str | None) -> bool:
    return csrf_digest_matches(principal, token_hash(settings, presented) if presented else None)


def csrf_digest_matches(principal: Principal, digest: str | None) -> bool:
    """The session's CSRF token, by the keyed hash of the one a request carried."""
    if principal.csrf_hash is None or not digest:
        return False
    return hmac.compare_digest(principal.csrf_hash, digest)


def sign_out(registry: Registry, principal: Principal) -> None:
    """End the session or revoke the token that made this request."""
    with unit_of_work(registry.engine) as connection:
        identity.revoke_session(connection, principal.token_hash, registry.now())
        event = "SignedOut" if principal.kind == "session" else "TokenRevoked"
        journal_event(
            connection, registry, principal.name, event, principal.name, {"kind": principal.kind}
        )


# --- second-factor enrolment ---------------------------------------------------------------


def _enrolling_user(
    connection: Connection,
    registry: Registry,
    settings: Settings,
    command: Credentials,
    address: str | None,
    confirming: bool,
) -> tuple[UserRecord | None, Standing, CommandRefused | None]:
    """The user who proves their password to enrol, or the refusal. An unknown name, a wrong
    password, a disabled user, and a user with no enrolment to make (already enrolled; or, when
    confirming, none begun) fail alike, each counted and journaled like a failed sign-in, the
    last whatever the password: otherwise the answer would tell that the password was right.
    An enrolled user needs no enrolment, only to sign in."""
    row, standing, refusal = admit(connection, registry, settings, command.name, address)
    if refusal is not None:
        return row, standing, refusal
    password_ok = password_matches(row, command.password)  # hashed whatever follows
    reason = None
    if row is None or not password_ok:
        reason = "password"
    elif row.disabled:
        reason = "disabled"
    elif row.totp_enrolled_at is not None:
        reason = "already enrolled"
    elif confirming and row.totp_secret is None:
        reason = "no enrolment begun"
    if reason is not None:
        return row, standing, fail(connection, registry, settings, standing, row, reason)
    return row, standing, None


def begin_enrolment(
    registry: Registry, settings: Settings, command: Credentials, address: str | None = None
) -> Enrolment:
    """A user without a second factor proves their password and receives a fresh TOTP secret;
    it counts only once confirmed with a code. Anyone else is refused as a wrong password is."""
    with unit_of_work(registry.engine) as connection:
        row, _, refusal = _enrolling_user(
            connection, registry, settings, command, address, confirming=False
        )
        if refusal is None and row is not None:
            secret = totp.new_secret()
            identity.begin_enrolment(connection, row.id, secret)
            journal_event(connection, registry, row.name, "TotpEnrolmentStarted", row.name, {})
            return Enrolment(
                secret=secret,
                otpauth_uri=totp.provisioning_uri(secret, row.name, settings.issuer),
            )
    raise refused(refusal)


def confirm_enrolment(
    registry: Registry,
    settings: Settings,
    command: ConfirmEnrolment,
    address: str | None = None,
) -> UserView:
    with unit_of_work(registry.engine) as connection:
        row, standing, refusal = _enrolling_user(
            connection, registry, settings, command, address, confirming=True
        )
        if refusal is None and row is not None and row.totp_secret is not None:
            now = registry.now()
            counter = totp.matching_counter(row.totp_secret, command.code, now)
            if counter is None:
                refusal = fail(connection, registry, settings, standing, row, "enrolment code")
            else:
                identity.enrol(connection, row.id, now, counter)
                journal_event(connection, registry, row.name, "TotpEnrolled", row.name, {})
                return user_view(connection, identity.user_by_id(connection, row.id))
    raise refused(refusal)
