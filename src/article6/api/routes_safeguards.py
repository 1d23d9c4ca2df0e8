"""A Party's safeguards over the API (issue #17): its trusted destinations and signed
confirmation, and the digest of an action that a signed confirmation confirms."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from article6.api.routes_setup import IdempotencyKey
from article6.domain.safeguards import reference
from article6.http.security import InSection, PartyCode, Registry_, Settings_
from article6.services import commands as c
from article6.services import safeguards
from article6.services.external_transfers import ProposeExternalTransfer
from article6.services.safeguards import SafeguardsView, SetSafeguards, TrustDestination
from article6.services.signed_confirmation import digest_of
from article6.services.views import Receipt

router = APIRouter(prefix="/api/v1", tags=["safeguards"])
AccountPath = Annotated[str, Path(min_length=1, max_length=40)]


class TransferDigest(c.Command):
    command: Literal["TransferUnits"]
    request: c.TransferUnits


class InternationalTransferDigest(c.Command):
    command: Literal["TransferInternationally"]
    request: c.TransferInternationally


class ExternalTransferDigest(c.Command):
    command: Literal["ProposeExternalTransfer"]
    request: ProposeExternalTransfer


class UseDigest(c.Command):
    command: Literal["UseTowardsNDC"]
    request: c.UseTowardsNDC


class CancellationDigest(c.Command):
    command: Literal["CancelUnits"]
    request: c.CancelUnits


class ApprovalDigest(c.Command):
    command: Literal["ApproveTransaction"]
    request: c.ApproveTransaction


DigestRequest = Annotated[
    TransferDigest
    | InternationalTransferDigest
    | ExternalTransferDigest
    | UseDigest
    | CancellationDigest
    | ApprovalDigest,
    Field(discriminator="command"),
]
"""The command a signed confirmation will confirm, by its name, and its body as its route takes
it (for an approval: `{"transaction": "..."}`)."""


class ActionDigestView(BaseModel):
    command: str
    action_digest: str
    reference: str


def _delay(hours: int) -> timedelta:
    return timedelta(hours=hours)


@router.get("/parties/{party}/safeguards")
def read_safeguards(
    party: PartyCode, actor: InSection, registry: Registry_, settings: Settings_
) -> SafeguardsView:
    """The section's trusted destinations (with when each counts) and what it switched on."""
    return safeguards.safeguards_of(
        registry, actor, party, settings.trusted_destination_delay_hours
    )


@router.put("/parties/{party}/safeguards")
def set_safeguards(
    party: PartyCode,
    command: SetSafeguards,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    """Switch the trusted list (transfers elsewhere wait for approval) and signed confirmation
    (a second-factor code for every transfer, use, cancellation and approval) on or off."""
    return safeguards.set_safeguards(registry, actor, command, key)


@router.post("/parties/{party}/trusted-destinations", status_code=201)
def add_trusted_destination(
    party: PartyCode,
    command: TrustDestination,
    actor: InSection,
    registry: Registry_,
    settings: Settings_,
    key: IdempotencyKey = None,
) -> Receipt:
    """Add an account to the trusted list; it counts after the registry's delay."""
    delay = _delay(settings.trusted_destination_delay_hours)
    return safeguards.add_trusted_destination(registry, actor, command, delay, key)


@router.delete("/parties/{party}/trusted-destinations/{account}")
def remove_trusted_destination(
    party: PartyCode,
    account: AccountPath,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    """Take an account off the trusted list; transfers to it wait for approval again."""
    return safeguards.remove_trusted_destination(registry, actor, account, key)


@router.post("/parties/{party}/action-digests")
def action_digest(party: PartyCode, body: DigestRequest, actor: InSection) -> ActionDigestView:
    """The digest a signed confirmation confirms for this exact command by you: send it as
    `X-Action-Digest`, with your current code as `X-Second-Factor-Code`, on the command's own
    route. Nothing is checked or kept here; the command's checks run when it is sent."""
    digest = digest_of(actor, body.request)
    return ActionDigestView(command=body.command, action_digest=digest, reference=reference(digest))
