"""The acquiring Party's acceptance of incoming transfers (issue #18): its setting, the
transfers waiting for it, and its answers."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import Field

from article6.api.routes_setup import IdempotencyKey
from article6.http.security import InSection, PartyCode, Registry_
from article6.services import acceptances
from article6.services import commands as c
from article6.services.acceptances import IncomingTransferView
from article6.services.views import Receipt

router = APIRouter(prefix="/api/v1", tags=["acceptance"])
TransactionPath = Annotated[str, Path(min_length=1, max_length=40)]


class TransferRefusal(c.Command):
    reason: str = Field(min_length=1, max_length=2000)


@router.post("/parties/{party}/acceptance-setting")
def set_acceptance(
    party: PartyCode,
    command: c.SetAcceptance,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    """Accept incoming transfers automatically (no `acceptance_days`), or have them wait that
    many days (1 to 90) for the Party's acceptance, after which they are returned."""
    return acceptances.set_acceptance(registry, actor, command, key)


@router.get("/parties/{party}/incoming-transfers")
def incoming_transfers(
    party: PartyCode, actor: InSection, registry: Registry_
) -> list[IncomingTransferView]:
    """Transfers into the Party's accounts waiting for its acceptance, oldest first."""
    return acceptances.incoming_transfers(registry, actor, party)


@router.post("/parties/{party}/transactions/{transaction}/acceptance")
def accept(
    party: PartyCode,
    transaction: TransactionPath,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    """Accept a transfer waiting for the Party: its checks run again, then the units arrive."""
    return acceptances.accept_transfer(
        registry, actor, c.AcceptTransfer(transaction=transaction), key
    )


@router.post("/parties/{party}/transactions/{transaction}/refusal")
def refuse(
    party: PartyCode,
    transaction: TransactionPath,
    command: TransferRefusal,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    """Refuse a transfer waiting for the Party, with a reason: the units go back."""
    return acceptances.refuse_transfer(
        registry, actor, c.RefuseTransfer(transaction=transaction, reason=command.reason), key
    )
