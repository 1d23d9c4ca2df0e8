"""Receiving units from another registry (RULES.md 8.4, 9.7): the acquiring registry's checks
of a proposal the hub forwarded, its answer, and the acquisition once the hub completes it.

The answer creates nothing: only the hub's COMPLETED (`settlement`) creates the blocks, keeping
their originating registry and serials, recorded as an `acquisition`.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from sqlalchemy import Connection

from article6.domain.accounts import Account, AccountKind, UnitState
from article6.domain.blocks import UnitBlock
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.messages import (
    Evaluation,
    ProposalOutcome,
    ProposalResponse,
    TransferProposal,
)
from article6.domain.protocol import HUB, TransferStatus
from article6.domain.transactions import TransactionKind, TransactionRecord, TransactionStatus
from article6.domain.wire_forms import authorization_of, authorized_transfer, domain_block
from article6.domain.wording import words
from article6.services import acceptance_holds, ports
from article6.services.context import Registry
from article6.services.external_transfer_status import (
    HUB_ACTOR,
    IN,
    locked_transfer,
    reason_of,
    this_registry,
)
from article6.services.journal import log
from article6.store import (
    acceptances,
    account_register,
    external_transfers,
    history,
    holdings,
    interop_ledger,
    placement,
    records,
    sections,
)
from article6.store.database import aware
from article6.store.external_transfers import ExternalTransfer


def check_incoming(
    connection: Connection, here: str, proposal: TransferProposal
) -> tuple[Account | None, list[Refusal]]:
    """The acquiring registry's own checks of a forwarded proposal."""
    problems: list[Refusal] = []

    def check(code: Check, field: str, detail: str) -> None:
        problems.append(Refusal(code, field, detail))

    if proposal.acquiring_registry != here:
        check(Check.C6006, "acquiring_registry", words("this is {here}", here=here))
    account = account_register.account(connection, proposal.acquiring_account)
    if account is None:
        check(
            Check.C4001,
            "acquiring_account",
            words(
                "{acquiring_account} does not exist", acquiring_account=proposal.acquiring_account
            ),
        )
    elif (
        account.kind != AccountKind.ITMO_HOLDING.value
        or account.party_code != proposal.acquiring_party
        or account.status != "open"
    ):
        check(
            Check.C4001,
            "acquiring_account",
            words(
                "{identifier} is not an open ITMO holding account of {acquiring_party}",
                identifier=account.identifier,
                acquiring_party=proposal.acquiring_party,
            ),
        )
    for block in proposal.blocks:
        where = f"blocks:{block.label}"
        if account is not None and account.cooperative_approach_key != block.cooperative_approach:
            check(
                Check.C2004,
                where,
                words(
                    "the account is not for {cooperative_approach}",
                    cooperative_approach=block.cooperative_approach,
                ),
            )
        approach = block.cooperative_approach
        members = records.participants(connection, approach)
        for party in (proposal.transferring_party, proposal.acquiring_party):
            row = sections.party(connection, party)
            if party not in members or row is None or row.participation_status != "active":
                check(
                    Check.C4004,
                    where,
                    words(
                        "{party} does not participate actively in {approach}",
                        party=party,
                        approach=approach,
                    ),
                )
        if sections.party(connection, block.first_transferring_party) is None:
            check(
                Check.C1001,
                where,
                words(
                    "{first_transferring_party} is not registered",
                    first_transferring_party=block.first_transferring_party,
                ),
            )
        if interop_ledger.range_present(
            connection, block.originating_registry, block.first, block.last
        ):
            check(Check.C2005, where, words("these units are already present in this registry"))
        try:
            authorized_transfer(proposal, block, Check.C3004)
        except CommandRefused as refused:
            problems.extend(refused.refusals)
        if block.unit_type == "A6.4ER" and not (
            block.authorization_id and (block.first_transferred or block.first_transfer_subtype)
        ):
            check(Check.C5003, where, words("A6.4ERs arrive authorized and first transferred"))
    return account, problems


