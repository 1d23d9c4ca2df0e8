"""The signed confirmation an API request carries (`services.signed_confirmation`): the
user's current second-factor code and the digest of the action it confirms, in two headers,
so that every command's body stays the command itself and no code is ever part of what is
hashed for idempotency or journaled."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from dataclasses import replace
from typing import Annotated, Any

from fastapi import Depends, Header, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.concurrency import run_in_threadpool

from article6.domain.access import Confirmation
from article6.http.security import (
    PartyCode,
    authenticated,
    bearer_scheme,
    client_address,
    cookie_scheme,
    presented,
    registry_of,
    settings_of,
)
from article6.services.presented_credentials import PresentedCredentials, signed_in, unblocked
from article6.services.signed_confirmation import WrongCode, count_wrong_code

CODE_HEADER = "X-Second-Factor-Code"
DIGEST_HEADER = "X-Action-Digest"

SecondFactorCode = Annotated[
    str | None,
    Header(
        alias=CODE_HEADER,
        max_length=10,
        description="Where the Party requires signed confirmation: the current code of your "
        "second factor (used once; C4021)",
    ),
]
ActionDigest = Annotated[
    str | None,
    Header(
        alias=DIGEST_HEADER,
        max_length=64,
        description="Where the Party requires signed confirmation: the digest of this exact "
        "action, from `POST /api/v1/parties/{party}/action-digests` (C4022)",
    ),
]


async def confirming(
    request: Request,
    party: PartyCode,
    code: SecondFactorCode = None,
    digest: ActionDigest = None,
) -> PresentedCredentials:
    """The credentials for `party`'s section, carrying the code and digest when the request
    gave either, read and checked by the command in its own transaction (one round trip to the
    database with its BEGIN, none before it: `services.presented_credentials`).
    `ConfirmedCommandRoute` documents the schemes and does what follows a refusal."""
    asked = await _presented(request, party)
    if code is None and digest is None:
        return asked
    return replace(asked, confirmation=Confirmation(code or "", digest or ""))


Confirming = Annotated[PresentedCredentials, Depends(confirming)]

SECURITY: list[dict[str, list[str]]] = [
    {scheme.scheme_name: []} for scheme in (bearer_scheme, cookie_scheme)
]
"""The security every signed-in request names: a bearer token or a session cookie."""


class ConfirmedCommandRoute(APIRoute):
    """The route of a command that takes `Confirming` credentials.

    Its OpenAPI operation names the same security as any signed-in request's (`SECURITY`).
    A request refused before the command runs (its body or a parameter invalid) is refused for
    its credentials first, as any other request is: they are read then, on the event loop. A
    wrong second-factor code is counted against the user's name once the command has been
    refused (C4021)."""

    def __init__(self, path: str, endpoint: Callable[..., Any], **options: Any) -> None:
        options["openapi_extra"] = {"security": SECURITY, **(options.get("openapi_extra") or {})}
        super().__init__(path, endpoint, **options)

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def refusing_credentials_first(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as invalid:
                await _credentials_first(request, invalid)
                raise
            except WrongCode as wrong:
                registry, settings = registry_of(request), settings_of(request)
                address = client_address(request)
                await run_in_threadpool(count_wrong_code, registry, settings, wrong.name, address)
                raise

        return refusing_credentials_first


async def _credentials_first(request: Request, invalid: RequestValidationError) -> None:
    """C4009, C4011 or C4014 for the credentials, then C4006 for the section unless the section
    in the path is itself what is invalid, in the order the dependencies of any other request
    would refuse them."""
    party_invalid = any(tuple(error["loc"][:2]) == ("path", "party") for error in invalid.errors())
    party = None if party_invalid else request.path_params.get("party")
    asked = await _presented(request, party)
    found = await authenticated(request, asked.digest, asked.kind)
    if party is None:
        unblocked(signed_in(found, asked))
    else:
        asked.actor_of(found)


async def _presented(request: Request, party: str | None) -> PresentedCredentials:
    """The bearer token or session cookie, taken here rather than through the schemes'
    dependencies (each costs FastAPI's dependency solving on every request)."""
    return await presented(
        request, party, await bearer_scheme(request), await cookie_scheme(request)
    )
