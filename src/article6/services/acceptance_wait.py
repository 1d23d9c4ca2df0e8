"""Whether a transfer waits for the acquiring Party's acceptance, and how it starts to wait
(issue #18): decided by the proposal and by the approval, which `services.acceptances` (the
answers) builds on."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from sqlalchemy import Connection

from article6.domain.access import Actor
from article6.domain.transactions import (
    StoredTransaction,
    TransactionChange,
    TransactionKind,
    TransactionStatus,
    advance,
)
from article6.services.context import Registry
from article6.services.movement_requests import Movement
from article6.services.pipeline import JournalEntry
from article6.services.views import Receipt, transaction_receipt
from article6.store import acceptances, history, placement

AWAITING = "TransferAwaitingAcceptance"
ACCEPTED = "TransferAccepted"
REFUSED = "TransferRefused"
RETURNED = "TransferReturned"


def acceptance_wait(connection: Connection, movement: Movement) -> timedelta | None:
    """How long a movement waits for the acquiring Party: a transfer into another Party's
    account whose section asks for acceptance; None when it completes at once."""
    if movement.kind is not TransactionKind.INTERNATIONAL_TRANSFER:
        return None
    if movement.destination.party_code == movement.source.party_code:
        return None
    days = acceptances.acceptance_days(connection, movement.destination.party_code)
    return timedelta(days=days) if days else None


def acceptance_wait_ahead(
    connection: Connection, movement: Movement
) -> Callable[[], timedelta | None]:
    """`acceptance_wait`, its read sent in the statement that locks the movement's holdings
    (`holdings.ride_with_lock`): call the result once they are locked."""
    if movement.kind is not TransactionKind.INTERNATIONAL_TRANSFER:
        return lambda: None
    if movement.destination.party_code == movement.source.party_code:
        return lambda: None
    rider = acceptances.acceptance_days_with_lock(connection, movement.destination.party_code)

    def wait() -> timedelta | None:
        days = rider.value(connection)
        return timedelta(days=days) if days else None

    return wait


def awaiting_entry(
    identifier: str, movement: Movement, quantity: int, ranges: list[list[object]]
) -> JournalEntry:
    """The journal entry of a transfer that starts to wait: what it reserved, so that replaying
    the history can rebuild the reservation, and whose acceptance it waits for."""
    return JournalEntry(
        AWAITING,
        movement.source.party_code,
        identifier,
        {
            "kind": movement.kind.value,
            "quantity": quantity,
            "source": movement.source.identifier,
            "destination": movement.destination.identifier,
            "acquiring_party": movement.destination.party_code,
            "ranges": ranges,
        },
    )


def wait_after_approval(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    row: StoredTransaction,
    movement: Movement,
    wait: timedelta,
    now: datetime,
) -> Receipt:
    """An approved transfer that now waits for the acquiring Party: its units stay reserved,
    its deadline is the acquiring Party's."""
    advance(
        TransactionStatus.AWAITING_APPROVAL, TransactionStatus.AWAITING_ACCEPTANCE, "transaction"
    )
    reserved = placement.reserved_blocks(connection, row.id)
    history.change_transaction(
        connection,
        row.id,
        TransactionChange(
            status=TransactionStatus.AWAITING_ACCEPTANCE.value,
            approver=actor.label,
            proposed_at=now,
            checked_at=now,
            expires_at=now + wait,
        ),
    )
    ranges: list[list[object]] = [[b.attributes.registry, b.first, b.last] for b in reserved]
    awaiting_entry(row.identifier, movement, row.quantity, ranges).append(
        connection, registry, actor
    )
    return transaction_receipt(connection, "ApproveTransaction", row.identifier)
