"""The language switch, from the visitor's, the user's and the attacker's side: a visitor's
choice is remembered by their browser, a signed-in user's on their account too (another browser
signing in speaks it); without a choice the browser's Accept-Language decides; only our
languages are accepted (C1027); the switch sends the browser back to a page of this site only,
needs the session's CSRF token when signed in (C4011) and, for a visitor, a post from this site
(C1017)."""

from __future__ import annotations

import httpx
import pytest
from fastapi.testclient import TestClient
from http_world import Api, HttpWorld, build_world

from article6.domain.access import Role

COOKIE = "article6_language"


@pytest.fixture
def sections(api: Api) -> HttpWorld:
    world = build_world(api, everyone=False)
    api.add_user("xxa.admin", "xxa.user", Role.PARTY_USER, "XXA")
    return world


def visitor(api: Api) -> TestClient:
    return TestClient(api.client.app, follow_redirects=False)


def browser_session(api: Api, name: str) -> TestClient:
    browser = visitor(api)
    signed = browser.post(
        "/sign-in", data={"name": name, "password": api.passwords[name], "code": api.code(name)}
    )
    assert signed.status_code == 303, signed.text
    return browser


def switch(browser: TestClient, language: str, after: str = "/", **extra: str) -> httpx.Response:
    return browser.post("/language", data={"language": language, "next": after, **extra})


def page_language(response: httpx.Response) -> str:
    return response.headers["content-language"]


def test_a_visitor_chooses_french_and_every_page_then_speaks_it(api: Api) -> None:
    browser = visitor(api)
    chosen = switch(browser, "fr", "/sign-in?next=/accounts")
    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/sign-in?next=/accounts"
    assert browser.cookies.get(COOKIE) == "fr"
    page = browser.get("/sign-in")
    assert page_language(page) == "fr"
    assert '<html lang="fr" dir="ltr">' in page.text


def test_without_a_choice_the_browser_accept_language_decides(api: Api) -> None:
    browser = visitor(api)
    spanish = browser.get("/sign-in", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    assert page_language(spanish) == "es"
    arabic = browser.get("/sign-in", headers={"Accept-Language": "ar"})
    assert '<html lang="ar" dir="rtl">' in arabic.text
    german = browser.get("/sign-in", headers={"Accept-Language": "de-DE,de;q=0.9"})
    assert page_language(german) == "en"


def test_a_choice_outranks_the_browser_header(api: Api) -> None:
    browser = visitor(api)
    switch(browser, "es")
    page = browser.get("/sign-in", headers={"Accept-Language": "fr"})
    assert page_language(page) == "es"


def test_only_the_registry_languages_are_accepted(api: Api) -> None:
    browser = visitor(api)
    refused = switch(browser, "xx-evil")
    assert refused.status_code == 422
    assert "C1027" in refused.text
    assert browser.cookies.get(COOKIE) is None


@pytest.mark.parametrize("elsewhere", ["https://evil.example/", "//evil.example/", "/\\evil"])
def test_the_switch_never_sends_the_browser_to_another_site(api: Api, elsewhere: str) -> None:
    chosen = switch(visitor(api), "fr", elsewhere)
    assert chosen.status_code == 303
    assert chosen.headers["location"] == "/"


def test_another_site_cannot_switch_a_visitor_language(api: Api) -> None:
    browser = visitor(api)
    forged = browser.post(
        "/language",
        data={"language": "ar", "next": "/"},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert forged.status_code == 403
    assert "C1017" in forged.text
    assert browser.cookies.get(COOKIE) is None


def test_a_user_choice_follows_them_to_another_browser(api: Api, sections: HttpWorld) -> None:
    office = browser_session(api, "xxa.user")
    chosen = switch(office, "es", "/accounts", csrf_token=office.cookies.get("article6_csrf"))
    assert chosen.status_code == 303
    laptop = browser_session(api, "xxa.user")
    assert laptop.cookies.get(COOKIE) == "es"
    assert page_language(laptop.get("/accounts")) == "es"


def test_a_signed_in_switch_without_the_csrf_token_changes_nothing(
    api: Api, sections: HttpWorld
) -> None:
    office = browser_session(api, "xxa.user")
    forged = switch(office, "ar", "/")
    assert forged.status_code == 403
    assert "C4011" in forged.text
    assert office.cookies.get(COOKIE) is None
    assert browser_session(api, "xxa.user").cookies.get(COOKIE) is None


def test_a_stale_switch_is_refused_like_any_stale_form_in_the_reader_language(
    api: Api, sections: HttpWorld
) -> None:
    """The switch shares the pages' CSRF refusal: the same check, said in the page's language."""
    office = browser_session(api, "xxa.user")
    office.cookies.set(COOKIE, "fr")
    forged = switch(office, "es", "/")
    assert forged.status_code == 403
    assert "C4011" in forged.text
    assert "le formulaire a expiré" in forged.text, forged.text


def test_signing_in_reads_the_chosen_language_with_the_user(api: Api, sections: HttpWorld) -> None:
    office = browser_session(api, "xxa.user")
    switch(office, "fr", "/", csrf_token=office.cookies.get("article6_csrf"))
    signed = api.client.post(
        "/api/v1/tokens",
        json={
            "name": "xxa.user",
            "password": api.passwords["xxa.user"],
            "code": api.code("xxa.user"),
        },
    )
    assert signed.status_code in (200, 201), signed.text
    assert signed.json()["language"] == "fr"


def test_machine_files_do_not_change_with_the_language(api: Api, sections: HttpWorld) -> None:
    """The API's own fields and the AEF stay locale-independent: the same JSON either way."""
    caller = api["xxa.user"]
    english = caller.get("/api/v1/me").json()
    french = api.client.get(
        "/api/v1/me", headers={**caller.headers, "Accept-Language": "fr"}
    ).json()
    assert english == french
