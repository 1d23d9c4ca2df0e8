"""Who is asking: a bearer token (API clients) or a session cookie with its CSRF token
(browsers), turned into the Actor for the Party section the request names.

The decision itself is never taken here: the services ask `article6.domain.access`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, TypeVar

from fastapi import Depends, Path, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.security import APIKeyCookie, HTTPAuthorizationCredentials, HTTPBearer

from article6.domain.access import Actor
from article6.domain.checks import Check, refuse
from article6.domain.wording import words
from article6.services import sign_in
from article6.services.context import Registry
from article6.services.identity import token_hash
from article6.services.presented_credentials import (
    CSRF_HEADER,
    SESSION,
    TOKEN,
    PresentedCredentials,
    acting_in,
    signed_in,
    unblocked,
)
from article6.services.sign_in import Principal
from article6.settings import Settings

SESSION_COOKIE = "article6_session"
CSRF_COOKIE = "article6_csrf"
CSRF_FORM_FIELD = "csrf_token"
SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
T = TypeVar("T")

bearer_scheme = HTTPBearer(auto_error=False, description="A token from POST /api/v1/tokens")
cookie_scheme = APIKeyCookie(
    name=SESSION_COOKIE,
    auto_error=False,
    description=f"A browser session from POST /api/v1/session; unsafe methods also send the "
    f"{CSRF_HEADER} header",
)

PartyCode = Annotated[
    str, Path(pattern="^[A-Z]{3}$", description="The Party section, e.g. XXA", examples=["XXA"])
]


def registry_of(request: Request) -> Registry:
    registry: Registry = request.app.state.registry
    return registry


def settings_of(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


# The dependencies below do no I/O, so they are `async def`: FastAPI runs a plain `def`
# dependency in the thread pool, a hop (and futex hand-offs) per dependency per request.


async def registry_dependency(request: Request) -> Registry:
    return registry_of(request)


async def settings_dependency(request: Request) -> Settings:
    return settings_of(request)


async def presented(
    request: Request,
    party: str | None,
    credentials: HTTPAuthorizationCredentials | None,
    cookie: str | None,
) -> PresentedCredentials:
    """The bearer token or session cookie the request carries, for `party`'s section, hashed
    and not yet read (no database here); none: C4009."""
    settings = settings_of(request)
    if credentials is not None:
        digest = token_hash(settings, credentials.credentials[:200])
        return PresentedCredentials(party, TOKEN, digest)
    if cookie:
        digest = token_hash(settings, cookie[:200])
        if request.method in SAFE_METHODS:
            return PresentedCredentials(party, SESSION, digest)
        csrf = await presented_csrf(request)
        csrf_digest = token_hash(settings, csrf) if csrf else None
        return PresentedCredentials(party, SESSION, digest, True, csrf_digest)
    raise refuse(Check.C4009, "authorization", words("sign in first (POST /api/v1/tokens)"))


async def owing_change(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer_scheme)],
    cookie: Annotated[str | None, Depends(cookie_scheme)],
) -> Principal:
    """The signed-in user, even one who must change their password first: only for changing
    it and for signing out."""
    asked = await presented(request, None, credentials, cookie)
    return signed_in(await authenticated(request, asked.digest, asked.kind), asked)


async def authenticated(request: Request, digest: str, kind: str) -> Principal | None:
    """Whose session or token this is (by its keyed hash): read on the event loop where the
    database allows (PostgreSQL), else in the thread pool; either way at most one hop before
    the endpoint."""
    registry = registry_of(request)
    if sign_in.reads_on_loop(registry):
        return await sign_in.authenticate_on_loop(registry, digest, kind)
    return await run_in_threadpool(sign_in.authenticate, registry, digest, kind)


async def presented_csrf(request: Request) -> str | None:
    """The CSRF token from the header (API clients) or a `csrf_token` form field (pages)."""
    header = request.headers.get(CSRF_HEADER)
    if header:
        return header
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media in ("application/x-www-form-urlencoded", "multipart/form-data"):
        value = (await request.form()).get(CSRF_FORM_FIELD)
        return value if isinstance(value, str) else None
    return None


async def principal(who: Annotated[Principal, Depends(owing_change)]) -> Principal:
    """The signed-in user; one whose password an administrator reset may do nothing else
    until they have changed it (C4014)."""
    return unblocked(who)


Signed = Annotated[Principal, Depends(principal)]
OwingChange = Annotated[Principal, Depends(owing_change)]


async def section_actor(party: PartyCode, who: Signed) -> Actor:
    """The user acting in `party`'s section; no role there and no registry-wide role: C4006."""
    return acting_in(who, party)


async def registry_actor(who: Signed) -> Actor:
    """The user acting registry-wide (secretariat, registry-wide auditor)."""
    return acting_in(who, None)


async def any_actor(who: Signed) -> Actor:
    """Any role the user holds: for what every signed-in user may read."""
    actor = who.any_actor()
    if actor is None:
        raise refuse(Check.C4002, "actor", words("{who} holds no role yet", who=who.name))
    return actor


InSection = Annotated[Actor, Depends(section_actor)]
RegistryWide = Annotated[Actor, Depends(registry_actor)]
AnyRole = Annotated[Actor, Depends(any_actor)]
Registry_ = Annotated[Registry, Depends(registry_dependency)]
Settings_ = Annotated[Settings, Depends(settings_dependency)]


@dataclass(frozen=True)
class Window:
    """offset/limit paging for the short lists (the long ones page by keyset cursors)."""

    offset: int
    limit: int

    def __call__(self, items: list[T]) -> list[T]:
        return items[self.offset : self.offset + self.limit]


async def window(
    offset: Annotated[int, Query(ge=0, le=100_000)] = 0,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Window:
    return Window(offset, limit)


Paged = Annotated[Window, Depends(window)]


def client_address(request: Request) -> str | None:
    """The address sign-in failures are throttled by: the peer's, or the client's that a
    trusted reverse proxy names in X-Forwarded-For (uvicorn's proxy headers, trusted from the
    addresses in FORWARDED_ALLOW_IPS: 127.0.0.1 and ::1 unless set)."""
    return request.client.host if request.client else None
