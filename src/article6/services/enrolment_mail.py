"""Enrolment links sent by e-mail to the user they enrol, in that user's language, over the
registry's SMTP server (the `smtp_` settings the notifications use).

A link is sent once, right after the command that made it commits, outside any transaction (a
slow mail server holds no lock): the registry keeps only the link's hash, so it cannot be sent
again later; a link whose e-mail did not leave is shown to whoever made it, to pass on by hand,
or replaced by a new one (`joining.send_new_link`). Whether it left, and when, is recorded on
the link and journaled.
"""

from __future__ import annotations

import smtplib
from datetime import UTC, datetime
from email.message import EmailMessage
from email.utils import make_msgid

from pydantic import BaseModel

from article6 import translation
from article6.domain.wording import words
from article6.services.context import Registry
from article6.services.identity import journal_event
from article6.services.notification_mail import MailServer
from article6.services.views import UtcDateTime
from article6.settings import Settings
from article6.store import joining
from article6.store.database import unit_of_work

LINK_PATH = "/enrolment-link/"

NO_MAIL_SERVER = words("no mail server is set ({setting})", setting="ARTICLE6_SMTP_HOST")
NO_PUBLIC_URL = words(
    "the registry's public address is not set ({setting})", setting="ARTICLE6_PUBLIC_URL"
)
NO_ADDRESS = words("the user has no e-mail address")
UNREACHED = words('the mail server could not be reached: "{error}"', error="")
NOT_TAKEN = words('the mail server did not take the e-mail: "{error}"', error="")
MAIL_REASONS = (NO_MAIL_SERVER, NO_PUBLIC_URL, NO_ADDRESS, UNREACHED, NOT_TAKEN)
"""Why an enrolment e-mail did not leave, as recorded (in English, the mail server's own words
quoted): a page says each in its reader's language (`web.rendering.recorded`)."""


def _technical(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:400]


class SentLink(BaseModel):
    """An enrolment link for one user: e-mailed to them, or (when it could not be) shown once
    to whoever made it, to be passed on by hand."""

    user: str
    email: str | None
    token: str | None
    """The link's secret: None once e-mailed (nobody but its user sees it)."""
    expires_at: UtcDateTime
    emailed: bool = False
    email_error: str | None = None
    """Why the e-mail did not leave (no mail server set, the server refused, no address)."""


class LinkToSend(BaseModel):
    """A link just made, with what its e-mail needs: kept only until it is sent."""

    user: str
    display_name: str
    email: str | None
    language: str | None
    party: str | None
    token: str
    token_hash: str
    expires_at: datetime


def link_url(base_url: str, token: str) -> str:
    return f"{base_url.rstrip('/')}{LINK_PATH}{token}"


def mail_text(link: LinkToSend, url: str) -> tuple[str, str]:
    """The e-mail's subject and text, in the user's language (English when unknown)."""
    until = link.expires_at.astimezone(UTC)  # said the reader's way, in UTC
    with translation.speaking(link.language):
        subject = translation.said(words("[Article 6.2 Registry] Your enrolment link"))
        body = translation.said(
            words(
                "Dear {display_name},\n\n"
                "You have a user of the Article 6.2 registry: {user}. Follow this link to "
                "choose your own password and set up your second factor:\n\n{url}\n\n"
                "The link works once, until {until:%Y-%m-%d %H:%M} UTC. If it has expired, "
                "ask the registry's secretariat for a new one. Nobody else knows your password: "
                "the registry will never ask you for it by e-mail.",
                display_name=link.display_name,
                user=link.user,
                url=url,
                until=until,
            )
        )
    return subject, body


def message(server: MailServer, link: LinkToSend, url: str) -> EmailMessage:
    subject, text = mail_text(link, url)
    composed = EmailMessage()
    composed["From"] = server.sender
    composed["To"] = link.email or ""
    composed["Subject"] = subject
    composed["Message-ID"] = make_msgid(domain=server.sender.rpartition("@")[2] or None)
    composed.set_content(text)
    composed["Content-Language"] = translation.speaking_code(link.language)
    return composed


def send_links(
    registry: Registry,
    settings: Settings,
    actor_label: str,
    links: list[LinkToSend],
    base_url: str | None,
) -> list[SentLink]:
    """E-mail each link (after the command that made them committed), record and journal each
    outcome; the token is kept in the answer only for a link whose e-mail did not leave."""
    server = MailServer.from_settings(settings)
    base = settings.public_url or base_url
    outcomes: list[tuple[LinkToSend, str | None]] = []
    smtp: smtplib.SMTP | None = None
    opening_error: str | None = None
    if server is None:
        opening_error = NO_MAIL_SERVER
    elif base is None:
        opening_error = NO_PUBLIC_URL
    elif any(link.email for link in links):
        try:
            smtp = server.connect()
        except (OSError, smtplib.SMTPException) as unopened:
            opening_error = words(UNREACHED.template, error=_technical(unopened))
    try:
        for link in links:
            problem = opening_error
            if not link.email:
                problem = NO_ADDRESS
            elif smtp is not None and server is not None and base is not None:
                try:
                    smtp.send_message(message(server, link, link_url(base, link.token)))
                except (OSError, smtplib.SMTPException) as failed:
                    problem = words(NOT_TAKEN.template, error=_technical(failed))
            outcomes.append((link, problem))
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
    with unit_of_work(registry.engine) as connection:
        now = registry.now()
        for link, error in outcomes:
            joining.link_emailed(connection, link.token_hash, None if error else now, error)
            journal_event(
                connection,
                registry,
                actor_label,
                "EnrolmentLinkEmailed" if error is None else "EnrolmentLinkNotEmailed",
                link.user,
                {"email": link.email, **({"error": error} if error else {})},
                link.party,
            )
    return [
        SentLink(
            user=link.user,
            email=link.email,
            token=None if error is None else link.token,
            expires_at=link.expires_at,
            emailed=error is None,
            email_error=error,
        )
        for link, error in outcomes
    ]
