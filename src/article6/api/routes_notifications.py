"""The signed-in user's own notifications and what they choose to receive: every route acts on
the caller's own rows, whatever section they act in."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, Path, Response
from pydantic import BaseModel, ConfigDict, Field

from article6.domain.notifications import Channel, NotificationKind
from article6.http.security import Registry_, Signed
from article6.services import notification_inbox
from article6.services.notification_inbox import Choices, Inbox

router = APIRouter(prefix="/api/v1/notifications", tags=["notifications"])


class NotificationItem(BaseModel):
    id: int
    kind: NotificationKind
    kind_name: str
    transaction: str = Field(description="The transaction (or reconciliation run) it is about")
    title: str
    body: str
    created_at: datetime
    read: bool
    email: str = Field(description="none (in the registry only), pending, sent or failed")


class InboxView(BaseModel):
    unread: int
    items: list[NotificationItem]


class MarkedRead(BaseModel):
    marked: int


class ChoicesView(BaseModel):
    email: str | None
    channels: dict[NotificationKind, Channel]


class Choose(BaseModel):
    """The channel for each kind named (kinds not named keep theirs) and, optionally, the
    e-mail address notifications are sent to ("" removes it)."""

    model_config = ConfigDict(extra="forbid")

    channels: dict[str, str] = Field(default_factory=dict, max_length=len(NotificationKind))
    email: str | None = Field(default=None, max_length=254)


def _inbox(found: Inbox) -> InboxView:
    return InboxView(
        unread=found.unread,
        items=[NotificationItem.model_validate(item, from_attributes=True) for item in found.items],
    )


def _choices(found: Choices) -> ChoicesView:
    return ChoicesView.model_validate({"email": found.email, "channels": found.channels})


@router.get("")
def notifications(who: Signed, registry: Registry_) -> InboxView:
    """The caller's notifications, unread first, newest first (at most 200)."""
    return _inbox(notification_inbox.inbox(registry, who.user_id))


@router.post("/read")
def mark_all_read(who: Signed, registry: Registry_) -> MarkedRead:
    """Mark every one of the caller's notifications read."""
    return MarkedRead(marked=notification_inbox.mark_all_read(registry, who.user_id))


@router.post("/{notification}/read", status_code=204)
def mark_read(
    who: Signed, registry: Registry_, notification: int = Path(ge=1, le=2**62)
) -> Response:
    """Mark one of the caller's notifications read (another's is unknown: C1012)."""
    notification_inbox.mark_read(registry, who.user_id, notification)
    return Response(status_code=204)


@router.get("/preferences")
def preferences(who: Signed, registry: Registry_) -> ChoicesView:
    return _choices(notification_inbox.choices(registry, who.user_id))


@router.put("/preferences")
def choose(command: Choose, who: Signed, registry: Registry_) -> ChoicesView:
    """Per kind: in_app, in_app_and_email or none; e-mail needs an address first (C1013)."""
    found = notification_inbox.choose(
        registry,
        who.user_id,
        command.channels,
        email=command.email,
        clear_email=command.email == "",
    )
    return _choices(found)
