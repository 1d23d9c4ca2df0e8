"""Who is looking at a page: the browser session (the API's HttpOnly cookie), its CSRF token
(the `csrf_token` form field every page form carries) and the Party section chosen.

Like `api/security.py`, nothing here decides access: it only says who acts, and in which
section; the services ask `article6.domain.access`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated
from urllib.parse import urlsplit

from fastapi import Depends, Request
from fastapi.concurrency import run_in_threadpool

from article6.domain.access import Actor, Permission, Role, permits
from article6.domain.checks import Check, Refusal, refuse
from article6.domain.wording import words
from article6.http.security import (
    CSRF_COOKIE,
    SAFE_METHODS,
    SESSION_COOKIE,
    authenticated,
    presented_csrf,
    registry_of,
    settings_of,
)
from article6.services import directory, sign_in
from article6.services.context import Registry
from article6.services.identity import token_hash
from article6.services.sign_in import Principal

SECTION_COOKIE = "article6_section"
ROLE_NAMES = {
    Role.SECRETARIAT: words("Secretariat administrator"),
    Role.ADMINISTRATOR: words("Party Section Administrator"),
    Role.PARTY_USER: words("Party user"),
    Role.ENTITY: words("Authorized entity's representative"),
    Role.AUDITOR: words("Auditor"),
}


class SignInRequired(Exception):
    """No current session: the page sends the browser to the sign-in form."""

    def __init__(self, after: str = "/") -> None:
        super().__init__(after)
        self.after = after


class SectionRequired(Exception):
    """Signed in, but no Party section chosen yet (a user with several)."""


class PasswordChangeRequired(Exception):
    """Signed in with a password an administrator reset: the change-password page first
    (C4014)."""


@dataclass(frozen=True)
class Viewer:
    """A signed-in user acting in one Party section."""

    principal: Principal
    actor: Actor
    party: str
    sections: tuple[str, ...]
    csrf_token: str

    @property
    def name(self) -> str:
        return self.principal.name

    @property
    def role_name(self) -> str:
        return ROLE_NAMES[self.actor.role]

    @property
    def entity(self) -> str | None:
        return self.actor.entity

    def may(self, permission: str) -> bool:
        """Whether to show a link: the decision itself is the services' (and the same rule)."""
        return permits(self.actor, Permission(permission), self.party, self.actor.entity) is None


def cross_site(request: Request) -> Refusal | None:
    """Why a sign-in form post did not come from this site's own page (login CSRF: another site
    signing the victim's browser in as the attacker), or None.

    A browser names the page's origin in `Origin` on every cross-origin POST (and
    `Sec-Fetch-Site` says cross-site); an older one sends at least `Referer`. Both are compared
    with the host the request was sent to. A request with neither did not come from a browser
    page, so it cannot be forged by one, and is let through (scripts, the tests' client)."""
    host = request.headers.get("host", "")
    if request.headers.get("sec-fetch-site") == "cross-site":
        return Refusal(
            Check.C1017, "origin", words("the sign-in form was posted from another site")
        )
    for header in ("origin", "referer"):
        value = request.headers.get(header)
        if value is None:
            continue
        sender = urlsplit(value) if value != "null" else None
        if sender is None or sender.scheme not in ("http", "https") or sender.netloc != host:
            return Refusal(
                Check.C1017, header, words("the sign-in form was posted from another site")
            )
        return None
    return None


async def signed_in_or_visitor(request: Request) -> Principal | None:
    """The session's user, or None for a visitor (pages that serve both, such as the language
    switch); a signed-in user's unsafe requests must carry the session's CSRF token."""
    token = request.cookies.get(SESSION_COOKIE)
    digest = token_hash(settings_of(request), token[:200]) if token else None
    found = await authenticated(request, digest, "session") if digest else None
    if (
        found is not None
        and request.method not in SAFE_METHODS
        and not sign_in.csrf_matches(settings_of(request), found, await presented_csrf(request))
    ):
        raise refuse(Check.C4011, "csrf_token", words("the form is stale; open the page again"))
    return found


async def owing_change(
    request: Request, found: Annotated[Principal | None, Depends(signed_in_or_visitor)]
) -> Principal:
    """The session's user, even one who must change their password first (only the
    change-password page and signing out take this); unsafe requests must carry the session's
    CSRF token."""
    if found is None:
        after = request.url.path if request.method in SAFE_METHODS else "/"
        raise SignInRequired(after)
    return found


async def principal_of(who: Annotated[Principal, Depends(owing_change)]) -> Principal:
    """The session's user, who may do nothing else until a reset password is changed."""
    if who.must_change_password:
        raise PasswordChangeRequired
    return who


def sections_of(registry: Registry, principal: Principal) -> tuple[str, ...]:
    """The Party sections the user may act in: those of their roles, or every section for a
    registry-wide role."""
    held = [g.party for g in principal.grants if g.party is not None]
    if any(g.party is None for g in principal.grants):
        actor = principal.actor_for(None)
        if actor is not None:
            held += [
                p.code
                for p in directory.parties_list(registry, actor)
                if p.registry_id is not None and p.code not in held
            ]
    return tuple(held)


def viewer_for(registry: Registry, principal: Principal, request: Request) -> Viewer | None:
    """The user acting in the section their cookie names (or their only one); None if they
    have yet to choose, or to change a reset password."""
    if principal.must_change_password:
        return None
    sections = sections_of(registry, principal)
    chosen = request.cookies.get(SECTION_COOKIE)
    if chosen not in sections:
        if len(sections) != 1:
            return None
        chosen = sections[0]
    actor = principal.actor_for(chosen)
    if actor is None:
        return None
    return Viewer(principal, actor, chosen, sections, request.cookies.get(CSRF_COOKIE, ""))


async def viewer_of(
    request: Request, principal: Annotated[Principal, Depends(principal_of)]
) -> Viewer:
    found = await run_in_threadpool(viewer_for, registry_of(request), principal, request)
    if found is None:
        raise SectionRequired
    request.scope["article6.viewer"] = found  # an error page keeps the user's navigation
    return found


Signed = Annotated[Principal, Depends(principal_of)]
OwingChange = Annotated[Principal, Depends(owing_change)]
Looking = Annotated[Viewer, Depends(viewer_of)]
