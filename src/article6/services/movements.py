"""The engine every unit-moving command shares: select the blocks, ask the domain what the
action does to each, then either complete at once or reserve the blocks for approval.

After the checks pass nothing can fail: the writes follow a plan the checks already approved.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, func, select

from article6.domain.access import Actor, Permission, Role
from article6.domain.accounts import AccountKind, AccountStatus, CancellationPurpose, UnitState
from article6.domain.authorizations import Authorization
from article6.domain.blocks import Portion, UnitBlock, piece, select_quantity, select_ranges
from article6.domain.checks import Check, CommandRefused, Refusal, refuse
from article6.domain.first_transfer import Action, Verdict, judge
from article6.domain.transactions import TransactionKind, TransactionStatus
from article6.services.commands import UnitSelection
from article6.services.context import Registry
from article6.services.setup import allow, log
from article6.services.views import Receipt, TransactionView, moved_range
from article6.store import block_selection, history, holdings, placement, records
from article6.store.schema import approval_policies, parties, unit_blocks

CANCELLATION_ACTIONS = {
    CancellationPurpose.IMP: Action.CANCELLATION_IMP,
    CancellationPurpose.OP: Action.CANCELLATION_OP,
    CancellationPurpose.OMGE: Action.CANCELLATION_OMGE,
    CancellationPurpose.VOLUNTARY: Action.CANCELLATION_VOLUNTARY,
}
KIND_OF_ACTION = {
    Action.AUTHORIZATION: TransactionKind.AUTHORIZATION,
    Action.INTERNAL_TRANSFER: TransactionKind.INTERNAL_TRANSFER,
    Action.INTERNATIONAL_TRANSFER: TransactionKind.INTERNATIONAL_TRANSFER,
    Action.USE: TransactionKind.USE,
    Action.FIRST_TRANSFER_RECORD: TransactionKind.FIRST_TRANSFER_RECORD,
    **{action: TransactionKind.CANCELLATION for action in CANCELLATION_ACTIONS.values()},
}


@dataclass(frozen=True)
class Movement:
    """One requested movement of units, with its accounts resolved."""

    action: Action
    source: Row[Any]
    destination: Row[Any]
    selection: UnitSelection
    acquiring_party: str | None = None
    cancellation_purpose: CancellationPurpose | None = None
    purpose_text: str | None = None
    ndc_year: int | None = None
    authorization: Authorization | None = None

    @property
    def kind(self) -> TransactionKind:
        return KIND_OF_ACTION[self.action]

    @property
    def source_entity(self) -> str | None:
        return None if self.source.holder == "PARTY" else str(self.source.holder)


def account_named(connection: Connection, identifier: str, field: str) -> Row[Any]:
    row = records.account(connection, identifier)
    if row is None:
        raise refuse(Check.C4001, field, f"{identifier} is not an account of this registry")
    return row


def accounts_named(
    connection: Connection, source: str, destination: str
) -> tuple[Row[Any], Row[Any]]:
    """The source and destination accounts, read together; refused as `account_named` would."""
    found = records.accounts_named(connection, [source, destination])
    for identifier, field in ((source, "source_account"), (destination, "destination_account")):
        if identifier not in found:
            raise refuse(Check.C4001, field, f"{identifier} is not an account of this registry")
    return found[source], found[destination]


def require_open(account: Row[Any], field: str) -> None:
    if account.status != AccountStatus.OPEN.value:
        raise refuse(Check.C4001, field, f"account {account.identifier} is {account.status}")


def require_kind(account: Row[Any], kinds: tuple[AccountKind, ...], field: str) -> None:
    if AccountKind(account.kind).terminal:
        raise refuse(
            Check.C5002,
            field,
            f"{account.identifier} is a use or cancellation account; nothing leaves it",
        )
    if AccountKind(account.kind) not in kinds:
        allowed = ", ".join(k.label for k in kinds)
        raise refuse(
            Check.C4001,
            field,
            f"{account.identifier} is a {AccountKind(account.kind).label} account; "
            f"this action needs {allowed}",
        )


def require_leaving_holding(account: Row[Any], field: str) -> None:
    """The source of a transfer to another Party: a holding account whose units are authorized
    (C3001: MOs not yet authorized cannot leave the ARS)."""
    require_kind(
        account,
        (AccountKind.MO_HOLDING, AccountKind.AMO_HOLDING, AccountKind.ITMO_HOLDING),
        field,
    )
    if account.kind == AccountKind.MO_HOLDING.value:
        raise refuse(
            Check.C3001, field, "unauthorized MOs cannot leave the ARS; link an authorization first"
        )


def party_account(
    connection: Connection,
    party: str,
    kind: AccountKind,
    cooperative_approach: str | None,
    holder: str,
    field: str,
) -> Row[Any]:
    row = records.find_account(connection, party, kind, cooperative_approach, holder)
    if row is None:
        raise refuse(
            Check.C4001, field, f"{party} has no {kind.label} account for {cooperative_approach}"
        )
    return row


def _filters(movement: Movement) -> dict[str, Any]:
    selection = movement.selection
    approach = movement.source.cooperative_approach_key or (
        movement.authorization.cooperative_approach if movement.authorization else None
    )
    return {
        "cooperative_approach_id": approach or None,
        "vintage": selection.vintage,
        "authorization_id": selection.authorization_id,
    }


def choose(connection: Connection, movement: Movement) -> list[Portion]:
    """Pick the portions of blocks to move, by quantity or by explicit ranges."""
    selection = movement.selection
    source = movement.source
    if (selection.quantity is None) == (selection.ranges is None):
        raise refuse(Check.C1005, "units", "give either a quantity or serial ranges, not both")
    filters = _filters(movement)
    if selection.ranges is not None:
        ranges = [(r.registry, r.first, r.last) for r in selection.ranges]
        blocks = block_selection.blocks_covering(connection, source.id, ranges, filters)
        return select_ranges(blocks, ranges, "units.ranges")
    wanted = selection.quantity or 0
    candidates, sides = block_selection.candidates_for_quantity(
        connection, source.id, max(wanted, 1), filters, movement.destination.id
    )
    try:
        return select_quantity(candidates, wanted, "units.quantity", sides)
    except CommandRefused as refused:
        if refused.codes != [Check.C2001.code]:
            raise
        available = block_selection.account_total(connection, source.id, filters)
        if available >= wanted:  # the candidates were capped by the block limit
            raise refuse(
                Check.C2007,
                "units.quantity",
                "so many blocks would be needed that the transaction limit is passed; "
                "move fewer units at a time",
            ) from None
        reserved = _reserved_total(connection, source.id, filters)
        if available + reserved >= wanted:
            raise refuse(
                Check.C2002,
                "units.quantity",
                f"{reserved} of the units are reserved by pending transactions; "
                f"{available} are available",
            ) from None
        raise


def _reserved_total(connection: Connection, account_id: int, filters: dict[str, Any]) -> int:

    query = select(
        func.coalesce(func.sum(unit_blocks.c.serial_last - unit_blocks.c.serial_first + 1), 0)
    ).where(and_(unit_blocks.c.account_id == account_id, unit_blocks.c.reserved_by.is_not(None)))
    for column, value in filters.items():
        if value is not None:
            query = query.where(unit_blocks.c[column] == value)
    return int(connection.execute(query).scalar_one())


class Authorizations:
    """Authorization versions met while judging one command, loaded once each."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.cache: dict[tuple[str, str, int | None], Authorization | None] = {}

    def governing(self, block: UnitBlock) -> Authorization | None:
        """First-transferred units keep the version they were first transferred under; the rest
        follow the version in force."""
        attributes = block.attributes
        if attributes.authorization_id is None:
            return None
        version = attributes.authorization_version if block.first_transferred else None
        key = (attributes.first_transferring_party, attributes.authorization_id, version)
        if key not in self.cache:
            row = records.authorization_row(self.connection, key[0], key[1], version)
            self.cache[key] = records.to_authorization(row) if row is not None else None
        return self.cache[key]


