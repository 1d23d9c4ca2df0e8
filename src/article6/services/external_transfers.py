"""Sending units to another registry (RULES.md 8.4, 9.7): the request, its approval where the
Party requires one, and the proposal written to the outbox.

Both run through the pipeline every unit-moving command shares (`services.pipeline`): load the
movement out of the source account (`load_movement`, the holdings locks first, judged at the
time read under them), check it against the domain's rules in the catalogue's order
(`EXTERNAL_PROPOSAL_RULES`, `EXTERNAL_APPROVAL_RULES`), decide every change as typed records
(`ExternalTransferPlan`, `ExternalApprovalPlan`), and apply them, where nothing can refuse any
more. A rehearsal (the preview) stops after the decision.

The units are reserved by an `external_transfer` transaction. When the Party's approval is not
needed the proposal leaves at once, in the same database transaction (an outbox row, through
`services.ports`); otherwise it leaves when a second person approves, and rejection, withdrawal
or expiry release the units (`services.approvals`). The hub's final status then completes or
releases the transfer (`settlement.on_status`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

from pydantic import Field
from sqlalchemy import Connection

from article6.domain.access import Actor, Delegable, Permission
from article6.domain.accounts import Account, holding_entity
from article6.domain.blocks import Portion, piece
from article6.domain.checks import Check, refuse
from article6.domain.first_transfer import Action
from article6.domain.movements import (
    EXTERNAL_APPROVAL_RULES,
    EXTERNAL_PROPOSAL_RULES,
    MovementContext,
    judge_all,
)
from article6.domain.protocol import HUB, TRANSFER_TIMEOUT, registry_code
from article6.domain.safeguards import waits_for_trust
from article6.domain.transactions import (
    StoredTransaction,
    TransactionChange,
    TransactionKind,
    TransactionRecord,
    TransactionStatus,
    advance,
)
from article6.domain.wording import words
from article6.services.access import allow_delegable
from article6.services.commands import Command, PartyCode, UnitSelection
from article6.services.context import Caller, Registry, execute
from article6.services.delegations import note_transaction
from article6.services.external_departure import Departure, Destination, depart
from article6.services.external_transfer_status import this_registry
from article6.services.initial_reports import first_transfer_warnings
from article6.services.movement_checks import load_movement, needs_approval
from article6.services.movement_plan import HoldingChange, MovementPlan, Placement, apply_movement
from article6.services.movement_requests import Movement, require_leaving_holding
from article6.services.movement_requests import account_named as _account_named
from article6.services.pipeline import JournalEntry, Ticket, check, ticket
from article6.services.proposals import planned_view
from article6.services.safeguards import destination_standing
from article6.services.signed_confirmation import signed
from article6.services.views import Receipt, TransactionView, transaction_receipt
from article6.store import external_transfers, history, placement, registry_directory
from article6.store.database import unit_of_work
from article6.store.external_transfers import ExternalRequest


class ProposeExternalTransfer(Command):
    """Transfer units to an account in another registry (the IR, a national registry, ...)."""

    source_account: str = Field(max_length=40)
    acquiring_registry: str = Field(pattern=r"^[A-Z][A-Z0-9]{1,4}$", examples=["XXC01"])
    acquiring_account: str = Field(max_length=40)
    acquiring_party: PartyCode
    units: UnitSelection


def connected_to_hub(registry: Registry) -> bool:
    """Whether this registry has its protocol identity and knows the hub: only then can its
    users send units to another registry."""
    with unit_of_work(registry.engine, read_only=True) as connection:
        has_identity = registry_directory.own_code(connection) is not None
        return has_identity and registry_directory.is_peer(connection, HUB)


@dataclass(frozen=True)
class OutgoingTransfer:
    """A transfer to another registry as loaded: the movement out of the source account (its
    own destination here, since the units leave this registry), where it goes, what its rules
    judge, whether it waits for the Party's approval, and this registry's code."""

    movement: Movement
    destination: Destination
    context: MovementContext
    waits: bool
    here: str


@dataclass(frozen=True)
class ExternalTransferPlan:
    """Every change of a new transfer to another registry: the transaction reserving its units,
    the holding's reservation and the journal entry (`reservation`); then either the proposal
    leaving now (`departure`) or, when it waits, where it will go once approved."""

    reservation: MovementPlan
    destination: Destination
    departure: Departure | None
    warnings: tuple[str, ...] = ()
    """C3010: units first transferred by leaving, under an approach with no initial report."""


@dataclass(frozen=True)
class ExternalApprovalPlan:
    """The approval of a waiting transfer to another registry: the change of its row, the
    proposal leaving, and the journal entry."""

    transaction_id: int
    change: TransactionChange
    departure: Departure
    entry: JournalEntry
    warnings: tuple[str, ...] = ()
    """C3010, as for the proposal: the proposal leaves only now."""


def propose_external_transfer(
    registry: Registry,
    actor: Actor | Caller,
    command: ProposeExternalTransfer,
    idempotency_key: str | None = None,
) -> Receipt:
    """Reserve the units and send the proposal to the hub, or, for an authorized entity and under
    a four-eyes policy for external transfers, keep them reserved until a second person of the
    Party approves (`plan_external_approval`): only then does the proposal leave."""

    def run(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        _outgoing, plan = plan_external_transfer(connection, registry, actor, command)
        apply_external_transfer(connection, registry, actor, plan)
        record = plan.reservation.record
        if record is None:
            raise ValueError("a transfer to another registry writes a transaction")
        party = record.party_code
        note_transaction(connection, registry, actor, party, Delegable.TRANSFER, record.identifier)
        receipt = transaction_receipt(connection, "ProposeExternalTransfer", record.identifier)
        return receipt.model_copy(update={"warnings": list(plan.warnings)})

    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        return signed(
            connection, registry, actor, command, lambda: run(connection, registry, actor)
        )

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def load_outgoing(
    connection: Connection, registry: Registry, actor: Actor, command: ProposeExternalTransfer
) -> OutgoingTransfer:
    """The request resolved first (the source account and its kind, the acquiring Party and
    registry, access: C1003, C4001, C3001, C4002, C4005), then everything the rules judge."""
    registry_code(command.acquiring_registry, "acquiring_registry")
    source = _account_named(connection, command.source_account, "source_account")
    require_leaving_holding(source, "source_account")
    if command.acquiring_party == source.party_code:
        raise refuse(
            Check.C4001,
            "acquiring_party",
            words("a transfer between registries goes to another Party"),
        )
    allow_delegable(
        connection,
        actor,
        Permission.MOVE_UNITS,
        Delegable.TRANSFER,
        source.party_code,
        holding_entity(str(source.holder)),
    )
    here = this_registry(connection)
    if command.acquiring_registry in (here, HUB):
        raise refuse(
            Check.C4005,
            "acquiring_registry",
            words("a transfer between registries goes to another registry"),
        )
    movement = _outgoing_movement(source, command.units, command.acquiring_party)
    context = load_movement(connection, movement, registry.now)
    return OutgoingTransfer(
        movement=movement,
        destination=Destination(
            command.acquiring_registry, command.acquiring_account, command.acquiring_party
        ),
        context=context,
        waits=needs_approval(connection, actor, movement, TransactionKind.EXTERNAL_TRANSFER)
        or waits_for_trust(
            destination_standing(
                connection,
                source.party_code,
                TransactionKind.EXTERNAL_TRANSFER,
                command.acquiring_party,
                command.acquiring_account,
                context.now,
            )
        ),
        here=here,
    )


def plan_external_transfer(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    command: ProposeExternalTransfer,
    rehearse: bool = False,
) -> tuple[OutgoingTransfer, ExternalTransferPlan]:
    """Load, check, number (C2006) and decide; in a rehearsal no number is taken."""
    outgoing = load_outgoing(connection, registry, actor, command)
    check(outgoing.context, EXTERNAL_PROPOSAL_RULES)
    warnings = first_transfer_warnings_abroad(connection, outgoing.context)
    source = outgoing.movement.source
    taken = ticket(connection, source.party_code, outgoing.context.now, rehearse)
    plan = decide_external_transfer(outgoing, actor, taken)
    return outgoing, replace(plan, warnings=tuple(warnings))


def first_transfer_warnings_abroad(connection: Connection, context: MovementContext) -> list[str]:
    """C3010 over the units this transfer to another registry first transfers (units under an
    NDC authorization not yet first transferred): the warnings, or the refusal raised when the
    registry is set to refuse, before anything is written."""
    first = [j.portion.block.attributes for j in judge_all(context) if j.verdict.first_transfer]
    if not first:
        return []
    party = first[0].first_transferring_party
    return first_transfer_warnings(connection, party, {a.cooperative_approach for a in first})


def decide_external_transfer(
    outgoing: OutgoingTransfer, actor: Actor, taken: Ticket
) -> ExternalTransferPlan:
    """The transaction reserving the units (split to the exact quantity), and the proposal
    leaving now unless the transfer waits for the Party's approval."""
    context, destination = outgoing.context, outgoing.destination
    source = context.source
    now, quantity, waits = context.now, context.quantity, outgoing.waits
    expires_at = now + (timedelta(days=taken.pending_days) if waits else TRANSFER_TIMEOUT)
    record = TransactionRecord(
        identifier=taken.identifier,
        party_code=source.party_code,
        kind=TransactionKind.EXTERNAL_TRANSFER.value,
        status=(TransactionStatus.AWAITING_APPROVAL if waits else TransactionStatus.PROPOSED).value,
        source_account_id=source.id,
        acquiring_party=destination.party,
        quantity=quantity,
        counterpart=f"{destination.account} in {destination.registry}",
        first_transfer=False,
        initiator=actor.label,
        initiator_user=actor.name,
        created_at=now,
        proposed_at=None if waits else now,
        expires_at=expires_at,
    )
    placements: list[Placement] = []
    touched: set[int] = set()
    for portion in context.portions:
        reserved = piece(portion.block, portion.first, portion.last)
        current = portion.block.id not in touched
        placements.append(Placement(portion, reserved, current=current, reserve=True))
        touched.add(portion.block.id)
    departure = None if waits else _departure(outgoing, record.identifier, expires_at)
    entry = (
        departure.entry(source)
        if departure is not None
        else JournalEntry(
            "TransactionAwaitingApproval",
            source.party_code,
            record.identifier,
            {
                "kind": TransactionKind.EXTERNAL_TRANSFER.value,
                "quantity": quantity,
                "source": source.identifier,
                "acquiring_registry": destination.registry,
                "acquiring_account": destination.account,
                # What it reserved, so that replaying the history can rebuild it.
                "ranges": [
                    [p.block.attributes.registry, p.block.first, p.block.last] for p in placements
                ],
            },
        )
    )
    reservation = MovementPlan(
        placements=tuple(placements),
        holdings=(HoldingChange(source.id, 0, quantity),),
        moved=(),
        entry=entry,
        record=record,
    )
    return ExternalTransferPlan(reservation, destination, departure)


