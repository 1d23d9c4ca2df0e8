"""Identity: users and the roles they hold per Party section (sign-in is `sign_in.py`).

Every user and role change is one transaction with its journal entry, honouring the
idempotency key like every other command; no secret is ever journaled.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from argon2 import PasswordHasher, profiles
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from article6.domain import passwords
from article6.domain.access import REGISTRY_WIDE_ROLES, Actor, Permission, Role, permits_grant
from article6.domain.checks import Check, CommandRefused, refuse
from article6.domain.wording import words
from article6.services.access import allow
from article6.services.context import Registry, execute
from article6.services.views import UtcDateTime
from article6.settings import Settings
from article6.store import identity, journal
from article6.store.database import aware, unit_of_work
from article6.store.identity import NewUser, UserRecord

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


class IdentityCommand(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CreateUser(IdentityCommand):
    name: str = Field(pattern=NAME_PATTERN)
    display_name: str = Field(min_length=1, max_length=200)
    # Never dumped: the idempotency record hashes the dumped request (SHA-256), which must
    # not let whoever reads the database test password guesses faster than argon2id allows.
    password: str = Field(
        exclude=True, description="The password policy's (C4015): 12 to 128 characters"
    )


class GrantRole(IdentityCommand):
    role: Role
    party: str | None = Field(default=None, pattern="^[A-Z]{3}$")
    entity: str | None = Field(default=None, max_length=40)


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
    locked_until: UtcDateTime | None
    disabled: bool
    password_change_required: bool = False
    grants: list[GrantView]


def token_hash(settings: Settings, value: str) -> str:
    return hmac.new(settings.secret_key.encode(), value.encode(), hashlib.sha256).hexdigest()


def journal_event(
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


def user_view(connection: Connection, row: UserRecord) -> UserView:
    return UserView(
        name=row.name,
        display_name=row.display_name,
        enrolled=row.totp_enrolled_at is not None,
        locked_until=aware(row.locked_until),
        disabled=row.disabled,
        password_change_required=row.password_change_required,
        grants=[
            GrantView(role=Role(g.role), party=g.party_key or None, entity=g.entity)
            for g in identity.grants_of(connection, row.id)
        ],
    )


def user_row(connection: Connection, name: str, lock: bool = False) -> UserRecord:
    row = identity.user_by_name(connection, name, lock=lock)
    if row is None:
        raise refuse(Check.C1012, "user", words("{name} is not a user of this registry", name=name))
    return row


def may_manage(connection: Connection, actor: Actor, user: UserRecord) -> None:
    """An administrator manages their own section's users; the secretariat manages anyone.

    Whose user it is: the sections of the user's roles, all of which must be the
    administrator's. A user holding no role belongs where their creator holds roles (a user the
    secretariat or the installer made is the secretariat's to place)."""
    if actor.role is Role.SECRETARIAT:
        return
    allow(actor, Permission.MANAGE_USERS, actor.party)
    parties = {g.party_key for g in identity.grants_of(connection, user.id)}
    if not parties:
        creator = identity.user_by_name(connection, user.created_by) if user.created_by else None
        parties = (
            {g.party_key for g in identity.grants_of(connection, creator.id)} if creator else {""}
        )
    if parties != {actor.party}:
        raise refuse(
            Check.C4006,
            "user",
            words("{name} is not a user of {party}'s section", name=user.name, party=actor.party),
        )


def not_oneself(actor: Actor, user: UserRecord) -> None:
    """C4028: a role is granted or revoked by someone else, so nobody widens their own access
    (a section's administrator making themselves secretariat) or drops the last of it."""
    if user.name == actor.name:
        raise refuse(
            Check.C4028,
            "user",
            words("nobody grants or revokes their own roles: another administrator does"),
        )


def _insert_user(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    command: CreateUser,
    totp_secret: str | None,
) -> UserView:
    if identity.user_by_name(connection, command.name) is not None:
        raise refuse(Check.C1011, "name", words("{name} is already a user", name=command.name))
    weak = passwords.policy_refusals(command.password, command.name, field="password")
    if weak:
        raise CommandRefused(weak)
    now = registry.now()
    new_user = NewUser(
        name=command.name,
        display_name=command.display_name,
        password_hash=hasher().hash(command.password),
        totp_secret=totp_secret,
        totp_enrolled_at=now if totp_secret else None,
        created_at=now,
        created_by=actor.name,
    )
    user_id = identity.insert_user(connection, new_user)
    journal_event(
        connection,
        registry,
        actor.label,
        "UserCreated",
        command.name,
        {"name": command.name, "display_name": command.display_name},
        actor.party,
    )
    if totp_secret:
        journal_event(
            connection, registry, actor.label, "TotpEnrolled", command.name, {}, actor.party
        )
    row = identity.user_by_id(connection, user_id)
    return user_view(connection, row)


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
        return _grant(connection, registry, actor, command.name, grant, created=True)

    return execute(registry, actor, request, handle, UserView, idempotency_key)


