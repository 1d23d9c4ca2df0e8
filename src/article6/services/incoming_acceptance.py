"""Acceptance of transfers from another registry (issue #18), on the acquiring registry's side.

A proposal the hub forwards into the account of a Party that has incoming transfers wait is
checked as any other, then recorded here as `proposed` (to us, not yet answered) and not
answered: the transferring registry keeps the units reserved meanwhile, and nothing exists here
yet. The Party's acceptance sends the hub the protocol's ACCEPTED answer (the hub then completes
it and the acquisition is recorded as always); its refusal, or its deadline passing, sends
REJECTED with the check that says why (C2012, C2013), and the transferring registry gives the
units back. The wait ends at the proposal's own deadline at the latest: the hub times the
transfer out after it. No message is added to the protocol; a peer sees an ordinary answer.
"""

from __future__ import annotations

from sqlalchemy import Connection

from article6.domain.acceptance import Answer, Rule
from article6.domain.access import Actor
from article6.domain.checks import Check, CommandRefused, refuse
from article6.domain.messages import Evaluation, ProposalOutcome, ProposalResponse, TransferProposal
from article6.domain.protocol import HUB, TransferStatus
from article6.domain.transactions import TransactionStatus
from article6.domain.wording import words
from article6.services import ports
from article6.services.acquisitions import check_incoming
from article6.services.context import Registry
from article6.services.external_transfer_status import IN, set_status, this_registry
from article6.services.journal import log
from article6.services.pipeline import check
from article6.store import account_register, external_transfers
from article6.store.database import aware
from article6.store.external_transfers import ExternalTransfer


def waiting_incoming(connection: Connection, identifier: str) -> ExternalTransfer | None:
    """The transfer from another registry `identifier` names, locked, if it came in."""
    row = external_transfers.locked_transfer(connection, identifier)
    return row if row is not None and row.direction == IN else None


def answer_of(
    registry: Registry, actor: Actor, connection: Connection, row: ExternalTransfer
) -> Answer:
    """What the acceptance rules judge: `proposed` here is a transfer still waiting."""
    account = account_register.account(connection, row.local_account)
    if account is None:
        raise refuse(
            Check.C2013,
            "transaction",
            words("{transaction_id} names no account here", transaction_id=row.transaction_id),
        )
    waiting = row.status == TransferStatus.PROPOSED.value
    return Answer(
        actor=actor,
        identifier=row.transaction_id,
        status=TransactionStatus.AWAITING_ACCEPTANCE if waiting else _status_of(row.status),
        expires_at=aware(row.expires_at),
        acquiring_party=account.party_code,
        transferring_party=row.counterpart_registry,
        now=registry.now(),
    )


def _status_of(status: str) -> TransactionStatus:
    return {
        TransferStatus.ACCEPTED.value: TransactionStatus.CHECKED,
        TransferStatus.COMPLETED.value: TransactionStatus.COMPLETED,
        TransferStatus.REJECTED.value: TransactionStatus.REJECTED,
        TransferStatus.TERMINATED.value: TransactionStatus.TERMINATED,
    }.get(status, TransactionStatus.CANCELLED)


def accept(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    row: ExternalTransfer,
    rules: tuple[Rule, ...],
) -> None:
    """The Party accepts: the acquiring registry's checks run again, then ACCEPTED goes to the
    hub, which completes the transfer (`settlement` records the acquisition)."""
    answer = check(answer_of(registry, actor, connection, row), rules)
    proposal = TransferProposal.model_validate_json(row.proposal)
    _account, problems = check_incoming(connection, this_registry(connection), proposal)
    if problems:
        raise CommandRefused(problems)
    set_status(connection, row.transaction_id, TransferStatus.ACCEPTED, answer.now)
    _respond(connection, answer, ProposalOutcome.ACCEPTED, [])
    log(
        connection,
        registry,
        actor,
        "TransferAccepted",
        answer.acquiring_party,
        row.transaction_id,
        {
            "acquiring_party": answer.acquiring_party,
            "quantity": row.quantity,
            "accepted_by": actor.label,
            "from_registry": row.counterpart_registry,
        },
    )


def give_back(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    row: ExternalTransfer,
    rules: tuple[Rule, ...],
    reason: str,
    event: str,
) -> None:
    """Refused, or returned past its deadline: REJECTED goes to the hub with the check that
    says why; the transferring registry gives the reserved units back."""
    answer = check(answer_of(registry, actor, connection, row), rules)
    code = Check.C2012 if event == "TransferRefused" else Check.C2013
    detail = f"{answer.acquiring_party}: {reason}"[:2000]
    set_status(connection, row.transaction_id, TransferStatus.REJECTED, answer.now, detail)
    _respond(
        connection, answer, ProposalOutcome.REJECTED, [Evaluation(code=code.code, detail=detail)]
    )
    log(
        connection,
        registry,
        actor,
        event,
        answer.acquiring_party,
        row.transaction_id,
        {
            "status": TransferStatus.REJECTED.value,
            "reason": reason,
            "released": row.quantity,
            "acquiring_party": answer.acquiring_party,
            "from_registry": row.counterpart_registry,
        },
    )


def _respond(
    connection: Connection, answer: Answer, outcome: ProposalOutcome, evaluation: list[Evaluation]
) -> None:
    ports.send_message(
        connection,
        to=HUB,
        body=ProposalResponse(
            transaction_id=answer.identifier, outcome=outcome, evaluation=evaluation
        ),
        now=answer.now,
    )
