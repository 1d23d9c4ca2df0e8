"""Transfers between registries, on the registry's side (RULES.md 8.4, 9.7).

Out: `outgoing` reserves the units by an `external_transfer` transaction and writes the proposal
to the outbox; here the hub's final status completes the transfer (the blocks leave this
registry, their moved ranges stay on record) or releases the units.

In: a forwarded proposal is checked and answered; only the hub's COMPLETED creates the blocks,
recorded as an `acquisition`, so a transfer is completed on both sides or on neither.
Conservation per registry: issued + acquired = held + used + cancelled + transferred out.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, select, update

from article6.domain.access import Actor, Role
from article6.domain.accounts import AccountKind, UnitState
from article6.domain.authorizations import Authorization
from article6.domain.blocks import UnitAttributes, UnitBlock
from article6.domain.checks import Check, CommandRefused, Refusal, refuse
from article6.domain.first_transfer import Action, judge
from article6.domain.nomenclature import (
    ActivityType,
    FirstTransferDefinition,
    Metric,
    MitigationType,
    Purpose,
    Sector,
)
from article6.domain.protocol import (
    HUB,
    MECHANISM_REGISTRY,
    QUERY_GRACE,
    TransferStatus,
)
from article6.domain.transactions import TransactionKind, TransactionStatus
from article6.interop import outbox
from article6.interop.messages import (
    AuthorizationRecord,
    Evaluation,
    ProposalOutcome,
    ProposalResponse,
    StatusNotification,
    TransactionStatusQuery,
    TransferProposal,
)
from article6.interop.messages import UnitBlock as BlockMessage
from article6.services.context import Registry
from article6.services.setup import log
from article6.store import history, holdings, placement, records
from article6.store.database import unit_of_work
from article6.store.interop_schema import (
    external_transfers,
    interop_identity,
)
from article6.store.schema import unit_blocks

HUB_ACTOR = Actor("interoperability hub", Role.SECRETARIAT)
OUT = "out"
IN = "in"


def this_registry(connection: Connection) -> str:
    code = connection.execute(select(interop_identity.c.registry_id)).scalar()
    if code is None:
        raise refuse(Check.C4005, "registry", "this registry has no interoperability identity")
    return str(code)


def unit_type(attributes: UnitAttributes) -> str:
    return "A6.4ER" if attributes.registry == MECHANISM_REGISTRY else "ITMO"


def block_message(block: UnitBlock, subtype: str | None) -> BlockMessage:
    a = block.attributes
    return BlockMessage(
        originating_registry=a.registry,
        first=block.first,
        last=block.last,
        unit_type=unit_type(a),  # type: ignore[arg-type]
        cooperative_approach=a.cooperative_approach,
        first_transferring_party=a.first_transferring_party,
        vintage=a.vintage,
        metric=a.metric.value,
        mitigation_type=a.mitigation_type.value,
        sector=a.sector,
        activity_type=a.activity_type,
        mitigation_activity=a.mitigation_activity,
        gwp_values=a.gwp_values,
        non_ghg_metric=a.non_ghg_metric,
        non_ghg_per_unit=a.non_ghg_per_unit,
        underlying_registry=a.underlying_registry,
        underlying_first=block.underlying_first,
        authorization_id=a.authorization_id,
        authorization_version=a.authorization_version,
        first_transferred=block.first_transferred,
        first_transfer_subtype=subtype,
    )


def authorization_record(a: Authorization) -> AuthorizationRecord:
    return AuthorizationRecord(
        party=a.party,
        authorization_id=a.authorization_id,
        version=a.version,
        date_of_authorization=a.date_of_authorization.isoformat(),
        cooperative_approach=a.cooperative_approach,
        metric=a.metric.value,
        sectors=[s.value for s in a.sectors],
        activity_types=[t.value for t in a.activity_types],
        purposes=a.purposes.value,
        authorized_quantity=a.authorized_quantity,
        gwp_values=a.gwp_values,
        non_ghg_metric=a.non_ghg_metric,
        authorized_parties=list(a.authorized_parties),
        authorized_entities=list(a.authorized_entities),
        oimp_authorized=a.oimp_authorized,
        timeframe_first=a.timeframe[0] if a.timeframe else None,
        timeframe_last=a.timeframe[1] if a.timeframe else None,
        first_transfer_definition=a.first_transfer_definition.value
        if a.first_transfer_definition
        else None,
        revoked=a.revoked,
    )


def authorization_of(record: AuthorizationRecord) -> Authorization:
    return Authorization(
        party=record.party,
        authorization_id=record.authorization_id,
        version=record.version,
        date_of_authorization=date.fromisoformat(record.date_of_authorization),
        cooperative_approach=record.cooperative_approach,
        metric=Metric(record.metric),
        sectors=tuple(Sector(s) for s in record.sectors),
        purposes=Purpose(record.purposes),
        activity_types=tuple(ActivityType(t) for t in record.activity_types),
        authorized_quantity=record.authorized_quantity,
        gwp_values=record.gwp_values,
        non_ghg_metric=record.non_ghg_metric,
        authorized_parties=tuple(record.authorized_parties),
        authorized_entities=tuple(record.authorized_entities),
        oimp_authorized=record.oimp_authorized,
        timeframe=(record.timeframe_first, record.timeframe_last)
        if record.timeframe_first is not None and record.timeframe_last is not None
        else None,
        first_transfer_definition=FirstTransferDefinition(record.first_transfer_definition)
        if record.first_transfer_definition
        else None,
        revoked=record.revoked,
    )


def domain_block(message: BlockMessage, account_id: int = 0) -> UnitBlock:
    """The block a message describes, as it stood before this transfer."""
    attributes = UnitAttributes(
        cooperative_approach=message.cooperative_approach,
        registry=message.originating_registry,
        first_transferring_party=message.first_transferring_party,
        vintage=message.vintage,
        metric=Metric(message.metric),
        mitigation_type=MitigationType(message.mitigation_type),
        sector=message.sector,
        activity_type=message.activity_type,
        mitigation_activity=message.mitigation_activity,
        gwp_values=message.gwp_values,
        non_ghg_metric=message.non_ghg_metric,
        non_ghg_per_unit=message.non_ghg_per_unit,
        underlying_registry=message.underlying_registry,
        authorization_id=message.authorization_id,
        authorization_version=message.authorization_version,
    )
    state = (
        UnitState.ITMO
        if message.first_transferred
        else (UnitState.AMO if message.authorization_id else UnitState.MO)
    )
    return UnitBlock(
        id=0,
        first=message.first,
        last=message.last,
        attributes=attributes,
        state=state,
        account_id=account_id,
        first_transferred=message.first_transferred,
        underlying_first=message.underlying_first,
    )


def find_authorization(
    proposal: TransferProposal, block: BlockMessage
) -> AuthorizationRecord | None:
    return next(
        (
            a
            for a in proposal.authorizations
            if a.party == block.first_transferring_party
            and a.authorization_id == block.authorization_id
            and a.version == block.authorization_version
        ),
        None,
    )


def authorized_transfer(proposal: TransferProposal, block: BlockMessage, code: Check) -> None:
    """The authorization carried with the block allows its transfer to the acquiring Party."""
    record = find_authorization(proposal, block)
    try:
        judge(
            Action.INTERNATIONAL_TRANSFER,
            domain_block(block),
            authorization_of(record) if record is not None else None,
            proposal.acquiring_party,
        )
    except CommandRefused as refused:
        raise refuse(code, f"blocks:{block.label}", refused.refusals[0].detail) from None


def _transfer(connection: Connection, transaction_id: str) -> Row[Any] | None:
    return connection.execute(
        select(external_transfers)
        .where(external_transfers.c.transaction_id == transaction_id)
        .with_for_update()
    ).first()


def _set_status(
    connection: Connection,
    transaction_id: str,
    status: TransferStatus,
    now: datetime,
    reason: str | None = None,
    local_transaction: str | None = None,
) -> None:
    values: dict[str, Any] = {"status": status.value, "updated_at": now}
    if reason is not None:
        values["reason"] = reason
    if local_transaction is not None:
        values["local_transaction"] = local_transaction
    connection.execute(
        update(external_transfers)
        .where(external_transfers.c.transaction_id == transaction_id)
        .values(**values)
    )


def _reason(evaluation: list[Evaluation]) -> str:
    return "; ".join(f"{e.code} {e.detail}" for e in evaluation)[:2000]


def on_status(connection: Connection, registry: Registry, notification: StatusNotification) -> None:
    """Apply the hub's word on a transfer; repeated, late or out-of-order news changes nothing."""
    row = _transfer(connection, notification.transaction_id)
    if row is None:
        return
    current = TransferStatus(row.status)
    target = notification.status
    if current.final or target in (TransferStatus.PROPOSED, current):
        return
    if row.direction == OUT:
        _outgoing(connection, registry, row, target, notification.evaluation)
    else:
        _incoming(connection, registry, row, target, notification.evaluation)