def apply_external_transfer(
    connection: Connection, registry: Registry, actor: Actor, plan: ExternalTransferPlan
) -> None:
    """Write the plan: the reserving transaction, its blocks, the holding and the journal entry;
    then where a waiting transfer will go, or the proposal leaving now."""
    transaction_id = apply_movement(connection, registry, actor, plan.reservation)
    if transaction_id is None:  # a reservation always reads its id back
        raise ValueError("a transfer to another registry reserves its units")
    if plan.departure is None:
        destination = plan.destination
        external_transfers.insert_request(
            connection, ExternalRequest(transaction_id, destination.registry, destination.account)
        )
    else:
        depart(connection, plan.departure)


def rehearsed_receipt(outgoing: OutgoingTransfer, plan: ExternalTransferPlan) -> Receipt:
    """The receipt a rehearsal answers, from what was decided: as reading it back would show."""
    view = planned_view(plan.reservation, outgoing.movement)
    record = plan.reservation.record
    if view is None or record is None:
        raise ValueError("a transfer to another registry writes a transaction")
    shown = view.model_copy(update={"destination_account": None, "counterpart": record.counterpart})
    return Receipt(
        command="ProposeExternalTransfer",
        record=shown.identifier,
        status=shown.status,
        transaction=shown,
        warnings=list(plan.warnings),
    )


