"""Enrolment links by e-mail, sent to a real SMTP server run in the test (aiosmtpd): each
nominated administrator receives their one-time link in their own language and the secretariat
never sees it; without a mail server (or when it refuses) the link is shown once instead and
the reason recorded. A new link replaces the previous one, is refused to a user already
enrolled and to another section's administrator, and is journaled."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from click.testing import CliRunner
from fastapi.testclient import TestClient
from http_world import Api, Caller, ok
from test_joining import enrol_by_link, refused, request_for
from test_notification_email import Mailbox, free_port, text_of
from test_users_page import browser_session, form

from article6.cli import main

REQUESTS = "/api/v1/joining-requests"
LINK = re.compile(r"https?://[^\s]+/enrolment-link/([A-Za-z0-9_-]+)")


@pytest.fixture
def mailing(monkeypatch: pytest.MonkeyPatch) -> Iterator[Mailbox]:
    """A real SMTP server, and the registry set to send e-mail through it (before the app
    starts)."""
    mailbox, port = Mailbox(), free_port()
    controller = Controller(mailbox, hostname="127.0.0.1", port=port)
    for name, value in {
        "SMTP_HOST": "127.0.0.1",
        "SMTP_PORT": str(port),
        "SMTP_TLS": "none",
        "SMTP_FROM": "registry@example.org",
        "PUBLIC_URL": "https://registry.example.org",
    }.items():
        monkeypatch.setenv(f"ARTICLE6_{name}", value)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


def open_request(api: Api, secretariat: Caller, **changes: Any) -> dict[str, Any]:
    made = ok(api.client.post(REQUESTS, json=request_for(**changes)))
    return ok(secretariat.post(f"{REQUESTS}/{made['id']}/review", {"decision": "open"}), 200)


def events(secretariat: Caller) -> list[dict[str, Any]]:
    return list(ok(secretariat.get("/api/v1/journal?limit=200"), 200)["items"])


def token_in(message: Any) -> str:
    found = LINK.search(text_of(message))
    assert found, text_of(message)
    return found.group(1)


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_each_nominated_administrator_is_emailed_their_link_in_their_language(
    mailing: Mailbox, api: Api
):
    secretariat = api.bootstrap_secretariat()
    nominees = [
        {
            "name": "xxd.first",
            "display_name": "Première",
            "email": "a@example.org",
            "language": "fr",
        },
        {"name": "xxd.second", "display_name": "Second", "email": "b@example.org"},
    ]
    outcome = open_request(api, secretariat, administrators=nominees)
    links = outcome["links"]
    assert [(link["user"], link["emailed"], link["token"]) for link in links] == [
        ("xxd.first", True, None),
        ("xxd.second", True, None),
    ]  # the secretariat never sees a link that was e-mailed
    received = {tuple(to): message for to, message in mailing.received}
    french, english = received[("a@example.org",)], received[("b@example.org",)]
    assert french["Content-Language"] == "fr" and english["Content-Language"] == "en"
    assert "enrolment link" in english["Subject"] and "enrolment link" not in french["Subject"]
    assert "Première" in text_of(french) and "xxd.first" in text_of(french)
    assert text_of(english).count("https://registry.example.org/enrolment-link/") == 1

    first = enrol_by_link(api, "xxd.first", token_in(french), "first's own pass")
    assert ok(first.get("/api/v1/me"), 200)["grants"][0]["party"] == "XXD"
    emailed = [e for e in events(secretariat) if e["event"] == "EnrolmentLinkEmailed"]
    assert {e["subject"] for e in emailed} == {"xxd.first", "xxd.second"}
    assert all(token_in(french) not in str(e) for e in events(secretariat))


def test_without_a_mail_server_the_link_is_shown_once_and_why(api: Api):
    secretariat = api.bootstrap_secretariat()
    links = open_request(api, secretariat)["links"]
    assert all(not link["emailed"] and link["token"] for link in links)
    assert "ARTICLE6_SMTP_HOST" in links[0]["email_error"]
    journaled = [e for e in events(secretariat) if e["event"] == "EnrolmentLinkNotEmailed"]
    assert len(journaled) == 2
    enrol_by_link(api, "xxd.first", links[0]["token"], "first's own pass")


def test_a_refusing_mail_server_leaves_the_link_shown(mailing: Mailbox, api: Api):
    mailing.refusing = True
    secretariat = api.bootstrap_secretariat()
    links = open_request(api, secretariat)["links"]
    assert [link["emailed"] for link in links] == [False, False]
    assert "451" in links[0]["email_error"] and links[0]["token"]
    assert mailing.received == []


@pytest.mark.parametrize("database_url", ["sqlite", "postgres"], indirect=True)
def test_a_new_link_replaces_the_previous_one_and_is_emailed(mailing: Mailbox, api: Api):
    mailing.refusing = True  # the first links are lost
    secretariat = api.bootstrap_secretariat()
    old = open_request(api, secretariat)["links"][0]["token"]
    mailing.refusing = False
    sent = ok(secretariat.post("/api/v1/users/xxd.first/enrolment-link", {}), 200)
    assert sent["emailed"] is True and sent["token"] is None
    [(to, message)] = mailing.received
    assert to == ["a@example.org"]
    new = token_in(message)
    stale = api.client.post("/api/v1/enrolment-links", json={"token": old, "password": "x" * 16})
    assert refused(stale, 403) == [("C4024", "token")]
    enrol_by_link(api, "xxd.first", new, "first's own pass")
    # enrolled: no further link (it would let its holder choose the password again)
    again = secretariat.post("/api/v1/users/xxd.first/enrolment-link", {})
    assert refused(again, 422)[0] == ("C1033", "user")
    replacing = [
        json.loads(e["body"])["replaced"]
        for e in events(secretariat)
        if e["event"] == "EnrolmentLinkSent" and e["subject"] == "xxd.first"
    ]
    assert sorted(replacing) == [0, 1]


def test_only_who_manages_the_user_sends_a_new_link(api: Api):
    secretariat = api.bootstrap_secretariat()
    links = open_request(api, secretariat)["links"]
    xxd = enrol_by_link(api, "xxd.first", links[0]["token"], "first's own pass")
    # the section's administrator, for a user of the section
    own = ok(xxd.post("/api/v1/parties/XXD/users/xxd.second/enrolment-link", {}), 200)
    assert own["user"] == "xxd.second" and own["token"]
    # a stranger, and no one signed in
    anonymous = api.client.post("/api/v1/users/xxd.second/enrolment-link", json={})
    assert anonymous.status_code == 401
    other = open_request(api, secretariat, code="XXE")["links"][0]["token"]
    xxe = enrol_by_link(api, "xxe.first", other, "xxe's own pass!")
    across = xxe.post("/api/v1/parties/XXE/users/xxd.second/enrolment-link", {})
    assert refused(across, 403) == [("C4006", "user")]
    unknown = secretariat.post("/api/v1/users/nobody.here/enrolment-link", {})
    assert unknown.status_code in (404, 422) and unknown.json()["checks"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_command_line_sends_a_new_link(mailing: Mailbox, api: Api, database_url: str):
    secretariat = api.bootstrap_secretariat()
    open_request(api, secretariat)
    mailing.received.clear()
    result = CliRunner().invoke(
        main, ["users", "enrolment-link", "xxd.second", "--database", database_url]
    )
    assert result.exit_code == 0, result.output
    assert "e-mailed to b@example.org" in result.output
    [(to, message)] = mailing.received
    assert to == ["b@example.org"]
    enrol_by_link(api, "xxd.second", token_in(message), "second's own pass")
    done = CliRunner().invoke(
        main, ["users", "enrolment-link", "xxd.second", "--database", database_url]
    )
    assert done.exit_code == 1 and "C1033" in done.output


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_secretariats_page_shows_whether_each_link_left_and_sends_a_new_one(
    mailing: Mailbox, api: Api
):
    mailing.refusing = True
    api.bootstrap_secretariat()
    public = TestClient(api.client.app, follow_redirects=False)
    public.post(
        "/join",
        data={
            "party_code": "XXD",
            "party_name": "Party XXD",
            "ndc_first_year": "2021",
            "ndc_last_year": "2030",
            "focal_point_name": "Focal Point",
            "focal_point_email": "focal@example.org",
            "admin1_name": "xxd.admin",
            "admin1_display_name": "XXD Administrateur",
            "admin1_email": "admin@example.org",
            "terms_version": request_for()["terms_version"],
            "terms_accepted": "yes",
        },
        headers={"Accept-Language": "es"},
    )
    secretariat = browser_session(api, "secretariat.admin")
    listed = secretariat.get("/joining-requests")
    request_id = re.search(r'data-request="(\d+)"', listed.text)
    assert request_id
    opened = form(
        secretariat, f"/joining-requests/{request_id.group(1)}/review", {"decision": "open"}
    )
    assert 'data-not-emailed="xxd.admin"' in opened.text and "451" in opened.text
    assert "/enrolment-link/" in opened.text  # shown once, to pass on by hand
    mailing.refusing = False
    resent = form(secretariat, "/joining-requests/enrolment-links/xxd.admin", {})
    assert resent.status_code == 200 and 'data-emailed="xxd.admin"' in resent.text
    assert "/enrolment-link/" not in resent.text
    status = secretariat.get("/joining-requests").text
    assert re.search(r'data-link-status="xxd.admin">.*?e-mailed', status, re.S)
    [(to, message)] = mailing.received
    assert to == ["admin@example.org"] and message["Content-Language"] == "es"


@pytest.mark.parametrize(
    ("language", "said"),
    [
        ("fr", "le serveur de messagerie n'a pas accepté le courriel : « SMTPDataError: (451"),
        ("es", "el servidor de correo no aceptó el mensaje: «SMTPDataError: (451"),
    ],
)
def test_why_a_link_did_not_leave_is_said_in_the_readers_language(
    mailing: Mailbox, api: Api, language: str, said: str
):
    """The reason is recorded (and given by the API) in English, the mail server's own words
    quoted; the page says it in its reader's language, keeping those words as they were."""
    mailing.refusing = True
    secretariat = api.bootstrap_secretariat()
    links = open_request(api, secretariat)["links"]
    assert links[0]["email_error"].startswith(
        'the mail server did not take the e-mail: "SMTPDataError: (451'
    )
    page = browser_session(api, "secretariat.admin")
    listed = page.get("/joining-requests", headers={"Accept-Language": language})
    status = re.search(r'data-link-status="xxd.first">(.*?)<form', listed.text, re.S)
    assert status, listed.text
    shown = html.unescape(status.group(1))
    assert said in shown and "451" in shown, shown
    assert "did not take" not in shown