def _outgoing(
    connection: Connection,
    registry: Registry,
    row: Row[Any],
    target: TransferStatus,
    evaluation: list[Evaluation],
) -> None:
    now = registry.now()
    transaction = history.transaction(connection, row.transaction_id, lock=True)
    if transaction is None:
        return
    if target in (TransferStatus.CHECKED, TransferStatus.ACCEPTED):
        if row.status == TransferStatus.PROPOSED.value:
            history.update_transaction(
                connection, transaction.id, status=TransactionStatus.CHECKED.value, checked_at=now
            )
            _set_status(connection, row.transaction_id, TransferStatus.CHECKED, now)
        return
    outbox.abandon(
        connection, message_type="TransferProposal", body_contains=f'"{row.transaction_id}"'
    )
    if target is TransferStatus.COMPLETED:
        _complete_out(connection, registry, row, transaction)
        return
    reason = _reason(evaluation) or f"{target.value} by the hub"
    blocks = placement.reserved_blocks(connection, transaction.id)
    holdings.lock_holdings(connection, [transaction.source_account_id])
    for block in blocks:
        released = replace(block, reserved_by=None)
        placement.rewrite(connection, released)
        placement.coalesce(connection, released)
    holdings.change_holding(
        connection, transaction.source_account_id, reserved=-transaction.quantity
    )
    history.update_transaction(
        connection, transaction.id, status=target.value, reason=reason, finished_at=now
    )
    _set_status(connection, row.transaction_id, target, now, reason)
    log(
        connection,
        registry,
        HUB_ACTOR,
        "ExternalTransferEnded",
        transaction.party_code,
        row.transaction_id,
        {"status": target.value, "reason": reason, "released": transaction.quantity},
    )


