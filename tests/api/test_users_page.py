"""The users' administration page, from the attacker's side as much as the administrator's: a
Party Section Administrator resets a password, lifts a lock and clears a second factor of their
own section's users only (C4006), the secretariat of anyone; a Party user or an entity's
representative sees no link and is refused (C4002), a form without the session's CSRF token is
refused (C4011), and the temporary password opens nothing but the change-password page."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi.testclient import TestClient
from http_world import Api, HttpWorld, build_world

from article6.domain.access import Role
from article6.settings import Settings

SETTINGS = Settings()


@pytest.fixture
def sections(api: Api) -> HttpWorld:
    world = build_world(api, everyone=False)
    api.add_user("xxa.admin", "xxa.user", Role.PARTY_USER, "XXA")
    api.add_user("xxa.admin", "green.group.a", Role.ENTITY, "XXA", "XXA-E0001")
    api.add_user("xxc.admin", "xxc.user", Role.PARTY_USER, "XXC")
    return world


def browser_session(api: Api, name: str, password: str | None = None) -> TestClient:
    """A browser of its own, signed in through the sign-in page."""
    browser = TestClient(api.client.app, follow_redirects=False)
    signed = browser.post(
        "/sign-in",
        data={"name": name, "password": password or api.passwords[name], "code": api.code(name)},
    )
    assert signed.status_code == 303, signed.text
    return browser


def form(browser: TestClient, path: str, data: dict[str, str] | None = None) -> httpx.Response:
    csrf = browser.cookies.get("article6_csrf")
    assert csrf
    return browser.post(path, data={**(data or {}), "csrf_token": csrf})


def confirmed(browser: TestClient, user: str, action: str) -> httpx.Response:
    """The action as the page does it: the button, then Confirm on the page it opens."""
    asked = form(browser, f"/users/{user}/{action}")
    assert asked.status_code == 200, asked.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', asked.text)
    assert key
    return form(
        browser,
        f"/users/{user}/{action}",
        {"step": "confirm", "idempotency_key": key.group(1)},
    )


def temporary_of(page: httpx.Response) -> str:
    found = re.search(r'id="temporary-password">([^<]+)<', page.text)
    assert found, page.text
    return found.group(1)


def token(api: Api, name: str, password: str) -> httpx.Response:
    return api.client.post(
        "/api/v1/tokens", json={"name": name, "password": password, "code": api.code(name)}
    )


def listed(page: httpx.Response) -> set[str]:
    return set(re.findall(r'<tr data-user="([^"]+)"', page.text))


def test_an_administrator_resets_a_password_on_the_page(api: Api, sections: HttpWorld):
    admin = browser_session(api, "xxa.admin")
    victim_session = browser_session(api, "xxa.user")
    assert victim_session.get("/").status_code == 200
    home = admin.get("/")
    assert 'href="/users"' in home.text
    page = admin.get("/users")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    assert listed(page) == {"xxa.admin", "xxa.user", "green.group.a"}
    assert "<script" not in page.text and "style=" not in page.text
    assert " on" + "click" not in page.text.lower()

    asked = form(admin, "/users/xxa.user/password-reset")
    assert asked.status_code == 200 and 'id="preview-outcome"' in asked.text
    assert token(api, "xxa.user", api.passwords["xxa.user"]).status_code == 201  # not yet

    done = confirmed(admin, "xxa.user", "password-reset")
    assert done.status_code == 200, done.text
    assert done.headers["cache-control"] == "no-store"
    temporary = temporary_of(done)
    assert "separate channel" in done.text and "once only" in done.text
    assert "must change it" in done.text
    for shown in (asked, done):
        assert "<script" not in shown.text and "style=" not in shown.text

    assert victim_session.get("/").headers["location"].startswith("/sign-in")  # session ended
    assert token(api, "xxa.user", api.passwords["xxa.user"]).status_code == 401  # old is gone
    owing = browser_session(api, "xxa.user", temporary)
    for path in ("/", "/accounts", "/users"):
        assert owing.get(path).headers.get("location") == "/password", path
    assert "C4014" in owing.get("/password").text
    assert 'data-must-change="true"' in admin.get("/users").text


def test_a_resubmitted_reset_acts_once_and_shows_no_password(api: Api, sections: HttpWorld):
    admin = browser_session(api, "xxa.admin")
    asked = form(admin, "/users/xxa.user/password-reset")
    key = re.search(r'name="idempotency_key" value="([^"]+)"', asked.text)
    assert key
    data = {"step": "confirm", "idempotency_key": key.group(1)}
    first = form(admin, "/users/xxa.user/password-reset", data)
    again = form(admin, "/users/xxa.user/password-reset", data)
    temporary = temporary_of(first)
    assert again.status_code == 200 and 'id="password-reset-repeated"' in again.text
    assert 'id="temporary-password"' not in again.text
    assert token(api, "xxa.user", temporary).status_code == 201  # the first still holds


def test_another_section_s_administrator_neither_sees_nor_acts_on_the_users(
    api: Api, sections: HttpWorld
):
    xxc = browser_session(api, "xxc.admin")
    page = xxc.get("/users")
    assert page.status_code == 200
    assert listed(page) == {"xxc.admin", "xxc.user"}
    for action in ("password-reset", "unlock", "second-factor-reset"):
        for data in ({}, {"step": "confirm", "idempotency_key": f"forged-{action}"}):
            for user in ("xxa.user", "xxa.admin", "secretariat.admin"):
                refused = form(xxc, f"/users/{user}/{action}", data)
                assert refused.status_code == 403, (user, action, data)
                assert "C4006" in refused.text, (user, action)
                assert 'id="temporary-password"' not in refused.text
    assert token(api, "xxa.user", api.passwords["xxa.user"]).status_code == 201  # untouched
    assert api["xxa.user"].get("/api/v1/me").status_code == 200  # session kept


@pytest.mark.parametrize("name", ["xxa.user", "green.group.a"])
def test_a_party_user_or_an_entity_s_representative_gets_no_link_and_is_refused(
    api: Api, sections: HttpWorld, name: str
):
    browser = browser_session(api, name)
    assert 'href="/users"' not in browser.get("/").text
    page = browser.get("/users")
    assert page.status_code == 403 and "C4002" in page.text
    for action in ("password-reset", "unlock", "second-factor-reset"):
        for data in ({}, {"step": "confirm", "idempotency_key": f"k-{action}"}):
            refused = form(browser, f"/users/xxa.admin/{action}", data)
            assert refused.status_code == 403 and "C4002" in refused.text, (action, data)
    assert token(api, "xxa.admin", api.passwords["xxa.admin"]).status_code == 201


def test_a_form_without_the_session_s_csrf_token_is_refused(api: Api, sections: HttpWorld):
    admin = browser_session(api, "xxa.admin")
    for data in ({}, {"step": "confirm"}):
        stale = admin.post("/users/xxa.user/password-reset", data=data)
        assert stale.status_code == 403 and "C4011" in stale.text
        wrong = admin.post("/users/xxa.user/password-reset", data={**data, "csrf_token": "x"})
        assert wrong.status_code == 403 and "C4011" in wrong.text
    assert token(api, "xxa.user", api.passwords["xxa.user"]).status_code == 201


def test_the_secretariat_sees_every_user_and_an_unknown_action_or_user_is_refused(
    api: Api, sections: HttpWorld
):
    secretariat = browser_session(api, "secretariat.admin")
    chosen = form(secretariat, "/section", {"party": "XXA", "next": "/users"})
    assert chosen.status_code == 303
    page = secretariat.get("/users")
    assert page.status_code == 200
    assert {"xxa.user", "xxc.user", "xxc.admin", "secretariat.admin"} <= listed(page)
    assert 'href="/users"' in page.text
    done = confirmed(secretariat, "xxc.user", "password-reset")
    assert token(api, "xxc.user", temporary_of(done)).status_code == 201
    unknown = form(secretariat, "/users/xxc.user/delete")
    assert unknown.status_code == 404 and "C1012" in unknown.text
    nobody = form(secretariat, "/users/nobody/unlock")
    assert nobody.status_code == 404 and "C1012" in nobody.text


def test_unlock_and_second_factor_reset_work_from_the_page(api: Api, sections: HttpWorld):
    for _ in range(SETTINGS.lock_after):
        api.clock.advance(600)
        token(api, "xxa.user", "wrong password!")
    assert token(api, "xxa.user", api.passwords["xxa.user"]).status_code == 429
    admin = browser_session(api, "xxa.admin")
    assert 'data-locked="true"' in admin.get("/users").text

    unlocked = confirmed(admin, "xxa.user", "unlock")
    assert unlocked.status_code == 303
    assert unlocked.headers["location"] == "/users?done=unlock&user=xxa.user"
    after = admin.get(unlocked.headers["location"])
    assert 'id="done"' in after.text and 'data-locked="true"' not in after.text
    assert token(api, "xxa.user", api.passwords["xxa.user"]).status_code == 201

    session = api.sign_in("xxa.user")
    assert session.get("/api/v1/me").status_code == 200
    cleared = confirmed(admin, "xxa.user", "second-factor-reset")
    assert cleared.status_code == 303
    assert 'data-enrolled="false"' in admin.get(cleared.headers["location"]).text
    assert session.get("/api/v1/me").status_code == 401  # every session ended
    refused = token(api, "xxa.user", api.passwords["xxa.user"])
    assert refused.status_code in (401, 403)  # no second factor until they enrol again
    api.enrol("xxa.user")
    assert token(api, "xxa.user", api.passwords["xxa.user"]).status_code == 201


def test_a_done_notice_names_only_a_listed_user(api: Api, sections: HttpWorld):
    admin = browser_session(api, "xxa.admin")
    crafted = admin.get("/users?done=unlock&user=call-0800-support-now")
    assert 'id="done"' not in crafted.text
    # The language switch hands the page's own address back in a hidden field: no notice.
    shown = re.sub(r'<input type="hidden" name="next" value="[^"]*">', "", crafted.text)
    assert "call-0800" not in shown
