"""The hub's part in a transfer between registries (RULES.md 8.7): the checks of every proposal
(`hub_checks`), the forwarding of proposals and outcomes, the record of each transfer, and its
final status.

The hub decides a transfer's final status; registries act on it. While a reconciliation run
with a registry is open (C2006, the ITL's 3016), it refuses proposals involving that registry
and keeps its accepted transfers open until the run ends (see `reconciliation_runs`).
"""

from __future__ import annotations

import json
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Connection

from article6.domain.access import Actor
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.messages import (
    Evaluation,
    ProposalOutcome,
    ProposalResponse,
    StatusNotification,
    TransactionStatusQuery,
    TransferProposal,
)
from article6.domain.protocol import Range, TransferStatus
from article6.domain.wording import words
from article6.interop import register
from article6.interop.hub_checks import check_proposal, numbered_by, require_numbered_by
from article6.interop.reconciliation_runs import open_runs
from article6.services import ports
from article6.services.commands import Command
from article6.services.context import Registry, execute
from article6.services.external_transfer_status import HUB_ACTOR
from article6.store import hub_register, hub_transfers
from article6.store.database import aware, unit_of_work
from article6.store.hub_transfers import HubTransfer


def _evaluation(refusals: list[Refusal]) -> list[Evaluation]:
    return [
        Evaluation(
            code=r.check.code,
            detail=r.detail,
            blocks=[r.field.removeprefix("blocks:")] if r.field.startswith("blocks:") else [],
        )
        for r in refusals
    ]


def notify(
    connection: Connection,
    to: str,
    transaction_id: str,
    status: TransferStatus,
    now: datetime,
    evaluation: list[Evaluation] | None = None,
) -> None:
    ports.send_message(
        connection,
        to=to,
        body=StatusNotification(
            transaction_id=transaction_id, status=status, evaluation=evaluation or []
        ),
        now=now,
    )


def on_proposal(
    connection: Connection, sender: str, proposal: TransferProposal, now: datetime
) -> None:
    """Check a proposal and forward it to the acquiring registry, or terminate it; a repeated
    one gets its recorded status again. A proposal under another registry's transaction id is
    refused whole (C6107): recording it would take that id from its owner."""
    require_numbered_by(connection, sender, proposal.transaction_id)
    existing = hub_transfers.transfer(connection, proposal.transaction_id)
    if existing is not None:
        if existing.transferring_registry == sender:
            evaluation = [Evaluation(**e) for e in json.loads(existing.evaluation)]
            if existing.status == TransferStatus.CANCELLED.value and not evaluation:
                evaluation = [
                    Evaluation(code=Check.C6105.code, detail="cancelled before it arrived")
                ]
            notify(
                connection,
                sender,
                proposal.transaction_id,
                TransferStatus(existing.status),
                now,
                evaluation,
            )
        return
    problems = check_proposal(connection, sender, proposal, now)
    status = TransferStatus.TERMINATED if problems else TransferStatus.CHECKED
    evaluation = _evaluation(problems)
    record = HubTransfer(
        transaction_id=proposal.transaction_id,
        transferring_registry=sender,
        acquiring_registry=proposal.acquiring_registry,
        status=status.value,
        quantity=proposal.quantity,
        expires_at=proposal.expires_at,
        proposal=proposal.model_dump_json(),
        evaluation=json.dumps([e.model_dump() for e in evaluation]),
        created_at=now,
        finished_at=now if problems else None,
    )
    hub_transfers.insert_transfer(connection, record)
    if problems:
        notify(connection, sender, proposal.transaction_id, status, now, evaluation)
        return
    for block in proposal.blocks:
        register.place(
            connection,
            Range(block.originating_registry, block.first, block.last),
            sender,
            register.HELD,
            proposal.transaction_id,
        )
    ports.send_message(
        connection,
        to=proposal.acquiring_registry,
        body=proposal,
        now=now,
        expires_at=proposal.expires_at,
    )
    notify(connection, sender, proposal.transaction_id, TransferStatus.CHECKED, now)


def finish_transfer(
    connection: Connection,
    row: HubTransfer,
    status: TransferStatus,
    evaluation: list[Evaluation],
    now: datetime,
) -> None:
    """Record a final status, settle the register, and tell both registries."""
    judged = json.dumps([e.model_dump() for e in evaluation])
    hub_transfers.finish(connection, row.transaction_id, status, judged, now)
    holder = (
        row.acquiring_registry if status is TransferStatus.COMPLETED else row.transferring_registry
    )
    for location in hub_register.in_transit(connection, row.transaction_id):
        register.place(connection, location.range, holder, register.HELD)
    if status is not TransferStatus.COMPLETED:
        ports.stop_sending(
            connection,
            message_type="TransferProposal",
            naming=f'"{row.transaction_id}"',
        )
    for to in (row.transferring_registry, row.acquiring_registry):
        notify(connection, to, row.transaction_id, status, now, evaluation)