def _complete_out(
    connection: Connection, registry: Registry, row: Row[Any], transaction: Row[Any]
) -> None:
    """The units leave: their blocks go, the moved ranges stay on record."""
    now = registry.now()
    proposal = TransferProposal.model_validate_json(row.proposal)
    sent = {(b.originating_registry, b.first): b for b in proposal.blocks}
    holdings.lock_holdings(connection, [transaction.source_account_id])
    blocks = placement.reserved_blocks(connection, transaction.id)
    moves: list[tuple[UnitBlock, UnitState | None, str | None]] = []
    for block in blocks:
        message = sent[(block.attributes.registry, block.first)]
        moved = replace(
            block,
            state=UnitState.ITMO,
            first_transferred=True,
            reserved_by=None,
            attributes=replace(
                block.attributes,
                authorization_id=message.authorization_id,
                authorization_version=message.authorization_version,
            ),
        )
        moves.append((moved, block.state, message.first_transfer_subtype))
    ids = [block.id for block in blocks]
    connection.execute(unit_blocks.delete().where(unit_blocks.c.id.in_(ids)))
    history.record_ranges(connection, transaction.id, moves)
    holdings.change_holding(
        connection,
        transaction.source_account_id,
        quantity=-transaction.quantity,
        reserved=-transaction.quantity,
    )
    first_transfer = any(subtype for _, _, subtype in moves)
    history.update_transaction(
        connection,
        transaction.id,
        status=TransactionStatus.COMPLETED.value,
        checked_at=transaction.checked_at or now,
        finished_at=now,
        first_transfer=first_transfer,
    )
    _set_status(connection, row.transaction_id, TransferStatus.COMPLETED, now)
    log(
        connection,
        registry,
        HUB_ACTOR,
        "ExternalTransferCompleted",
        transaction.party_code,
        row.transaction_id,
        {
            "quantity": transaction.quantity,
            "acquiring_registry": row.counterpart_registry,
            "acquiring_account": row.counterpart_account,
            "first_transfer": first_transfer,
            "ranges": [[b.attributes.registry, b.first, b.last, s] for b, _, s in moves],
        },
    )


# --- in -------------------------------------------------------------------------------------


