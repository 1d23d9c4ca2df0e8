"""The signed confirmation an API request carries (`services.signed_confirmation`): the
user's current second-factor code and the digest of the action it confirms, in two headers,
so that every command's body stays the command itself and no code is ever part of what is
hashed for idempotency or journaled."""

from __future__ import annotations

from dataclasses import replace
from typing import Annotated

from fastapi import Depends, Header

from article6.domain.access import Actor, Confirmation
from article6.http.security import InSection

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
    actor: InSection, code: SecondFactorCode = None, digest: ActionDigest = None
) -> Actor:
    """The section's actor, carrying the code and digest when the request gave either."""
    if code is None and digest is None:
        return actor
    return replace(actor, confirmation=Confirmation(code or "", digest or ""))


Confirming = Annotated[Actor, Depends(confirming_actor)]
