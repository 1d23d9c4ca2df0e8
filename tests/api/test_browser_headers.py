"""What every answer tells a browser (a content security policy with no inline script, no
sniffing, no referrer elsewhere, nothing signed-in cached), a sign-in form that another site
cannot post (login CSRF), and the section cookie as Secure as the others."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from http_world import Api, HttpWorld, build_world

from article6.app import create_app
from article6.settings import Settings

WEB = Path(__file__).parents[2] / "src" / "article6" / "web"
REQUIRED = [
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
]


@pytest.fixture
def world(api: Api) -> HttpWorld:
    return build_world(api, everyone=False)


def policy_of(response: object) -> dict[str, str]:
    headers = response.headers  # type: ignore[attr-defined]
    return {
        directive.split(" ", 1)[0]: directive
        for directive in (d.strip() for d in headers["content-security-policy"].split(";"))
    }


def test_every_answer_carries_the_browser_headers(world: HttpWorld):
    client, xxa = world.api.client, world.api["xxa.admin"]
    answers = {
        "page": client.get("/sign-in"),
        "error page": client.get("/no-such-page"),
        "api": xxa.get("/api/v1/me"),
        "personal data": xxa.get("/api/v1/parties/XXA/accounts"),
        "problem": client.get("/api/v1/me"),
        "statement": xxa.get(
            f"/api/v1/parties/XXA/accounts/{world['XXA Party mo_holding']}/statement"
            "?start=2025-01-01&end=2025-12-31&format=html"
        ),
    }
    for name, response in answers.items():
        policy = policy_of(response)
        for directive in REQUIRED:
            assert directive in policy.values(), (name, directive)
        assert "'unsafe-inline'" not in response.headers["content-security-policy"], name
        assert "'unsafe-eval'" not in response.headers["content-security-policy"], name
        assert response.headers["x-content-type-options"] == "nosniff", name
        assert response.headers["referrer-policy"] in ("same-origin", "no-referrer"), name
        assert response.headers["cache-control"] == "no-store", name


def test_the_pages_hold_no_inline_script_handler_or_style_attribute():
    """Under the policy they would be blocked: everything lives in /static."""
    inline_script = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
    handler = re.compile(r"\son[a-z]+\s*=", re.IGNORECASE)
    style_attribute = re.compile(r"\sstyle\s*=", re.IGNORECASE)
    found = []
    for path in sorted((WEB / "templates").glob("*.html")) + sorted(WEB.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        for pattern in (inline_script, handler, style_attribute, re.compile("javascript:")):
            found += [f"{path.name}: {m.group(0)}" for m in pattern.finditer(text)]
    assert found == []


def sign_in_form(world: HttpWorld, headers: dict[str, str]) -> object:
    return world.api.client.post(
        "/sign-in",
        data={
            "name": "xxa.admin",
            "password": world.api.passwords["xxa.admin"],
            "code": world.api.code("xxa.admin"),
        },
        headers=headers,
        follow_redirects=False,
    )


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "https://attacker.example"},
        {"Origin": "null"},
        {"Origin": "http://testserver.attacker.example"},
        {"Referer": "https://attacker.example/login-csrf.html"},
        {"Sec-Fetch-Site": "cross-site", "Origin": "http://testserver"},
    ],
)
def test_another_site_cannot_sign_a_browser_in(world: HttpWorld, headers: dict[str, str]):
    """Login CSRF: a form on the attacker's page posting the attacker's own name, password and
    code would sign the victim's browser in as the attacker."""
    response = sign_in_form(world, headers)
    assert response.status_code == 403  # type: ignore[attr-defined]
    assert "C1017" in response.text  # type: ignore[attr-defined]
    assert "set-cookie" not in response.headers  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "headers",
    [
        {"Origin": "http://testserver"},
        {"Referer": "http://testserver/sign-in?next=/accounts"},
        {"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
        {},
    ],
)
def test_the_registrys_own_sign_in_page_still_signs_in(world: HttpWorld, headers: dict[str, str]):
    response = sign_in_form(world, headers)
    assert response.status_code == 303, response.text  # type: ignore[attr-defined]
    assert "article6_session=" in response.headers["set-cookie"]  # type: ignore[attr-defined]


def test_the_section_cookie_is_secure_when_the_others_are(world: HttpWorld):
    api = world.api
    settings = Settings(cookie_secure=True)
    with TestClient(create_app(api.registry, settings), base_url="https://testserver") as client:
        signed = client.post(
            "/sign-in",
            data={
                "name": "secretariat.admin",
                "password": api.passwords["secretariat.admin"],
                "code": api.code("secretariat.admin"),
            },
            headers={"Origin": "https://testserver"},
            follow_redirects=False,
        )
        assert signed.status_code == 303, signed.text
        chosen = client.post(
            "/section",
            data={"party": "XXA", "next": "/", "csrf_token": client.cookies["article6_csrf"]},
            follow_redirects=False,
        )
    assert chosen.status_code == 303
    cookie = chosen.headers["set-cookie"]
    assert cookie.startswith("article6_section=XXA") and "Secure" in cookie


def test_the_api_documentation_loads_nothing_from_elsewhere(world: HttpWorld):
    """Swagger UI comes with the registry: the docs page names only this site's files, runs no
    inline script, and keeps the policy every page has (no CDN allowed in)."""
    client = world.api.client
    page = client.get("/api/docs")
    assert page.status_code == 200
    assert (
        page.headers["content-security-policy"]
        == client.get("/sign-in").headers["content-security-policy"]
    )
    assert "http" not in page.headers["content-security-policy"]
    sources = re.findall(r'(?:src|href)="([^"]+)"', page.text)
    assert sources and all(s.startswith("/") for s in sources)
    assert re.search(r"<script>\s*\S", page.text) is None
    for source in sources:
        asset = client.get(source)
        assert asset.status_code == 200, source
        assert "no-store" not in asset.headers.get("cache-control", ""), source
    assert "SwaggerUIBundle" in client.get("/api/docs/assets/swagger-ui-bundle.js").text