def check_incoming(
    connection: Connection, here: str, proposal: TransferProposal
) -> tuple[Row[Any] | None, list[Refusal]]:
    """The acquiring registry's own checks of a forwarded proposal."""
    problems: list[Refusal] = []

    def check(code: Check, field: str, detail: str) -> None:
        problems.append(Refusal(code, field, detail))

    if proposal.acquiring_registry != here:
        check(Check.C6006, "acquiring_registry", f"this is {here}")
    account = records.account(connection, proposal.acquiring_account)
    if account is None:
        check(Check.C4001, "acquiring_account", f"{proposal.acquiring_account} does not exist")
    elif (
        account.kind != AccountKind.ITMO_HOLDING.value
        or account.party_code != proposal.acquiring_party
        or account.status != "open"
    ):
        check(
            Check.C4001,
            "acquiring_account",
            f"{account.identifier} is not an open ITMO holding account of "
            f"{proposal.acquiring_party}",
        )
    for block in proposal.blocks:
        where = f"blocks:{block.label}"
        if account is not None and account.cooperative_approach_key != block.cooperative_approach:
            check(Check.C2004, where, f"the account is not for {block.cooperative_approach}")
        approach = block.cooperative_approach
        members = records.participants(connection, approach)
        for party in (proposal.transferring_party, proposal.acquiring_party):
            row = records.party(connection, party)
            if party not in members or row is None or row.participation_status != "active":
                check(Check.C4004, where, f"{party} does not participate actively in {approach}")
        if records.party(connection, block.first_transferring_party) is None:
            check(Check.C1001, where, f"{block.first_transferring_party} is not registered")
        present = connection.execute(
            select(unit_blocks.c.id).where(
                and_(
                    unit_blocks.c.registry_id == block.originating_registry,
                    unit_blocks.c.serial_first <= block.last,
                    unit_blocks.c.serial_last >= block.first,
                )
            )
        ).first()
        if present is not None:
            check(Check.C2005, where, "these units are already present in this registry")
        try:
            authorized_transfer(proposal, block, Check.C3004)
        except CommandRefused as refused:
            problems.extend(refused.refusals)
        if block.unit_type == "A6.4ER" and not (
            block.authorization_id and (block.first_transferred or block.first_transfer_subtype)
        ):
            check(Check.C5003, where, "A6.4ERs arrive authorized and first transferred")
    return account, problems


def on_proposal(connection: Connection, registry: Registry, proposal: TransferProposal) -> None:
    """Answer a proposal the hub forwarded; a repeated one gets the same answer again."""
    now = registry.now()
    here = this_registry(connection)
    existing = _transfer(connection, proposal.transaction_id)
    if existing is not None:
        outcome = (
            ProposalOutcome.REJECTED
            if existing.status == TransferStatus.REJECTED.value
            else ProposalOutcome.ACCEPTED
        )
        evaluation = (
            [Evaluation(code="C6106", detail=existing.reason or "rejected")]
            if outcome is ProposalOutcome.REJECTED
            else []
        )
        outbox.enqueue(
            connection,
            to=HUB,
            body=ProposalResponse(
                transaction_id=proposal.transaction_id, outcome=outcome, evaluation=evaluation
            ),
            now=now,
        )
        return
    _account, problems = check_incoming(connection, here, proposal)
    evaluation = [
        Evaluation(
            code=p.check.code,
            detail=p.detail,
            blocks=[p.field.removeprefix("blocks:")] if p.field.startswith("blocks:") else [],
        )
        for p in problems
    ]
    answer_proposal(connection, registry, proposal, evaluation)


def answer_proposal(
    connection: Connection,
    registry: Registry,
    proposal: TransferProposal,
    evaluation: list[Evaluation],
) -> None:
    """Record an incoming proposal, accepted or (with an evaluation) rejected, and send the
    answer to the hub in the same database transaction."""
    now = registry.now()
    status = TransferStatus.REJECTED if evaluation else TransferStatus.ACCEPTED
    connection.execute(
        external_transfers.insert().values(
            transaction_id=proposal.transaction_id,
            direction=IN,
            counterpart_registry=proposal.transferring_registry,
            local_account=proposal.acquiring_account,
            counterpart_account=proposal.transferring_account,
            quantity=proposal.quantity,
            status=status.value,
            expires_at=proposal.expires_at,
            proposal=proposal.model_dump_json(),
            reason=_reason(evaluation) or None,
            created_at=now,
            updated_at=now,
        )
    )
    outbox.enqueue(
        connection,
        to=HUB,
        body=ProposalResponse(
            transaction_id=proposal.transaction_id,
            outcome=ProposalOutcome.REJECTED if evaluation else ProposalOutcome.ACCEPTED,
            evaluation=evaluation,
        ),
        now=now,
    )