def on_proposal(connection: Connection, registry: Registry, proposal: TransferProposal) -> None:
    """Answer a proposal the hub forwarded; a repeated one gets the same answer again."""
    now = registry.now()
    here = this_registry(connection)
    existing = locked_transfer(connection, proposal.transaction_id)
    if existing is not None and existing.status == TransferStatus.PROPOSED.value:
        return  # waiting for the acquiring Party's acceptance: answered when it answers
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
        ports.send_message(
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
    if not evaluation and hold_for_acceptance(connection, registry, proposal):
        return
    answer_proposal(connection, registry, proposal, evaluation)


AWAITING = "IncomingTransferAwaitingAcceptance"


def hold_for_acceptance(
    connection: Connection, registry: Registry, proposal: TransferProposal
) -> bool:
    """Record a checked proposal as waiting for the acquiring Party, unanswered, when its
    section asks for acceptance; False when it is answered at once as before."""
    days = acceptances.acceptance_days(connection, proposal.acquiring_party)
    if not days:
        return False
    now = registry.now()
    deadline = min(now + timedelta(days=days), aware(proposal.expires_at))
    # Past the proposal's own deadline only once the hub has taken the hold (1.2).
    held_until = acceptance_holds.wanted_until(proposal, now, days)
    if held_until is not None:
        acceptance_holds.ask(connection, proposal, held_until, now)
    external_transfers.insert_transfer(
        connection,
        ExternalTransfer(
            transaction_id=proposal.transaction_id,
            direction=IN,
            counterpart_registry=proposal.transferring_registry,
            local_account=proposal.acquiring_account,
            counterpart_account=proposal.transferring_account,
            quantity=proposal.quantity,
            status=TransferStatus.PROPOSED.value,
            expires_at=deadline,
            proposal=proposal.model_dump_json(),
            created_at=now,
            updated_at=now,
        ),
    )
    log(
        connection,
        registry,
        HUB_ACTOR,
        AWAITING,
        proposal.acquiring_party,
        proposal.transaction_id,
        {
            "transfer": proposal.transaction_id,
            "from_registry": proposal.transferring_registry,
            "source": f"{proposal.transferring_account} in {proposal.transferring_registry}",
            "destination": proposal.acquiring_account,
            "acquiring_party": proposal.acquiring_party,
            "quantity": proposal.quantity,
            "expires_at": deadline.isoformat(),
            "hold_asked_until": held_until.isoformat() if held_until else None,
            "ranges": [[b.originating_registry, b.first, b.last] for b in proposal.blocks],
        },
    )
    return True


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
    record = ExternalTransfer(
        transaction_id=proposal.transaction_id,
        direction=IN,
        counterpart_registry=proposal.transferring_registry,
        local_account=proposal.acquiring_account,
        counterpart_account=proposal.transferring_account,
        quantity=proposal.quantity,
        status=status.value,
        expires_at=proposal.expires_at,
        proposal=proposal.model_dump_json(),
        reason=reason_of(evaluation) or None,
        created_at=now,
        updated_at=now,
    )
    external_transfers.insert_transfer(connection, record)
    ports.send_message(
        connection,
        to=HUB,
        body=ProposalResponse(
            transaction_id=proposal.transaction_id,
            outcome=ProposalOutcome.REJECTED if evaluation else ProposalOutcome.ACCEPTED,
            evaluation=evaluation,
        ),
        now=now,
    )


def acquire(connection: Connection, registry: Registry, row: ExternalTransfer) -> str:
    """Record the arrival: the blocks, keeping the originating registry and serials."""
    now = registry.now()
    proposal = TransferProposal.model_validate_json(row.proposal)
    account = account_register.account(connection, proposal.acquiring_account)
    if account is None:
        raise LookupError(f"{proposal.acquiring_account} vanished")
    for record in proposal.authorizations:
        if (
            records.authorization(connection, record.party, record.authorization_id, record.version)
            is None
        ):
            records.insert_authorization(
                connection, authorization_of(record), now, f"{row.counterpart_registry} (copy)"
            )
    holdings.lock_holdings(connection, [account.id])
    number = sections.next_transaction_number(connection, account.party_code, now)
    section = sections.section(connection, account.party_code)
    identifier = f"{section.registry_id if section else account.party_code}-{number:08d}"
    transaction_id = history.insert_record(
        connection,
        TransactionRecord(
            identifier=identifier,
            party_code=account.party_code,
            kind=TransactionKind.ACQUISITION.value,
            status=TransactionStatus.COMPLETED.value,
            destination_account_id=account.id,
            acquiring_party=account.party_code,
            transferring_party=proposal.transferring_party,
            quantity=proposal.quantity,
            counterpart=f"{proposal.transaction_id} from {proposal.transferring_account} in "
            f"{proposal.transferring_registry}",
            first_transfer=False,
            initiator=HUB_ACTOR.label,
            initiator_user=None,
            created_at=now,
            proposed_at=now,
            checked_at=now,
            finished_at=now,
        ),
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