class EntityApprovals:
    """The approvals, per cooperative approach, of the entities holding the two accounts of a
    movement: one query per approach met, however many blocks move."""

    def __init__(self, connection: Connection, movement: Movement) -> None:
        self.connection = connection
        self.entity_ids = [
            account.entity_id
            for account in (movement.source, movement.destination)
            if account.entity_id is not None
        ]
        self.cache: dict[str, dict[int, Row[Any]]] = {}

    def of(self, entity_id: int, approach: str) -> Row[Any] | None:
        if approach not in self.cache:
            self.cache[approach] = records.entity_authorizations_for(
                self.connection, self.entity_ids, approach
            )
        return self.cache[approach].get(entity_id)


def judge_all(
    connection: Connection, movement: Movement, portions: list[Portion]
) -> list[tuple[Portion, Verdict, Authorization | None]]:
    authorizations = Authorizations(connection)
    approvals = EntityApprovals(connection, movement)
    judged = []
    problems: list[Refusal] = []
    for portion in portions:
        block = portion.block
        authorization = (
            movement.authorization
            if movement.action is Action.AUTHORIZATION
            else authorizations.governing(block)
        )
        try:
            verdict = judge(movement.action, block, authorization, movement.acquiring_party)
            _entities_admitted(approvals, movement, block, authorization)
        except CommandRefused as refused:
            problems.extend(refused.refusals)
            continue
        judged.append((portion, verdict, authorization))
    if problems:
        raise CommandRefused(problems[:20])
    return judged


def _entities_admitted(
    approvals: EntityApprovals,
    movement: Movement,
    block: UnitBlock,
    authorization: Authorization | None,
) -> None:
    where = f"units:{block.attributes.registry}-{block.first}-{block.last}"
    for account in (movement.source, movement.destination):
        if account.entity_id is None:
            continue
        approval = approvals.of(account.entity_id, block.attributes.cooperative_approach)
        if approval is None or approval.status != "active":
            status = approval.status if approval is not None else "not authorized"
            raise refuse(
                Check.C3005,
                where,
                f"entity {account.holder} is {status} for {block.attributes.cooperative_approach}",
            )
        if authorization is not None and not authorization.admits_entity(account.holder):
            raise refuse(
                Check.C3005,
                where,
                f"authorization {authorization.authorization_id} "
                f"does not name entity {account.holder}",
            )


