"""Jinja2 templates and the words the pages use for the registry's codes."""

from __future__ import annotations

import re
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from article6 import translation
from article6.domain.accounts import AccountKind
from article6.domain.checks import Refusal
from article6.http.problems import field_words
from article6.http.security import registry_of
from article6.services import notification_inbox
from article6.web.glossary import abbreviate

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    translation.gettext, translation.ngettext, newstyle=True
)
templates.env.filters["said"] = translation.said
templates.env.globals["language"] = translation.language
templates.env.globals["languages"] = translation.LANGUAGES

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
    "history_import": "Imported history",
}
STATUSES = {
    "awaiting_approval": "Awaiting approval",
    "awaiting_acceptance": "Awaiting the acquiring Party's acceptance",
    "proposed": "Proposed",
    "checked": "Checked",
    "completed": "Completed",
    "rejected": "Rejected",
    "terminated": "Terminated",
    "cancelled": "Called off",
}
"""A status in words. A transaction called off before it completed is said by why (withdrawn,
expired): "cancelled" would read as a cancellation of units, which is another thing."""
CALLED_OFF = (("withdrawn", "Withdrawn"), ("returned", "Returned"), ("deadline", "Expired"))
FIRST_TRANSFER_SUBTYPES = {
    "First transfer to another Party": "to another Party",
    "Authorization": "at authorization",
    "Issuance": "at issuance",
    "Use or cancellation": "at use or cancellation",
}


def status_words(status: str, reason: str | None = None) -> str:
    if status == "cancelled":
        for said, words in CALLED_OFF:
            if reason and said in reason:
                return words
    return STATUSES.get(status, status.replace("_", " ").capitalize())


def field_named(path: str) -> str:
    """A refusal's field (`units.ranges[1]`) as people say it (`units, ranges, line 2`); a
    field that names its units (`units:XXA01-1-5`) keeps the range as written."""
    field, named, which = str(path).partition(":")
    if named:
        return f"{field_named(field)} {which}"
    parts = re.split(r"[.\[\]]+", str(path))
    return field_words(tuple(int(p) if p.isdigit() else p for p in parts if p))


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
    tx_kind=lambda k: TRANSACTION_KINDS.get(k, k.replace("_", " ").capitalize()),
    status=status_words,
    field_words=field_named,
    abbr=abbreviate,
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
