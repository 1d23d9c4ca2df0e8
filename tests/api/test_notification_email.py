"""Notifications by e-mail, sent to a real SMTP server run in the test (aiosmtpd): the message
received names the recipient, the transaction and the units; a server that refuses or does not
answer is tried again later, and a command never waits for it."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.header import decode_header, make_header
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session
from click.testing import CliRunner
from fastapi.testclient import TestClient
from http_world import Api, HttpWorld, ok

from article6 import translation
from article6.cli import main
from article6.domain.wording import words
from article6.services.notification_mail import FOOTER, MailServer, NotificationStep, deliver
from article6.settings import Settings

PORTS = range(19000, 19050)
NDC = "XXA-NDC-2025-001"
GREEN_AMO = "XXA Green Group A amo_holding"


def free_port() -> int:
    for port in PORTS:
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise RuntimeError("no free port for the test SMTP server")


class Mailbox:
    """What the SMTP server accepted; `refusing` makes it answer 451 (try again later)."""

    def __init__(self) -> None:
        self.received: list[tuple[list[str], Message]] = []
        self.refusing = False

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if self.refusing:
            return "451 4.3.0 try again later"
        content = envelope.original_content or b""
        self.received.append((list(envelope.rcpt_tos), message_from_bytes(content)))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Mailbox, int]]:
    mailbox = Mailbox()
    port = free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield mailbox, port
    finally:
        controller.stop()


def server_at(port: int) -> MailServer:
    return MailServer("127.0.0.1", port, "registry@xxa.example", tls="none", timeout=5)


def give(world: HttpWorld, quantity: int) -> str:
    admin = world.api["xxa.admin"]
    ok(
        admin.post(
            "/api/v1/parties/XXA/authorization-links",
            {
                "account": world["XXA Party mo_holding"],
                "authorization_id": NDC,
                "units": {"quantity": 1_000},
            },
        )
    )
    return str(
        ok(
            admin.post(
                "/api/v1/parties/XXA/transfers",
                {
                    "source_account": world["XXA Party amo_holding"],
                    "destination_account": world[GREEN_AMO],
                    "units": {"quantity": quantity},
                },
            )
        )["record"]
    )


def by_email(api: Api, user: str, address: str, **channels: str) -> None:
    ok(
        api[user].put(
            "/api/v1/notifications/preferences", {"email": address, "channels": channels}
        ),
        200,
    )


def text_of(message: Message) -> str:
    payload: Any = message.get_payload(decode=True)
    return bytes(payload).decode()


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_units_received_are_emailed_to_the_entitys_representative(
    world: HttpWorld, smtp: tuple[Mailbox, int]
):
    mailbox, port = smtp
    api = world.api
    by_email(api, "green.group.a", "green@example.org", units_received="in_app_and_email")
    by_email(api, "xxa.user", "user@xxa.example", units_received="in_app_and_email")
    transfer = give(world, 125)
    projected, delivery = NotificationStep(api.registry, server_at(port))()
    assert projected > 0 and delivery is not None and delivery.sent >= 1
    to_green = [(to, m) for to, m in mailbox.received if to == ["green@example.org"]]
    assert len(to_green) == 1
    message = to_green[0][1]
    assert message["To"] == "green@example.org"
    assert message["From"] == "registry@xxa.example"
    assert world[GREEN_AMO] in message["Subject"] and "125 units" in message["Subject"]
    assert transfer in text_of(message) and "125 units" in text_of(message)
    # xxa.user chose e-mail too, but does not act for the entity's account: no message.
    assert [to for to, _ in mailbox.received] == [["green@example.org"]]
    # Sent once: the next step finds nothing due.
    assert deliver(api.registry, server_at(port)).sent == 0
    assert len([to for to, _ in mailbox.received if to == ["green@example.org"]]) == 1


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_a_refusing_or_absent_server_is_tried_again_later(
    world: HttpWorld, smtp: tuple[Mailbox, int]
):
    mailbox, port = smtp
    api = world.api
    by_email(api, "green.group.a", "green@example.org", units_received="in_app_and_email")
    transfer = give(world, 30)
    absent = server_at(free_port())  # nothing listens there
    NotificationStep(api.registry, None)()
    first = deliver(api.registry, absent)
    assert (first.sent, first.retrying) == (0, 1)
    mailbox.refusing = True
    assert deliver(api.registry, server_at(port)).sent == 0  # not due yet: waits a minute
    api.clock.advance(61)
    second = deliver(api.registry, server_at(port))
    assert (second.sent, second.retrying) == (0, 1)
    assert mailbox.received == []
    mailbox.refusing = False
    api.clock.advance(5 * 60 + 1)
    assert deliver(api.registry, server_at(port)).sent == 1
    [(to, message)] = mailbox.received
    assert to == ["green@example.org"] and transfer in text_of(message)
    # The inbox had it all along: e-mail is an extra channel, never the only one.
    items = ok(api["green.group.a"].get("/api/v1/notifications"), 200)["items"]
    assert [n["email"] for n in items if n["transaction"] == transfer] == ["sent"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_deliver_command_sends_what_is_due(
    world: HttpWorld, smtp: tuple[Mailbox, int], database_url: str, monkeypatch: Any
):
    mailbox, port = smtp
    api = world.api
    by_email(api, "xxa.admin", "admin@xxa.example", approval_needed="in_app_and_email")
    give(world, 20)
    pending = ok(
        api["green.group.a"].post(
            "/api/v1/parties/XXA/cancellations",
            {"source_account": world[GREEN_AMO], "purpose": "voluntary", "units": {"quantity": 3}},
        )
    )["record"]
    for name, value in {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_TLS": "none",
        "SMTP_FROM": "registry@xxa.example",
    }.items():
        monkeypatch.setenv(f"ARTICLE6_{name}", value)
    assert Settings.from_env().smtp_port == port
    result = CliRunner().invoke(main, ["notifications", "deliver", "--database", database_url])
    assert result.exit_code == 0, result.output
    assert "1 e-mail(s) sent" in result.output
    [(to, message)] = mailbox.received
    assert to == ["admin@xxa.example"]
    assert pending in message["Subject"] and "3 units" in text_of(message)


def chooses_language(api: Api, name: str, code: str) -> None:
    """The user picks `code` with the switch on a page, signed in."""
    browser = TestClient(api.client.app, follow_redirects=False)
    signed = browser.post(
        "/sign-in", data={"name": name, "password": api.passwords[name], "code": api.code(name)}
    )
    assert signed.status_code == 303
    chosen = browser.post(
        "/language",
        data={"language": code, "next": "/", "csrf_token": browser.cookies.get("article6_csrf")},
    )
    assert chosen.status_code == 303


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_each_recipient_reads_the_email_in_the_language_they_chose(
    world: HttpWorld, smtp: tuple[Mailbox, int]
):
    mailbox, port = smtp
    api = world.api
    api.clock.advance(31)  # a fresh TOTP step for the page sign-in
    by_email(api, "green.group.a", "green@example.org", units_received="in_app_and_email")
    chooses_language(api, "green.group.a", "fr")
    transfer = give(world, 250)
    NotificationStep(api.registry, server_at(port))()
    [message] = [m for to, m in mailbox.received if to == ["green@example.org"]]
    assert message["Content-Language"] == "fr"
    with translation.speaking("fr"):
        footer = translation.said(FOOTER)
        units = translation.said(words("{quantity:,} units", quantity=250))
    assert footer != str(FOOTER) and footer in text_of(message)
    subject = str(make_header(decode_header(message["Subject"])))
    assert units != "250 units" and units in subject
    assert transfer in text_of(message) and world[GREEN_AMO] in subject
    # The inbox says it in the same language: the notification was composed for its reader.
    items = ok(api["green.group.a"].get("/api/v1/notifications"), 200)["items"]
    [received] = [n for n in items if n["transaction"] == transfer]
    assert units in received["title"]
