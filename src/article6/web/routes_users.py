"""The users' administration page: a Party Section Administrator sees the users of the section
they act in, the secretariat every user; each may reset a user's password, lift a lock or
clear a lost second factor (`services.identity`, `services.passwords`: who may manage whom is
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
from article6.http.security import Registry_
from article6.services import identity, passwords
from article6.web.forms import Fields, fields_of
from article6.web.rendering import render
from article6.web.session import ROLE_NAMES, Looking

router = APIRouter(include_in_schema=False)
Form = Annotated[Fields, Depends(fields_of)]
USER_ACTIONS = {
    "password-reset": "Reset the password",
    "unlock": "Unlock",
    "second-factor-reset": "Reset the second factor",
}
DONE = {"unlock", "second-factor-reset"}


def action_title(action: str) -> str:
    title = USER_ACTIONS.get(action)
    if title is None:
        raise CommandRefused([Refusal(Check.C1012, "action", f"there is no action “{action}”")])
    return title


@router.get("/users", response_class=HTMLResponse)
def users_page(request: Request, viewer: Looking, registry: Registry_) -> Response:
    """The section's users (every user, for the secretariat)."""
    everyone = viewer.actor.role is Role.SECRETARIAT
    found = identity.list_users(registry, viewer.actor, None if everyone else viewer.party)
    done = request.query_params.get("done", "")
    done_user = request.query_params.get("user", "")[:80]
    listed = any(u.name == done_user for u in found)
    return render(
        request,
        "users.html",
        viewer=viewer,
        active="users",
        users=found,
        everyone=everyone,
        now=registry.now(),
        roles=ROLE_NAMES,
        actions=USER_ACTIONS,
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
        return render(
            request,
            "user_action.html",
            viewer=viewer,
            active="users",
            user=identity.user_detail(registry, viewer.actor, name),
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
