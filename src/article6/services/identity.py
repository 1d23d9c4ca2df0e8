"""Identity: users, their roles per Party section, password + TOTP sign-in, sessions and tokens.

Sign-in failures must be remembered even though the sign-in is refused, so these functions
commit the failure (and its journal entry) first and raise the refusal afterwards. Every
sign-in, failure, enrolment and role change is journaled; no secret ever is.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from argon2 import PasswordHasher, profiles
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from article6.domain import totp
from article6.domain.access import REGISTRY_WIDE_ROLES, Actor, Permission, Role, permits_grant
from article6.domain.checks import Check, CommandRefused, Refusal, refuse
from article6.services.context import Registry, execute
from article6.services.setup import allow
from article6.settings import Settings
from article6.store import identity, journal
from article6.store.database import unit_of_work

_HASHERS: dict[str, PasswordHasher] = {}


def hasher() -> PasswordHasher:
    """argon2id with RFC 9106's low-memory profile; the cheapest parameters only when the
    settings say so (tests, development only: `Settings.check` refuses it elsewhere)."""
    cost = Settings.from_env().password_cost
    if cost not in _HASHERS:
        profile = profiles.CHEAPEST if cost == "test" else profiles.RFC_9106_LOW_MEMORY
        _HASHERS[cost] = PasswordHasher.from_parameters(profile)
    return _HASHERS[cost]


NAME_PATTERN = r"^[a-z0-9][a-z0-9._-]{1,79}$"
NOT_ACCEPTED = "the name, password or second-factor code was not accepted"


class IdentityCommand(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CreateUser(IdentityCommand):
    name: str = Field(pattern=NAME_PATTERN)
    display_name: str = Field(min_length=1, max_length=200)
    password: str = Field(min_length=12, max_length=200)


class GrantRole(IdentityCommand):
    role: Role
    party: str | None = Field(default=None, pattern="^[A-Z]{3}$")
    entity: str | None = Field(default=None, max_length=40)


class SignIn(IdentityCommand):
    name: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)
    code: str = Field(min_length=1, max_length=10)


class Credentials(IdentityCommand):
    name: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=200)


class ConfirmEnrolment(Credentials):
    code: str = Field(min_length=1, max_length=10)


class UserRequest(IdentityCommand):
    """An identity-management request as the idempotency record sees it."""

    action: str
    user: str
    body: dict[str, Any] = Field(default_factory=dict)


class GrantView(BaseModel):
    role: Role
    party: str | None
    entity: str | None


class UserView(BaseModel):
    name: str
    display_name: str
    enrolled: bool
    locked_until: datetime | None
    disabled: bool
    grants: list[GrantView]


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


@dataclass(frozen=True)
class Principal:
    """An authenticated user with the roles they hold, as of this request."""

    user_id: int
    name: str
    grants: tuple[GrantView, ...]
    kind: str
    token_hash: str
    csrf_hash: str | None

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


def _aware(moment: datetime | None) -> datetime | None:
    if moment is None:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def token_hash(settings: Settings, value: str) -> str:
    return hmac.new(settings.secret_key.encode(), value.encode(), hashlib.sha256).hexdigest()


def _log(
    connection: Connection,
    registry: Registry,
    actor: str,
    event: str,
    subject: str,
    body: dict[str, Any],
    party: str | None = None,
) -> None:
    journal.append(
        connection,
        actor=actor,
        event=event,
        party=party,
        subject=subject[:80],
        body=body,
        at=registry.now(),
    )


def _view(connection: Connection, row: Any) -> UserView:
    return UserView(
        name=row.name,
        display_name=row.display_name,
        enrolled=row.totp_enrolled_at is not None,
        locked_until=_aware(row.locked_until),
        disabled=row.disabled,
        grants=[
            GrantView(role=Role(g.role), party=g.party_key or None, entity=g.entity)
            for g in identity.grants_of(connection, row.id)
        ],
    )


def _user(connection: Connection, name: str, lock: bool = False) -> Any:
    row = identity.user_by_name(connection, name, lock=lock)
    if row is None:
        raise refuse(Check.C1012, "user", f"{name} is not a user of this registry")
    return row


def _may_manage(connection: Connection, actor: Actor, user_id: int) -> None:
    """An administrator manages users of their own section; the secretariat manages anyone."""
    if actor.role is Role.SECRETARIAT:
        return
    parties = {g.party_key for g in identity.grants_of(connection, user_id)}
    if parties and parties != {actor.party}:
        raise refuse(Check.C4006, "user", "this user holds roles outside your section")
    allow(actor, Permission.MANAGE_USERS, actor.party)


def _insert_user(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    command: CreateUser,
    totp_secret: str | None,
) -> UserView:
    if identity.user_by_name(connection, command.name) is not None:
        raise refuse(Check.C1011, "name", f"{command.name} is already a user")
    now = registry.now()
    user_id = identity.insert_user(
        connection,
        name=command.name,
        display_name=command.display_name,
        password_hash=hasher().hash(command.password),
        totp_secret=totp_secret,
        totp_enrolled_at=now if totp_secret else None,
        failed_sign_ins=0,
        disabled=False,
        created_at=now,
    )
    _log(
        connection,
        registry,
        actor.label,
        "UserCreated",
        command.name,
        {"name": command.name, "display_name": command.display_name},
        actor.party,
    )
    if totp_secret:
        _log(connection, registry, actor.label, "TotpEnrolled", command.name, {}, actor.party)
    row = identity.user_by_id(connection, user_id)
    return _view(connection, row)


def create_user(
    registry: Registry,
    actor: Actor,
    command: CreateUser,
    totp_secret: str | None = None,
    idempotency_key: str | None = None,
) -> UserView:
    """A new user with a password; they enrol their second factor themselves, unless a
    `totp_secret` is given (the demo's users, whose secrets are printed for the demo)."""
    allow(actor, Permission.MANAGE_USERS, actor.party)

    def handle(connection: Connection, registry: Registry, actor: Actor) -> UserView:
        return _insert_user(connection, registry, actor, command, totp_secret)

    return execute(registry, actor, command, handle, UserView, idempotency_key)


def create_section_user(
    registry: Registry,
    actor: Actor,
    command: CreateUser,
    grant: GrantRole,
    idempotency_key: str | None = None,
    totp_secret: str | None = None,
) -> UserView:
    """A new user holding one role, in one transaction (a Party Section Administrator's
    shortcut, and the installer's)."""
    refusal = permits_grant(actor, grant.role, grant.party, grant.entity)
    if refusal is not None:
        raise CommandRefused([refusal])
    request = UserRequest(
        action="create-in-section",
        user=command.name,
        body={**command.model_dump(mode="json"), **grant.model_dump(mode="json")},
    )

    def handle(connection: Connection, registry: Registry, actor: Actor) -> UserView:
        _insert_user(connection, registry, actor, command, totp_secret)
        return _grant(connection, registry, actor, command.name, grant)

    return execute(registry, actor, request, handle, UserView, idempotency_key)


def _grant(
    connection: Connection, registry: Registry, actor: Actor, user: str, command: GrantRole
) -> UserView:
    row = _user(connection, user)
    if command.party is not None:
        from article6.store import records

        if records.section(connection, command.party) is None:
            raise refuse(Check.C1001, "party", f"{command.party} has no Party section")
    if command.entity is not None:
        from article6.store import records

        entity = records.entity(connection, command.entity)
        if entity is None or entity.party_code != command.party:
            raise refuse(Check.C1012, "entity", f"{command.entity} is not an entity there")
    identity.put_grant(
        connection,
        row.id,
        command.party or "",
        command.role.value,
        command.entity,
        registry.now(),
        actor.label,
    )
    _log(
        connection,
        registry,
        actor.label,
        "RoleGranted",
        user,
        command.model_dump(mode="json"),
        command.party,
    )
    return _view(connection, row)


def grant_role(
    registry: Registry,
    actor: Actor,
    user: str,
    command: GrantRole,
    idempotency_key: str | None = None,
) -> UserView:
    refusal = permits_grant(actor, command.role, command.party, command.entity)
    if refusal is not None:
        raise CommandRefused([refusal])
    if command.party is None and command.role not in REGISTRY_WIDE_ROLES:
        raise refuse(Check.C4006, "party", f"the role {command.role} needs a Party section")

    def handle(connection: Connection, registry: Registry, actor: Actor) -> UserView:
        return _grant(connection, registry, actor, user, command)

    request = UserRequest(action="grant", user=user, body=command.model_dump(mode="json"))
    return execute(registry, actor, request, handle, UserView, idempotency_key)


def revoke_role(
    registry: Registry,
    actor: Actor,
    user: str,
    party: str | None,
    idempotency_key: str | None = None,
) -> UserView:
    def handle(connection: Connection, registry: Registry, actor: Actor) -> UserView:
        row = _user(connection, user)
        grant = identity.grant_in(connection, row.id, party or "")
        if grant is None:
            raise refuse(Check.C1012, "party", f"{user} holds no role in {party or 'the registry'}")
        refusal = permits_grant(actor, Role(grant.role), party, grant.entity)
        if refusal is not None:
            raise CommandRefused([refusal])
        identity.drop_grant(connection, row.id, party or "")
        _log(
            connection,
            registry,
            actor.label,
            "RoleRevoked",
            user,
            {"role": grant.role, "party": party, "entity": grant.entity},
            party,
        )
        return _view(connection, row)

    request = UserRequest(action="revoke", user=user, body={"party": party})
    return execute(registry, actor, request, handle, UserView, idempotency_key)


def list_users(registry: Registry, actor: Actor, party: str | None) -> list[UserView]:
    """The users holding a role in `party`'s section, or every user (the secretariat)."""
    if party is None and actor.role is not Role.SECRETARIAT:
        raise refuse(Check.C4002, "actor", "only the secretariat lists every user")
    allow(actor, Permission.MANAGE_USERS, party)
    with unit_of_work(registry.engine, read_only=True) as connection:
        return [_view(connection, row) for row in identity.users_in(connection, party)]


def user_detail(registry: Registry, actor: Actor, user: str) -> UserView:
    with unit_of_work(registry.engine, read_only=True) as connection:
        row = _user(connection, user)
        _may_manage(connection, actor, row.id)
        return _view(connection, row)


def unlock_user(
    registry: Registry, actor: Actor, user: str, idempotency_key: str | None = None
) -> UserView:
    """Lift a lock after repeated failures (the lock also lifts by itself in time)."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> UserView:
        row = _user(connection, user, lock=True)
        _may_manage(connection, actor, row.id)
        identity.update_user(connection, row.id, failed_sign_ins=0, locked_until=None)
        _log(connection, registry, actor.label, "UserUnlocked", user, {}, actor.party)
        return _view(connection, identity.user_by_id(connection, row.id))

    return execute(
        registry, actor, UserRequest(action="unlock", user=user), handle, UserView, idempotency_key
    )


def reset_second_factor(
    registry: Registry, actor: Actor, user: str, idempotency_key: str | None = None
) -> UserView:
    """Clear a lost authenticator: the user enrols again and every session ends."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> UserView:
        row = _user(connection, user, lock=True)
        _may_manage(connection, actor, row.id)
        now = registry.now()
        identity.update_user(
            connection, row.id, totp_secret=None, totp_enrolled_at=None, totp_last_counter=None
        )
        identity.revoke_sessions_of(connection, row.id, now)
        _log(connection, registry, actor.label, "TotpReset", user, {}, actor.party)
        return _view(connection, identity.user_by_id(connection, row.id))

    # --- sign-in -------------------------------------------------------------------------------

    return execute(
        registry, actor, UserRequest(action="reset", user=user), handle, UserView, idempotency_key
    )


def _password_ok(row: Any, password: str) -> bool:
    if row is None:
        hasher().hash(password)  # spend the same time whether or not the user exists
        return False
    try:
        return bool(hasher().verify(row.password_hash, password))
    except (VerificationError, InvalidHashError):
        return False


def _gate(settings: Settings, row: Any, now: datetime) -> Refusal | None:
    """Locked, or throttled: after a few failures each attempt waits longer (1, 2, 4 … s)."""
    locked_until = _aware(row.locked_until)
    if locked_until is not None and locked_until > now:
        return Refusal(
            Check.C4010, "name", f"locked after repeated failures until {locked_until:%H:%M} UTC"
        )
    last = _aware(row.last_failure_at)
    if row.failed_sign_ins >= settings.throttle_after and last is not None:
        wait = timedelta(seconds=min(2 ** (row.failed_sign_ins - settings.throttle_after), 300))
        if now < last + wait:
            seconds = int((last + wait - now).total_seconds()) + 1
            return Refusal(Check.C4010, "name", f"too many failures; try again in {seconds} s")
    return None


def _fail(
    connection: Connection,
    registry: Registry,
    settings: Settings,
    name: str,
    row: Any,
    reason: str,
) -> Refusal:
    now = registry.now()
    identity.record_failure(connection, name, reason, now)
    refusal = Refusal(Check.C4009, "name", NOT_ACCEPTED)
    body: dict[str, Any] = {"reason": reason}
    if row is not None and reason not in ("locked", "throttled"):
        failures = row.failed_sign_ins + 1
        values: dict[str, Any] = {"failed_sign_ins": failures, "last_failure_at": now}
        if failures >= settings.lock_after:
            values["locked_until"] = now + timedelta(minutes=settings.lock_minutes)
            refusal = Refusal(Check.C4010, "name", "locked after repeated failures")
            body["locked_until"] = values["locked_until"].isoformat()
        identity.update_user(connection, row.id, **values)
        body["failures"] = failures
    _log(connection, registry, name[:80], "SignInFailed", name, body)
    return refusal


def _check_code(row: Any, code: str, now: datetime) -> int | None:
    if row is None or row.totp_secret is None or row.totp_enrolled_at is None:
        return None
    return totp.matching_counter(row.totp_secret, code, now, after=row.totp_last_counter)


def sign_in(
    registry: Registry,
    settings: Settings,
    command: SignIn,
    kind: str = "session",
    label: str | None = None,
) -> SignedIn:
    """Password and a current TOTP code give a browser session (with a CSRF token) or a
    short-lived API token."""
    refusal: Refusal | None = None
    with unit_of_work(registry.engine) as connection:
        now = registry.now()
        row = identity.user_by_name(connection, command.name, lock=True)
        if row is not None:
            gate = _gate(settings, row, now)
            if gate is not None:
                _fail(connection, registry, settings, command.name, row, "throttled")
                refusal = gate
        if refusal is None:
            password_ok = _password_ok(row, command.password)
            counter = _check_code(row, command.code, now) if password_ok else None
            if row is None or row.disabled or not password_ok or counter is None:
                reason = (
                    "unknown user"
                    if row is None
                    else "disabled"
                    if row.disabled
                    else "password"
                    if not password_ok
                    else "second factor"
                )
                refusal = _fail(connection, registry, settings, command.name, row, reason)
            else:
                token = secrets.token_urlsafe(32)
                csrf = secrets.token_urlsafe(32) if kind == "session" else None
                minutes = settings.session_minutes if kind == "session" else settings.token_minutes
                expires = now + timedelta(minutes=minutes)
                identity.insert_session(
                    connection,
                    token_hash=token_hash(settings, token),
                    user_id=row.id,
                    kind=kind,
                    csrf_hash=token_hash(settings, csrf) if csrf else None,
                    label=label,
                    created_at=now,
                    expires_at=expires,
                )
                identity.update_user(
                    connection,
                    row.id,
                    failed_sign_ins=0,
                    last_failure_at=None,
                    locked_until=None,
                    totp_last_counter=counter,
                )
                _log(connection, registry, row.name, "SignedIn", row.name, {"kind": kind})
                return SignedIn(
                    token=token,
                    csrf_token=csrf,
                    kind=kind,
                    expires_at=expires,
                    user=_view(connection, identity.user_by_id(connection, row.id)),
                )
    raise CommandRefused([refusal])


def authenticate(registry: Registry, settings: Settings, token: str, kind: str) -> Principal | None:
    """The user a session cookie or bearer token belongs to, if it is current."""
    digest = token_hash(settings, token)
    with unit_of_work(registry.engine, read_only=True) as connection:
        row = identity.session(connection, digest)
        if row is None or row.kind != kind or row.revoked_at is not None:
            return None
        expires = _aware(row.expires_at)
        if expires is None or expires <= registry.now():
            return None
        user = identity.user_by_id(connection, row.user_id)
        if user is None or user.disabled:
            return None
        grants = tuple(
            GrantView(role=Role(g.role), party=g.party_key or None, entity=g.entity)
            for g in identity.grants_of(connection, user.id)
        )
        return Principal(user.id, user.name, grants, kind, digest, row.csrf_hash)


def csrf_matches(settings: Settings, principal: Principal, presented: str | None) -> bool:
    if principal.csrf_hash is None or not presented:
        return False
    return hmac.compare_digest(principal.csrf_hash, token_hash(settings, presented))


def sign_out(registry: Registry, principal: Principal) -> None:
    """End the session or revoke the token that made this request."""
    with unit_of_work(registry.engine) as connection:
        identity.revoke_session(connection, principal.token_hash, registry.now())
        event = "SignedOut" if principal.kind == "session" else "TokenRevoked"
        _log(connection, registry, principal.name, event, principal.name, {"kind": principal.kind})


def me(registry: Registry, principal: Principal) -> UserView:
    with unit_of_work(registry.engine, read_only=True) as connection:
        return _view(connection, identity.user_by_id(connection, principal.user_id))


# --- second-factor enrolment ---------------------------------------------------------------


def _verified_user(
    connection: Connection, registry: Registry, settings: Settings, command: Credentials
) -> tuple[Any, Refusal | None]:
    row = identity.user_by_name(connection, command.name, lock=True)
    if row is not None:
        gate = _gate(settings, row, registry.now())
        if gate is not None:
            return row, gate
    if row is None or row.disabled or not _password_ok(row, command.password):
        return row, _fail(connection, registry, settings, command.name, row, "password")
    return row, None


def begin_enrolment(registry: Registry, settings: Settings, command: Credentials) -> Enrolment:
    """A user without a second factor proves their password and receives a fresh TOTP secret;
    it counts only once confirmed with a code."""
    refusal: Refusal | None
    with unit_of_work(registry.engine) as connection:
        row, refusal = _verified_user(connection, registry, settings, command)
        if refusal is None:
            if row.totp_enrolled_at is not None:
                raise refuse(
                    Check.C4009,
                    "name",
                    "a second factor is already enrolled; an administrator can reset it",
                )
            secret = totp.new_secret()
            identity.update_user(connection, row.id, totp_secret=secret)
            _log(connection, registry, row.name, "TotpEnrolmentStarted", row.name, {})
            return Enrolment(
                secret=secret,
                otpauth_uri=totp.provisioning_uri(secret, row.name, settings.issuer),
            )
    raise CommandRefused([refusal])


def confirm_enrolment(
    registry: Registry, settings: Settings, command: ConfirmEnrolment
) -> UserView:
    refusal: Refusal | None
    with unit_of_work(registry.engine) as connection:
        row, refusal = _verified_user(connection, registry, settings, command)
        if refusal is None:
            if row.totp_enrolled_at is not None or row.totp_secret is None:
                raise refuse(Check.C4009, "code", "there is no enrolment waiting for a code")
            now = registry.now()
            counter = totp.matching_counter(row.totp_secret, command.code, now)
            if counter is None:
                refusal = _fail(connection, registry, settings, row.name, row, "enrolment code")
            else:
                identity.update_user(
                    connection, row.id, totp_enrolled_at=now, totp_last_counter=counter
                )
                _log(connection, registry, row.name, "TotpEnrolled", row.name, {})
                return _view(connection, identity.user_by_id(connection, row.id))
    raise CommandRefused([refusal])