def load_waiting(
    connection: Connection, transaction: StoredTransaction, now: datetime
) -> OutgoingTransfer:
    """A waiting transfer to another registry, for its approval: the movement out of its source,
    where it goes, and its reserved units judged again at `now`, the hold (C2006) read with
    the holdings locks."""
    request = external_transfers.request(connection, transaction.id)
    source = history.accounts_by_id(connection, [transaction.source])[transaction.source]
    acquiring_party = transaction.acquiring_party
    if acquiring_party is None:
        raise LookupError(f"{transaction.identifier} names no acquiring Party")
    movement = _outgoing_movement(
        source, UnitSelection(quantity=transaction.quantity), acquiring_party
    )
    context = load_movement(
        connection,
        movement,
        lambda: now,
        reserved=lambda locked: [
            Portion(b, b.first, b.last) for b in placement.reserved_blocks(locked, transaction.id)
        ],
        with_hold=True,
    )
    destination = Destination(
        request.acquiring_registry, request.acquiring_account, acquiring_party
    )
    return OutgoingTransfer(movement, destination, context, False, this_registry(connection))


def plan_external_approval(
    connection: Connection, actor: Actor, transaction: StoredTransaction, now: datetime
) -> ExternalApprovalPlan:
    """A second person of the Party approves a waiting transfer to another registry: every check
    of the proposal runs again on the reserved units, then the proposal may leave."""
    waiting = load_waiting(connection, transaction, now)
    check(waiting.context, EXTERNAL_APPROVAL_RULES)
    warnings = first_transfer_warnings_abroad(connection, waiting.context)
    advance(TransactionStatus.AWAITING_APPROVAL, TransactionStatus.PROPOSED, "transaction")
    expires_at = now + TRANSFER_TIMEOUT
    departure = _departure(waiting, transaction.identifier, expires_at)
    return ExternalApprovalPlan(
        transaction_id=transaction.id,
        change=TransactionChange(
            status=TransactionStatus.PROPOSED.value,
            approver=actor.label,
            proposed_at=now,
            expires_at=expires_at,
        ),
        departure=departure,
        entry=departure.entry(waiting.context.source),
        warnings=tuple(warnings),
    )


