"""Signing in with password and second factor, choosing a Party section, signing out, and a
first-time enrolment of the second factor."""

from __future__ import annotations

from typing import Annotated

import segno
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup

from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.wording import words
from article6.http.language import remember
from article6.http.problems import status_of
from article6.http.security import (
    CSRF_COOKIE,
    SESSION_COOKIE,
    Registry_,
    Settings_,
    client_address,
)
from article6.services import passwords, sign_in
from article6.services.context import Registry
from article6.services.passwords import ChangePassword
from article6.services.sign_in import ConfirmEnrolment, Credentials, Principal, SignIn
from article6.web.forms import Fields, build, errors_by_field, fields_of
from article6.web.rendering import render
from article6.web.session import (
    SECTION_COOKIE,
    OwingChange,
    Signed,
    cross_site,
    sections_of,
    viewer_for,
)

router = APIRouter(include_in_schema=False)
Form = Annotated[Fields, Depends(fields_of)]


def local(path: str | None) -> str:
    """Only a path of this site: never send a signed-in user elsewhere."""
    if not path or not path.startswith("/") or path.startswith("//") or "\\" in path:
        return "/"
    return path


@router.get("/sign-in", response_class=HTMLResponse)
def sign_in_form(request: Request, next: str = "/") -> Response:
    return render(request, "sign_in.html", values={"next": local(next)}, refusals=[])


@router.post("/sign-in", response_class=HTMLResponse)
def sign_in_submit(
    request: Request, form: Form, registry: Registry_, settings: Settings_
) -> Response:
    after = local(form.get("next"))
    try:
        forged = cross_site(request)
        if forged is not None:
            raise CommandRefused([forged])
        command = build(
            SignIn,
            {
                "name": form.get("name"),
                "password": form.get("password"),
                "code": form.code("code") or "",
            },
        )
        signed = sign_in.sign_in(
            registry,
            settings,
            command,
            kind="session",
            label="web",
            address=client_address(request),
        )
    except CommandRefused as refused:
        return render(
            request,
            "sign_in.html",
            status_code=status_of(refused.refusals),
            values={"name": form.get("name"), "next": after},
            refusals=refused.refusals,
        )
    grants = {g.party for g in signed.user.grants}
    several = len(grants) > 1 or None in grants
    target = f"/section?next={after}" if several else after
    if signed.user.password_change_required:
        target = "/password"
    response = RedirectResponse(target, status_code=303)
    age = settings.session_minutes * 60
    for name, value, http_only in (
        (SESSION_COOKIE, signed.token, True),
        (CSRF_COOKIE, signed.csrf_token or "", False),
    ):
        response.set_cookie(
            name,
            value,
            max_age=age,
            httponly=http_only,
            secure=settings.cookie_secure,
            samesite="strict",
            path="/",
        )
    response.delete_cookie(SECTION_COOKIE, path="/")
    if signed.language is not None:
        remember(response, settings, signed.language)  # the account's language, in whatever browser
    return response


@router.get("/section", response_class=HTMLResponse)
def section_form(request: Request, who: Signed, registry: Registry_, next: str = "/") -> Response:
    sections = sections_of(registry, who)
    roles = {g.party: g for g in who.grants}
    return render(
        request,
        "section.html",
        who=who,
        sections=sections,
        roles=roles,
        next=local(next),
        csrf_token=request.cookies.get(CSRF_COOKIE, ""),
    )


@router.post("/section")
def section_choose(who: Signed, form: Form, registry: Registry_, settings: Settings_) -> Response:
    chosen = form.get("party")
    if chosen not in sections_of(registry, who):
        return RedirectResponse("/section", status_code=303)
    response = RedirectResponse(local(form.get("next")), status_code=303)
    response.set_cookie(
        SECTION_COOKIE,
        chosen,
        httponly=True,
        secure=settings.cookie_secure,
        samesite="strict",
        path="/",
    )
    return response


@router.post("/sign-out")
def sign_out(who: OwingChange, registry: Registry_) -> Response:
    sign_in.sign_out(registry, who)
    response = RedirectResponse("/sign-in", status_code=303)
    for name in (SESSION_COOKIE, CSRF_COOKIE, SECTION_COOKIE):
        response.delete_cookie(name, path="/")
    return response


@router.get("/enrolment", response_class=HTMLResponse)
def enrolment_form(request: Request) -> Response:
    return render(request, "enrolment.html", values={}, refusals=[], enrolment=None)


@router.post("/enrolment", response_class=HTMLResponse)
def enrolment_submit(
    request: Request, form: Form, registry: Registry_, settings: Settings_
) -> Response:
    """Step 1 (name, password) shows the secret and its QR code; step 2 confirms a code."""
    values = {"name": form.get("name")}
    try:
        if form.get("code"):
            command = build(
                ConfirmEnrolment,
                {**values, "password": form.get("password"), "code": form.code("code") or ""},
            )
            sign_in.confirm_enrolment(registry, settings, command, client_address(request))
            return render(request, "enrolment.html", values=values, refusals=[], done=True)
        credentials = build(Credentials, {**values, "password": form.get("password")})
        started = sign_in.begin_enrolment(registry, settings, credentials, client_address(request))
    except CommandRefused as refused:
        return render(
            request,
            "enrolment.html",
            status_code=status_of(refused.refusals),
            values=values,
            refusals=refused.refusals,
        )
    qr = Markup(segno.make(started.otpauth_uri, error="m").svg_inline(scale=4))
    return render(
        request,
        "enrolment.html",
        values=values,
        refusals=[],
        secret=started.secret,
        qr=qr,
    )


def _password_page(
    request: Request,
    who: Principal,
    registry: Registry,
    refusals: list[Refusal],
    status_code: int = 200,
    done: bool = False,
) -> Response:
    return render(
        request,
        "password.html",
        status_code=status_code,
        viewer=None if done else viewer_for(registry, who, request),
        active="password",
        forced=who.must_change_password,
        done=done,
        refusals=refusals,
        errors=errors_by_field(refusals),
        csrf_token=request.cookies.get(CSRF_COOKIE, ""),
    )


@router.get("/password", response_class=HTMLResponse)
def password_form(request: Request, who: OwingChange, registry: Registry_) -> Response:
    """Change one's password; the only page open to a user whose password was reset."""
    return _password_page(request, who, registry, [])


@router.post("/password", response_class=HTMLResponse)
def password_submit(
    request: Request, who: OwingChange, form: Form, registry: Registry_, settings: Settings_
) -> Response:
    try:
        if form.get("new_password") != form.get("new_password_again"):
            raise CommandRefused(
                [Refusal(Check.C4015, "new_password_again", words("the two new passwords differ"))]
            )
        command = build(
            ChangePassword,
            {
                "old_password": form.get("old_password"),
                "new_password": form.get("new_password"),
                "code": form.code("code") or "",
            },
        )
        passwords.change_password(registry, settings, who, command, client_address(request))
    except CommandRefused as refused:
        return _password_page(request, who, registry, refused.refusals, status_of(refused.refusals))
    return _password_page(request, who, registry, [], done=True)
