"""Sending units to another registry (RULES.md 8.4, 9.7): the request, its approval where the
Party requires one, and the proposal written to the outbox.

The units are reserved by an `external_transfer` transaction. When the Party's approval is not
needed the proposal leaves at once, in the same database transaction; otherwise it leaves when
a second person approves, and rejection, withdrawal or expiry release the units (the approval
steps of `services.approvals`). The hub's final status then completes or releases the transfer
(`settlement.on_status`).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from pydantic import Field
from sqlalchemy import Connection

from article6.domain.access import Actor, Permission
from article6.domain.accounts import Account, holding_entity
from article6.domain.authorizations import Authorization
from article6.domain.blocks import Portion, UnitBlock
from article6.domain.checks import Check, refuse
from article6.domain.first_transfer import Action, Verdict
from article6.domain.messages import AuthorizationRecord, TransferProposal
from article6.domain.messages import UnitBlock as BlockMessage
from article6.domain.protocol import HUB, TRANSFER_TIMEOUT, TransferStatus, registry_code
from article6.domain.transactions import (
    StoredTransaction,
    TransactionChange,
    TransactionKind,
    TransactionRecord,
    TransactionStatus,
    advance,
)
from article6.domain.wire_forms import authorization_record, block_message
from article6.services import ports
from article6.services.access import allow
from article6.services.block_choice import choose
from article6.services.commands import Command, PartyCode, UnitSelection
from article6.services.context import Registry, execute
from article6.services.external_transfer_status import OUT, this_registry
from article6.services.journal import log
from article6.services.movement_checks import check_parties, judge_all, needs_approval
from article6.services.movement_requests import Movement, require_leaving_holding, require_open
from article6.services.movement_requests import account_named as _account_named
from article6.services.views import Receipt, transaction_receipt
from article6.store import (
    external_transfers,
    history,
    holdings,
    placement,
    registry_directory,
    sections,
)
from article6.store import reconciliation as reconciliation_holds
from article6.store.database import unit_of_work
from article6.store.external_transfers import ExternalRequest, ExternalTransfer


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


def propose_external_transfer(
    registry: Registry,
    actor: Actor,
    command: ProposeExternalTransfer,
    idempotency_key: str | None = None,
) -> Receipt:
    """Reserve the units and send the proposal to the hub, or, for an authorized entity and under
    a four-eyes policy for external transfers, keep them reserved until a second person of the
    Party approves (`approve_external_transfer`): only then does the proposal leave."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        registry_code(command.acquiring_registry, "acquiring_registry")
        source = _account_named(connection, command.source_account, "source_account")
        require_leaving_holding(source, "source_account")
        if command.acquiring_party == source.party_code:
            raise refuse(
                Check.C4001,
                "acquiring_party",
                "a transfer between registries goes to another Party",
            )
        holder = holding_entity(str(source.holder))
        allow(actor, Permission.MOVE_UNITS, source.party_code, holder)
        if command.acquiring_registry in (this_registry(connection), HUB):
            raise refuse(
                Check.C4005,
                "acquiring_registry",
                "a transfer between registries goes to another registry",
            )
        require_open(source, "source_account")
        movement = _outgoing_movement(source, command.units, command.acquiring_party)
        check_parties(connection, movement)
        holdings.lock_holdings(connection, [source.id])
        judged = judge_all(connection, movement, choose(connection, movement))
        now = registry.now()
        pending = needs_approval(connection, actor, movement, TransactionKind.EXTERNAL_TRANSFER)
        number, section = sections.take_transaction_number(connection, source.party_code, now)
        identifier = f"{section.registry_id}-{number:08d}"
        quantity = sum(p.quantity for p, _, _ in judged)
        status = TransactionStatus.AWAITING_APPROVAL if pending else TransactionStatus.PROPOSED
        wait = timedelta(days=section.pending_days) if pending else TRANSFER_TIMEOUT
        transaction_id = history.insert_record(
            connection,
            TransactionRecord(
                identifier=identifier,
                party_code=source.party_code,
                kind=TransactionKind.EXTERNAL_TRANSFER.value,
                status=status.value,
                source_account_id=source.id,
                acquiring_party=command.acquiring_party,
                quantity=quantity,
                counterpart=f"{command.acquiring_account} in {command.acquiring_registry}",
                first_transfer=False,
                initiator=actor.label,
                initiator_user=actor.name,
                created_at=now,
                proposed_at=None if pending else now,
                expires_at=now + wait,
            ),
        )
        reserved = []
        for portion, verdict, authorization in judged:
            block = replace(placement.carve(connection, portion), reserved_by=transaction_id)
            placement.rewrite(connection, block)
            reserved.append((block, verdict, authorization))
        holdings.change_holding(connection, source.id, reserved=quantity)
        if pending:
            request = ExternalRequest(
                transaction_id, command.acquiring_registry, command.acquiring_account
            )
            external_transfers.insert_request(connection, request)
            log(
                connection,
                registry,
                actor,
                "TransactionAwaitingApproval",
                source.party_code,
                identifier,
                {
                    "kind": TransactionKind.EXTERNAL_TRANSFER.value,
                    "quantity": quantity,
                    "source": source.identifier,
                    "acquiring_registry": command.acquiring_registry,
                    "acquiring_account": command.acquiring_account,
                    # What it reserved, so that replaying the history can rebuild it.
                    "ranges": [[b.attributes.registry, b.first, b.last] for b, _, _ in reserved],
                },
            )
        else:
            _send(
                connection,
                registry,
                actor,
                Destination(
                    command.acquiring_registry, command.acquiring_account, command.acquiring_party
                ),
                identifier,
                source,
                reserved,
                now + TRANSFER_TIMEOUT,
            )
        return transaction_receipt(connection, "ProposeExternalTransfer", identifier)

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def approve_external_transfer(
    connection: Connection, registry: Registry, actor: Actor, transaction: StoredTransaction
) -> None:
    """A second person of the Party approves an external transfer awaiting approval: every check
    runs again on the reserved units, then the proposal leaves for the hub."""
    request = external_transfers.request(connection, transaction.id)
    source = history.accounts_by_id(connection, [transaction.source])[transaction.source]
    acquiring_party = transaction.acquiring_party
    if acquiring_party is None:
        raise LookupError(f"{transaction.identifier} names no acquiring Party")
    require_open(source, "source_account")
    movement = _outgoing_movement(
        source, UnitSelection(quantity=transaction.quantity), acquiring_party
    )
    check_parties(connection, movement)
    holdings.lock_holdings(connection, [source.id])
    now = registry.now()
    reconciliation_holds.refuse_if_held(connection, transaction.party_code, now)
    blocks = placement.reserved_blocks(connection, transaction.id)
    judged = judge_all(connection, movement, [Portion(b, b.first, b.last) for b in blocks])
    advance(TransactionStatus.AWAITING_APPROVAL, TransactionStatus.PROPOSED, "transaction")
    expires_at = now + TRANSFER_TIMEOUT
    history.change_transaction(
        connection,
        transaction.id,
        TransactionChange(
            status=TransactionStatus.PROPOSED.value,
            approver=actor.label,
            proposed_at=now,
            expires_at=expires_at,
        ),
    )
    _send(
        connection,
        registry,
        actor,
        Destination(request.acquiring_registry, request.acquiring_account, acquiring_party),
        transaction.identifier,
        source,
        [(portion.block, verdict, authorization) for portion, verdict, authorization in judged],
        expires_at,
    )


