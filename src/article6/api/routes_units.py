"""Commands that create or move units, and the approval steps of pending transactions."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from article6.api.routes_setup import IdempotencyKey
from article6.http.confirmation import ConfirmedCommandRoute, Confirming
from article6.http.security import InSection, PartyCode, Registry_, RegistryWide
from article6.services import acceptances, approvals, issuance, units
from article6.services import commands as c
from article6.services.external_transfers import ProposeExternalTransfer, propose_external_transfer
from article6.services.views import Receipt

router = APIRouter(prefix="/api/v1", tags=["units"])
confirmed = APIRouter(prefix="/api/v1", tags=["units"], route_class=ConfirmedCommandRoute)
"""The commands that move units: their credentials are read in their own transaction
(`Confirming`)."""
TransactionPath = Annotated[str, Path(min_length=1, max_length=40)]


class Rejection(c.Command):
    reason: str = Field(min_length=1, max_length=2000)


class Withdrawing(c.Command):
    reason: str | None = Field(default=None, max_length=2000)


class Expired(BaseModel):
    transactions: list[str]
    returned: list[str] = []
    """Transfers not accepted by the acquiring Party in time, returned (issue #18)."""


@router.post("/parties/{party}/issuances", status_code=201)
def issue(
    party: PartyCode,
    command: c.IssueUnits,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    """Issue units for a mitigation activity of the Party (as MOs, or authorized at once)."""
    return issuance.issue_units(registry, actor, command, key)


@router.post("/parties/{party}/authorization-links", status_code=201)
def link_authorization(
    party: PartyCode,
    command: c.LinkAuthorization,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    """Link an authorization to MOs: they become AMOs (or ITMOs, when authorization is the
    first transfer)."""
    return units.link_authorization(registry, actor, command, key)


@confirmed.post("/parties/{party}/transfers", status_code=201)
async def transfer(
    party: PartyCode,
    command: c.TransferUnits,
    credentials: Confirming,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    """Internal transfer between accounts of one Party section."""
    # One hop to the thread pool for the command; the receipt is checked and encoded on the
    # event loop (a plain `def` endpoint would hop twice: FastAPI validates its answer there).
    return await run_in_threadpool(units.transfer_units, registry, credentials, command, key)


@confirmed.post("/parties/{party}/international-transfers", status_code=201)
def transfer_internationally(
    party: PartyCode,
    command: c.TransferInternationally,
    credentials: Confirming,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    return units.transfer_internationally(registry, credentials, command, key)


@confirmed.post("/parties/{party}/external-transfers", status_code=201)
def transfer_to_another_registry(
    party: PartyCode,
    command: ProposeExternalTransfer,
    credentials: Confirming,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    """Transfer to an account in another registry through the hub: the units are reserved here
    and complete or come back when the hub's final status arrives. An authorized entity's
    request, or any under a four-eyes policy for `external_transfer`, first awaits approval."""
    return propose_external_transfer(registry, credentials, command, key)


@confirmed.post("/parties/{party}/uses", status_code=201)
def use(
    party: PartyCode,
    command: c.UseTowardsNDC,
    credentials: Confirming,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    """Use ITMOs towards the Party's NDC."""
    return units.use_towards_ndc(registry, credentials, command, key)


@confirmed.post("/parties/{party}/cancellations", status_code=201)
def cancel(
    party: PartyCode,
    command: c.CancelUnits,
    credentials: Confirming,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    return units.cancel_units(registry, credentials, command, key)


@router.post("/parties/{party}/first-transfer-records", status_code=201)
def record_first_transfer(
    party: PartyCode,
    command: c.RecordFirstTransfer,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    """The administrators' manual record of a first transfer."""
    return units.record_first_transfer(registry, actor, command, key)


@confirmed.post("/parties/{party}/transactions/{transaction}/approval")
def approve(
    party: PartyCode,
    transaction: TransactionPath,
    credentials: Confirming,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    """Approve a pending transaction (not one you initiated): every check runs again."""
    return approvals.approve_transaction(
        registry, credentials, c.ApproveTransaction(transaction=transaction), key
    )


@router.post("/parties/{party}/transactions/{transaction}/rejection")
def reject(
    party: PartyCode,
    transaction: TransactionPath,
    command: Rejection,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    return approvals.reject_transaction(
        registry, actor, c.RejectTransaction(transaction=transaction, reason=command.reason), key
    )


@router.post("/parties/{party}/transactions/{transaction}/withdrawal")
def withdraw(
    party: PartyCode,
    transaction: TransactionPath,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
    command: Withdrawing | None = None,
) -> Receipt:
    """The initiator takes back a request still awaiting approval; the transferring Party
    withdraws a transfer waiting for the acquiring side (optional `reason`): in this registry
    the units come back at once, to another registry once the hub agrees (status
    `withdrawal asked` until then)."""
    reason = command.reason if command is not None else None
    return approvals.withdraw_transaction(
        registry, actor, c.WithdrawTransaction(transaction=transaction, reason=reason), key
    )


@router.post("/expiry")
def expire(actor: RegistryWide, registry: Registry_) -> Expired:
    """Cancel pending transactions past their approval deadline (the secretariat's sweep)."""
    from article6.domain.access import Permission
    from article6.services.access import allow

    allow(actor, Permission.REGISTRY_SETUP, None)
    return Expired(
        transactions=approvals.expire_pending(registry, actor),
        returned=acceptances.return_overdue(registry, actor),
    )
