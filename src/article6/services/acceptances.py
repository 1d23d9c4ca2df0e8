"""The acquiring Party's acceptance of transfers into its accounts (issue #18).

A Party may have incoming transfers wait for its acceptance (`set_acceptance`). Such a transfer,
once checked (and approved, where the transferring Party requires it), keeps its units reserved
in the transferring account (`awaiting_acceptance`): neither Party can use or move them. The
acquiring Party accepts it (every movement check runs again, then the units move as any
transfer completes) or refuses it with a reason; past the deadline the sweep returns it. A
refusal or return gives the reserved units back (`services.releases`) and reports nothing in
either Party's AEF: no units moved.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from pydantic import BaseModel
from sqlalchemy import Connection

from article6.domain.acceptance import (
    ANSWER_RULES,
    RETURN_RULES,
    Answer,
    Rule,
    setting_refusal,
)
from article6.domain.access import Actor, Permission, Role
from article6.domain.blocks import Portion
from article6.domain.checks import Check, CommandRefused, refuse
from article6.domain.messages import TransferProposal
from article6.domain.movements import APPROVAL_RULES
from article6.domain.transactions import (
    StoredTransaction,
    TransactionKind,
    TransactionStatus,
    advance,
)
from article6.domain.wording import Sentence, words
from article6.services import commands as c
from article6.services import incoming_acceptance
from article6.services.access import allow, section_of
from article6.services.approvals import movement_of
from article6.services.context import Registry, execute
from article6.services.journal import log
from article6.services.movement_checks import load_movement
from article6.services.movement_plan import apply_movement, decide_completion
from article6.services.pipeline import JournalEntry, check
from article6.services.releases import Handler, apply_release, decide_release, load_release
from article6.services.views import Receipt, transaction_receipt
from article6.store import acceptances, account_register, history, placement
from article6.store.database import aware, unit_of_work
from article6.store.external_transfers import ExternalTransfer

ACCEPTED = "TransferAccepted"
REFUSED = "TransferRefused"
RETURNED = "TransferReturned"


def set_acceptance(
    registry: Registry,
    actor: Actor,
    command: c.SetAcceptance,
    idempotency_key: str | None = None,
) -> Receipt:
    """The Party chooses: incoming transfers accepted at once, or waiting for its acceptance."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        section = section_of(connection, actor)
        allow(actor, Permission.ADMINISTER, section.party_code)
        refusal = setting_refusal(command.acceptance_days)
        if refusal is not None:
            raise CommandRefused([refusal])
        acceptances.set_acceptance_days(connection, section.party_code, command.acceptance_days)
        log(
            connection,
            registry,
            actor,
            "AcceptanceSet",
            section.party_code,
            section.party_code,
            command.model_dump(mode="json"),
        )
        days = command.acceptance_days
        return Receipt(
            command="SetAcceptance",
            record=section.party_code,
            status=f"waits {days} days" if days else "automatic",
        )

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def _answer(
    connection: Connection, registry: Registry, actor: Actor, row: StoredTransaction
) -> Answer:
    destination = (
        account_register.account_by_id(connection, row.destination_account_id)
        if row.destination_account_id is not None
        else None
    )
    if destination is None or row.kind != TransactionKind.INTERNATIONAL_TRANSFER.value:
        raise refuse(
            Check.C2013,
            "transaction",
            words("{identifier} is not a transfer to another Party", identifier=row.identifier),
        )
    return Answer(
        actor=actor,
        identifier=row.identifier,
        status=TransactionStatus(row.status),
        expires_at=aware(row.expires_at) if row.expires_at is not None else None,
        acquiring_party=destination.party_code,
        transferring_party=row.party_code,
        now=registry.now(),
    )


