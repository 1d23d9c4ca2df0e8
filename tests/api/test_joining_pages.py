"""The pages of joining and delegation, as a ministry official and the secretariat use them:
a Party asks on the public page, the secretariat opens its section from its list and is shown
the enrolment links once, the administrator follows theirs to choose a password and reach the
second-factor step; an entity applies with a document and the Party's administrator approves
it; the Party's administrator delegates and revokes, and the secretariat's transaction page says
it acted under delegation."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from http_world import Api, HttpWorld, ok
from test_users_page import browser_session, form

from article6.services.joining import TERMS_VERSION

JOIN = {
    "party_code": "XXD",
    "party_name": "Party XXD",
    "ndc_first_year": "2021",
    "ndc_last_year": "2030",
    "focal_point_name": "Focal Point",
    "focal_point_email": "focal@example.org",
    "admin1_name": "xxd.admin",
    "admin1_display_name": "XXD Administrator",
    "admin1_email": "admin@example.org",
    "terms_version": TERMS_VERSION,
    "terms_accepted": "yes",
}


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_join_review_and_enrol_through_the_pages(api: Api):
    api.bootstrap_secretariat()
    public = TestClient(api.client.app, follow_redirects=False)
    assert "terms of participation" in public.get("/join").text
    refused = public.post("/join", data={**JOIN, "terms_accepted": ""})
    assert refused.status_code == 422 and "C1024" in refused.text
    sent = public.post("/join", data=JOIN)
    assert sent.status_code == 200 and 'id="joining-submitted"' in sent.text

    secretariat = browser_session(api, "secretariat.admin")
    listed = secretariat.get("/joining-requests")
    assert "Party XXD (XXD)" in listed.text
    request_id = re.search(r'data-request="(\d+)"', listed.text)
    assert request_id
    opened = form(
        secretariat, f"/joining-requests/{request_id.group(1)}/review", {"decision": "open"}
    )
    link = re.search(r"/enrolment-link/([A-Za-z0-9_-]+)", opened.text)
    assert opened.status_code == 200 and link

    landing = public.get(f"/enrolment-link/{link.group(1)}")
    assert "Choose your password" in landing.text
    differ = public.post(
        f"/enrolment-link/{link.group(1)}",
        data={"password": "xxd's own password", "password_again": "something else"},
    )
    assert differ.status_code == 422 and "C4015" in differ.text
    chosen = public.post(
        f"/enrolment-link/{link.group(1)}",
        data={"password": "xxd's own password", "password_again": "xxd's own password"},
    )
    assert chosen.status_code == 200 and "Scan this code" in chosen.text
    again = public.post(
        f"/enrolment-link/{link.group(1)}",
        data={"password": "an attacker's pass", "password_again": "an attacker's pass"},
    )
    assert again.status_code == 403 and "C4024" in again.text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_an_entity_applies_on_the_public_page_and_the_administrator_approves(world: HttpWorld):
    api = world.api
    public = TestClient(api.client.app, follow_redirects=False)
    sent = public.post(
        "/apply/XXA",
        data={
            "name": "Blue Carbon Ltd",
            "country_of_incorporation": "XXA",
            "identification_number": "BC-42",
            "cooperative_approach": "CA0001",
            "contact_email": "registry@bluecarbon.example",
        },
        files={"documents": ("proof.pdf", b"%PDF-1.4 proof", "application/pdf")},
    )
    assert sent.status_code == 200 and 'id="application-submitted"' in sent.text
    admin = browser_session(api, "xxa.admin")
    page = admin.get("/entity-applications")
    assert "proof.pdf" in page.text and "Approve Blue Carbon Ltd" in page.text
    number = re.search(r'data-application="(\d+)"', page.text)
    assert number
    done = form(admin, f"/entity-applications/{number.group(1)}/review", {"decision": "approve"})
    assert done.status_code == 303
    assert 'as <span class="mono">XXA-E0002</span>' in admin.get("/entity-applications").text


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_party_delegates_on_its_page_and_the_transaction_page_shows_it(world: HttpWorld):
    api = world.api
    admin = browser_session(api, "xxa.admin")
    assert "Delegate: Issue units" in admin.get("/delegations").text
    assert form(admin, "/delegations/issuance", {"step": "delegate"}).status_code == 303
    assert "Revoke: Issue units" in admin.get("/delegations").text
    issued = ok(
        api["secretariat.admin"].post(
            "/api/v1/parties/XXA/issuances",
            {"mitigation_activity": world.activity, "vintage": 2024, "quantity": 7},
        )
    )
    page = admin.get(f"/transactions/{issued['record']}")
    assert 'id="under-delegation"' in page.text and "XXA delegated issuance" in page.text
    # the secretariat sees the page but has no button to delegate to itself
    secretariat = browser_session(api, "secretariat.admin")
    form(secretariat, "/section", {"party": "XXA", "next": "/delegations"})
    seen = secretariat.get("/delegations")
    assert seen.status_code == 200 and "Delegate:" not in seen.text
    assert form(secretariat, "/delegations/use", {"step": "delegate"}).status_code == 403
    assert form(admin, "/delegations/issuance", {"step": "revoke"}).status_code == 303
    assert "Delegate: Issue units" in admin.get("/delegations").text