def apply_external_approval(
    connection: Connection, registry: Registry, actor: Actor, plan: ExternalApprovalPlan
) -> None:
    """Write the approval: the transaction proposed, the proposal leaving, the journal entry."""
    history.change_transaction(connection, plan.transaction_id, plan.change)
    depart(connection, plan.departure)
    plan.entry.append(connection, registry, actor)


def approved_view(view: TransactionView, plan: ExternalApprovalPlan) -> TransactionView:
    """A waiting transfer's view as approving it by `plan` would leave it (a rehearsal)."""
    change = plan.change
    return view.model_copy(
        update={
            "status": change.status,
            "approver": change.approver,
            "proposed_at": _utc(change.proposed_at),
            "expires_at": _utc(change.expires_at),
        }
    )


def _departure(outgoing: OutgoingTransfer, identifier: str, expires_at: datetime) -> Departure:
    context = outgoing.context
    return Departure.of(
        here=outgoing.here,
        destination=outgoing.destination,
        identifier=identifier,
        source=context.source,
        reserved=[
            (piece(j.portion.block, j.portion.first, j.portion.last), j.verdict, j.authorization)
            for j in judge_all(context)
        ],
        expires_at=expires_at,
        now=context.now,
    )


def _outgoing_movement(source: Account, units: UnitSelection, acquiring_party: str) -> Movement:
    return Movement(
        Action.INTERNATIONAL_TRANSFER, source, source, units, acquiring_party=acquiring_party
    )


def _utc(moment: datetime | None) -> datetime | None:
    return moment.astimezone(UTC) if moment is not None else None
