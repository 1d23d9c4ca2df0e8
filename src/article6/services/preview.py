"""A rehearsal of a command: every check runs, the receipt comes back, nothing is kept.

The web forms show "what will happen" before the user confirms. A ledger command of the pipeline
(`services.pipeline`: the movements, a transfer to another registry, issuance, approval) is
rehearsed by its own load → check → decide, in a read transaction, and stops there: no number
is taken, nothing is written. A refused rehearsal raises the same `CommandRefused` the real
command would.

A request that would wait for approval is rehearsed one step further: its reserved units are
judged again as an approval by a Party administrator would (the rules of `APPROVAL_RULES`), to
say whether approval would make it a first transfer.

A transfer to another registry is rehearsed the same way (`external_transfers`), and so is the
approval that would send one to the hub. Commands outside the pipeline (the secretariat's marks)
still run through their service in a savepoint of one transaction that is rolled back
(`rehearsal`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import TypeVar

from pydantic import BaseModel
from sqlalchemy import Connection

from article6.domain.access import Actor, Role
from article6.domain.blocks import Portion
from article6.domain.checks import CommandRefused
from article6.domain.movements import APPROVAL_RULES, EXTERNAL_APPROVAL_RULES
from article6.domain.protocol import TRANSFER_TIMEOUT
from article6.domain.transactions import TransactionStatus, advance
from article6.services import approvals, issuance, units
from article6.services import commands as c
from article6.services.context import Registry
from article6.services.external_transfers import (
    ProposeExternalTransfer,
    plan_external_transfer,
    rehearsed_receipt,
)
from article6.services.movement_plan import MovementPlan, decide_completion
from article6.services.pipeline import check
from article6.services.proposals import (
    Proposal,
    completed_view,
    first_transfer_warnings_of,
    plan_proposal,
    receipt_of,
)
from article6.services.views import Receipt, TransactionView
from article6.store import holdings
from article6.store.database import unit_of_work

C = TypeVar("C", bound=BaseModel)
Service = Callable[[Registry, Actor, C, str | None], Receipt]


class Preview(BaseModel):
    """What a command would do now: its receipt (nothing kept), and, for a request that waits
    for approval, what approving it would record."""

    receipt: Receipt
    on_approval: TransactionView | None = None
    approval_refused: list[str] = []

    @property
    def transaction(self) -> TransactionView | None:
        return self.receipt.transaction

    @property
    def first_transfer(self) -> bool:
        """Whether the units would be first transferred (now, or once approved)."""
        done = self.on_approval or self.receipt.transaction
        return bool(done and done.first_transfer)

    @property
    def waits_for_approval(self) -> bool:
        return self.receipt.status == TransactionStatus.AWAITING_APPROVAL.value

    @property
    def waits_for_acceptance(self) -> bool:
        """The acquiring Party has its incoming transfers wait for its acceptance (#18)."""
        done = self.on_approval or self.receipt.transaction
        waiting = TransactionStatus.AWAITING_ACCEPTANCE.value
        return self.receipt.status == waiting or bool(done and done.status == waiting)


@contextmanager
def rehearsal(registry: Registry) -> Iterator[Registry]:
    """A Registry whose commands run in savepoints of one transaction, rolled back when the
    block ends."""
    with registry.engine.connect() as connection:
        outer = connection.begin()
        try:
            yield replace(registry, rehearsing=connection)
        finally:
            outer.rollback()
            holdings.dismount(connection)  # riders no lock carried: not the next command's


def preview(registry: Registry, service: Service[C], actor: Actor, command: C) -> Preview:
    """What `service(actor, command)` would do now; refusals propagate unchanged."""
    with unit_of_work(registry.engine, read_only=True) as connection:
        rehearsed = _rehearse(connection, registry, actor, command)
    if rehearsed is not None:
        return rehearsed
    with rehearsal(registry) as stand_in:
        result = Preview(receipt=service(stand_in, actor, command, None))
        if result.waits_for_approval and result.transaction is not None:
            approver = Actor("approval preview", Role.ADMINISTRATOR, result.transaction.party)
            try:
                approved = approvals.approve_transaction(
                    stand_in, approver, c.ApproveTransaction(transaction=result.receipt.record)
                )
                result.on_approval = approved.transaction
            except CommandRefused as refused:
                result.approval_refused = [f"{r.check.code} {r.detail}" for r in refused.refusals]
        return result


def _rehearse(
    connection: Connection, registry: Registry, actor: Actor, command: BaseModel
) -> Preview | None:
    """The pipeline's rehearsal of `command`, or None for a command outside it."""
    if isinstance(command, c.IssueUnits):
        return Preview(receipt=issuance.rehearse_issuance(connection, registry, actor, command))
    if isinstance(command, c.ApproveTransaction):
        receipt = approvals.approve(connection, registry, actor, command.transaction, rehearse=True)
        return Preview(receipt=receipt)
    if isinstance(command, ProposeExternalTransfer):
        return _rehearse_external(connection, registry, actor, command)
    asked = units.movement_of(connection, command)
    if asked is None:
        return None
    movement, name = asked
    proposal, plan = plan_proposal(connection, registry, actor, movement, rehearse=True)
    warnings = first_transfer_warnings_of(connection, plan)
    result = Preview(
        receipt=receipt_of(name, plan, movement).model_copy(update={"warnings": warnings})
    )
    if proposal.waits and result.receipt.transaction is not None:
        try:
            result.on_approval = _on_approval(proposal, plan, result.receipt.transaction)
        except CommandRefused as refused:
            result.approval_refused = [f"{r.check.code} {r.detail}" for r in refused.refusals]
    return result


def _rehearse_external(
    connection: Connection, registry: Registry, actor: Actor, command: ProposeExternalTransfer
) -> Preview:
    """A transfer to another registry, rehearsed as its command runs it; one that would wait is
    judged again as a Party administrator's approval would, which would send it to the hub."""
    outgoing, plan = plan_external_transfer(connection, registry, actor, command, rehearse=True)
    result = Preview(receipt=rehearsed_receipt(outgoing, plan))
    waiting = result.receipt.transaction
    if outgoing.waits and waiting is not None:
        reserved = tuple(
            Portion(p.block, p.block.first, p.block.last) for p in plan.reservation.placements
        )
        try:
            check(replace(outgoing.context, portions=reserved), EXTERNAL_APPROVAL_RULES)
        except CommandRefused as refused:
            result.approval_refused = [f"{r.check.code} {r.detail}" for r in refused.refusals]
        else:
            approver = Actor("approval preview", Role.ADMINISTRATOR, waiting.party)
            result.on_approval = waiting.model_copy(
                update={
                    "status": TransactionStatus.PROPOSED.value,
                    "approver": approver.label,
                    "proposed_at": waiting.created_at,
                    "expires_at": waiting.created_at + TRANSFER_TIMEOUT,
                }
            )
    return result


def _on_approval(
    proposal: Proposal, plan: MovementPlan, waiting: TransactionView
) -> TransactionView:
    """The waiting transaction as a Party administrator's approval would complete it: its
    reserved units judged again (the approver is a stand-in, so the rules about who approves
    have nothing to say)."""
    approver = Actor("approval preview", Role.ADMINISTRATOR, waiting.party)
    reserved = tuple(Portion(p.block, p.block.first, p.block.last) for p in plan.placements)
    context = check(replace(proposal.context, portions=reserved), APPROVAL_RULES)
    advance(TransactionStatus.AWAITING_APPROVAL, TransactionStatus.PROPOSED, "transaction")
    done = decide_completion(context, proposal.movement, approver, 0, waiting.identifier)
    return completed_view(waiting, done)