def accept_transfer(
    registry: Registry,
    actor: Actor,
    command: c.AcceptTransfer,
    idempotency_key: str | None = None,
) -> Receipt:
    """The acquiring Party accepts: every movement check runs again on the reserved units,
    then they move into its account and the transfer completes."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        allow(actor, Permission.APPROVE, actor.party)  # C4002, C4006: who answers at all
        row = history.transaction(connection, command.transaction, lock=True)
        if row is None:
            incoming = _from_another_registry(connection, command.transaction)
            incoming_acceptance.accept(connection, registry, actor, incoming, ANSWER_RULES)
            return _incoming_receipt("AcceptTransfer", incoming, "accepted")
        answer = check(_answer(connection, registry, actor, row), ANSWER_RULES)
        movement = movement_of(connection, row)
        context = load_movement(
            connection,
            movement,
            lambda: answer.now,
            reserved=lambda locked: [
                Portion(b, b.first, b.last) for b in placement.reserved_blocks(locked, row.id)
            ],
            with_hold=True,
        )
        check(context, APPROVAL_RULES)
        advance(answer.status, TransactionStatus.COMPLETED, "transaction")
        plan = decide_completion(context, movement, actor, row.id, row.identifier)
        if plan.completion is not None:
            # Who approved it for the transferring Party stays on the row; the journal names
            # who accepted it.
            plan = replace(plan, completion=replace(plan.completion, approver=None))
        apply_movement(connection, registry, actor, plan)
        JournalEntry(
            ACCEPTED,
            row.party_code,
            row.identifier,
            {
                "acquiring_party": answer.acquiring_party,
                "quantity": row.quantity,
                "accepted_by": actor.label,
            },
        ).append(connection, registry, actor)
        return transaction_receipt(connection, "AcceptTransfer", row.identifier)

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def _from_another_registry(connection: Connection, identifier: str) -> ExternalTransfer:
    incoming = incoming_acceptance.waiting_incoming(connection, identifier)
    if incoming is None:
        raise refuse(
            Check.C1012,
            "transaction",
            words("{identifier} is not a transaction", identifier=identifier),
        )
    return incoming


def _incoming_receipt(command: str, incoming: ExternalTransfer, status: str) -> Receipt:
    """A transfer from another registry has no transaction here until the hub completes it."""
    return Receipt(command=command, record=incoming.transaction_id, status=status)


def _giving_back(
    identifier: str,
    rules: tuple[Rule, ...],
    status: TransactionStatus,
    reason: str,
    event: str,
    command: str,
) -> Handler:
    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        if rules is ANSWER_RULES:
            allow(actor, Permission.APPROVE, actor.party)  # C4002, C4006: who answers at all
        if history.transaction(connection, identifier) is None:
            incoming = _from_another_registry(connection, identifier)
            incoming_acceptance.give_back(
                connection, registry, actor, incoming, rules, reason, event
            )
            return _incoming_receipt(command, incoming, "rejected")
        waiting = load_release(connection, registry, actor, identifier)
        answer = check(_answer(connection, registry, actor, waiting.transaction), rules)
        plan = decide_release(waiting, status, reason, event)
        body = {**plan.entry.body, "acquiring_party": answer.acquiring_party}
        plan = replace(plan, entry=replace(plan.entry, body=body))
        apply_release(connection, registry, actor, plan)
        return transaction_receipt(connection, command, waiting.transaction.identifier)

    return handle


def refuse_transfer(
    registry: Registry,
    actor: Actor,
    command: c.RefuseTransfer,
    idempotency_key: str | None = None,
) -> Receipt:
    """The acquiring Party refuses, with its reason; the units go back to the transferring
    account."""
    handle = _giving_back(
        command.transaction,
        ANSWER_RULES,
        TransactionStatus.REJECTED,
        command.reason,
        REFUSED,
        "RefuseTransfer",
    )
    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def return_transfer(
    registry: Registry,
    actor: Actor,
    command: c.ReturnTransfer,
    idempotency_key: str | None = None,
) -> Receipt:
    """Return one transfer not accepted by its deadline to the transferring account."""
    handle = _giving_back(
        command.transaction,
        RETURN_RULES,
        TransactionStatus.CANCELLED,
        words("not accepted by the acquiring Party before its deadline; returned"),
        RETURNED,
        "ReturnTransfer",
    )
    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def return_overdue(registry: Registry, actor: Actor) -> list[str]:
    """The sweep: return every transfer still waiting for acceptance past its deadline, each as
    its own command; one answered since it was listed is refused by the return's checks and
    left as it is."""
    with unit_of_work(registry.engine, read_only=True) as connection:
        candidates = acceptances.overdue(connection, registry.now())
        candidates += acceptances.overdue_from_registries(connection, registry.now())
    returned: list[str] = []
    for identifier in candidates:
        try:
            return_transfer(registry, actor, c.ReturnTransfer(transaction=identifier))
        except CommandRefused:
            continue
        returned.append(identifier)
    return returned


class IncomingTransferView(BaseModel):
    """A transfer waiting for the Party's acceptance, as its administrators answer it."""

    identifier: str
    transferring_party: str
    source_account: str
    destination_account: str
    quantity: int
    initiator: Sentence
    created_at: datetime
    expires_at: datetime | None


def incoming_transfers(registry: Registry, actor: Actor, party: str) -> list[IncomingTransferView]:
    """The transfers into `party`'s accounts waiting for its acceptance, oldest first: the
    Party's own business (an entity's representative reads none)."""
    allow(actor, Permission.READ, party)
    if actor.role is Role.ENTITY:
        raise refuse(Check.C4002, "actor", words("the Party's incoming transfers are the Party's"))
    with unit_of_work(registry.engine, read_only=True) as connection:
        waiting = acceptances.incoming(connection, party)
        from_registries = acceptances.incoming_from_registries(connection, party)
    return [
        IncomingTransferView(
            identifier=w.transaction.identifier,
            transferring_party=w.transaction.party_code,
            source_account=w.source_account,
            destination_account=w.destination_account,
            quantity=w.transaction.quantity,
            initiator=w.transaction.initiator,
            created_at=aware(w.transaction.created_at),
            expires_at=aware(w.transaction.expires_at) if w.transaction.expires_at else None,
        )
        for w in waiting
    ] + [
        IncomingTransferView(
            identifier=row.transaction_id,
            transferring_party=TransferProposal.model_validate_json(
                row.proposal
            ).transferring_party,
            source_account=f"{row.counterpart_account} in {row.counterpart_registry}",
            destination_account=row.local_account,
            quantity=row.quantity,
            initiator=words("the registry {registry}", registry=row.counterpart_registry),
            created_at=aware(row.created_at),
            expires_at=aware(row.expires_at),
        )
        for row in from_registries
    ]


def acceptance_setting(registry: Registry, actor: Actor, party: str) -> int | None:
    """How long `party`'s incoming transfers wait for its acceptance; None: automatic."""
    allow(actor, Permission.READ, party)
    with unit_of_work(registry.engine, read_only=True) as connection:
        return acceptances.acceptance_days(connection, party)
