"""E-mail for the notifications a user chose to receive by e-mail, sent over SMTP by a
delivery step (the serve loop, `article6 notifications deliver`), never by a command.

Each notification carries its own delivery state: a failed attempt is tried again later, each
wait longer than the last, and given up after `ATTEMPTS`. Sending is at least once: a message
sent just before the database failed to record it is sent again on the next step.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

from article6 import translation
from article6.domain.wording import words
from article6.services.context import Registry
from article6.services.notifications import project_all
from article6.settings import Settings
from article6.store import notifications as store
from article6.store.database import unit_of_work
from article6.store.notifications import OutgoingEmail

ATTEMPTS = 6
BATCH = 50
CLAIM = timedelta(minutes=10)
"""How long a batch is claimed by its sender: past it, an outcome never recorded is retried."""
WAITS = (
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
)
FOOTER = words(
    "You receive this because you chose to receive these notifications by e-mail. "
    "Change what you receive on the registry's Notifications page, under Preferences."
)


@dataclass(frozen=True)
class MailServer:
    """Where and how e-mail is sent (the `smtp_` settings)."""

    host: str
    port: int
    sender: str
    tls: str = "starttls"
    user: str | None = None
    password: str | None = None
    timeout: float = 30.0

    @classmethod
    def from_settings(cls, settings: Settings) -> MailServer | None:
        if not settings.smtp_host:
            return None
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            settings.smtp_from,
            settings.smtp_tls,
            settings.smtp_user,
            settings.smtp_password,
            settings.smtp_timeout_seconds,
        )

    def connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context()
        if self.tls == "tls":
            connection: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=self.timeout, context=context
            )
        else:
            connection = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
            if self.tls == "starttls":
                connection.starttls(context=context)
        if self.user:
            connection.login(self.user, self.password or "")
        return connection


@dataclass(frozen=True)
class Delivery:
    sent: int
    retrying: int
    given_up: int


def mail_text(title: str, body: str, language: str | None = None) -> tuple[str, str]:
    """An e-mail's subject and text in `language` (English when None): the notification's own
    title and body, already in the recipient's language (`notifications.composed`), under the
    registry's name and above the footer saying why it was sent."""
    with translation.speaking(language):
        subject = translation.said(words("[Article 6.2 Registry] {title}", title=title))
        return subject, f"{body}\n\n--\n{translation.said(FOOTER)}"


def message(server: MailServer, email: OutgoingEmail) -> EmailMessage:
    """The e-mail as sent, in the language its recipient chose."""
    subject, text = mail_text(email.title, email.body, email.language)
    composed = EmailMessage()
    composed["From"] = server.sender
    composed["To"] = email.address
    composed["Subject"] = subject
    composed["Message-ID"] = make_msgid(domain=server.sender.rpartition("@")[2] or None)
    composed.set_content(text)  # which clears every Content-* header: the language goes after
    composed["Content-Language"] = translation.speaking_code(email.language)
    return composed


def wait_after(attempts: int) -> timedelta | None:
    """How long after the `attempts`-th failure to try again; None: give up."""
    if attempts >= ATTEMPTS:
        return None
    return WAITS[min(attempts, len(WAITS)) - 1]


def deliver(registry: Registry, server: MailServer, batch: int = BATCH) -> Delivery:
    """Send the e-mails due now over one connection, recording each outcome as it comes.

    The batch is claimed in one short transaction and sent outside any: a slow mail server
    holds no lock a command needs (on SQLite, not the one write lock)."""
    now = registry.now()
    with unit_of_work(registry.engine) as connection:
        due = store.claim_emails(connection, now, now + CLAIM, batch)
    if not due:
        return Delivery(0, 0, 0)
    sent = retrying = given_up = 0
    smtp: smtplib.SMTP | None = None
    opening_error: str | None = None
    try:
        smtp = server.connect()
    except (OSError, smtplib.SMTPException) as error:
        opening_error = f"{type(error).__name__}: {error}"
    try:
        for email in due:
            error_text = opening_error
            if not email.address:
                error_text = "the user has no e-mail address"
            elif smtp is not None:
                try:
                    smtp.send_message(message(server, email))
                except (OSError, smtplib.SMTPException) as error:
                    error_text = f"{type(error).__name__}: {error}"
            wait = (
                None if error_text is None or not email.address else wait_after(email.attempts + 1)
            )
            with unit_of_work(registry.engine) as connection:
                if error_text is None:
                    store.email_sent(connection, email.id, registry.now())
                else:
                    retry_at = None if wait is None else registry.now() + wait
                    store.email_failed(connection, email.id, retry_at, error_text)
            if error_text is None:
                sent += 1
            elif wait is None:
                given_up += 1
            else:
                retrying += 1
    finally:
        if smtp is not None:
            try:
                smtp.quit()
            except (OSError, smtplib.SMTPException):
                smtp.close()
    return Delivery(sent, retrying, given_up)


@dataclass(frozen=True)
class NotificationStep:
    """One step of the delivery loop: notify what the journal sealed since the last step, then
    send the e-mails due (when a mail server is configured)."""

    registry: Registry
    server: MailServer | None

    @classmethod
    def from_settings(cls, registry: Registry, settings: Settings) -> NotificationStep:
        return cls(registry, MailServer.from_settings(settings))

    def __call__(self) -> tuple[int, Delivery | None]:
        projected = project_all(self.registry)
        if self.server is None:
            return projected, None
        return projected, deliver(self.registry, self.server)

    def run(self) -> None:
        self()
