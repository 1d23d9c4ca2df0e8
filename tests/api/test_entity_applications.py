"""An entity applies to a Party without an account, with its documents kept and their digests
journaled; the Party's administrator, and no one else, approves (the entity is recorded with its
accounts) or declines with a reason, once."""

from __future__ import annotations

import base64
import hashlib
import json
from typing import Any

import httpx
from http_world import HttpWorld, ok

APPLICATIONS = "/api/v1/parties/XXA/entity-applications"
CERTIFICATE = b"%PDF-1.4 certificate of incorporation"


def refused(response: httpx.Response, status: int) -> list[tuple[str, str]]:
    assert response.status_code == status, response.text
    return [(c["check"], c["field"]) for c in response.json()["checks"]]


def application(**changes: Any) -> dict[str, Any]:
    return {
        "name": "Blue Carbon Ltd",
        "country_of_incorporation": "XXA",
        "identification_number": "BC-42",
        "cooperative_approach": "CA0001",
        "contact_email": "registry@bluecarbon.example",
        "documents": [
            {
                "file_name": "incorporation.pdf",
                "content_type": "application/pdf",
                "content_base64": base64.b64encode(CERTIFICATE).decode(),
            }
        ],
        **changes,
    }


def test_an_entity_applies_and_the_partys_administrator_approves_it(world: HttpWorld):
    api = world.api
    applied = ok(api.client.post(APPLICATIONS, json=application()))
    digest = hashlib.sha256(CERTIFICATE).hexdigest()
    assert applied["status"] == "pending"
    assert [(d["file_name"], d["size"], d["sha256"]) for d in applied["documents"]] == [
        ("incorporation.pdf", len(CERTIFICATE), digest)
    ]
    journal = ok(api["secretariat.admin"].get("/api/v1/journal?event=EntityApplied"), 200)
    assert json.loads(journal["items"][0]["body"])["documents"][0]["sha256"] == digest

    path = f"{APPLICATIONS}/{applied['id']}/review"
    # the secretariat, a Party user and another section's administrator do not decide
    for user in ("secretariat.admin", "xxa.user", "xxc.admin"):
        assert api[user].post(path, {"decision": "approve"}).status_code == 403
    approved = ok(api["xxa.admin"].post(path, {"decision": "approve"}), 200)
    assert approved["status"] == "approved" and approved["entity"] == "XXA-E0002"
    assert approved["reviewed_by"].startswith("xxa.admin")
    entity = ok(api["xxa.admin"].get("/api/v1/parties/XXA/entities/XXA-E0002"), 200)
    assert entity["name"] == "Blue Carbon Ltd"
    accounts = ok(api["xxa.admin"].get("/api/v1/parties/XXA/accounts"), 200)
    assert any(a["holder"] == "XXA-E0002" for a in accounts)
    # once
    again = api["xxa.admin"].post(path, {"decision": "decline", "reason": "second thoughts"})
    assert refused(again, 409) == [("C4027", "application")]


def test_a_declined_application_says_why_and_records_no_entity(world: HttpWorld):
    api = world.api
    applied = ok(api.client.post(APPLICATIONS, json=application(documents=[])))
    path = f"{APPLICATIONS}/{applied['id']}/review"
    assert refused(api["xxa.admin"].post(path, {"decision": "decline"}), 409) == [
        ("C4027", "reason")
    ]
    declined = ok(
        api["xxa.admin"].post(path, {"decision": "decline", "reason": "no proof of identity"}),
        200,
    )
    assert (declined["status"], declined["entity"]) == ("declined", None)
    names = {e["name"] for e in ok(api["xxa.admin"].get("/api/v1/parties/XXA/entities"), 200)}
    assert "Blue Carbon Ltd" not in names


def test_a_document_too_large_or_of_an_unknown_type_is_refused_and_nothing_kept(
    world: HttpWorld,
):
    api = world.api
    big = base64.b64encode(b"x" * (512 * 1024 + 1)).decode()
    too_large = application(
        documents=[{"file_name": "a.pdf", "content_type": "application/pdf", "content_base64": big}]
    )
    assert refused(api.client.post(APPLICATIONS, json=too_large), 422) == [("C1025", "documents.0")]
    script = application(
        documents=[{"file_name": "a.html", "content_type": "text/html", "content_base64": "PGI+"}]
    )
    assert refused(api.client.post(APPLICATIONS, json=script), 422) == [("C1025", "documents.0")]
    assert ok(api["xxa.admin"].get(APPLICATIONS), 200) == []
