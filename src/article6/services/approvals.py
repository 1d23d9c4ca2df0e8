"""The approval steps of pending transactions: approve (every check runs again, then the
movement completes, or for a transfer to another registry the proposal leaves for the hub),
reject, withdraw, and expiry at the approval deadline. Each is load → check → decide → apply
through `execute`; a rejection, withdrawal or expiry gives the reserved units back
(`services.releases`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from article6.domain.access import Actor, Permission, permits, permits_approval
from article6.domain.accounts import CancellationPurpose, holding_entity
from article6.domain.blocks import Portion
from article6.domain.checks import Check, CommandRefused, Refusal, refuse
from article6.domain.movements import APPROVAL_RULES
from article6.domain.release import (
    EXPIRY_RULES,
    REJECTION_RULES,
    WITHDRAWAL_RULES,
)
from article6.domain.transactions import (
    StoredTransaction,
    TransactionKind,
    TransactionRecord,
    TransactionStatus,
    advance,
)
from article6.domain.wording import words
from article6.services import commands as c
from article6.services import withdrawals
from article6.services.acceptance_wait import acceptance_wait, wait_after_approval
from article6.services.commands import UnitSelection
from article6.services.context import Caller, Registry, execute
from article6.services.external_transfers import (
    apply_external_approval,
    approved_view,
    plan_external_approval,
)
from article6.services.movement_checks import load_movement
from article6.services.movement_plan import apply_movement, decide_completion
from article6.services.movement_requests import Movement, action_of
from article6.services.pipeline import check
from article6.services.proposals import completed_view, first_transfer_warnings_of
from article6.services.releases import initiating_user, releasing
from article6.services.signed_confirmation import signed
from article6.services.views import Receipt, transaction_receipt, transaction_view
from article6.store import account_register, history, identity, placement, records, sections
from article6.store.database import aware, unit_of_work


def _pending(connection: Connection, identifier: str) -> StoredTransaction:
    row = history.transaction(connection, identifier, lock=True)
    if row is None:
        raise refuse(
            Check.C1012,
            "transaction",
            words("{identifier} is not a transaction", identifier=identifier),
        )
    if row.status != TransactionStatus.AWAITING_APPROVAL.value:
        raise refuse(
            Check.C4007,
            "transaction",
            words(
                "{identifier} is {status}, not awaiting approval",
                identifier=identifier,
                status=row.status,
            ),
        )
    return row


def movement_of(connection: Connection, row: StoredTransaction) -> Movement:
    accounts = history.accounts_by_id(connection, [row.source, row.destination])
    source = accounts[row.source]
    destination = accounts[row.destination]
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


@dataclass(frozen=True)
class ApprovalRequest:
    """A waiting transaction and the person who would approve it: what the approver's rules
    judge. The lines are each person's name, then who created their account, nearest first."""

    actor: Actor
    record: TransactionRecord
    initiator_line: tuple[str, ...]
    approver_line: tuple[str, ...]
    four_eyes: bool
    now: datetime


def load_request(
    connection: Connection, registry: Registry, actor: Actor, row: StoredTransaction
) -> ApprovalRequest:
    """Under four eyes (a request from the Party's own account) the approver must be independent
    of the initiator; an entity's request needs only another person."""
    source = (
        account_register.account_by_id(connection, row.source_account_id)
        if row.source_account_id is not None
        else None
    )
    return ApprovalRequest(
        actor=actor,
        record=row,
        initiator_line=tuple(identity.creation_line(connection, initiating_user(row))),
        approver_line=tuple(identity.creation_line(connection, actor.name)),
        four_eyes=source is None or holding_entity(str(source.holder)) is None,
        now=registry.now(),
    )


def may_approve(request: ApprovalRequest) -> list[Refusal]:
    """The approver's role allows approving in the transaction's Party section."""
    refusal = permits(request.actor, Permission.APPROVE, request.record.party_code)
    return [refusal] if refusal is not None else []


def second_person(request: ApprovalRequest) -> list[Refusal]:
    """C4002 and C4012: the approver is another person than the initiator, by identity, not by
    the label of the role either held; under four eyes an independent one."""
    refusal = permits_approval(request.initiator_line, request.approver_line, request.four_eyes)
    return [refusal] if refusal is not None else []


def not_expired(request: ApprovalRequest) -> list[Refusal]:
    """C4008: a request past its approval deadline is not approved."""
    expires = request.record.expires_at
    if expires is None or aware(expires) >= request.now:
        return []
    return [
        Refusal(
            Check.C4008,
            "transaction",
            words(
                "{identifier} expired at {expires:%Y-%m-%d %H:%M} UTC",
                identifier=request.record.identifier,
                expires=expires,
            ),
        )
    ]


APPROVER_RULES = (may_approve, second_person, not_expired)
"""Who may approve, in order; then the movement's own rules run again (`APPROVAL_RULES`)."""


