"""The hub's part in acceptance across registries (protocol 1.2): a transfer held for the
acquiring Party's acceptance beyond the proposal's 24 hours, and a transfer withdrawn by the
transferring registry before the acquiring one accepted it.

A hold comes only from the transfer's acquiring registry (C6115), ends later than the deadline
in force and at most the hub's bound after the proposal's own deadline (C6116); taken, it is
the transfer's deadline at the hub, journaled, and sent to both registries, so the transferring
one keeps its units reserved until then and the hub's sweep returns them after it. A
withdrawal comes only from the transferring registry, while the acquiring one has not accepted
(C6117); the hub, which decides every transfer's status, cancels it and tells both, so a
withdrawal and an acceptance racing each other end one way only: whichever the hub took first.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from sqlalchemy import Connection

from article6.domain.checks import Check, refuse
from article6.domain.messages import (
    AcceptanceHold,
    Evaluation,
    TransferProposal,
    TransferWithdrawal,
)
from article6.domain.protocol import TransferStatus
from article6.domain.wording import words
from article6.interop.forwarding import finish_transfer, notify
from article6.services import ports
from article6.store import hub_transfers, journal
from article6.store.database import aware

HELD = "TransferHeldForAcceptance"
WITHDRAWN = "TransferWithdrawn"


def on_hold(
    connection: Connection, sender: str, hold: AcceptanceHold, now: datetime, limit: timedelta
) -> None:
    """Take the acquiring registry's hold, or refuse it whole (C6115, C6116)."""
    row = hub_transfers.locked_transfer(connection, hold.transaction_id)
    if row is None or row.acquiring_registry != sender:
        raise refuse(
            Check.C6115,
            "transaction_id",
            words(
                "{transaction_id} is no transfer {sender} acquires",
                transaction_id=hold.transaction_id,
                sender=sender,
            ),
        )
    proposal = TransferProposal.model_validate_json(row.proposal)
    if hold.acquiring_party != proposal.acquiring_party:
        raise refuse(
            Check.C6115,
            "acquiring_party",
            words(
                "the transfer goes to {acquiring_party}", acquiring_party=proposal.acquiring_party
            ),
        )
    status = TransferStatus(row.status)
    if status is not TransferStatus.CHECKED:
        raise refuse(
            Check.C6115,
            "transaction_id",
            words(
                "{transaction_id} is {status}, not waiting for an answer",
                transaction_id=hold.transaction_id,
                status=status.value,
            ),
        )
    until = aware(hold.held_until)
    bound = aware(proposal.expires_at) + limit
    if until <= max(now, aware(row.expires_at)) or until > bound:
        raise refuse(
            Check.C6116,
            "held_until",
            words(
                "{held_until} is not after the deadline in force ({expires_at}) and by "
                "{bound} at the latest",
                held_until=until.isoformat(),
                expires_at=aware(row.expires_at).isoformat(),
                bound=bound.isoformat(),
            ),
        )
    hub_transfers.hold(connection, row.transaction_id, until)
    journal.append(
        connection,
        actor="hub",
        event=HELD,
        party=None,
        subject=row.transaction_id,
        body={
            "acquiring_registry": sender,
            "transferring_registry": row.transferring_registry,
            "acquiring_party": hold.acquiring_party,
            "held_until": until.isoformat(),
            "previous_deadline": aware(row.expires_at).isoformat(),
        },
        at=now,
    )
    taken = AcceptanceHold(
        transaction_id=row.transaction_id,
        acquiring_party=hold.acquiring_party,
        held_until=until,
    )
    for to in (row.transferring_registry, row.acquiring_registry):
        ports.send_message(connection, to=to, body=taken, now=now)


def on_withdrawal(
    connection: Connection, sender: str, withdrawal: TransferWithdrawal, now: datetime
) -> None:
    """Cancel a transfer its transferring registry withdraws, or refuse (C6117); one already
    final is answered with its status again."""
    row = hub_transfers.locked_transfer(connection, withdrawal.transaction_id)
    if row is None or row.transferring_registry != sender:
        raise refuse(
            Check.C6117,
            "transaction_id",
            words(
                "{transaction_id} is no transfer {sender} sends",
                transaction_id=withdrawal.transaction_id,
                sender=sender,
            ),
        )
    status = TransferStatus(row.status)
    if status.final:
        evaluation = [Evaluation(**e) for e in json.loads(row.evaluation)]
        notify(connection, sender, row.transaction_id, status, now, evaluation)
        return
    if status is not TransferStatus.CHECKED:
        raise refuse(
            Check.C6117,
            "transaction_id",
            words(
                "{transaction_id} was accepted by {acquiring_registry}; it is no longer withdrawn",
                transaction_id=row.transaction_id,
                acquiring_registry=row.acquiring_registry,
            ),
        )
    detail = f"withdrawn by {withdrawal.transferring_party}"
    detail = f"{detail}: {withdrawal.reason}"[:2000] if withdrawal.reason else detail
    journal.append(
        connection,
        actor="hub",
        event=WITHDRAWN,
        party=None,
        subject=row.transaction_id,
        body={"transferring_registry": sender, "reason": withdrawal.reason},
        at=now,
    )
    finish_transfer(
        connection,
        row,
        TransferStatus.CANCELLED,
        [Evaluation(code=Check.C2015.code, detail=detail)],
        now,
    )
