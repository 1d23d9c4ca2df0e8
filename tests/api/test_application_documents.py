"""An application's documents downloaded by the Party's administrators and the secretariat: an
attachment under its original name and type, never shown inline, and only while its SHA-256 is
the one journaled when it was attached. From the attacker's side: another section's
administrator, the Party's users and entities get none, never another Party's document, and a
copy altered in the database is refused (C1026) with the refusal journaled."""

from __future__ import annotations

import base64
import json
import re
from typing import Any

import httpx
from http_world import HttpWorld, ok
from sqlalchemy import update
from test_journal_browser import signed_in
from test_users_page import browser_session

from article6.services import chain_verification
from article6.store.database import unit_of_work
from article6.store.joining_schema import entity_documents

CERTIFICATE = b"%PDF-1.4 certificate of incorporation"
NAME = 'Zertifikat "Übersicht".pdf'


def applied(world: HttpWorld, party: str = "XXA") -> tuple[str, dict[str, Any]]:
    """An application to `party` with one document; its path and the document."""
    body = {
        "name": f"Blue Carbon {party}",
        "country_of_incorporation": party,
        "identification_number": "BC-42",
        "cooperative_approach": "CA0001",
        "contact_email": "registry@bluecarbon.example",
        "documents": [
            {
                "file_name": NAME,
                "content_type": "application/pdf",
                "content_base64": base64.b64encode(CERTIFICATE).decode(),
            }
        ],
    }
    made = ok(world.api.client.post(f"/api/v1/parties/{party}/entity-applications", json=body))
    document = made["documents"][0]
    path = f"/api/v1/parties/{party}/entity-applications/{made['id']}/documents/{document['id']}"
    return path, document


def checks_of(response: httpx.Response) -> list[tuple[str, str]]:
    return [(c["check"], c["field"]) for c in response.json()["checks"]]


def test_the_partys_administrator_and_the_secretariat_download_it_as_an_attachment(
    world: HttpWorld,
):
    path, _ = applied(world)
    for user in ("xxa.admin", "secretariat.admin"):
        got = world.api[user].get(path)
        assert got.status_code == 200, got.text
        assert got.content == CERTIFICATE
        assert got.headers["content-type"] == "application/pdf"
        assert got.headers["x-content-type-options"] == "nosniff"
        disposition = got.headers["content-disposition"]
        assert disposition.startswith('attachment; filename="Zertifikat __bersicht_.pdf"')
        assert "filename*=UTF-8''Zertifikat%20%22%C3%9Cbersicht%22.pdf" in disposition
        assert "inline" not in disposition


def test_no_one_else_gets_a_document_and_never_another_partys(world: HttpWorld):
    api = world.api
    path, document = applied(world)
    for user in ("xxc.admin", "xxa.user", "xxa.auditor", "green.group.a"):
        denied = api[user].get(path)
        assert denied.status_code == 403, (user, denied.text)
        assert denied.content != CERTIFICATE and checks_of(denied)[0][0] in {"C4002", "C4006"}
    # XXC's administrator names XXA's application in XXC's own section: unknown
    smuggled = api["xxc.admin"].get(path.replace("/parties/XXA/", "/parties/XXC/"))
    assert smuggled.status_code == 404 and checks_of(smuggled) == [("C1012", "document")]
    # XXA's administrator names XXC's document under one of XXA's applications: unknown
    other_path, other = applied(world, "XXC")
    crossed = path.rsplit("/", 1)[0] + f"/{other['id']}"
    assert other["id"] != document["id"]
    refused = api["xxa.admin"].get(crossed)
    assert refused.status_code == 404 and checks_of(refused) == [("C1012", "document")]
    assert api["xxc.admin"].get(other_path).content == CERTIFICATE


def test_a_document_altered_in_the_database_is_refused_and_the_refusal_journaled(
    world: HttpWorld,
):
    api = world.api
    path, document = applied(world)
    with unit_of_work(api.registry.engine) as connection:
        connection.execute(
            update(entity_documents)
            .where(entity_documents.c.id == document["id"])
            .values(content=b"%PDF-1.4 a forged certificate")
        )
    refused = api["xxa.admin"].get(path)
    assert refused.status_code == 409 and checks_of(refused) == [("C1026", "document")]
    assert b"forged" not in refused.content
    entries = ok(api["secretariat.admin"].get("/api/v1/journal?event=EntityDocumentRefused"), 200)[
        "items"
    ]
    body = json.loads(entries[0]["body"])
    assert body["document"] == document["id"]
    assert body["journaled_sha256"] == document["sha256"] != body["stored_sha256"]

    page = browser_session(api, "xxa.admin")
    shown = page.get(path.replace("/api/v1/parties/XXA", ""))
    assert shown.status_code == 409 and "C1026" in shown.text
    assert "forged" not in shown.text


def test_the_applications_page_links_each_document_for_download(world: HttpWorld):
    _, document = applied(world)
    page = browser_session(world.api, "xxa.admin")
    listed = page.get("/entity-applications")
    link = re.search(
        rf'href="(/entity-applications/\d+/documents/{document["id"]})" download', listed.text
    )
    assert link, listed.text
    got = page.get(link.group(1))
    assert got.status_code == 200 and got.content == CERTIFICATE
    assert got.headers["content-disposition"].startswith("attachment;")
    assert got.headers["x-content-type-options"] == "nosniff"


def test_each_download_served_is_journaled_for_the_auditors(world: HttpWorld):
    api = world.api
    path, document = applied(world)
    assert api["xxa.admin"].get(path).status_code == 200
    assert api["secretariat.admin"].get(path).status_code == 200
    assert api["xxa.user"].get(path).status_code == 403  # a refused one is no download
    downloads = ok(api["auditor"].get("/api/v1/journal?event=EntityDocumentDownloaded"), 200)[
        "items"
    ]
    assert [e["actor"].split(" (")[0] for e in downloads] == ["xxa.admin", "secretariat.admin"]
    for entry in downloads:
        body = json.loads(entry["body"])
        assert body["document"] == document["id"] and body["file_name"] == NAME
        assert body["sha256"] == document["sha256"] and entry["party"] == "XXA"
        assert entry["recorded_at"]
    # the auditor's journal browser lists them
    chain_verification.wait(api.registry, timeout=60)
    page = signed_in(world, "auditor").get("/journal?event=EntityDocumentDownloaded")
    assert page.status_code == 200
    assert page.text.count("EntityDocumentDownloaded") >= 2 and "xxa.admin" in page.text