def approve_transaction(
    registry: Registry,
    actor: Actor | Caller,
    command: c.ApproveTransaction,
    idempotency_key: str | None = None,
) -> Receipt:
    """The Party approves a pending transaction: every check runs again, then it completes."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        return signed(
            connection,
            registry,
            actor,
            command,
            lambda: approve(connection, registry, actor, command.transaction),
        )

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def approve(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    identifier: str,
    rehearse: bool = False,
) -> Receipt:
    """Load the waiting transaction and its approver, check, decide, and apply unless this is a
    rehearsal. A transfer to another registry is proposed to the hub instead of completing
    (`external_transfers.plan_external_approval`)."""
    row = _pending(connection, identifier)  # C1012, C4007: there is nothing else to judge
    request = check(load_request(connection, registry, actor, row), APPROVER_RULES)
    section = sections.section(connection, row.party_code)
    if section is not None and section.status != "open":
        raise refuse(
            Check.C4026,
            "transaction",
            words(
                "{party_code}'s section is {status}: no units leave it",
                party_code=row.party_code,
                status=section.status,
            ),
        )
    if row.kind == TransactionKind.EXTERNAL_TRANSFER.value:
        departing = plan_external_approval(connection, actor, row, request.now)
        if rehearse:
            view = approved_view(transaction_view(connection, row), departing)
            return Receipt(
                command="ApproveTransaction",
                record=row.identifier,
                status=view.status,
                transaction=view,
                warnings=list(departing.warnings),
            )
        apply_external_approval(connection, registry, actor, departing)
        receipt = transaction_receipt(connection, "ApproveTransaction", row.identifier)
        return receipt.model_copy(update={"warnings": list(departing.warnings)})
    movement = movement_of(connection, row)
    context = load_movement(
        connection,
        movement,
        lambda: request.now,
        reserved=lambda locked: [
            Portion(b, b.first, b.last) for b in placement.reserved_blocks(locked, row.id)
        ],
        with_hold=True,
    )
    check(context, APPROVAL_RULES)
    wait = acceptance_wait(connection, movement)
    if wait is not None and rehearse:
        return Receipt(
            command="ApproveTransaction",
            record=row.identifier,
            status=TransactionStatus.AWAITING_ACCEPTANCE.value,
            transaction=transaction_view(connection, row),
        )
    if wait is not None:
        return wait_after_approval(connection, registry, actor, row, movement, wait, request.now)
    advance(TransactionStatus.AWAITING_APPROVAL, TransactionStatus.PROPOSED, "transaction")
    plan = decide_completion(context, movement, actor, row.id, row.identifier)
    warnings = first_transfer_warnings_of(connection, plan)
    if rehearse:
        view = transaction_view(connection, row)
        return Receipt(
            command="ApproveTransaction",
            record=row.identifier,
            status=TransactionStatus.COMPLETED.value,
            transaction=completed_view(view, plan),
            warnings=warnings,
        )
    apply_movement(connection, registry, actor, plan)
    receipt = transaction_receipt(connection, "ApproveTransaction", row.identifier)
    return receipt.model_copy(update={"warnings": warnings}) if warnings else receipt


def reject_transaction(
    registry: Registry,
    actor: Actor,
    command: c.RejectTransaction,
    idempotency_key: str | None = None,
) -> Receipt:
    """The Party turns a waiting request down; its reserved units go back to the source."""
    handle = releasing(
        command.transaction,
        REJECTION_RULES,
        TransactionStatus.REJECTED,
        command.reason,
        "TransactionRejected",
        "RejectTransaction",
    )
    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def withdraw_transaction(
    registry: Registry,
    actor: Actor,
    command: c.WithdrawTransaction,
    idempotency_key: str | None = None,
) -> Receipt:
    """The initiator takes back a request still awaiting approval; the transferring Party
    withdraws a transfer waiting for the acquiring side (`withdrawals`)."""
    release = releasing(
        command.transaction,
        WITHDRAWAL_RULES,
        TransactionStatus.CANCELLED,
        words("withdrawn by the initiator"),
        "TransactionWithdrawn",
        "WithdrawTransaction",
    )

    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        row = history.transaction(connection, command.transaction)
        if row is not None and withdrawals.waits_for_the_acquirer(row):
            return withdrawals.withdraw(
                connection,
                registry,
                actor,
                command.transaction,
                command.reason,
                "WithdrawTransaction",
            )
        return release(connection, registry, actor)

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def expire_transaction(
    registry: Registry,
    actor: Actor,
    command: c.ExpireTransaction,
    idempotency_key: str | None = None,
) -> Receipt:
    """Cancel one transaction still awaiting approval past its deadline; release its units."""
    handle = releasing(
        command.transaction,
        EXPIRY_RULES,
        TransactionStatus.CANCELLED,
        words("approval deadline passed"),
        "TransactionExpired",
        "ExpireTransaction",
    )
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
