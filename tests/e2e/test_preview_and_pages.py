"""Without a browser: the rehearsal behind "see what will happen" keeps nothing, and the pages
answer errors as pages while `/api/v1` keeps answering problem+json."""

from __future__ import annotations

import os
import re
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient

from article6.app import create_app
from article6.demo import users as demo_users
from article6.demo import world as demo
from article6.domain import totp
from article6.domain.checks import CommandRefused
from article6.services import commands as c
from article6.services import preview, units
from article6.services.context import Registry
from article6.services.reads.ledger import verify_registry
from article6.settings import Settings

os.environ.setdefault("ARTICLE6_PASSWORD_COST", "test")


def test_a_rehearsed_cancellation_says_first_transfer_and_keeps_nothing(registry: Registry):
    world = demo.build_world(registry)
    demo.scenario_1a(registry, world)
    before = demo.holdings(registry, world)
    rehearsed = preview.preview(
        registry,
        units.cancel_units,
        demo.XXA_ADMIN,
        c.CancelUnits(
            source_account=world["XXA Party amo_holding"],
            purpose="voluntary",
            units=c.UnitSelection(quantity=4_000),
        ),
    )
    assert rehearsed.receipt.status == "completed"
    assert rehearsed.first_transfer is True
    assert demo.holdings(registry, world) == before
    assert verify_registry(registry) == []


def test_a_rehearsed_entity_request_says_what_approval_would_record(registry: Registry):
    world = demo.build_world(registry)
    demo.scenario_1a(registry, world)
    units.transfer_units(
        registry,
        demo.XXA_ADMIN,
        c.TransferUnits(
            source_account=world["XXA Party amo_holding"],
            destination_account=world["XXA Green Group A amo_holding"],
            units=c.UnitSelection(quantity=2_000),
        ),
    )
    before = demo.holdings(registry, world)
    rehearsed = preview.preview(
        registry,
        units.cancel_units,
        demo.GREEN_GROUP_A,
        c.CancelUnits(
            source_account=world["XXA Green Group A amo_holding"],
            purpose="IMP",
            purpose_text="CORSIA",
            units=c.UnitSelection(quantity=2_000),
        ),
    )
    assert rehearsed.waits_for_approval
    assert rehearsed.on_approval is not None and rehearsed.on_approval.status == "completed"
    assert rehearsed.first_transfer is True
    assert demo.holdings(registry, world) == before
    assert verify_registry(registry) == []


def test_a_refused_rehearsal_raises_the_commands_own_refusal(registry: Registry):
    world = demo.build_world(registry)
    before = demo.holdings(registry, world)
    with pytest.raises(CommandRefused) as refused:
        preview.preview(
            registry,
            units.cancel_units,
            demo.XXA_ADMIN,
            c.CancelUnits(
                source_account=world["XXA Party mo_holding"],
                purpose="voluntary",
                units=c.UnitSelection(quantity=1),
            ),
        )
    assert refused.value.codes == ["C3001"]
    assert demo.holdings(registry, world) == before


@pytest.fixture
def signed_in(registry: Registry) -> tuple[TestClient, demo.DemoWorld]:
    world = demo.build_world(registry)
    secret = totp.new_secret()
    demo_users.create_demo_users(registry, {"xxa.admin": ("pw-xxa-admin-test", secret)})
    client = TestClient(create_app(registry, Settings()))
    signed = client.post(
        "/sign-in",
        data={
            "name": "xxa.admin",
            "password": "pw-xxa-admin-test",
            "code": totp.code_at(secret, datetime.now(UTC)),
        },
        follow_redirects=False,
    )
    assert signed.status_code == 303
    return client, world


def test_a_page_asks_for_sign_in_and_the_api_answers_401(registry: Registry):
    client = TestClient(create_app(registry, Settings()))
    page = client.get("/accounts", follow_redirects=False)
    assert (page.status_code, page.headers["location"]) == (303, "/sign-in?next=/accounts")
    api = client.get("/api/v1/parties/XXA/accounts")
    assert api.status_code == 401
    assert api.headers["content-type"] == "application/problem+json"


def test_a_form_without_the_sessions_csrf_token_is_refused_and_changes_nothing(signed_in):
    client, world = signed_in
    before = client.get("/accounts").text
    refused = client.post(
        "/actions/link",
        data={
            "step": "confirm",
            "account": world["XXA Party mo_holding"],
            "authorization_id": demo.NDC_AUTHORIZATION,
            "quantity": "10",
        },
    )
    assert refused.status_code == 403
    assert "C4011" in refused.text and "text/html" in refused.headers["content-type"]
    assert client.get("/accounts").text == before


def test_an_unknown_page_is_a_page_and_an_unknown_api_route_is_problem_json(signed_in):
    client, _ = signed_in
    page = client.get("/no-such-page")
    assert page.status_code == 404 and "C1012" in page.text
    assert page.headers["content-type"].startswith("text/html")
    api = client.get("/api/v1/no-such-route")
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"


def test_a_confirmed_form_records_once_even_if_sent_twice(signed_in, registry: Registry):
    client, world = signed_in
    csrf = client.cookies.get("article6_csrf")
    fields = {
        "csrf_token": csrf,
        "account": world["XXA Party mo_holding"],
        "authorization_id": demo.NDC_AUTHORIZATION,
        "quantity": "1,000",
    }
    shown = client.post("/actions/link", data={**fields, "step": "preview"})
    key = re.search(r'name="idempotency_key" value="([^"]+)"', shown.text)
    assert key is not None
    confirmed = {**fields, "step": "confirm", "idempotency_key": key.group(1)}
    first = client.post("/actions/link", data=confirmed, follow_redirects=False)
    again = client.post("/actions/link", data=confirmed, follow_redirects=False)
    assert first.headers["location"] == again.headers["location"]
    assert demo.holdings(registry, world)["XXA Party amo_holding"] == 1_000
    assert verify_registry(registry) == []
