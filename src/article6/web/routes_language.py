"""The language switch on every page: for a visitor, remembered by the browser; for a signed-in
user, also on their account, so other browsers and their e-mails follow it."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import RedirectResponse, Response

from article6.domain.checks import CommandRefused
from article6.http.language import remember
from article6.http.security import Registry_, Settings_
from article6.services import languages
from article6.services.sign_in import Principal
from article6.web.forms import Fields, fields_of
from article6.web.routes_session import local
from article6.web.session import cross_site, signed_in_or_visitor

router = APIRouter(include_in_schema=False)
Form = Annotated[Fields, Depends(fields_of)]
Visitor = Annotated[Principal | None, Depends(signed_in_or_visitor)]


@router.post("/language")
async def choose_language(
    request: Request, form: Form, who: Visitor, registry: Registry_, settings: Settings_
) -> Response:
    code = form.get("language") or ""
    refusal = languages.language_refusal(code)
    if refusal is not None:
        raise CommandRefused([refusal])
    if who is not None:
        await run_in_threadpool(languages.choose, registry, who.user_id, code)
    else:
        forged = cross_site(request)
        if forged is not None:
            raise CommandRefused([forged])
    response = RedirectResponse(local(form.get("next")), status_code=303)
    remember(response, settings, code)
    return response
