"""The signed-in user's notifications page (unread first, mark read, mark all read) and their
choices (a channel per kind, the e-mail address): the same services as the API's
`/api/v1/notifications`, each acting on the user's own rows only."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from article6.domain.checks import CommandRefused
from article6.domain.notifications import CHANNEL_NAMES, KIND_NAMES, NotificationKind
from article6.http.security import Registry_
from article6.services import notification_inbox
from article6.web.forms import Fields, fields_of
from article6.web.rendering import render
from article6.web.session import Looking

router = APIRouter(include_in_schema=False)
Form = Annotated[Fields, Depends(fields_of)]


@router.get("/notifications", response_class=HTMLResponse)
def notifications_page(request: Request, viewer: Looking, registry: Registry_) -> Response:
    found = notification_inbox.inbox(registry, viewer.principal.user_id)
    return render(
        request,
        "notifications.html",
        viewer=viewer,
        active="notifications",
        inbox=found,
        unread_notifications=found.unread,
    )


@router.post("/notifications/read")
def mark_all_read(viewer: Looking, registry: Registry_) -> Response:
    notification_inbox.mark_all_read(registry, viewer.principal.user_id)
    return RedirectResponse("/notifications", status_code=303)


@router.post("/notifications/{notification}/read")
def mark_read(
    viewer: Looking, registry: Registry_, notification: int = Path(ge=1, le=2**62)
) -> Response:
    notification_inbox.mark_read(registry, viewer.principal.user_id, notification)
    return RedirectResponse(f"/notifications#n-{notification}", status_code=303)


def _preferences(
    request: Request,
    viewer: Looking,
    registry: Registry_,
    refusals: list[object] | None = None,
    saved: bool = False,
    typed_email: str | None = None,
) -> Response:
    chosen = notification_inbox.choices(registry, viewer.principal.user_id)
    return render(
        request,
        "notification_preferences.html",
        status_code=422 if refusals else 200,
        viewer=viewer,
        active="notifications",
        choices=chosen,
        email=chosen.email if typed_email is None else typed_email,
        kinds=KIND_NAMES,
        channels=CHANNEL_NAMES,
        refusals=refusals or [],
        saved=saved,
    )


@router.get("/notifications/preferences", response_class=HTMLResponse)
def preferences_page(request: Request, viewer: Looking, registry: Registry_) -> Response:
    return _preferences(request, viewer, registry, saved=request.query_params.get("saved") == "1")


@router.post("/notifications/preferences", response_class=HTMLResponse)
def choose(request: Request, viewer: Looking, registry: Registry_, form: Form) -> Response:
    channels = {
        kind.value: form.get(kind.value) for kind in NotificationKind if form.get(kind.value)
    }
    email = form.get("email").strip()
    try:
        notification_inbox.choose(
            registry,
            viewer.principal.user_id,
            channels,
            email=email or None,
            clear_email=not email,
        )
    except CommandRefused as refused:
        return _preferences(request, viewer, registry, list(refused.refusals), typed_email=email)
    return RedirectResponse("/notifications/preferences?saved=1", status_code=303)
