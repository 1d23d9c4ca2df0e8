"""The notifications page and the choices page, through a browser session: the count beside
the navigation's link, unread first, mark read, mark all read; another user's notification
cannot be marked (C1012); choices saved from the form, a bad address refused naming the field."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient
from http_world import Api, HttpWorld, ok

from article6.services import notifications

NDC = "XXA-NDC-2025-001"
GREEN_AMO = "XXA Green Group A amo_holding"


def browser_session(api: Api, name: str) -> TestClient:
    browser = TestClient(api.client.app, follow_redirects=False)
    signed = browser.post(
        "/sign-in", data={"name": name, "password": api.passwords[name], "code": api.code(name)}
    )
    assert signed.status_code == 303, signed.text
    return browser


def form(browser: TestClient, path: str, data: dict[str, str] | None = None) -> httpx.Response:
    csrf = browser.cookies.get("article6_csrf")
    assert csrf
    return browser.post(path, data={**(data or {}), "csrf_token": csrf})


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


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_inbox_page_counts_lists_and_marks_read(world: HttpWorld):
    api = world.api
    first = give(world, 10)
    second = give(world, 20)
    notifications.project_all(api.registry)
    green = browser_session(api, "green.group.a")
    page = green.get("/notifications")
    assert page.status_code == 200
    assert 'aria-label="2 unread"' in page.text
    assert page.text.index(second) < page.text.index(first)  # newest first
    ids = [n["id"] for n in ok(api["green.group.a"].get("/api/v1/notifications"), 200)["items"]]

    attacker = browser_session(api, "green.c.entity")
    refused = form(attacker, f"/notifications/{ids[0]}/read")
    assert refused.status_code == 404 and "C1012" in refused.text
    assert second not in attacker.get("/notifications").text

    assert form(green, f"/notifications/{ids[0]}/read").status_code == 303
    page = green.get("/notifications")
    assert 'aria-label="1 unread"' in page.text
    assert page.text.index(first) < page.text.index(second)  # unread first
    assert form(green, "/notifications/read").status_code == 303
    assert 'class="badge count"' not in green.get("/").text  # nothing unread: no count


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_choices_page_saves_and_refuses_in_words(world: HttpWorld):
    api = world.api
    green = browser_session(api, "green.group.a")
    page = green.get("/notifications/preferences")
    assert page.status_code == 200 and "Units received" in page.text
    bad = form(
        green,
        "/notifications/preferences",
        {"email": "green at example", "units_received": "in_app_and_email"},
    )
    assert bad.status_code == 422
    assert "C1013" in bad.text and "e-mail address" in bad.text
    saved = form(
        green,
        "/notifications/preferences",
        {"email": "green@example.org", "units_received": "in_app_and_email"},
    )
    assert saved.status_code == 303
    choices = ok(api["green.group.a"].get("/api/v1/notifications/preferences"), 200)
    assert choices["email"] == "green@example.org"
    assert choices["channels"]["units_received"] == "in_app_and_email"
