"""Jinja2 templates and the words the pages use for the registry's codes."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

from babel.dates import format_datetime
from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from jinja2 import pass_context
from markupsafe import Markup, escape

from article6 import translation
from article6.domain.access import LABEL_ROLES, Role, label_words
from article6.domain.accounts import AccountKind
from article6.domain.checks import Refusal
from article6.domain.wording import Words, reread, words
from article6.http.language import language_of
from article6.http.problems import FIELD_NAMES
from article6.http.security import registry_of
from article6.reports.aef_consistency.findings import reason_read_back
from article6.services import notification_inbox
from article6.services.enrolment_mail import MAIL_REASONS
from article6.services.history_holdings import HISTORY_IMPORTED
from article6.services.settlement import BY_THE_HUB
from article6.web.glossary import abbreviate
from article6.web.vocabulary import official

HERE = Path(__file__).parent
templates = Jinja2Templates(directory=str(HERE / "templates"))
templates.env.add_extension("jinja2.ext.i18n")
templates.env.install_gettext_callables(  # type: ignore[attr-defined]
    translation.gettext, translation.ngettext, newstyle=True
)


def at_each_rendering(filters: dict[str, Callable[..., Any]]) -> dict[str, Callable[..., Any]]:
    """The filters, each run when a page is rendered. Jinja otherwise runs a filter over a
    literal (`{{ "ITMO"|said }}`) once, as it compiles the template, in whatever language the
    first reader spoke, and every later reader would get that language; a filter that takes
    the rendering's context is never run ahead."""

    def rendered(said: Callable[..., Any]) -> Callable[..., Any]:
        @pass_context
        def filter_(_context: Any, value: Any, *args: Any, **kwargs: Any) -> Any:
            return said(value, *args, **kwargs)

        return filter_

    return {name: rendered(function) for name, function in filters.items()}


templates.env.filters.update(at_each_rendering({"said": translation.said}))
templates.env.globals["language"] = translation.language
templates.env.globals["languages"] = translation.LANGUAGES

TRANSACTION_KINDS = {
    "issuance": words("Issuance"),
    "authorization": words("Authorization"),
    "internal_transfer": words("Internal transfer"),
    "international_transfer": words("International transfer"),
    "use": words("Use towards NDC"),
    "cancellation": words("Cancellation"),
    "first_transfer_record": words("First transfer record"),
    "external_transfer": words("External transfer"),
    "acquisition": words("Acquisition"),
    "share_of_proceeds": words("Share of proceeds"),
    "mandatory_omge_cancellation": words("Mandatory OMGE cancellation"),
    "history_import": words("Imported history"),
}
STATUSES = {
    "awaiting_approval": words("Awaiting approval"),
    "awaiting_acceptance": words("Awaiting the acquiring Party's acceptance"),
    "proposed": words("Proposed"),
    "checked": words("Checked"),
    "completed": words("Completed"),
    "rejected": words("Rejected"),
    "terminated": words("Terminated"),
    "cancelled": words("Called off"),
}
"""A status in words. A transaction called off before it completed is said by why (withdrawn,
expired): "cancelled" would read as a cancellation of units, which is another thing."""
CALLED_OFF = (
    ("withdrawn", words("Withdrawn")),
    ("returned", words("Returned")),
    ("deadline", words("Expired")),
)
ACCOUNT_STATUSES = {
    "open": words("open"),
    "blocked": words("blocked"),
    "closed": words("closed"),
}
"""An account's status (domain.accounts.AccountStatus, stored as these values) in words."""
FIRST_TRANSFER_SUBTYPES = {
    "First transfer to another Party": words("to another Party"),
    "Authorization": words("at authorization"),
    "Issuance": words("at issuance"),
    "Use or cancellation": words("at use or cancellation"),
}

CANCELLATION_PURPOSES = {
    "IMP": words("international mitigation purposes"),
    "OP": words("other purposes"),
    "OMGE": words("overall mitigation in global emissions"),
    "voluntary": words("voluntary"),
}
"""What a cancellation is for (domain.accounts.CancellationPurpose, stored as these values) in
words; the pages write the code beside them, as the records and the AEF carry it."""


UNIT_STATES = {
    "MO": words("MO"),
    "AMO": words("AMO"),
    "ITMO": words("ITMO"),
    "used": words("used"),
    "cancelled": words("cancelled"),
}
"""A unit block's state (its stored value) as the reader's language says it: an ITMO is a
RATI in French and an RMTI in Spanish."""


def unit_state(state: object) -> str:
    known = UNIT_STATES.get(str(state))
    return translation.said(known) if known else str(state)


def purpose_said(code: object) -> Markup:
    """A cancellation's purpose in the reader's words with its code beside, the code in an
    `<abbr>` saying what it stands for ("fins d'atténuation internationales (IMP)"); a
    voluntary cancellation has no code; an unknown value as written."""
    if not code:
        return Markup("")
    named = CANCELLATION_PURPOSES.get(str(code))
    if named is None:
        return abbreviate(code)
    if str(code) == "voluntary":
        return escape(translation.said(named))
    return Markup("{} ({})").format(translation.said(named), abbreviate(code))