@dataclass(frozen=True)
class Destination:
    registry: str
    account: str
    party: str


def _outgoing_movement(source: Account, units: UnitSelection, acquiring_party: str) -> Movement:
    return Movement(
        Action.INTERNATIONAL_TRANSFER, source, source, units, acquiring_party=acquiring_party
    )


def _send(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    destination: Destination,
    identifier: str,
    source: Account,
    reserved: list[tuple[UnitBlock, Verdict, Authorization | None]],
    expires_at: datetime,
) -> None:
    """Write the proposal of a checked, reserved external transfer to the outbox, with its
    record in `external_transfers`, in the command's own database transaction."""
    now = registry.now()
    here = this_registry(connection)
    blocks: list[BlockMessage] = []
    authorizations: dict[tuple[str, str, int], AuthorizationRecord] = {}
    for block, verdict, authorization in reserved:
        if authorization is not None:
            if verdict.first_transfer is not None:
                block = replace(
                    block,
                    attributes=replace(
                        block.attributes,
                        authorization_id=authorization.authorization_id,
                        authorization_version=authorization.version,
                    ),
                )
            key = (authorization.party, authorization.authorization_id, authorization.version)
            authorizations[key] = authorization_record(authorization)
        subtype = verdict.first_transfer.value if verdict.first_transfer else None
        blocks.append(block_message(block, subtype))
    quantity = sum(block.quantity for block, _, _ in reserved)
    proposal = TransferProposal(
        transaction_id=identifier,
        transferring_registry=here,
        acquiring_registry=destination.registry,
        transferring_party=source.party_code,
        acquiring_party=destination.party,
        transferring_account=source.identifier,
        acquiring_account=destination.account,
        quantity=quantity,
        expires_at=expires_at,
        blocks=blocks,
        authorizations=list(authorizations.values()),
    )
    record = ExternalTransfer(
        transaction_id=identifier,
        direction=OUT,
        counterpart_registry=destination.registry,
        local_account=source.identifier,
        counterpart_account=destination.account,
        quantity=quantity,
        status=TransferStatus.PROPOSED.value,
        expires_at=expires_at,
        proposal=proposal.model_dump_json(),
        local_transaction=identifier,
        created_at=now,
        updated_at=now,
    )
    external_transfers.insert_transfer(connection, record)
    ports.send_message(connection, to=HUB, body=proposal, now=now, expires_at=expires_at)
    log(
        connection,
        registry,
        actor,
        "ExternalTransferProposed",
        source.party_code,
        identifier,
        {
            "quantity": quantity,
            "source": source.identifier,
            "acquiring_registry": destination.registry,
            "acquiring_account": destination.account,
            "ranges": [[b.originating_registry, b.first, b.last] for b in blocks],
        },
    )
