"""The signed confirmation an API request carries (`services.signed_confirmation`): the
user's current second-factor code and the digest of the action it confirms, in two headers,
so that every command's body stays the command itself and no code is ever part of what is
hashed for idempotency or journaled."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Header, Request
from starlette.concurrency import run_in_threadpool

from article6.domain.access import Actor, Confirmation
from article6.http.security import InSection, Registry_, Settings_, client_address
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


async def confirming_actor(
    request: Request,
    actor: InSection,
    registry: Registry_,
    settings: Settings_,
    code: SecondFactorCode = None,
    digest: ActionDigest = None,
) -> AsyncIterator[Actor]:
    """The section's actor, carrying the code and digest when the request gave either; a wrong
    code is counted against the user's name once the command has been refused."""
    if code is None and digest is None:
        yield actor
        return
    try:
        yield replace(actor, confirmation=Confirmation(code or "", digest or ""))
    except WrongCode:
        address = client_address(request)
        await run_in_threadpool(count_wrong_code, registry, settings, actor.name, address)
        raise


Confirming = Annotated[Actor, Depends(confirming_actor)]
