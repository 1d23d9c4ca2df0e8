"""The transferring Party withdraws a transfer waiting for the acquiring side (issue #18): in
this registry, one awaiting the acquiring Party's acceptance; to another registry, one its
acquiring registry has not yet answered.

Here the withdrawal is a release like the others (`services.releases`): the transfer row and
the source's holdings locked, the rules (`domain.acceptance.WITHDRAWAL_RULES`) judged on what
was read under the locks, the reserved units given back, journaled. An acceptance racing it
locks the same row first or waits for it, so one of the two is refused. Across registries the
hub decides (`TransferWithdrawal`, protocol 1.2): the units stay reserved until its word
arrives, `cancelled` (then `settlement` gives them back) or `completed` if the acquiring
registry's acceptance reached it first.
"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Connection

from article6.domain.acceptance import WITHDRAWAL_RULES, Withdrawal
from article6.domain.access import Actor
from article6.domain.messages import TransferWithdrawal
from article6.domain.protocol import HUB
from article6.domain.transactions import (
    StoredTransaction,
    TransactionKind,
    TransactionStatus,
)
from article6.domain.wording import words
from article6.services import ports
from article6.services.context import Registry
from article6.services.journal import log
from article6.services.pipeline import check
from article6.services.releases import (
    apply_release,
    decide_release,
    initiating_user,
    load_release,
)
from article6.services.views import Receipt, transaction_receipt
from article6.store import external_transfers

WITHDRAWN = "TransferWithdrawn"
WITHDRAWAL_ASKED = "ExternalTransferWithdrawalAsked"


def waits_for_the_acquirer(row: StoredTransaction) -> bool:
    """Whether `row` is a transfer this module withdraws (rather than a request awaiting its
    own Party's approval, which its initiator withdraws as before)."""
    return row.status == TransactionStatus.AWAITING_ACCEPTANCE.value or (
        row.kind == TransactionKind.EXTERNAL_TRANSFER.value
        and row.status in (TransactionStatus.PROPOSED.value, TransactionStatus.CHECKED.value)
    )


def _withdrawal(actor: Actor, row: StoredTransaction) -> Withdrawal:
    return Withdrawal(
        actor=actor,
        identifier=row.identifier,
        status=TransactionStatus(row.status),
        across_registries=row.kind == TransactionKind.EXTERNAL_TRANSFER.value,
        transferring_party=row.party_code,
        initiator=initiating_user(row),
    )


def withdraw(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    identifier: str,
    reason: str | None,
    command: str,
) -> Receipt:
    """Withdraw the transfer `identifier` (already known to wait for the acquiring side)."""
    said = (
        words("withdrawn by the transferring Party: {reason}", reason=reason)
        if reason
        else words("withdrawn by the transferring Party")
    )
    waiting = load_release(connection, registry, actor, identifier)
    row = waiting.transaction
    if row.kind == TransactionKind.EXTERNAL_TRANSFER.value:
        return _ask_the_hub(connection, registry, actor, row, reason or "", command)
    check(_withdrawal(actor, row), WITHDRAWAL_RULES)
    plan = decide_release(waiting, TransactionStatus.CANCELLED, said, WITHDRAWN)
    acquiring = row.acquiring_party
    body = {**plan.entry.body, "acquiring_party": acquiring, "withdrawn_by": actor.label}
    apply_release(connection, registry, actor, replace(plan, entry=replace(plan.entry, body=body)))
    return transaction_receipt(connection, command, row.identifier)


def _ask_the_hub(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    row: StoredTransaction,
    reason: str,
    command: str,
) -> Receipt:
    """Ask the hub to cancel a transfer to another registry; the units stay reserved until
    its word comes back."""
    outgoing = external_transfers.locked_transfer(connection, row.identifier)
    status = row.status
    if outgoing is not None and outgoing.status not in ("proposed", "checked"):
        status = TransactionStatus.COMPLETED.value  # decided already: too late to withdraw
    check(_withdrawal(actor, replace(row, status=status)), WITHDRAWAL_RULES)
    ports.send_message(
        connection,
        to=HUB,
        body=TransferWithdrawal(
            transaction_id=row.identifier, transferring_party=row.party_code, reason=reason
        ),
        now=registry.now(),
    )
    log(
        connection,
        registry,
        actor,
        WITHDRAWAL_ASKED,
        row.party_code,
        row.identifier,
        {
            "reason": reason,
            "acquiring_registry": outgoing.counterpart_registry if outgoing else None,
            "withdrawn_by": actor.label,
        },
    )
    receipt = transaction_receipt(connection, command, row.identifier)
    return receipt.model_copy(update={"status": "withdrawal asked"})
