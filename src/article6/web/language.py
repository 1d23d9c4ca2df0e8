"""Which language a page speaks: the one chosen with the switch (a cookie, set again from the
user's account when they sign in), else the browser's `Accept-Language`, else English."""

from __future__ import annotations

from fastapi import Request
from starlette.responses import Response

from article6 import translation
from article6.settings import Settings

LANGUAGE_COOKIE = "article6_language"
REMEMBERED_FOR = 365 * 24 * 3600


def language_of(request: Request) -> str:
    chosen = request.cookies.get(LANGUAGE_COOKIE)
    if chosen in translation.LANGUAGES:
        return chosen
    return translation.negotiate(request.headers.get("accept-language"))


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
