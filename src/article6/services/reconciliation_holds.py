"""A registry's reconciliation hold (C2006, after the ITL's check 3016), placed and lifted by
the hub's messages.

The hub's request for totals places the hold, in the transaction that takes the snapshot; the
hub's result for that run lifts it. Its deadline ends it by itself: past it the hold refuses
nothing, by the registry's clock, whether or not `lift_overdue` (the protocol loop, `article6
serve`) has cleared and journaled it yet. While it holds, every transaction is refused where it
takes its number (`sections.take_transaction_number`), a forwarded proposal is rejected with
C2006, and an arrival the hub completed waits for the hold's end instead of being lost.
"""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Connection

from article6.domain.access import Actor
from article6.domain.messages import (
    Evaluation,
    ReconciliationRequest,
    StatusNotification,
    TransactionStatusQuery,
    TransferProposal,
)
from article6.domain.protocol import HUB, TransferStatus
from article6.domain.reconciliation import ReconciliationHold
from article6.domain.wording import words
from article6.services import ports
from article6.services.acquisitions import answer_proposal
from article6.services.commands import Command
from article6.services.context import Registry, execute
from article6.services.external_transfer_status import HUB_ACTOR, IN, REGISTRY_CLOCK
from article6.services.journal import log
from article6.store import external_transfers
from article6.store import reconciliation as holds
from article6.store.database import unit_of_work


def place(
    connection: Connection, registry: Registry, request: ReconciliationRequest, until: datetime
) -> None:
    """Hold the registry for the run asking for its totals, before the snapshot is taken (see
    `store.reconciliation.place`). A run keeps the deadline its first request set, however
    often the hub asks again before it; a new run, or the same run asking after its deadline,
    replaces the older hold (placed over it, and its end journaled)."""
    new = ReconciliationHold(request.reconciliation_id, until)
    current = holds.hold(connection)
    if current is None:
        holds.place(connection, new)
    elif not current.in_force(registry.now()):
        holds.place(connection, new)
        _journal_lifted(connection, registry, REGISTRY_CLOCK, current, words("its deadline passed"))
    elif current.reconciliation_id == request.reconciliation_id:
        holds.place(connection, current)
        return
    else:
        holds.place(connection, new)
        reason = words(
            "replaced by {reconciliation_id}", reconciliation_id=request.reconciliation_id
        )
        _journal_lifted(connection, registry, HUB_ACTOR, current, reason)
    log(
        connection,
        registry,
        HUB_ACTOR,
        "ReconciliationHoldPlaced",
        None,
        request.reconciliation_id,
        {"until": until.isoformat(), "snapshot_at": request.snapshot_at.isoformat()},
    )


def lift(connection: Connection, registry: Registry, reconciliation_id: str, reason: str) -> None:
    """End the hold of a run when its result arrives (a result of another run changes nothing)."""
    current = holds.hold(connection)
    if current is not None and current.reconciliation_id == reconciliation_id:
        _lifted(connection, registry, HUB_ACTOR, current, reason)


class LiftOverdueHold(Command):
    """The sweep's command: clear the hold of `reconciliation_id`, past its deadline at `now`."""

    reconciliation_id: str
    now: datetime


class HoldLifted(BaseModel):
    reconciliation_id: str | None  # None: no hold was overdue any more


def lift_overdue(registry: Registry) -> str | None:
    """Clear a hold past its deadline (the hub's result was lost) and journal its end; it refuses
    nothing already, so this only keeps the record straight. Returns the run it held. A command
    like any other (`execute`: one transaction, retried on a deadlock); the hold is read again
    inside it, since the hub's result may have lifted it meanwhile."""
    now = registry.now()
    with unit_of_work(registry.engine, read_only=True) as connection:
        overdue = holds.hold(connection)
    if overdue is None or overdue.in_force(now):
        return None
    command = LiftOverdueHold(reconciliation_id=overdue.reconciliation_id, now=now)

    def handle(connection: Connection, registry: Registry, actor: Actor) -> HoldLifted:
        current = holds.hold(connection)
        if current is None or current.in_force(command.now):
            return HoldLifted(reconciliation_id=None)
        _lifted(connection, registry, actor, current, words("its deadline passed"))
        return HoldLifted(reconciliation_id=current.reconciliation_id)

    return execute(registry, REGISTRY_CLOCK, command, handle, HoldLifted).reconciliation_id


def in_force(registry: Registry) -> ReconciliationHold | None:
    """The reconciliation holding the registry now, for its administrators to see."""
    with unit_of_work(registry.engine, read_only=True) as connection:
        return holds.in_force(connection, registry.now())


def _lifted(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    current: ReconciliationHold,
    reason: str,
) -> None:
    holds.lift(connection)
    _journal_lifted(connection, registry, actor, current, reason)


def _journal_lifted(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    current: ReconciliationHold,
    reason: str,
) -> None:
    log(
        connection,
        registry,
        actor,
        "ReconciliationHoldLifted",
        None,
        current.reconciliation_id,
        {"until": current.until_utc.isoformat(), "reason": reason},
    )


def refuse_proposal(connection: Connection, registry: Registry, proposal: TransferProposal) -> bool:
    """Answer a proposal forwarded while the registry is held: rejected (C2006), recorded like
    any rejected incoming proposal. False when the registry is not held (a hold past its
    deadline holds nothing), or for a proposal answered before (`acquisitions.on_proposal`
    answers it again the same way)."""
    current = holds.in_force(connection, registry.now())
    if current is None:
        return False
    if external_transfers.is_recorded(connection, proposal.transaction_id):
        return False
    refusal = current.refusal().refusals[0]
    answer_proposal(
        connection,
        registry,
        proposal,
        [Evaluation(code=refusal.check.code, detail=refusal.detail)],
    )
    return True


def defer_arrival(
    connection: Connection, registry: Registry, notification: StatusNotification
) -> bool:
    """An incoming transfer the hub completed while this registry is held cannot be acquired
    now (C2006). Refusing the message would lose it (a refused message is not sent again), so
    it is taken, and the hub is asked again when the hold ends at the latest; its answer then
    completes the acquisition. True if the notification was deferred so."""
    if notification.status is not TransferStatus.COMPLETED:
        return False
    current = holds.in_force(connection, registry.now())
    if current is None:
        return False
    row = external_transfers.transfer(connection, notification.transaction_id)
    if row is None or row.direction != IN or row.status != TransferStatus.ACCEPTED.value:
        return False
    ports.send_message(
        connection,
        to=HUB,
        body=TransactionStatusQuery(transaction_id=notification.transaction_id),
        now=registry.now(),
        not_before=current.until,
    )
    return True