def _incoming(
    connection: Connection,
    registry: Registry,
    row: Row[Any],
    target: TransferStatus,
    evaluation: list[Evaluation],
) -> None:
    now = registry.now()
    if target is TransferStatus.COMPLETED and row.status == TransferStatus.ACCEPTED.value:
        identifier = _acquire(connection, registry, row)
        _set_status(
            connection,
            row.transaction_id,
            TransferStatus.COMPLETED,
            now,
            local_transaction=identifier,
        )
    elif target.final and target is not TransferStatus.COMPLETED:
        _set_status(connection, row.transaction_id, target, now, _reason(evaluation) or None)


def _acquire(connection: Connection, registry: Registry, row: Row[Any]) -> str:
    """Record the arrival: the blocks, keeping the originating registry and serials."""
    now = registry.now()
    proposal = TransferProposal.model_validate_json(row.proposal)
    account = records.account(connection, proposal.acquiring_account)
    if account is None:
        raise LookupError(f"{proposal.acquiring_account} vanished")
    for record in proposal.authorizations:
        if (
            records.authorization_row(
                connection, record.party, record.authorization_id, record.version
            )
            is None
        ):
            records.insert_authorization(
                connection, authorization_of(record), now, f"{row.counterpart_registry} (copy)"
            )
    holdings.lock_holdings(connection, [account.id])
    number = records.next_transaction_number(connection, account.party_code, now)
    section = records.section(connection, account.party_code)
    identifier = f"{section.registry_id if section else account.party_code}-{number:08d}"
    transaction_id = history.insert_transaction(
        connection,
        identifier=identifier,
        party_code=account.party_code,
        kind=TransactionKind.ACQUISITION.value,
        status=TransactionStatus.COMPLETED.value,
        destination_account_id=account.id,
        acquiring_party=account.party_code,
        quantity=proposal.quantity,
        purpose=f"{proposal.transaction_id} from {proposal.transferring_account} in "
        f"{proposal.transferring_registry}",
        first_transfer=False,
        initiator=HUB_ACTOR.label,
        created_at=now,
        proposed_at=now,
        checked_at=now,
        finished_at=now,
    )
    moves: list[tuple[UnitBlock, UnitState | None, str | None]] = []
    for message in proposal.blocks:
        block = replace(
            domain_block(message, account.id), state=UnitState.ITMO, first_transferred=True
        )
        block = replace(block, id=placement.insert_block(connection, block))
        moves.append((block, None, None))
        placement.coalesce(connection, block)
    holdings.change_holding(connection, account.id, quantity=proposal.quantity)
    history.record_ranges(connection, transaction_id, moves)
    log(
        connection,
        registry,
        HUB_ACTOR,
        "UnitsAcquired",
        account.party_code,
        identifier,
        {
            "transfer": proposal.transaction_id,
            "from_registry": proposal.transferring_registry,
            "account": account.identifier,
            "quantity": proposal.quantity,
            "ranges": [[b.originating_registry, b.first, b.last] for b in proposal.blocks],
        },
    )
    return identifier


# --- timeouts -------------------------------------------------------------------------------


def ask_about_overdue(registry: Registry) -> list[str]:
    """For every transfer past its deadline without a final status, ask the hub (which cancels
    what it never completed); the units stay reserved until the hub's answer arrives."""
    now = registry.now()
    asked = []
    with unit_of_work(registry.engine) as connection:
        rows = connection.execute(
            select(external_transfers).where(
                external_transfers.c.status.in_([s.value for s in TransferStatus if not s.final])
            )
        ).all()
        for row in rows:
            deadline = _aware(row.expires_at) + QUERY_GRACE
            last = _aware(row.last_query_at) if row.last_query_at else None
            if deadline > now or (last is not None and last + QUERY_GRACE > now):
                continue
            if row.direction == OUT:
                outbox.abandon(
                    connection,
                    message_type="TransferProposal",
                    body_contains=f'"{row.transaction_id}"',
                )
            outbox.enqueue(
                connection,
                to=HUB,
                body=TransactionStatusQuery(transaction_id=row.transaction_id),
                now=now,
            )
            connection.execute(
                update(external_transfers)
                .where(external_transfers.c.transaction_id == row.transaction_id)
                .values(last_query_at=now)
            )
            asked.append(row.transaction_id)
    return asked


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def transfers(registry: Registry) -> dict[str, str]:
    """Every transfer with another registry and its status here (for tests and reports)."""
    with unit_of_work(registry.engine, read_only=True) as connection:
        return {
            row.transaction_id: row.status for row in connection.execute(select(external_transfers))
        }


__all__ = [
    "ask_about_overdue",
    "on_proposal",
    "on_status",
    "transfers",
]
