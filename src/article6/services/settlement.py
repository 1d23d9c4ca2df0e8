"""The hub's word on a transfer between registries, applied here (RULES.md 8.4, 9.7).

The hub decides every transfer's final status. Out, COMPLETED takes the units away (their blocks
go, the moved ranges stay on record) and any other final status releases them; in, COMPLETED
acquires the units (`acquisitions.acquire`). A status only moves forward.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Connection

from article6.domain.accounts import UnitState
from article6.domain.blocks import UnitBlock
from article6.domain.messages import Evaluation, StatusNotification, TransferProposal
from article6.domain.protocol import TransferStatus
from article6.domain.transactions import StoredTransaction, TransactionChange, TransactionStatus
from article6.domain.wording import words
from article6.services import ports
from article6.services.acquisitions import acquire
from article6.services.context import Registry
from article6.services.external_transfer_status import (
    HUB_ACTOR,
    OUT,
    locked_transfer,
    reason_of,
    set_status,
)
from article6.services.journal import log
from article6.store import history, holdings, interop_ledger, placement
from article6.store.external_transfers import ExternalTransfer

BY_THE_HUB = words("{status} by the hub")
ENDED_BY_THE_HUB = {
    TransferStatus.REJECTED: words("rejected by the hub"),
    TransferStatus.TERMINATED: words("terminated by the hub"),
    TransferStatus.CANCELLED: words("cancelled by the hub"),
}
"""The reason recorded when the hub ends a transfer without saying why: whole sentences, so a
page says the stored English in the reader's language."""


def on_status(connection: Connection, registry: Registry, notification: StatusNotification) -> None:
    """Apply the hub's word on a transfer; repeated, late or out-of-order news changes nothing."""
    row = locked_transfer(connection, notification.transaction_id)
    if row is None:
        return
    current = TransferStatus(row.status)
    target = notification.status
    if current.final or target in (TransferStatus.PROPOSED, current):
        return
    if row.direction == OUT:
        _outgoing(connection, registry, row, target, notification.evaluation)
    else:
        _incoming(connection, registry, row, target, notification.evaluation)


def _outgoing(
    connection: Connection,
    registry: Registry,
    row: ExternalTransfer,
    target: TransferStatus,
    evaluation: list[Evaluation],
) -> None:
    now = registry.now()
    transaction = history.transaction(connection, row.transaction_id, lock=True)
    if transaction is None:
        return
    if target in (TransferStatus.CHECKED, TransferStatus.ACCEPTED):
        if row.status == TransferStatus.PROPOSED.value:
            history.change_transaction(
                connection,
                transaction.id,
                TransactionChange(status=TransactionStatus.CHECKED.value, checked_at=now),
            )
            set_status(connection, row.transaction_id, TransferStatus.CHECKED, now)
        return
    ports.stop_sending(
        connection, message_type="TransferProposal", naming=f'"{row.transaction_id}"'
    )
    if target is TransferStatus.COMPLETED:
        _complete_out(connection, registry, row, transaction)
        return
    reason = reason_of(evaluation) or ENDED_BY_THE_HUB.get(
        target, words("{status} by the hub", status=target.value)
    )
    blocks = placement.reserved_blocks(connection, transaction.id)
    holdings.lock_holdings(connection, [transaction.source])
    for block in blocks:
        released = replace(block, reserved_by=None)
        placement.rewrite(connection, released)
        placement.coalesce(connection, released)
    holdings.change_holding(connection, transaction.source, reserved=-transaction.quantity)
    history.change_transaction(
        connection,
        transaction.id,
        TransactionChange(status=target.value, reason=reason, finished_at=now),
    )
    set_status(connection, row.transaction_id, target, now, reason)
    log(
        connection,
        registry,
        HUB_ACTOR,
        "ExternalTransferEnded",
        transaction.party_code,
        row.transaction_id,
        {"status": target.value, "reason": reason, "released": transaction.quantity},
    )


def _complete_out(
    connection: Connection,
    registry: Registry,
    row: ExternalTransfer,
    transaction: StoredTransaction,
) -> None:
    """The units leave: their blocks go, the moved ranges stay on record."""
    now = registry.now()
    proposal = TransferProposal.model_validate_json(row.proposal)
    sent = {(b.originating_registry, b.first): b for b in proposal.blocks}
    holdings.lock_holdings(connection, [transaction.source])
    blocks = placement.reserved_blocks(connection, transaction.id)
    moves: list[tuple[UnitBlock, UnitState | None, str | None]] = []
    for block in blocks:
        message = sent[(block.attributes.registry, block.first)]
        moved = replace(
            block,
            state=UnitState.ITMO,
            first_transferred=True,
            reserved_by=None,
            attributes=replace(
                block.attributes,
                authorization_id=message.authorization_id,
                authorization_version=message.authorization_version,
            ),
        )
        moves.append((moved, block.state, message.first_transfer_subtype))
    ids = [block.id for block in blocks]
    interop_ledger.delete_blocks(connection, ids)
    history.record_ranges(connection, transaction.id, moves)
    holdings.change_holding(
        connection,
        transaction.source,
        quantity=-transaction.quantity,
        reserved=-transaction.quantity,
    )
    first_transfer = any(subtype for _, _, subtype in moves)
    history.change_transaction(
        connection,
        transaction.id,
        TransactionChange(
            status=TransactionStatus.COMPLETED.value,
            checked_at=transaction.checked_at or now,
            finished_at=now,
            first_transfer=first_transfer,
        ),
    )
    set_status(connection, row.transaction_id, TransferStatus.COMPLETED, now)
    log(
        connection,
        registry,
        HUB_ACTOR,
        "ExternalTransferCompleted",
        transaction.party_code,
        row.transaction_id,
        {
            "quantity": transaction.quantity,
            "acquiring_registry": row.counterpart_registry,
            "acquiring_account": row.counterpart_account,
            "first_transfer": first_transfer,
            "ranges": [[b.attributes.registry, b.first, b.last, s] for b, _, s in moves],
        },
    )


def _incoming(
    connection: Connection,
    registry: Registry,
    row: ExternalTransfer,
    target: TransferStatus,
    evaluation: list[Evaluation],
) -> None:
    now = registry.now()
    if target is TransferStatus.COMPLETED and row.status == TransferStatus.ACCEPTED.value:
        identifier = acquire(connection, registry, row)
        set_status(
            connection,
            row.transaction_id,
            TransferStatus.COMPLETED,
            now,
            local_transaction=identifier,
        )
    elif target.final and target is not TransferStatus.COMPLETED:
        reason = reason_of(evaluation) or None
        set_status(connection, row.transaction_id, target, now, reason)
        if row.status in (TransferStatus.PROPOSED.value, TransferStatus.ACCEPTED.value):
            # It waited for the acquiring Party, or was accepted: its end is the Party's news.
            proposal = TransferProposal.model_validate_json(row.proposal)
            log(
                connection,
                registry,
                HUB_ACTOR,
                "IncomingTransferEnded",
                proposal.acquiring_party,
                row.transaction_id,
                {
                    "status": target.value,
                    "reason": reason,
                    "from_registry": row.counterpart_registry,
                    "quantity": row.quantity,
                },
            )
