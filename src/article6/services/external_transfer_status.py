"""Transfers between registries, on the registry's side (RULES.md 8.4, 9.7): the record of each.

Out: `external_transfers` reserves the units by an `external_transfer` transaction and writes
the proposal to the outbox; `settlement` applies the hub's final status, which completes the
transfer (the blocks leave this registry, their moved ranges stay on record) or releases the
units.

In: `acquisitions` checks and answers a forwarded proposal; only the hub's COMPLETED creates the
blocks, recorded as an `acquisition`, so a transfer is completed on both sides or on neither.
Conservation per registry: issued + acquired = held + used + cancelled + transferred out.

Here: each transfer's row in `external_transfers` (its direction, status and reason), and the
question to the hub about a transfer past its deadline.
"""

from __future__ import annotations

from datetime import datetime
from typing import Final

from pydantic import BaseModel
from sqlalchemy import Connection

from article6.domain.access import Actor, Role
from article6.domain.checks import Check, refuse
from article6.domain.messages import Evaluation, TransactionStatusQuery
from article6.domain.protocol import HUB, QUERY_GRACE, TransferStatus
from article6.domain.wording import words
from article6.services import ports
from article6.services.commands import Command
from article6.services.context import Registry, execute
from article6.store import external_transfers, registry_directory
from article6.store.database import aware, unit_of_work
from article6.store.external_transfers import ExternalTransfer

HUB_ACTOR = Actor("interoperability hub", Role.SECRETARIAT)
REGISTRY_CLOCK = Actor("registry clock", Role.SECRETARIAT)
"""Who acts when the registry's own clock runs a command (a sweep past a deadline)."""
OUT: Final = "out"
IN: Final = "in"


def this_registry(connection: Connection) -> str:
    code = registry_directory.own_code(connection)
    if code is None:
        raise refuse(
            Check.C4005, "registry", words("this registry has no interoperability identity")
        )
    return code


def locked_transfer(connection: Connection, transaction_id: str) -> ExternalTransfer | None:
    """A transfer's record, locked for the status change that follows."""
    return external_transfers.locked_transfer(connection, transaction_id)


def set_status(
    connection: Connection,
    transaction_id: str,
    status: TransferStatus,
    now: datetime,
    reason: str | None = None,
    local_transaction: str | None = None,
) -> None:
    external_transfers.set_status(
        connection, transaction_id, status, now, reason, local_transaction
    )


def reason_of(evaluation: list[Evaluation]) -> str:
    """The failed checks of an evaluation as the reason recorded with the transfer."""
    return "; ".join(f"{e.code} {e.detail}" for e in evaluation)[:2000]


class AskAboutOverdueTransfers(Command):
    """The sweep's command: ask the hub about every transfer overdue at `now`."""

    now: datetime


class OverdueTransfersAsked(BaseModel):
    transactions: list[str]


def ask_about_overdue(registry: Registry) -> list[str]:
    """For every transfer past its deadline without a final status, ask the hub (which cancels
    what it never completed); the units stay reserved until the hub's answer arrives. A command
    like any other (`execute`: one transaction, retried on a deadlock)."""
    command = AskAboutOverdueTransfers(now=registry.now())

    def handle(connection: Connection, registry: Registry, actor: Actor) -> OverdueTransfersAsked:
        return OverdueTransfersAsked(transactions=_ask(connection, command.now))

    return execute(registry, REGISTRY_CLOCK, command, handle, OverdueTransfersAsked).transactions


def _ask(connection: Connection, now: datetime) -> list[str]:
    """Ask the hub about each transfer overdue at `now`; the transfers asked about."""
    asked = []
    for row in external_transfers.not_final(connection):
        deadline = aware(row.expires_at) + QUERY_GRACE
        last = aware(row.last_query_at) if row.last_query_at else None
        if deadline > now or (last is not None and last + QUERY_GRACE > now):
            continue
        if row.direction == OUT:
            ports.stop_sending(
                connection,
                message_type="TransferProposal",
                naming=f'"{row.transaction_id}"',
            )
        ports.send_message(
            connection,
            to=HUB,
            body=TransactionStatusQuery(transaction_id=row.transaction_id),
            now=now,
        )
        external_transfers.mark_queried(connection, row.transaction_id, now)
        asked.append(row.transaction_id)
    return asked


def transfers(registry: Registry) -> dict[str, str]:
    """Every transfer with another registry and its status here (for tests and reports)."""
    with unit_of_work(registry.engine, read_only=True) as connection:
        return external_transfers.statuses(connection)
