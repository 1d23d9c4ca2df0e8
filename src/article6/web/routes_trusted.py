"""The page of a Party's trusted destinations and safeguards (`services.safeguards`): everyone
in the section sees the list and what is switched on; a Party Section Administrator of the
section adds and removes accounts and switches the safeguards (C4020 is decided there).

Each change is one POST (with an idempotency key, so a double submission acts once), then the
page again; a refused change comes back with the refusal by its field.
"""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from article6.domain.checks import CommandRefused, Refusal
from article6.http.problems import status_of
from article6.http.security import Registry_, Settings_
from article6.services import safeguards
from article6.services.context import Registry
from article6.services.safeguards import SetSafeguards, TrustDestination
from article6.settings import Settings
from article6.web.forms import Fields, build, errors_by_field, fields_of
from article6.web.rendering import render
from article6.web.session import Looking, Viewer

router = APIRouter(include_in_schema=False)
Form = Annotated[Fields, Depends(fields_of)]
DONE = {"added", "removed", "set"}


def page(
    request: Request,
    viewer: Viewer,
    registry: Registry,
    settings: Settings,
    values: dict[str, Any] | None = None,
    refusals: list[Refusal] | None = None,
) -> Response:
    refusals = refusals or []
    done = request.query_params.get("done", "")
    return render(
        request,
        "trusted.html",
        status_code=status_of(refusals) if refusals else 200,
        viewer=viewer,
        active="trusted",
        kept=safeguards.safeguards_of(
            registry, viewer.actor, viewer.party, settings.trusted_destination_delay_hours
        ),
        keeper=viewer.actor.role.value == "administrator" and not viewer.entity,
        values=values or {},
        refusals=refusals,
        errors=errors_by_field(refusals),
        done=done if done in DONE else None,
        idempotency_key=str(uuid.uuid4()),
    )


@router.get("/trusted-destinations", response_class=HTMLResponse)
def trusted_page(
    request: Request, viewer: Looking, registry: Registry_, settings: Settings_
) -> Response:
    return page(request, viewer, registry, settings)


@router.post("/trusted-destinations", response_class=HTMLResponse)
def trusted_change(
    request: Request, viewer: Looking, registry: Registry_, settings: Settings_, form: Form
) -> Response:
    """`change` is `add`, `remove` (with `account`) or `set` (the two switches)."""
    change = form.get("change", "add")
    key = (form.text("idempotency_key") or "")[:200] or None
    try:
        if change == "set":
            chosen = build(
                SetSafeguards,
                {
                    "trusted_only": form.get("trusted_only") == "on",
                    "signed_confirmation": form.get("signed_confirmation") == "on",
                },
            )
            safeguards.set_safeguards(registry, viewer.actor, chosen, key)
            done = "set"
        elif change == "remove":
            safeguards.remove_trusted_destination(
                registry, viewer.actor, (form.text("account") or "")[:40], key
            )
            done = "removed"
        else:
            command = build(TrustDestination, {"account": form.text("account")})
            delay = timedelta(hours=settings.trusted_destination_delay_hours)
            safeguards.add_trusted_destination(registry, viewer.actor, command, delay, key)
            done = "added"
    except CommandRefused as refused:
        return page(request, viewer, registry, settings, form.kept(), refused.refusals)
    return RedirectResponse(f"/trusted-destinations?done={done}", status_code=303)
