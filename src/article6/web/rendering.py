"""Jinja2 templates and the words the pages use for the registry's codes."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from article6.domain.accounts import AccountKind
from article6.domain.checks import Refusal
from article6.http.security import registry_of
from article6.services import notification_inbox

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))

TRANSACTION_KINDS = {
    "issuance": "Issuance",
    "authorization": "Authorization",
    "internal_transfer": "Internal transfer",
    "international_transfer": "International transfer",
    "use": "Use towards NDC",
    "cancellation": "Cancellation",
    "first_transfer_record": "First transfer record",
    "external_transfer": "External transfer",
    "acquisition": "Acquisition",
    "share_of_proceeds": "Share of proceeds",
    "mandatory_omge_cancellation": "Mandatory OMGE cancellation",
}
STATUSES = {
    "awaiting_approval": "Awaiting approval",
    "proposed": "Proposed",
    "checked": "Checked",
    "completed": "Completed",
    "rejected": "Rejected",
    "terminated": "Terminated",
    "cancelled": "Cancelled",
}
FIRST_TRANSFER_SUBTYPES = {
    "First transfer to another Party": "first international transfer",
    "Authorization": "at authorization",
    "Issuance": "at issuance",
    "Use or cancellation": "at use or cancellation",
}


def number(value: int | None) -> str:
    return "—" if value is None else f"{value:,}"


def moment(value: datetime | None) -> str:
    return "—" if value is None else value.strftime("%Y-%m-%d %H:%M:%S UTC")


def kind_label(kind: str) -> str:
    try:
        return AccountKind(kind).label
    except ValueError:
        return kind


def plain_refusal(refusal: Refusal) -> str:
    """The check's rule in plain words, then what was wrong here."""
    return f"{refusal.check.title}: {refusal.detail}"


templates.env.filters.update(
    n=number,
    when=moment,
    kind_label=kind_label,
    tx_kind=lambda k: TRANSACTION_KINDS.get(k, k),
    status=lambda s: STATUSES.get(s, s),
    subtype=lambda s: FIRST_TRANSFER_SUBTYPES.get(s, s) if s else "",
)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    viewer = context.get("viewer")
    if viewer is not None and "unread_notifications" not in context:
        # The count beside the navigation's Notifications link, on every signed-in page.
        context["unread_notifications"] = notification_inbox.unread(
            registry_of(request), viewer.principal.user_id
        )
    response: HTMLResponse = templates.TemplateResponse(
        request, template, context, status_code=status_code
    )
    return response