def on_response(
    connection: Connection, sender: str, response: ProposalResponse, now: datetime
) -> None:
    """The acquiring registry's answer decides the transfer: completed or rejected."""
    row = hub_transfers.locked_transfer(connection, response.transaction_id)
    if row is None or row.acquiring_registry != sender:
        raise CommandRefused(
            [
                Refusal(
                    Check.C6106,
                    "transaction_id",
                    words("{transaction_id} is not yours", transaction_id=response.transaction_id),
                )
            ]
        )
    status = TransferStatus(row.status)
    if status.final:
        notify(connection, sender, row.transaction_id, status, now)
        return
    if response.outcome is ProposalOutcome.ACCEPTED:
        if open_runs(connection, [row.transferring_registry, row.acquiring_registry], now):
            # Completing now would move units under a comparison: wait for the run to end.
            hub_transfers.keep_accepted(connection, row.transaction_id)
            return
        finish_transfer(connection, row, TransferStatus.COMPLETED, [], now)
    else:
        finish_transfer(connection, row, TransferStatus.REJECTED, response.evaluation, now)


def on_query(
    connection: Connection, sender: str, query: TransactionStatusQuery, now: datetime
) -> None:
    """Answer a registry's question about a transfer it sends or acquires with its status.

    A transaction the hub never saw, asked about by the registry that numbers it (after its
    deadline), is recorded cancelled for good, so a late proposal with that id is refused.
    Anyone else learns only that the hub knows no such transaction of theirs (C6107), and
    nothing is recorded: no registry can cancel another's transaction ids in advance."""
    row = hub_transfers.transfer(connection, query.transaction_id)
    if row is not None and sender in (row.transferring_registry, row.acquiring_registry):
        evaluation = [Evaluation(**e) for e in json.loads(row.evaluation)]
        notify(connection, sender, row.transaction_id, TransferStatus(row.status), now, evaluation)
        return
    if row is not None or not numbered_by(connection, sender, query.transaction_id):
        raise CommandRefused(
            [
                Refusal(
                    Check.C6107,
                    "transaction_id",
                    words(
                        "{transaction_id} is unknown to the hub as a transaction of {sender}",
                        transaction_id=query.transaction_id,
                        sender=sender,
                    ),
                )
            ]
        )
    never_received = HubTransfer(
        transaction_id=query.transaction_id,
        transferring_registry=sender,
        acquiring_registry=sender,
        status=TransferStatus.CANCELLED.value,
        quantity=0,
        expires_at=now,
        proposal="{}",
        evaluation="[]",
        created_at=now,
        finished_at=now,
    )
    hub_transfers.insert_transfer(connection, never_received)
    notify(
        connection,
        sender,
        query.transaction_id,
        TransferStatus.CANCELLED,
        now,
        [Evaluation(code=Check.C6105.code, detail="the hub never received the proposal")],
    )


def expire_transfers(registry: Registry) -> list[str]:
    """Complete the accepted transfers whose reconciliation runs have ended (or lapsed);
    cancel every transfer not completed by its deadline (C6105); tell both sides. A command
    like any other (`execute`: one transaction, run again whole after a deadlock)."""
    command = ExpireTransfers(now=registry.now())

    def handle(connection: Connection, registry: Registry, actor: Actor) -> TransfersExpired:
        return TransfersExpired(cancelled=_expire(connection, command.now))

    return execute(registry, HUB_ACTOR, command, handle, TransfersExpired).cancelled


class ExpireTransfers(Command):
    """The hub's sweep past the transfers' deadlines at `now`."""

    now: datetime


class TransfersExpired(BaseModel):
    cancelled: list[str]


def _expire(connection: Connection, now: datetime) -> list[str]:
    complete_accepted(connection, now)
    cancelled = []
    for row in hub_transfers.not_final(connection):
        if aware(row.expires_at) < now:
            finish_transfer(
                connection,
                row,
                TransferStatus.CANCELLED,
                [Evaluation(code=Check.C6105.code, detail="not completed by its deadline")],
                now,
            )
            cancelled.append(row.transaction_id)
    return cancelled


def complete_accepted(connection: Connection, now: datetime) -> None:
    """Complete the accepted transfers kept open by a run that has ended."""
    for row in hub_transfers.accepted_locked(connection):
        if not open_runs(connection, [row.transferring_registry, row.acquiring_registry], now):
            finish_transfer(connection, row, TransferStatus.COMPLETED, [], now)


def transactions(registry: Registry) -> dict[str, str]:
    """Every transaction the hub recorded and its status."""
    with unit_of_work(registry.engine, read_only=True) as connection:
        return hub_transfers.statuses(connection)
