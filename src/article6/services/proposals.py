"""The pipeline every unit-moving command shares (`services.pipeline`): load the movement, run
its rules, take its number (C2006), decide what it changes, apply it; the receipt is built from
what was decided, without reading it back. A rehearsal stops before applying.

Whether the movement completes at once or waits for approval with its units reserved is part
of what is loaded (the approvals policy) and decided.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from sqlalchemy import Connection

from article6.domain.access import DELEGABLE_OF_KIND, Actor, Permission, Role
from article6.domain.first_transfer import Action
from article6.domain.movements import PROPOSAL_RULES, MovementContext
from article6.domain.safeguards import waits_for_trust
from article6.services.acceptance_wait import acceptance_wait_ahead
from article6.services.access import allow_delegable
from article6.services.context import Registry
from article6.services.delegations import note_transaction
from article6.services.initial_reports import first_transfer_warnings
from article6.services.movement_checks import load_movement
from article6.services.movement_plan import (
    MovementPlan,
    apply_movement,
    decide_proposal,
)
from article6.services.movement_requests import Movement
from article6.services.pipeline import check, ticket
from article6.services.safeguards import trust_ahead
from article6.services.views import Receipt, TransactionView, moved_range
from article6.store import approval_policies, placement


@dataclass(frozen=True)
class Proposal:
    """A movement as proposed: who asks, what its rules judge, whether it waits for approval."""

    movement: Movement
    actor: Actor
    context: MovementContext
    waits: bool
    acceptance: Callable[[], timedelta | None]
    """How long it waits for the acquiring Party (`acceptance_wait`), read with the locks."""


def load_proposal(
    connection: Connection, registry: Registry, actor: Actor, movement: Movement
) -> Proposal:
    """Access first (it needs only the request), then everything the rules judge."""
    permission = (
        Permission.ADMINISTER
        if movement.action in (Action.AUTHORIZATION, Action.FIRST_TRANSFER_RECORD)
        else Permission.MOVE_UNITS
    )
    allow_delegable(
        connection,
        actor,
        permission,
        DELEGABLE_OF_KIND[movement.kind.value],
        movement.source.party_code,
        movement.source_entity,
    )
    # `needs_approval`: an entity's movement always waits; a Party user's as the section's
    # policy says, read in the statement that locks the holdings.
    policy = (
        None
        if actor.role is Role.ENTITY
        else approval_policies.FourEyesAhead(movement.source.party_code, movement.kind.value)
    )
    trust = trust_ahead(
        connection,
        movement.source.party_code,
        movement.kind,
        movement.destination.party_code,
        movement.destination.identifier,
    )
    acceptance = acceptance_wait_ahead(connection, movement)
    context = load_movement(connection, movement, registry.now, policy=policy)
    # C4020: a transfer leaving the section for an account off the Party's trusted list (while
    # it keeps one) waits for approval, whatever the approval policy says.
    waits = policy is None or policy.asks() or waits_for_trust(trust(context.now))
    return Proposal(movement, actor, context, waits, acceptance)


def plan_proposal(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    movement: Movement,
    rehearse: bool = False,
) -> tuple[Proposal, MovementPlan]:
    """Load, check, number (C2006) and decide a movement; in a rehearsal no number is taken."""
    proposal = load_proposal(connection, registry, actor, movement)
    check(proposal.context, PROPOSAL_RULES)
    portions = proposal.context.portions
    acceptance = None if proposal.waits else proposal.acceptance()
    around = (
        placement.neighbours_later(connection, portions[0])
        if portions and not proposal.waits and acceptance is None and not rehearse
        else None
    )  # read with the number: one round trip
    taken = ticket(connection, movement.source.party_code, proposal.context.now, rehearse)
    plan = decide_proposal(proposal.context, movement, actor, taken, proposal.waits, acceptance)
    return proposal, replace(plan, neighbours=around)


def propose(
    connection: Connection, registry: Registry, actor: Actor, movement: Movement, command: str
) -> Receipt:
    """Check a movement and either complete it or reserve its units for approval; a first
    transfer under an approach with no initial report recorded is warned about (C3010)."""
    _proposal, plan = plan_proposal(connection, registry, actor, movement)
    warnings = first_transfer_warnings_of(connection, plan)
    apply_movement(connection, registry, actor, plan)
    receipt = receipt_of(command, plan, movement)
    if plan.record is not None and receipt.transaction is not None:
        kind = DELEGABLE_OF_KIND[movement.kind.value]
        party = movement.source.party_code
        note = note_transaction(connection, registry, actor, party, kind, plan.record.identifier)
        if note is not None:
            receipt.transaction.under_delegation = note
    return receipt.model_copy(update={"warnings": warnings}) if warnings else receipt


def first_transfer_warnings_of(connection: Connection, plan: MovementPlan) -> list[str]:
    """C3010 over the ranges this movement first transfers now (none: no query): the warnings,
    or the refusal raised when the registry is set to refuse."""
    first = [m.block.attributes for m in plan.moved if m.subtype is not None]
    if not first:
        return []
    party = first[0].first_transferring_party
    return first_transfer_warnings(connection, party, {a.cooperative_approach for a in first})


def receipt_of(command: str, plan: MovementPlan, movement: Movement) -> Receipt:
    """The receipt of a proposal, from what was decided: the answer reading it back gives."""
    view = planned_view(plan, movement)
    if view is None:
        raise ValueError("a proposal writes a transaction")
    return Receipt(command=command, record=view.identifier, status=view.status, transaction=view)


def planned_view(plan: MovementPlan, movement: Movement) -> TransactionView | None:
    """The transaction a plan writes, as reading it back would show it."""
    record = plan.record
    if record is None:
        return None
    return TransactionView(
        identifier=record.identifier,
        kind=record.kind,
        status=record.status,
        party=record.party_code,
        quantity=record.quantity,
        source_account=movement.source.identifier,
        destination_account=movement.destination.identifier,
        acquiring_party=record.acquiring_party,
        cancellation_purpose=record.cancellation_purpose,
        purpose=record.purpose,
        first_transfer_reason=record.first_transfer_reason,
        mechanism_subtype=None,
        counterpart=None,
        ndc_year=record.ndc_year,
        using_entity=movement.source.holder if record.using_entity_id else None,
        authorization_id=record.authorization_id,
        first_transfer=record.first_transfer,
        initiator=record.initiator,
        approver=record.approver,
        reason=record.reason,
        created_at=record.created_at.astimezone(UTC),
        proposed_at=_utc(record.proposed_at),
        checked_at=_utc(record.checked_at),
        finished_at=_utc(record.finished_at),
        expires_at=_utc(record.expires_at),
        ranges=[moved_range(m.recorded) for m in plan.moved],
    )


def completed_view(view: TransactionView, plan: MovementPlan) -> TransactionView:
    """A waiting transaction's view as approving it by `plan` would leave it."""
    done = plan.completion
    if done is None:
        raise ValueError("not the plan of an approval")
    at = _utc(done.at)
    return view.model_copy(
        update={
            "status": done.status,
            "approver": done.approver,
            "first_transfer": done.first_transfer,
            "proposed_at": at,
            "checked_at": at,
            "finished_at": at,
            "ranges": [moved_range(m.recorded) for m in plan.moved],
        }
    )


def _utc(moment: datetime | None) -> datetime | None:
    """As the database hands an instant back: in UTC."""
    if moment is None:
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
