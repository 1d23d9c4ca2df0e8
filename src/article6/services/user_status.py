"""Disabling and enabling a user: a disabled user signs in to nothing, and disabling ends
every session and token they hold at once (not at their expiry). Their grants and history
stay, so enabling them again restores what they had. Who may do it is `identity.may_manage`
(C4002, C4006): the secretariat for anyone, a Party Section Administrator for their section's
users only."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Connection

from article6.domain.access import Actor, Role
from article6.domain.checks import Check, refuse
from article6.domain.wording import words
from article6.services.context import Registry, execute
from article6.services.identity import (
    UserRequest,
    UserView,
    journal_event,
    may_manage,
    user_row,
    user_view,
)
from article6.store import identity


def _set(
    connection: Connection, registry: Registry, actor: Actor, user: str, disabled: bool
) -> UserView:
    row = user_row(connection, user, lock=True)
    may_manage(connection, actor, row)
    if disabled and row.name == actor.name:
        raise refuse(Check.C4018, "user", words("nobody disables themselves"))
    if row.disabled == disabled:
        raise refuse(
            Check.C4018,
            "user",
            words("{user} is already disabled", user=user)
            if disabled
            else words("{user} is already enabled", user=user),
        )
    identity.set_disabled(connection, row.id, disabled)
    ended = identity.revoke_sessions_of(connection, row.id, registry.now()) if disabled else 0
    journal_event(
        connection,
        registry,
        actor.label,
        "UserDisabled" if disabled else "UserEnabled",
        user,
        {"sessions_ended": ended} if disabled else {},
        actor.party,
    )
    return user_view(connection, identity.user_by_id(connection, row.id))


def disable_user(
    registry: Registry, actor: Actor, user: str, idempotency_key: str | None = None
) -> UserView:
    """Disable `user` and end every session and token of theirs."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> UserView:
        return _set(connection, registry, actor, user, True)

    request = UserRequest(action="disable", user=user)
    return execute(registry, actor, request, handle, UserView, idempotency_key)


def enable_user(
    registry: Registry, actor: Actor, user: str, idempotency_key: str | None = None
) -> UserView:
    """Let a disabled user sign in again, with the roles they held."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> UserView:
        return _set(connection, registry, actor, user, False)

    request = UserRequest(action="enable", user=user)
    return execute(registry, actor, request, handle, UserView, idempotency_key)


STATES = ("active", "locked", "disabled", "enrolling")
"""A user's state as the lists show it: disabled first, then locked, then still to enrol."""


def state_of(user: UserView, now: datetime) -> str:
    if user.disabled:
        return "disabled"
    if user.locked_until is not None and user.locked_until > now:
        return "locked"
    return "active" if user.enrolled else "enrolling"


def matching(
    users: list[UserView],
    now: datetime,
    party: str | None = None,
    role: Role | None = None,
    state: str | None = None,
) -> list[UserView]:
    """The users holding a role in `party`'s section, `role` (in that section when both are
    given) and in `state`: the filters of the users' page and of `article6 users list`."""

    def holds(user: UserView) -> bool:
        return any(
            (party is None or g.party == party) and (role is None or g.role is role)
            for g in user.grants
        )

    return [
        u
        for u in users
        if ((party is None and role is None) or holds(u))
        and (state is None or state_of(u, now) == state)
    ]