def status_words(status: str, reason: str | None = None) -> str:
    if status == "cancelled":
        for cause, called_off in CALLED_OFF:
            if reason and cause in reason:
                return translation.said(called_off)
    known = STATUSES.get(status)
    return translation.said(known) if known else status.replace("_", " ").capitalize()


def account_status(status: object) -> str:
    known = ACCOUNT_STATUSES.get(str(status))
    return translation.said(known) if known else str(status)


def transaction_kind(kind: str) -> str:
    known = TRANSACTION_KINDS.get(kind)
    return translation.said(known) if known else kind.replace("_", " ").capitalize()


def subtype_words(subtype: str | None) -> str:
    """A first transfer's subtype (the AEF's English value) as the pages say when it happened."""
    if not subtype:
        return ""
    known = FIRST_TRANSFER_SUBTYPES.get(subtype)
    return translation.said(known) if known else subtype


def field_named(path: str) -> str:
    """A refusal's field (`units.ranges[1]`) as people say it (`units, ranges, line 2`); a
    field that names its units (`units:XXA01-1-5`) keeps the range as written."""
    field, named, which = str(path).partition(":")
    if named:
        return f"{field_named(field)} {which}"
    parts = []
    for part in re.split(r"[.\[\]]+", str(path)):
        if not part or part in ("body", "query", "path", "header"):
            continue
        if part.isdigit():
            parts.append(translation.said(words("line {number}", number=int(part) + 1)))
        else:
            named_as = FIELD_NAMES.get(part, part.replace("_", " ").replace("-", " "))
            parts.append(translation.said(named_as))
    return ", ".join(parts) or translation.said(words("the request"))


def number(value: int | None) -> str:
    """A quantity as the reader's language groups digits (50,000; 50 000; 50.000)."""
    return "—" if value is None else translation.grouped(value)


def moment(value: datetime | date | None) -> str:
    """A moment in UTC: ISO order in English (what auditors compare), the reader's own
    format in the other languages; the time zone always said. A day alone is said as a day."""
    if value is None:
        return "—"
    return when_said(value) if isinstance(value, datetime) else translation.day(value)


def day(value: date | None) -> str:
    """A day (a date of authorization, of a report): ISO in English, the reader's own long
    form in the other languages (1 avril 2025). Links and forms keep ISO."""
    return "—" if value is None else translation.day(value)


def when_said(value: datetime) -> str:
    if translation.current() == translation.DEFAULT:
        return value.strftime("%Y-%m-%d %H:%M:%S UTC")
    when = format_datetime(value, "medium", tzinfo=UTC, locale=translation.current())
    return f"{when} UTC"


def role_said(role: Role) -> str:
    """A role as a label says it ("party user"), in the reader's language."""
    known = LABEL_ROLES.get(role)
    return translation.said(known) if known else str(role.value).replace("_", " ")


def kind_label(kind: str) -> str:
    """An account kind in words, in the reader's language (the kind's code when unknown)."""
    try:
        return translation.said(AccountKind(kind).label)
    except ValueError:
        return kind


RECORDED = (HISTORY_IMPORTED, BY_THE_HUB, *MAIL_REASONS)
"""The sentences with values the registry writes into its records (a transaction's reason,
why an enrolment e-mail did not leave)."""


def recorded(text: str | None) -> str:
    """A value read back from the records, in the reader's language: words said; an actor's
    label ("xxa.admin (administrator, XXA)") with its role in words; a sentence the registry
    wrote in English said from its template; anything else (a person's own words) as written.
    The records, the journal and the API keep the English."""
    if text is None:
        return ""
    if isinstance(text, Words):
        return translation.said(text)
    named = label_words(text)
    if named is not text:
        return translation.said(named)
    whole = translation.gettext(text)  # a whole sentence the catalog has ("withdrawn by …")
    return whole if whole != text else translation.said(reread(text, RECORDED))


def mark_reason(text: str | None) -> str:
    """A unit mark's reason in the reader's language when a consistency check wrote it (the
    record keeps the English); a person's own reason as written."""
    return translation.said(reason_read_back(text)) if text else ""


def plain_refusal(refusal: Refusal) -> str:
    """The check's rule in plain words, then what was wrong here."""
    return translation.said(
        words(
            "{title}: {detail}",
            title=refusal.check.title,
            detail=refusal.detail,
        )
    )


templates.env.filters.update(
    at_each_rendering(
        dict(
            n=number,
            when=moment,
            day=day,
            kind_label=kind_label,
            tx_kind=transaction_kind,
            account_status=account_status,
            status=status_words,
            field_words=field_named,
            abbr=abbreviate,
            subtype=subtype_words,
            recorded=recorded,
            official=official,
            mark_reason=mark_reason,
            unit_state=unit_state,
            role=role_said,
            purpose=purpose_said,
        )
    )
)


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    viewer = context.get("viewer")
    if viewer is not None and "unread_notifications" not in context:
        # The count beside the navigation's Notifications link, on every signed-in page.
        context["unread_notifications"] = notification_inbox.unread(
            registry_of(request), viewer.principal.user_id
        )
    spoken = language_of(request)
    with translation.speaking(spoken):
        response: HTMLResponse = templates.TemplateResponse(
            request, template, context, status_code=status_code
        )
    response.headers["Content-Language"] = spoken
    response.headers.append("Vary", "Accept-Language, Cookie")
    return response
