"""Giving back what a waiting transaction reserved, when the Party rejects it, its initiator
withdraws it, or its deadline passes: load the transaction (locked), its source's holdings
lock and the blocks it reserved; check the step's rules (`domain.release`); decide every change
(`ReleasePlan`); apply it, where nothing can refuse any more."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from sqlalchemy import Connection

from article6.domain.access import Actor
from article6.domain.blocks import UnitBlock
from article6.domain.checks import Check, refuse
from article6.domain.expiry import PendingTransaction
from article6.domain.release import Release, Rule
from article6.domain.transactions import (
    StoredTransaction,
    TransactionChange,
    TransactionRecord,
    TransactionStatus,
    advance,
)
from article6.domain.wording import words
from article6.services.context import Registry
from article6.services.pipeline import JournalEntry, check
from article6.services.views import Receipt, transaction_receipt
from article6.store import history, holdings, placement
from article6.store.database import aware

Handler = Callable[[Connection, Registry, Actor], Receipt]


def initiating_user(row: TransactionRecord) -> str:
    """Who asked: the initiating user's name (from the label for requests recorded before the
    name was kept on its own; the label is "name (role, scope)")."""
    return str(row.initiator_user or row.initiator.rsplit(" (", 1)[0])


@dataclass(frozen=True)
class WaitingRelease:
    """A waiting transaction as its rejection, withdrawal or expiry loads it: the row (locked),
    the blocks it reserved (read under its source's holdings lock), and what the step's rules
    judge."""

    transaction: StoredTransaction
    reserved: tuple[UnitBlock, ...]
    release: Release


@dataclass(frozen=True)
class ReleasePlan:
    """Every change of a release: the reserved blocks given back, the source's reservation
    lifted, the transaction's new status, and the journal entry."""

    transaction_id: int
    released: tuple[UnitBlock, ...]
    account_id: int | None
    quantity: int
    change: TransactionChange
    entry: JournalEntry


def load_release(
    connection: Connection, registry: Registry, actor: Actor, identifier: str
) -> WaitingRelease:
    """The transaction (C1012 when there is none), its source's holdings lock, the blocks it
    reserved, and the time the step is judged at, read under the locks."""
    row = history.transaction(connection, identifier, lock=True)
    if row is None:
        raise refuse(
            Check.C1012,
            "transaction",
            words("{identifier} is not a transaction", identifier=identifier),
        )
    reserved: list[UnitBlock] = []
    if row.source_account_id is not None:
        holdings.lock_holdings(connection, [row.source_account_id])
        reserved = placement.reserved_blocks(connection, row.id)
    pending = PendingTransaction(
        row.identifier,
        TransactionStatus(row.status),
        aware(row.expires_at) if row.expires_at is not None else None,
    )
    release = Release(actor, pending, row.party_code, initiating_user(row), registry.now())
    return WaitingRelease(row, tuple(reserved), release)


def decide_release(
    waiting: WaitingRelease, status: TransactionStatus, reason: str, event: str
) -> ReleasePlan:
    """The reserved units given back to the source (merged with identical neighbours), and the
    transaction finished with `status`; a rejection names who rejected it."""
    row, release = waiting.transaction, waiting.release
    advance(release.pending.status, status, "transaction")
    return ReleasePlan(
        transaction_id=row.id,
        released=tuple(replace(block, reserved_by=None) for block in waiting.reserved),
        account_id=row.source_account_id,
        quantity=row.quantity,
        change=TransactionChange(
            status=status.value,
            reason=reason,
            finished_at=release.now,
            approver=release.actor.label if status is TransactionStatus.REJECTED else None,
        ),
        entry=JournalEntry(
            event,
            row.party_code,
            row.identifier,
            {"status": status.value, "reason": reason, "released": row.quantity},
        ),
    )


def apply_release(
    connection: Connection, registry: Registry, actor: Actor, plan: ReleasePlan
) -> None:
    """Write the plan: each block given back, the reservation lifted, the status, the entry."""
    for block in plan.released:
        placement.rewrite(connection, block)
        placement.coalesce(connection, block)
    if plan.account_id is not None:
        holdings.change_holding(connection, plan.account_id, reserved=-plan.quantity)
    history.change_transaction(connection, plan.transaction_id, plan.change)
    plan.entry.append(connection, registry, actor)


def releasing(
    identifier: str,
    rules: tuple[Rule, ...],
    status: TransactionStatus,
    reason: str,
    event: str,
    command: str,
) -> Handler:
    """The handler of a release: load, check, decide, apply; the receipt read back."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        waiting = load_release(connection, registry, actor, identifier)
        check(waiting.release, rules)
        apply_release(connection, registry, actor, decide_release(waiting, status, reason, event))
        return transaction_receipt(connection, command, waiting.transaction.identifier)

    return handle