_FOUR_EYES = select(approval_policies.c.four_eyes).where(
    (approval_policies.c.party_code == bindparam("party"))
    & (approval_policies.c.kind == bindparam("kind"))
)


def needs_approval(
    connection: Connection, actor: Actor, movement: Movement, kind: TransactionKind | None = None
) -> bool:
    """An authorized entity's movement always waits for the Party; a Party user's waits when the
    section's policy asks four eyes for its kind of transaction (`kind`, when the transaction
    is recorded under another kind than the movement's, as an external transfer is)."""
    if actor.role is Role.ENTITY:
        return True
    policy = connection.execute(
        _FOUR_EYES, {"party": movement.source.party_code, "kind": (kind or movement.kind).value}
    ).scalar()
    return bool(policy)


def check_parties(connection: Connection, movement: Movement) -> None:
    """C4004 for international transfers: both Parties participate actively in the approach."""
    if movement.acquiring_party is None:
        return
    approach = movement.source.cooperative_approach_key
    members = records.participants(connection, approach)
    for party, field in (
        (movement.source.party_code, "source_account"),
        (movement.acquiring_party, "destination_account"),
    ):
        status = connection.execute(
            select(parties.c.participation_status).where(parties.c.code == party)
        ).scalar()
        if party not in members or status != "active":
            raise refuse(Check.C4004, field, f"{party} does not participate actively in {approach}")


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
    _check_authorized_quantity(connection, movement, portions)
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
        "ndc_year": movement.ndc_year,
        "using_entity_id": movement.source.entity_id if movement.action.cancels else None,
        "authorization_id": movement.authorization.authorization_id
        if movement.authorization
        else None,
        "first_transfer": False,
        "initiator": actor.label,
        "approver": None,
        "reason": None,
        "created_at": now,
        "proposed_at": None,
        "checked_at": None,
        "finished_at": None,
        "expires_at": None,
    }
    if pending:
        number, section = records.take_transaction_number(
            connection, movement.source.party_code, now
        )
        values["identifier"] = f"{section.registry_id}-{number:08d}"
        values["status"] = TransactionStatus.AWAITING_APPROVAL.value
        values["expires_at"] = now + timedelta(days=section.pending_days)
        transaction_id = history.insert_transaction(connection, **values)
        touched: set[int] = set()
        for portion in portions:
            moved = piece(portion.block, portion.first, portion.last)
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
            },
        )
        return _receipt(command, values, movement, [])
    moves = move_units(connection, movement, judged, reserved=False)
    finished = registry.now()
    # Numbering and the journal come last: on SQLite their rows are held until commit.
    number, section = records.take_transaction_number(connection, movement.source.party_code, now)
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


def check_destination(movement: Movement, judged: list[tuple[Portion, Verdict, Any]]) -> None:
    holds = AccountKind(movement.destination.kind).holds
    for portion, verdict, _ in judged:
        if verdict.state is not holds:
            raise refuse(
                Check.C4001,
                "destination_account",
                f"units {portion.block.attributes.registry}-{portion.first} become "
                f"{verdict.state}, which a {AccountKind(movement.destination.kind).label}"
                f" account cannot hold",
            )
        if (
            movement.destination.cooperative_approach_key
            and movement.destination.cooperative_approach_key
            != portion.block.attributes.cooperative_approach
        ):
            raise refuse(
                Check.C2004,
                "destination_account",
                f"the destination account is for "
                f"{movement.destination.cooperative_approach_key}, the units for "
                f"{portion.block.attributes.cooperative_approach}",
            )


def _check_authorized_quantity(
    connection: Connection, movement: Movement, portions: list[Portion]
) -> None:
    authorization = movement.authorization
    if (
        movement.action is not Action.AUTHORIZATION
        or authorization is None
        or authorization.authorized_quantity is None
    ):
        return
    records.lock_authorization(connection, authorization.party, authorization.authorization_id)
    linked = records.linked_quantity(
        connection, authorization.party, authorization.authorization_id
    )
    wanted = sum(p.quantity for p in portions)
    if linked + wanted > authorization.authorized_quantity:
        raise refuse(
            Check.C3007,
            "units",
            f"{linked} units are linked already; {wanted} more would pass the "
            f"authorized quantity of {authorization.authorized_quantity}",
        )


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
            # The purpose named (e.g. CORSIA) or the reason of a manual first-transfer record.
            **({"purpose": movement.purpose_text} if movement.purpose_text else {}),
            "ranges": [
                [b.attributes.registry, b.first, b.last, b.state.value, s] for b, _, s in moves
            ],
        },
    )
