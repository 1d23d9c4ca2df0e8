"""What a checked movement changes, decided in full before anything is written (`decide_*`),
and the writing of it (`apply_movement`), where nothing can be refused any more.

A proposal that waits for approval reserves its units (split to the exact quantity) under a new
transaction; one that completes, or an approval, moves them to the destination, updates both
holdings and appends the moved ranges; each appends its journal entry.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import timedelta

from sqlalchemy import Connection

from article6.domain.access import Actor
from article6.domain.accounts import UnitState
from article6.domain.blocks import Portion, UnitBlock, piece
from article6.domain.first_transfer import Action
from article6.domain.movements import MovementContext, judge_all
from article6.domain.transactions import Completion, TransactionRecord, TransactionStatus
from article6.services.context import Registry
from article6.services.movement_requests import Movement
from article6.services.pipeline import JournalEntry, Ticket
from article6.store import history, holdings, placement
from article6.store.history import RecordedRange


@dataclass(frozen=True)
class Placement:
    """A portion of a block put in its new place: moved (merged with an identical neighbour)
    or reserved by the transaction (`reserve`, the transaction's id set when it is written)."""

    portion: Portion
    block: UnitBlock
    current: bool
    reserve: bool = False


@dataclass(frozen=True)
class MovedUnits:
    """A moved range as the history records it: the block after, its state before, and the
    first-transfer subtype when the move was the units' first transfer."""

    block: UnitBlock
    from_state: UnitState | None
    subtype: str | None

    @property
    def recorded(self) -> RecordedRange:
        """The range as the history will list it once written (and a receipt shows it now)."""
        block, a = self.block, self.block.attributes
        return RecordedRange(
            registry_id=a.registry,
            serial_first=block.first,
            serial_last=block.last,
            cooperative_approach_id=a.cooperative_approach,
            first_transferring_party=a.first_transferring_party,
            vintage=a.vintage,
            authorization_id=a.authorization_id,
            authorization_version=a.authorization_version,
            from_state=self.from_state.value if self.from_state else None,
            to_state=block.state.value,
            first_transfer_subtype=self.subtype,
        )


@dataclass(frozen=True)
class HoldingChange:
    account_id: int
    quantity: int
    reserved: int


@dataclass(frozen=True)
class MovementPlan:
    """Every change of one movement: a new transaction (`record`) or the completion of a waiting
    one (`transaction_id`, `completion`), the blocks placed, the holdings changed, the ranges
    recorded and the journal entry."""

    placements: tuple[Placement, ...]
    holdings: tuple[HoldingChange, ...]
    moved: tuple[MovedUnits, ...]
    entry: JournalEntry
    record: TransactionRecord | None = None
    transaction_id: int | None = None
    completion: Completion | None = None
    neighbours: placement.Neighbours | None = None
    """The first placement's neighbours, read ahead with the transaction's number."""


def decide_proposal(
    context: MovementContext,
    movement: Movement,
    actor: Actor,
    ticket: Ticket,
    waits: bool,
    acceptance: timedelta | None = None,
) -> MovementPlan:
    """A new movement: reserved for approval when it `waits`, reserved for the acquiring
    Party's acceptance when it asks for one (`acceptance`, how long), otherwise completed at
    once."""
    now = context.now
    quantity = context.quantity
    record = TransactionRecord(
        identifier=ticket.identifier,
        party_code=movement.source.party_code,
        kind=movement.kind.value,
        status=TransactionStatus.AWAITING_APPROVAL.value,
        quantity=quantity,
        initiator=actor.label,
        initiator_user=actor.name,
        created_at=now,
        source_account_id=movement.source.id,
        destination_account_id=movement.destination.id,
        cancellation_purpose=movement.cancellation_purpose.value
        if movement.cancellation_purpose
        else None,
        acquiring_party=movement.acquiring_party,
        purpose=movement.purpose_text,
        first_transfer_reason=movement.first_transfer_reason,
        ndc_year=movement.ndc_year,
        # The entity that cancels is the one whose representative asked (`permits` has made
        # sure it holds the source account), never merely the source account's holder.
        using_entity_id=movement.source.entity_id
        if movement.action.cancels and actor.entity is not None
        else None,
        authorization_id=movement.authorization.authorization_id
        if movement.authorization
        else None,
    )
    if waits:
        return _reservation(context, movement, replace(record, expires_at=now + _days(ticket)))
    if acceptance is not None:
        waiting = replace(
            record,
            status=TransactionStatus.AWAITING_ACCEPTANCE.value,
            proposed_at=now,
            checked_at=now,
            expires_at=now + acceptance,
        )
        return _reservation(context, movement, waiting, "TransferAwaitingAcceptance")
    placements, moved = _moves(context)
    first_transfer = any(m.subtype for m in moved)
    record = replace(
        record,
        status=TransactionStatus.COMPLETED.value,
        first_transfer=first_transfer,
        proposed_at=now,
        checked_at=now,
        finished_at=now,
    )
    return MovementPlan(
        placements=placements,
        holdings=(
            HoldingChange(movement.source.id, -quantity, 0),
            HoldingChange(movement.destination.id, quantity, 0),
        ),
        moved=moved,
        entry=_completed(record.identifier, movement, quantity, moved),
        record=record,
    )


def decide_completion(
    context: MovementContext,
    movement: Movement,
    actor: Actor,
    transaction_id: int,
    identifier: str,
) -> MovementPlan:
    """The approval of a waiting transaction: its reserved units move and it completes."""
    placements, moved = _moves(context)
    quantity = context.quantity
    return MovementPlan(
        placements=placements,
        holdings=(
            HoldingChange(movement.source.id, -quantity, -quantity),
            HoldingChange(movement.destination.id, quantity, 0),
        ),
        moved=moved,
        entry=_completed(identifier, movement, quantity, moved),
        transaction_id=transaction_id,
        completion=Completion(
            approver=actor.label, at=context.now, first_transfer=any(m.subtype for m in moved)
        ),
    )


def _days(ticket: Ticket) -> timedelta:
    return timedelta(days=ticket.pending_days)


def _reservation(
    context: MovementContext,
    movement: Movement,
    record: TransactionRecord,
    event: str = "TransactionAwaitingApproval",
) -> MovementPlan:
    placements = []
    touched: set[int] = set()
    for portion in context.portions:
        placements.append(
            Placement(
                portion,
                piece(portion.block, portion.first, portion.last),
                current=portion.block.id not in touched,
                reserve=True,
            )
        )
        touched.add(portion.block.id)
    return MovementPlan(
        placements=tuple(placements),
        holdings=(HoldingChange(movement.source.id, 0, record.quantity),),
        moved=(),
        entry=JournalEntry(
            event,
            movement.source.party_code,
            record.identifier,
            {
                "kind": movement.kind.value,
                "quantity": record.quantity,
                "source": movement.source.identifier,
                "destination": movement.destination.identifier,
                # What it reserved, so that replaying the history can rebuild the reservation.
                "ranges": [
                    [p.block.attributes.registry, p.block.first, p.block.last] for p in placements
                ],
            },
        ),
        record=record,
    )


def _moves(context: MovementContext) -> tuple[tuple[Placement, ...], tuple[MovedUnits, ...]]:
    """Each checked portion as it arrives: in the destination, in the state its verdict gives,
    under the authorization it was first transferred (or linked) under."""
    placements: list[Placement] = []
    moved: list[MovedUnits] = []
    touched: set[int] = set()
    for judged in judge_all(context):
        portion, verdict, authorization = judged.portion, judged.verdict, judged.authorization
        block = piece(portion.block, portion.first, portion.last)
        attributes = block.attributes
        if authorization is not None and (
            verdict.first_transfer is not None or context.action is Action.AUTHORIZATION
        ):
            attributes = replace(
                attributes,
                authorization_id=authorization.authorization_id,
                authorization_version=authorization.version,
            )
        arrived = replace(
            block,
            account_id=context.destination.id,
            state=verdict.state,
            attributes=attributes,
            reserved_by=None,
            first_transferred=block.first_transferred or verdict.first_transfer is not None,
        )
        placements.append(Placement(portion, arrived, current=portion.block.id not in touched))
        touched.add(portion.block.id)
        subtype = verdict.first_transfer.value if verdict.first_transfer else None
        moved.append(MovedUnits(arrived, block.state, subtype))
    return tuple(placements), tuple(moved)


def _completed(
    identifier: str, movement: Movement, quantity: int, moved: tuple[MovedUnits, ...]
) -> JournalEntry:
    return JournalEntry(
        "TransactionCompleted",
        movement.source.party_code,
        identifier,
        {
            "kind": movement.kind.value,
            "quantity": quantity,
            "source": movement.source.identifier,
            "destination": movement.destination.identifier,
            "first_transfer": any(m.subtype for m in moved),
            # The purpose a cancellation named (e.g. CORSIA); why a first transfer was recorded.
            **({"purpose": movement.purpose_text} if movement.purpose_text else {}),
            **(
                {"reason": movement.first_transfer_reason} if movement.first_transfer_reason else {}
            ),
            "ranges": [
                [
                    m.block.attributes.registry,
                    m.block.first,
                    m.block.last,
                    m.block.state.value,
                    m.subtype,
                ]
                for m in moved
            ],
        },
    )


def apply_movement(
    connection: Connection, registry: Registry, actor: Actor, plan: MovementPlan
) -> int | None:
    """Write the plan: the transaction, the blocks, the holdings, the ranges, the journal
    entry. On PostgreSQL one round trip with the COMMIT when the units move at once (the
    transaction's id is then not read back: the moved ranges name it as the one just added);
    a reservation reads its id back, for the blocks it reserves, and returns it (as does the
    completion of a waiting one); otherwise None."""
    reserves = any(placed.reserve for placed in plan.placements)
    transaction_id: int | None
    if plan.record is not None:
        transaction_id = (
            history.insert_record(connection, plan.record)
            if reserves
            else history.add_record(connection, plan.record)
        )
    elif plan.transaction_id is not None and plan.completion is not None:
        transaction_id = plan.transaction_id
    else:
        raise ValueError("a movement plan writes a new transaction or completes a waiting one")
    for index, placed in enumerate(plan.placements):
        block = (
            replace(placed.block, reserved_by=transaction_id) if placed.reserve else placed.block
        )
        placement.place(
            connection,
            placed.portion,
            block,
            current=placed.current,
            merge=not placed.reserve,
            around=plan.neighbours if index == 0 else None,
        )
    holdings.change_holdings(
        connection, [(h.account_id, h.quantity, h.reserved) for h in plan.holdings]
    )
    if plan.moved:
        history.record_ranges(
            connection,
            transaction_id,
            [(m.block, m.from_state, m.subtype) for m in plan.moved],
        )
    if plan.completion is not None and transaction_id is not None:
        history.complete_transaction(connection, transaction_id, plan.completion)
    plan.entry.append(connection, registry, actor)
    return transaction_id
