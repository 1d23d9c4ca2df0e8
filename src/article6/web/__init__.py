"""The registry's web pages: server-rendered HTML over the same services as the API.

`install(app)` mounts the pages and their static files, and answers errors on page addresses
with a page in plain words naming the check; `/api/...` keeps its problem+json answers.
"""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from starlette.exceptions import HTTPException as StarletteHTTPException

from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.wording import words
from article6.http.metrics import count_refusals
from article6.http.problems import TITLES, body_checks, status_of, validation_refusals
from article6.web import (
    routes_acceptance,
    routes_actions,
    routes_adjustments,
    routes_admin,
    routes_admin_records,
    routes_approvals,
    routes_consistency,
    routes_initial_reports,
    routes_joining,
    routes_journal,
    routes_language,
    routes_marks,
    routes_mechanism,
    routes_notifications,
    routes_public,
    routes_records,
    routes_registry,
    routes_search,
    routes_sections,
    routes_session,
    routes_trusted,
    routes_user_roles,
    routes_users,
)
from article6.web.rendering import render
from article6.web.session import PasswordChangeRequired, SectionRequired, SignInRequired

STATIC = Path(__file__).parent / "static"


def _for_pages(request: Request) -> bool:
    return not request.url.path.startswith("/api/")


def error_page(request: Request, refusals: list[Refusal], status: int) -> Response:
    """The refusal in words, under the signed-in user's own navigation so it is no dead end."""
    count_refusals(refusals)
    return render(
        request,
        "error.html",
        status_code=status,
        refusals=refusals,
        title=TITLES.get(status, words("Refused")),
        status=status,
        viewer=request.scope.get("article6.viewer"),
    )


async def delegate(handler: Any, request: Request, exc: Exception) -> Response:
    """Hand an `/api/...` error to the API's own handler (sync or async)."""
    answer = handler(request, exc)
    if inspect.isawaitable(answer):
        answer = await answer
    assert isinstance(answer, Response)
    return answer


def install(app: FastAPI) -> None:
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    for module in (
        routes_language,
        routes_session,
        routes_registry,
        routes_search,
        routes_actions,
        routes_adjustments,
        routes_approvals,
        routes_acceptance,
        routes_records,
        routes_admin,
        routes_admin_records,
        routes_user_roles,
        routes_users,
        routes_trusted,
        routes_consistency,
        routes_journal,
        routes_marks,
        routes_mechanism,
        routes_sections,
        routes_initial_reports,
        routes_notifications,
        routes_public,
        routes_joining,
    ):
        app.include_router(module.router)

    api_refused = app.exception_handlers[CommandRefused]
    api_http_error = app.exception_handlers[StarletteHTTPException]

    async def refused(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, CommandRefused)
        if not _for_pages(request):
            return await delegate(api_refused, request, exc)
        if exc.refusals and exc.refusals[0].check is Check.C4009:
            return RedirectResponse("/sign-in", status_code=303)
        return error_page(request, exc.refusals, status_of(exc.refusals))

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, StarletteHTTPException)
        if not _for_pages(request):
            return await delegate(api_http_error, request, exc)
        refusals = (
            [
                Refusal(
                    Check.C1012,
                    "address",
                    words("there is no page at {address}", address=request.url.path),
                )
            ]
            if exc.status_code == 404
            else []
        )
        return error_page(request, refusals, exc.status_code)

    api_invalid = app.exception_handlers[RequestValidationError]

    async def invalid(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        if not _for_pages(request):
            return await delegate(api_invalid, request, exc)
        return error_page(request, validation_refusals(exc, body_checks(request)), 422)

    async def sign_in_first(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, SignInRequired)
        return RedirectResponse(f"/sign-in?next={quote(exc.after)}", status_code=303)

    async def choose_section(request: Request, exc: Exception) -> Response:
        return RedirectResponse(f"/section?next={quote(request.url.path)}", status_code=303)

    async def change_password_first(request: Request, exc: Exception) -> Response:
        return RedirectResponse("/password", status_code=303)

    app.add_exception_handler(CommandRefused, refused)
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, invalid)
    app.add_exception_handler(SignInRequired, sign_in_first)
    app.add_exception_handler(SectionRequired, choose_section)
    app.add_exception_handler(PasswordChangeRequired, change_password_first)
