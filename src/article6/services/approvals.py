"""The approval steps of pending transactions: approve (every check runs again, then the
movement completes, or for a transfer to another registry the proposal leaves for the hub),
reject, withdraw, and expiry at the approval deadline. Each release gives the reserved units
back."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, Row

from article6.domain.access import Actor, Permission, permits_approval
from article6.domain.accounts import CancellationPurpose, holding_entity
from article6.domain.blocks import Portion
from article6.domain.checks import Check, CommandRefused, refuse
from article6.domain.expiry import PendingTransaction, expiry_refusal
from article6.domain.transactions import TransactionKind, TransactionStatus, advance
from article6.services import commands as c
from article6.services.access import allow
from article6.services.commands import UnitSelection
from article6.services.context import Registry, execute
from article6.services.external_transfers import approve_external_transfer
from article6.services.journal import log
from article6.services.movement_checks import check_destination, check_parties, judge_all
from article6.services.movement_requests import Movement, action_of, require_open
from article6.services.proposals import complete
from article6.services.views import Receipt, transaction_receipt
from article6.store import account_register, history, holdings, identity, placement, records
from article6.store import reconciliation as reconciliation_holds
from article6.store.database import aware, unit_of_work


def _pending(connection: Connection, identifier: str) -> Row[Any]:
    row = history.transaction(connection, identifier, lock=True)
    if row is None:
        raise refuse(Check.C1012, "transaction", f"{identifier} is not a transaction")
    if row.status != TransactionStatus.AWAITING_APPROVAL.value:
        raise refuse(
            Check.C4007, "transaction", f"{identifier} is {row.status}, not awaiting approval"
        )
    return row


def _movement_of(connection: Connection, row: Row[Any]) -> Movement:
    accounts = history.account_rows(connection, [row.source_account_id, row.destination_account_id])
    source, destination = accounts[row.source_account_id], accounts[row.destination_account_id]
    kind = TransactionKind(row.kind)

    purpose = CancellationPurpose(row.cancellation_purpose) if row.cancellation_purpose else None
    action = action_of(kind, purpose)
    authorization = (
        records.current_authorization(connection, source.party_code, row.authorization_id)
        if row.authorization_id
        else None
    )

    return Movement(
        action,
        source,
        destination,
        UnitSelection(quantity=row.quantity),
        acquiring_party=row.acquiring_party,
        cancellation_purpose=purpose,
        purpose_text=row.purpose,
        first_transfer_reason=row.first_transfer_reason,
        ndc_year=row.ndc_year,
        authorization=authorization,
    )


def initiating_user(row: Row[Any]) -> str:
    """Who asked: the initiating user's name (from the label for requests recorded before the
    name was kept on its own; the label is "name (role, scope)")."""
    return str(row.initiator_user or row.initiator.rsplit(" (", 1)[0])


def _second_person(connection: Connection, actor: Actor, row: Row[Any]) -> None:
    """The approver is another person than the initiator, by identity, not by the label of the
    role either held; under four eyes (a request from the Party's own account) an independent
    one (`permits_approval`)."""
    source = account_register.account_by_id(connection, row.source_account_id)
    four_eyes = source is None or holding_entity(str(source.holder)) is None
    refusal = permits_approval(
        identity.creation_line(connection, initiating_user(row)),
        identity.creation_line(connection, actor.name),
        four_eyes,
    )
    if refusal is not None:
        raise CommandRefused([refusal])


def approve_transaction(
    registry: Registry,
    actor: Actor,
    command: c.ApproveTransaction,
    idempotency_key: str | None = None,
) -> Receipt:
    """The Party approves a pending transaction: every check runs again, then it completes."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        row = _pending(connection, command.transaction)
        allow(actor, Permission.APPROVE, row.party_code)
        _second_person(connection, actor, row)
        now = registry.now()
        if row.expires_at is not None and aware(row.expires_at) < now:
            raise refuse(
                Check.C4008,
                "transaction",
                f"{command.transaction} expired at {row.expires_at:%Y-%m-%d %H:%M} UTC",
            )
        if row.kind == TransactionKind.EXTERNAL_TRANSFER.value:
            approve_external_transfer(connection, registry, actor, row)
            return transaction_receipt(connection, "ApproveTransaction", row.identifier)
        movement = _movement_of(connection, row)
        require_open(movement.source, "source_account")
        require_open(movement.destination, "destination_account")

        check_parties(connection, movement)
        holdings.lock_holdings(connection, [movement.source.id, movement.destination.id])
        reconciliation_holds.refuse_if_held(connection, row.party_code, now)
        portions = [
            Portion(b, b.first, b.last) for b in placement.reserved_blocks(connection, row.id)
        ]
        judged = judge_all(connection, movement, portions)
        check_destination(movement, judged)
        advance(TransactionStatus.AWAITING_APPROVAL, TransactionStatus.PROPOSED, "transaction")
        complete(
            connection,
            registry,
            actor,
            row.id,
            row.identifier,
            movement,
            judged,
            reserved=True,
            approver=actor.label,
        )
        return transaction_receipt(connection, "ApproveTransaction", row.identifier)

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def _release(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    row: Row[Any],
    status: TransactionStatus,
    reason: str,
    event: str,
) -> None:
    advance(TransactionStatus(row.status), status, "transaction")
    blocks = placement.reserved_blocks(connection, row.id)
    holdings.lock_holdings(connection, [row.source_account_id])
    for block in blocks:
        released = replace(block, reserved_by=None)
        placement.rewrite(connection, released)
        placement.coalesce(connection, released)
    holdings.change_holding(connection, row.source_account_id, reserved=-row.quantity)
    history.update_transaction(
        connection,
        row.id,
        status=status.value,
        reason=reason,
        finished_at=registry.now(),
        approver=actor.label if status is TransactionStatus.REJECTED else None,
    )
    log(
        connection,
        registry,
        actor,
        event,
        row.party_code,
        row.identifier,
        {"status": status.value, "reason": reason, "released": row.quantity},
    )


def reject_transaction(
    registry: Registry,
    actor: Actor,
    command: c.RejectTransaction,
    idempotency_key: str | None = None,
) -> Receipt:
    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        row = _pending(connection, command.transaction)
        allow(actor, Permission.APPROVE, row.party_code)
        _release(
            connection,
            registry,
            actor,
            row,
            TransactionStatus.REJECTED,
            command.reason,
            "TransactionRejected",
        )
        return transaction_receipt(connection, "RejectTransaction", row.identifier)

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def withdraw_transaction(
    registry: Registry,
    actor: Actor,
    command: c.WithdrawTransaction,
    idempotency_key: str | None = None,
) -> Receipt:
    """The initiator takes back a request still awaiting approval."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        row = _pending(connection, command.transaction)
        if initiating_user(row) != actor.name:
            raise refuse(Check.C4002, "transaction", "only the initiator can withdraw it")
        allow(actor, Permission.READ, row.party_code)
        _release(
            connection,
            registry,
            actor,
            row,
            TransactionStatus.CANCELLED,
            "withdrawn by the initiator",
            "TransactionWithdrawn",
        )
        return transaction_receipt(connection, "WithdrawTransaction", row.identifier)

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def expire_transaction(
    registry: Registry,
    actor: Actor,
    command: c.ExpireTransaction,
    idempotency_key: str | None = None,
) -> Receipt:
    """Cancel one transaction still awaiting approval past its deadline; release its units."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        row = history.transaction(connection, command.transaction, lock=True)
        if row is None:
            raise refuse(Check.C1012, "transaction", f"{command.transaction} is not a transaction")
        pending = PendingTransaction(
            row.identifier,
            TransactionStatus(row.status),
            aware(row.expires_at) if row.expires_at is not None else None,
        )
        refusal = expiry_refusal(pending, registry.now())
        if refusal is not None:
            raise CommandRefused([refusal])
        _release(
            connection,
            registry,
            actor,
            row,
            TransactionStatus.CANCELLED,
            "approval deadline passed",
            "TransactionExpired",
        )
        return transaction_receipt(connection, "ExpireTransaction", row.identifier)

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def expire_pending(registry: Registry, actor: Actor) -> list[str]:
    """The sweep: expire every transaction awaiting approval past its deadline, each as its own
    command (one transaction, retried on a deadlock); one that was approved, rejected or
    withdrawn since it was listed is refused by the expiry's checks and left as it is."""
    with unit_of_work(registry.engine, read_only=True) as connection:
        candidates = history.expired_pending(connection, registry.now())
    expired: list[str] = []
    for identifier in candidates:
        try:
            expire_transaction(registry, actor, c.ExpireTransaction(transaction=identifier))
        except CommandRefused:
            continue
        expired.append(identifier)
    return expired
