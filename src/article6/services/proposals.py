"""The engine every unit-moving command shares: select the blocks, ask the domain what the
action does to each, then either complete at once or reserve the blocks for approval.

After the checks pass nothing can fail: the writes follow a plan the checks already approved.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection

from article6.domain.access import Actor, Permission
from article6.domain.accounts import UnitState
from article6.domain.authorizations import Authorization
from article6.domain.blocks import Portion, UnitBlock, piece
from article6.domain.checks import Check, refuse
from article6.domain.first_transfer import Action, Verdict
from article6.domain.transactions import TransactionStatus
from article6.services.access import allow
from article6.services.block_choice import choose
from article6.services.context import Registry
from article6.services.journal import log
from article6.services.movement_checks import (
    check_authorized_quantity,
    check_destination,
    check_parties,
    judge_all,
    needs_approval,
)
from article6.services.movement_requests import Movement, require_open
from article6.services.views import Receipt, TransactionView, moved_range
from article6.store import history, holdings, placement, sections


def propose(
    connection: Connection, registry: Registry, actor: Actor, movement: Movement, command: str
) -> Receipt:
    """Check a movement and either complete it or reserve its units for approval."""
    permission = (
        Permission.ADMINISTER
        if movement.action in (Action.AUTHORIZATION, Action.FIRST_TRANSFER_RECORD)
        else Permission.MOVE_UNITS
    )
    allow(actor, permission, movement.source.party_code, movement.source_entity)
    require_open(movement.source, "source_account")
    require_open(movement.destination, "destination_account")
    if movement.source.id == movement.destination.id:
        raise refuse(Check.C4001, "destination_account", "source and destination are the same")
    check_parties(connection, movement)
    holdings.lock_holdings(connection, [movement.source.id, movement.destination.id])
    portions = choose(connection, movement)
    judged = judge_all(connection, movement, portions)
    check_destination(movement, judged)
    check_authorized_quantity(connection, movement, portions)
    now = registry.now()
    quantity = sum(p.quantity for p in portions)
    pending = needs_approval(connection, actor, movement)
    values: dict[str, Any] = {
        "party_code": movement.source.party_code,
        "kind": movement.kind.value,
        "cancellation_purpose": movement.cancellation_purpose.value
        if movement.cancellation_purpose
        else None,
        "source_account_id": movement.source.id,
        "destination_account_id": movement.destination.id,
        "acquiring_party": movement.acquiring_party,
        "quantity": quantity,
        "purpose": movement.purpose_text,
        "first_transfer_reason": movement.first_transfer_reason,
        "ndc_year": movement.ndc_year,
        # The entity that cancels is the one whose representative asked (`permits` has made
        # sure it holds the source account), never merely the source account's holder.
        "using_entity_id": movement.source.entity_id
        if movement.action.cancels and actor.entity is not None
        else None,
        "authorization_id": movement.authorization.authorization_id
        if movement.authorization
        else None,
        "first_transfer": False,
        "initiator": actor.label,
        "initiator_user": actor.name,
        "approver": None,
        "reason": None,
        "created_at": now,
        "proposed_at": None,
        "checked_at": None,
        "finished_at": None,
        "expires_at": None,
    }
    if pending:
        number, section = sections.take_transaction_number(
            connection, movement.source.party_code, now
        )
        values["identifier"] = f"{section.registry_id}-{number:08d}"
        values["status"] = TransactionStatus.AWAITING_APPROVAL.value
        values["expires_at"] = now + timedelta(days=section.pending_days)
        transaction_id = history.insert_transaction(connection, **values)
        touched: set[int] = set()
        reserved: list[list[Any]] = []
        for portion in portions:
            moved = piece(portion.block, portion.first, portion.last)
            reserved.append([moved.attributes.registry, moved.first, moved.last])
            placement.place(
                connection,
                portion,
                replace(moved, reserved_by=transaction_id),
                current=portion.block.id not in touched,
                merge=False,
            )
            touched.add(portion.block.id)
        holdings.change_holding(connection, movement.source.id, reserved=quantity)
        log(
            connection,
            registry,
            actor,
            "TransactionAwaitingApproval",
            movement.source.party_code,
            values["identifier"],
            {
                "kind": movement.kind.value,
                "quantity": quantity,
                "source": movement.source.identifier,
                "destination": movement.destination.identifier,
                # What it reserved, so that replaying the history can rebuild the reservation.
                "ranges": reserved,
            },
        )
        return _receipt(command, values, movement, [])
    moves = move_units(connection, movement, judged, reserved=False)
    finished = registry.now()
    # Numbering and the journal come last: on SQLite their rows are held until commit.
    number, section = sections.take_transaction_number(connection, movement.source.party_code, now)
    first_transfer = any(subtype for _, _, subtype in moves)
    values.update(
        identifier=f"{section.registry_id}-{number:08d}",
        status=TransactionStatus.COMPLETED.value,
        first_transfer=first_transfer,
        proposed_at=now,
        checked_at=finished,
        finished_at=finished,
    )
    transaction_id = history.insert_transaction(connection, **values)
    rows = history.record_ranges(connection, transaction_id, moves)
    _log_completed(
        connection, registry, actor, values["identifier"], movement, quantity, moves, first_transfer
    )
    return _receipt(command, values, movement, rows)


def _receipt(
    command: str, values: dict[str, Any], movement: Movement, ranges: list[dict[str, Any]]
) -> Receipt:
    """The receipt of a transaction this command just wrote, from the values it wrote: the same
    answer as reading it back (`transaction_receipt`), without the round trips."""
    view = TransactionView(
        identifier=values["identifier"],
        kind=values["kind"],
        status=values["status"],
        party=values["party_code"],
        quantity=values["quantity"],
        source_account=movement.source.identifier,
        destination_account=movement.destination.identifier,
        acquiring_party=values["acquiring_party"],
        cancellation_purpose=values["cancellation_purpose"],
        purpose=values["purpose"],
        first_transfer_reason=values["first_transfer_reason"],
        mechanism_subtype=None,
        counterpart=None,
        ndc_year=values["ndc_year"],
        using_entity=str(movement.source.holder) if values["using_entity_id"] else None,
        authorization_id=values["authorization_id"],
        first_transfer=values["first_transfer"],
        initiator=values["initiator"],
        approver=values["approver"],
        reason=values["reason"],
        created_at=values["created_at"].astimezone(UTC),
        proposed_at=_utc(values["proposed_at"]),
        checked_at=_utc(values["checked_at"]),
        finished_at=_utc(values["finished_at"]),
        expires_at=_utc(values["expires_at"]),
        ranges=[moved_range(SimpleNamespace(**row)) for row in ranges],  # type: ignore[arg-type]
    )
    return Receipt(command=command, record=view.identifier, status=view.status, transaction=view)


def _utc(moment: datetime | None) -> datetime | None:
    """As the database hands an instant back: in UTC."""
    if moment is None:
        return None
    return moment.astimezone(UTC) if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def move_units(
    connection: Connection,
    movement: Movement,
    judged: list[tuple[Portion, Verdict, Authorization | None]],
    reserved: bool,
) -> list[tuple[UnitBlock, UnitState | None, str | None]]:
    """Move the checked portions to the destination and update both holdings; returns the moves
    as `record_ranges` takes them (block after, state before, first-transfer subtype)."""
    moves: list[tuple[UnitBlock, UnitState | None, str | None]] = []
    touched: set[int] = set()
    for portion, verdict, authorization in judged:
        block = piece(portion.block, portion.first, portion.last)
        attributes = block.attributes
        if authorization is not None and (
            verdict.first_transfer is not None or movement.action is Action.AUTHORIZATION
        ):
            attributes = replace(
                attributes,
                authorization_id=authorization.authorization_id,
                authorization_version=authorization.version,
            )
        moved = replace(
            block,
            account_id=movement.destination.id,
            state=verdict.state,
            attributes=attributes,
            reserved_by=None,
            first_transferred=block.first_transferred or verdict.first_transfer is not None,
        )
        placement.place(
            connection, portion, moved, current=portion.block.id not in touched, merge=True
        )
        touched.add(portion.block.id)
        moves.append(
            (moved, block.state, verdict.first_transfer.value if verdict.first_transfer else None)
        )
    quantity = sum(p.quantity for p, _, _ in judged)
    holdings.change_holdings(
        connection,
        [
            (movement.source.id, -quantity, -quantity if reserved else 0),
            (movement.destination.id, quantity, 0),
        ],
    )
    return moves


def complete(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    transaction_id: int,
    identifier: str,
    movement: Movement,
    judged: list[tuple[Portion, Verdict, Authorization | None]],
    reserved: bool,
    approver: str | None = None,
) -> None:
    """Carry out a checked movement of an existing transaction: nothing here can be refused."""
    moves = move_units(connection, movement, judged, reserved)
    quantity = sum(p.quantity for p, _, _ in judged)
    history.record_ranges(connection, transaction_id, moves)
    now = registry.now()
    first_transfer = any(subtype for _, _, subtype in moves)
    values: dict[str, Any] = {
        "status": TransactionStatus.COMPLETED.value,
        "checked_at": now,
        "finished_at": now,
        "first_transfer": first_transfer,
    }
    if approver is not None:
        values.update(approver=approver, proposed_at=now)
    history.update_transaction(connection, transaction_id, **values)
    _log_completed(
        connection, registry, actor, identifier, movement, quantity, moves, first_transfer
    )


def _log_completed(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    identifier: str,
    movement: Movement,
    quantity: int,
    moves: list[tuple[UnitBlock, UnitState | None, str | None]],
    first_transfer: bool,
) -> None:
    log(
        connection,
        registry,
        actor,
        "TransactionCompleted",
        movement.source.party_code,
        identifier,
        {
            "kind": movement.kind.value,
            "quantity": quantity,
            "source": movement.source.identifier,
            "destination": movement.destination.identifier,
            "first_transfer": first_transfer,
            # The purpose a cancellation named (e.g. CORSIA); why a first transfer was recorded.
            **({"purpose": movement.purpose_text} if movement.purpose_text else {}),
            **(
                {"reason": movement.first_transfer_reason} if movement.first_transfer_reason else {}
            ),
            "ranges": [
                [b.attributes.registry, b.first, b.last, b.state.value, s] for b, _, s in moves
            ],
        },
    )
