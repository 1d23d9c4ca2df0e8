"""Which language a page or a problem document speaks: the one chosen with the switch (a
cookie, set again from the user's account when they sign in), else the request's
`Accept-Language`, else English. Machine fields never depend on it."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from article6 import translation
from article6.settings import Settings

LANGUAGE_COOKIE = "article6_language"
REMEMBERED_FOR = 365 * 24 * 3600


def language_of(request: Request) -> str:
    return language_from(
        request.cookies.get(LANGUAGE_COOKIE), request.headers.get("accept-language")
    )


def language_from(chosen: str | None, accept_language: str | None) -> str:
    if chosen in translation.LANGUAGES:
        return chosen
    return translation.negotiate(accept_language)


def chosen_in(cookie_header: str) -> str | None:
    """The switch's choice in a raw `Cookie` header (for code below the request object)."""
    for pair in cookie_header.split(";"):
        name, _, value = pair.strip().partition("=")
        if name == LANGUAGE_COOKIE:
            return value.strip('"')
    return None


def remember(response: Response, settings: Settings, code: str) -> None:
    response.set_cookie(
        LANGUAGE_COOKIE,
        code,
        max_age=REMEMBERED_FOR,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="lax",
        path="/",
    )
