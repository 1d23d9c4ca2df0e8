"""The users' administration page: a Party Section Administrator sees the users of the section
they act in, the secretariat every user (filtered by section, role and state); each may reset a
user's password, lift a lock, clear a lost second factor, disable or enable a user
(`services.identity`, `services.passwords`, `services.user_status`: who may manage whom is
decided there, C4002 and C4006).

Each action is a POST in two steps: the first shows what will happen and changes nothing, the
second (with an idempotency key, so a double submission acts once) does it. A reset password
is shown once, on the answer page, and never put in an address.
"""

from __future__ import annotations

import uuid
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from article6.domain.access import Role
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.wording import words
from article6.http.security import Registry_
from article6.services import administration, identity, passwords, user_status
from article6.services.context import Registry
from article6.web.forms import Fields, fields_of
from article6.web.rendering import render
from article6.web.session import ROLE_NAMES, Looking, Viewer

router = APIRouter(include_in_schema=False)
Form = Annotated[Fields, Depends(fields_of)]
USER_ACTIONS = {
    "password-reset": words("Reset the password"),
    "unlock": words("Unlock"),
    "second-factor-reset": words("Reset the second factor"),
    "disable": words("Disable"),
    "enable": words("Enable"),
}
DONE = {"unlock", "second-factor-reset", "disable", "enable"}
STATE_NAMES = {
    "active": words("Active"),
    "locked": words("Locked"),
    "disabled": words("Disabled"),
    "enrolling": words("Second factor to enrol"),
}


def four_eyes_left_short(registry: Registry, viewer: Viewer, user: identity.UserView) -> list[str]:
    """The sections where disabling `user`, one of their approvers, leaves fewer than two
    people to approve while four eyes is on: their requests could then only expire (C4017).
    Disabling is not refused for it (a user who must be stopped is stopped); the page warns."""
    short = []
    for grant in user.grants:
        if grant.role is not Role.ADMINISTRATOR or grant.party is None:
            continue
        section = administration.section_policies(registry, viewer.actor, grant.party)
        if any(p.four_eyes for p in section.policies) and len(section.approvers) <= 2:
            short.append(grant.party)
    return short


def action_title(action: str) -> str:
    title = USER_ACTIONS.get(action)
    if title is None:
        raise CommandRefused(
            [Refusal(Check.C1012, "action", words("there is no action “{action}”", action=action))]
        )
    return title


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, viewer: Looking, registry: Registry_) -> Response:
    """The section's users (every user, for the secretariat)."""
    everyone = viewer.actor.role is Role.SECRETARIAT
    found = identity.list_users(registry, viewer.actor, None if everyone else viewer.party)
    query = request.query_params
    section = query.get("section", "")[:3] if everyone else ""
    role = next((r for r in Role if r.value == query.get("role")), None)
    state = query.get("status") if query.get("status") in STATE_NAMES else None
    now = registry.now()
    shown = user_status.matching(found, now, section or None, role, state)
    done = request.query_params.get("done", "")
    done_user = request.query_params.get("user", "")[:80]
    listed = any(u.name == done_user for u in found)
    return render(
        request,
        "users.html",
        viewer=viewer,
        active="users",
        users=shown,
        everyone=everyone,
        now=now,
        roles=ROLE_NAMES,
        actions=USER_ACTIONS,
        states=STATE_NAMES,
        state_of=user_status.state_of,
        sections=sorted({g.party for u in found for g in u.grants if g.party}),
        chosen={"section": section, "role": role.value if role else "", "status": state or ""},
        done=done if done in DONE and listed else None,
        done_user=done_user,
    )


@router.post("/users/{user}/{action}", response_class=HTMLResponse)
def user_action(
    request: Request, user: str, action: str, viewer: Looking, registry: Registry_, form: Form
) -> Response:
    """Step one shows the user and what the action will do; `step=confirm` does it."""
    title = action_title(action)
    name = user[:80]
    if form.get("step") != "confirm":
        shown = identity.user_detail(registry, viewer.actor, name)
        return render(
            request,
            "user_action.html",
            viewer=viewer,
            active="users",
            user=shown,
            four_eyes_short=(
                four_eyes_left_short(registry, viewer, shown)
                if action == "disable" and not shown.disabled
                else []
            ),
            action=action,
            title=title,
            now=registry.now(),
            roles=ROLE_NAMES,
            idempotency_key=str(uuid.uuid4()),
        )
    key = (form.text("idempotency_key") or "")[:200] or None
    if action == "unlock":
        identity.unlock_user(registry, viewer.actor, name, idempotency_key=key)
    elif action == "second-factor-reset":
        identity.reset_second_factor(registry, viewer.actor, name, idempotency_key=key)
    elif action == "disable":
        user_status.disable_user(registry, viewer.actor, name, idempotency_key=key)
    elif action == "enable":
        user_status.enable_user(registry, viewer.actor, name, idempotency_key=key)
    else:
        reset = passwords.reset_password(registry, viewer.actor, name, idempotency_key=key)
        return render(
            request,
            "user_password.html",
            viewer=viewer,
            active="users",
            user=reset.user,
            temporary_password=reset.temporary_password,
        )
    return RedirectResponse(f"/users?done={action}&user={quote(name)}", status_code=303)