def _grant(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    user: str,
    command: GrantRole,
    created: bool = False,
) -> UserView:
    row = user_row(connection, user, lock=True)
    if not created:
        not_oneself(actor, row)
        may_manage(connection, actor, row)
    if command.party is not None:
        from article6.store import sections

        if sections.section(connection, command.party) is None:
            raise refuse(
                Check.C1001, "party", words("{party} has no Party section", party=command.party)
            )
    if command.entity is not None:
        from article6.store import records

        entity = records.entity(connection, command.entity)
        if entity is None or entity.party_code != command.party:
            raise refuse(
                Check.C1012,
                "entity",
                words("{entity} is not an entity there", entity=command.entity),
            )
    identity.put_grant(
        connection,
        row.id,
        command.party or "",
        command.role.value,
        command.entity,
        registry.now(),
        actor.label,
    )
    journal_event(
        connection,
        registry,
        actor.label,
        "RoleGranted",
        user,
        command.model_dump(mode="json"),
        command.party,
    )
    return user_view(connection, row)


def add_section_user(
    connection: Connection, registry: Registry, actor: Actor, command: CreateUser, grant: GrantRole
) -> UserView:
    """A new user holding one role, inside a command that decided access itself (the opening of
    a section the secretariat approved)."""
    _insert_user(connection, registry, actor, command, None)
    return _grant(connection, registry, actor, command.name, grant, created=True)


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
        raise refuse(
            Check.C4006,
            "party",
            words("the role {role} needs a Party section", role=command.role),
        )

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
        row = user_row(connection, user, lock=True)
        not_oneself(actor, row)
        may_manage(connection, actor, row)
        grant = identity.grant_in(connection, row.id, party or "")
        if grant is None:
            raise refuse(
                Check.C1012,
                "party",
                (
                    words("{user} holds no role in {party}", user=user, party=party)
                    if party
                    else words("{user} holds no role in the registry", user=user)
                ),
            )
        refusal = permits_grant(actor, Role(grant.role), party, grant.entity)
        if refusal is not None:
            raise CommandRefused([refusal])
        identity.drop_grant(connection, row.id, party or "")
        journal_event(
            connection,
            registry,
            actor.label,
            "RoleRevoked",
            user,
            {"role": grant.role, "party": party, "entity": grant.entity},
            party,
        )
        return user_view(connection, row)

    request = UserRequest(action="revoke", user=user, body={"party": party})
    return execute(registry, actor, request, handle, UserView, idempotency_key)


def list_users(registry: Registry, actor: Actor, party: str | None) -> list[UserView]:
    """The users holding a role in `party`'s section, or every user (the secretariat)."""
    if party is None and actor.role is not Role.SECRETARIAT:
        raise refuse(Check.C4002, "actor", words("only the secretariat lists every user"))
    allow(actor, Permission.MANAGE_USERS, party)
    with unit_of_work(registry.engine, read_only=True) as connection:
        return [user_view(connection, row) for row in identity.users_in(connection, party)]


def user_detail(registry: Registry, actor: Actor, user: str) -> UserView:
    with unit_of_work(registry.engine, read_only=True) as connection:
        row = user_row(connection, user)
        may_manage(connection, actor, row)
        return user_view(connection, row)


def unlock_user(
    registry: Registry, actor: Actor, user: str, idempotency_key: str | None = None
) -> UserView:
    """Lift a lock after repeated failures (the lock also lifts by itself in time)."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> UserView:
        row = user_row(connection, user, lock=True)
        may_manage(connection, actor, row)
        identity.unlock(connection, row.id)
        journal_event(connection, registry, actor.label, "UserUnlocked", user, {}, actor.party)
        return user_view(connection, identity.user_by_id(connection, row.id))

    return execute(
        registry, actor, UserRequest(action="unlock", user=user), handle, UserView, idempotency_key
    )


def reset_second_factor(
    registry: Registry, actor: Actor, user: str, idempotency_key: str | None = None
) -> UserView:
    """Clear a lost authenticator: the user enrols again and every session ends."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> UserView:
        row = user_row(connection, user, lock=True)
        may_manage(connection, actor, row)
        now = registry.now()
        identity.clear_second_factor(connection, row.id)
        identity.revoke_sessions_of(connection, row.id, now)
        journal_event(connection, registry, actor.label, "TotpReset", user, {}, actor.party)
        return user_view(connection, identity.user_by_id(connection, row.id))

    return execute(
        registry, actor, UserRequest(action="reset", user=user), handle, UserView, idempotency_key
    )
