"""Passwords: a user changes their own; an administrator resets one.

A change proves the current password and a current second-factor code, like a sign-in, and a
wrong one is a failed sign-in (counted, throttled, journaled): otherwise a stolen session could
guess the password at leisure. It ends the user's other sessions and tokens, since whoever holds
one may be why the password changes. A reset gives a temporary password that lets its user do
nothing but choose their own (C4014), and ends every session and token of the user. No password
is ever journaled or kept in the clear.
"""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy import Connection

from article6.domain import passwords
from article6.domain.access import Actor
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.wording import words
from article6.services.context import Registry, execute
from article6.services.identity import (
    IdentityCommand,
    UserRequest,
    UserView,
    hasher,
    journal_event,
    may_manage,
    user_row,
    user_view,
)
from article6.services.sign_in import (
    Principal,
    admit,
    current_counter,
    fail,
    password_matches,
    refused,
)
from article6.settings import Settings
from article6.store import identity
from article6.store.database import unit_of_work

NOT_ACCEPTED = words("the current password or the second-factor code was not accepted")


class ChangePassword(IdentityCommand):
    old_password: str = Field(min_length=1, max_length=200, description="The current password")
    new_password: str = Field(description="12 to 128 characters, not the user name (C4015)")
    code: str = Field(min_length=1, max_length=10, description="A current second-factor code")


class PasswordReset(BaseModel):
    """The user after the reset, and their temporary password: shown once, never stored in the
    clear (a replay of the same Idempotency-Key shows none; reset again)."""

    user: UserView
    temporary_password: str | None


def change_password(
    registry: Registry,
    settings: Settings,
    principal: Principal,
    command: ChangePassword,
    address: str | None = None,
) -> UserView:
    """The signed-in user sets a new password; their other sessions and tokens end (the one
    making this request stays). The policy is checked first: it needs no secret."""
    weak = passwords.policy_refusals(command.new_password, principal.name, command.old_password)
    if weak:
        raise CommandRefused(weak)
    with unit_of_work(registry.engine) as connection:
        row, standing, refusal = admit(connection, registry, settings, principal.name, address)
        if refusal is None:
            now = registry.now()
            password_ok = password_matches(row, command.old_password)
            counter = current_counter(row, command.code, now) if password_ok else None
            if row is None or row.id != principal.user_id or row.disabled or counter is None:
                answer = Refusal(Check.C4016, "old_password", NOT_ACCEPTED)
                refusal = fail(
                    connection, registry, settings, standing, row, "password change", answer
                )
            else:
                new_hash = hasher().hash(command.new_password)
                identity.set_password(connection, row.id, new_hash, False, now, counter)
                ended = identity.revoke_sessions_of(
                    connection, row.id, now, keep=principal.token_hash
                )
                body = {"by": "user", "other_sessions_ended": ended}
                journal_event(connection, registry, row.name, "PasswordChanged", row.name, body)
                return user_view(connection, identity.user_by_id(connection, row.id))
    raise refused(refusal)


def reset_password(
    registry: Registry, actor: Actor, user: str, idempotency_key: str | None = None
) -> PasswordReset:
    """An administrator (the secretariat for anyone, a Party Section Administrator for users of
    their own section only) gives `user` a temporary password they must change at their next
    sign-in; every session and token of the user ends and any lock lifts."""
    issued: list[str] = []

    def handle(connection: Connection, registry: Registry, actor: Actor) -> PasswordReset:
        row = user_row(connection, user, lock=True)
        may_manage(connection, actor, row)
        now = registry.now()
        temporary = passwords.temporary_password()
        identity.set_password(connection, row.id, hasher().hash(temporary), True, now)
        ended = identity.revoke_sessions_of(connection, row.id, now)
        body = {"sessions_ended": ended}
        journal_event(connection, registry, actor.label, "PasswordReset", user, body, actor.party)
        issued[:] = [temporary]  # kept out of the stored outcome
        view = user_view(connection, identity.user_by_id(connection, row.id))
        return PasswordReset(user=view, temporary_password=None)

    request = UserRequest(action="password-reset", user=user)
    outcome = execute(registry, actor, request, handle, PasswordReset, idempotency_key)
    return outcome.model_copy(update={"temporary_password": issued[0] if issued else None})
