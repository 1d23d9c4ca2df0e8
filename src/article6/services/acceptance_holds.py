"""A transfer between registries held for the acquiring Party's acceptance (protocol 1.2), on
both registries' sides.

The acquiring registry asks the hub (`ask`) when its Party's deadline is later than the
proposal's 24 hours, keeping the proposal's deadline until the hub's word arrives: an older hub
refuses the new message, and the transfer is then answered or returned by the proposal's
deadline as before. The hub's word (`on_hold`) moves the deadline on both sides: the acquiring
Party may answer until then, and the transferring registry keeps the units reserved and asks
the hub about the transfer only after it. Each side journals it.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection

from article6.domain.messages import AcceptanceHold, TransferProposal
from article6.domain.protocol import ACCEPTANCE_HOLD_LIMIT, HUB, TransferStatus
from article6.domain.transactions import TransactionChange
from article6.services import ports
from article6.services.context import Registry
from article6.services.external_transfer_status import HUB_ACTOR, IN, locked_transfer
from article6.services.journal import log
from article6.store import external_transfers, history
from article6.store.database import aware

HOLD_ASKED = "AcceptanceHoldAsked"
INCOMING_HELD = "IncomingTransferHeld"
OUTGOING_HELD = "ExternalTransferHeldForAcceptance"


def wanted_until(proposal: TransferProposal, now: datetime, days: int) -> datetime | None:
    """Until when the acquiring Party would hold `proposal`: its own deadline, within the
    hub's default bound; None when the proposal's deadline comes first anyway."""
    expires_at = aware(proposal.expires_at)
    wanted = min(now + timedelta(days=days), expires_at + ACCEPTANCE_HOLD_LIMIT)
    return wanted if wanted > expires_at else None


def ask(connection: Connection, proposal: TransferProposal, until: datetime, now: datetime) -> None:
    """Ask the hub to hold the transfer until `until`."""
    ports.send_message(
        connection,
        to=HUB,
        body=AcceptanceHold(
            transaction_id=proposal.transaction_id,
            acquiring_party=proposal.acquiring_party,
            held_until=until,
        ),
        now=now,
    )


def on_hold(connection: Connection, registry: Registry, hold: AcceptanceHold) -> None:
    """The hub took a hold: the transfer's deadline here is now the hold's. A transfer already
    answered or ended keeps what it has."""
    row = locked_transfer(connection, hold.transaction_id)
    if row is None or TransferStatus(row.status).final:
        return
    now = registry.now()
    until = aware(hold.held_until)
    if row.direction == IN:
        if row.status != TransferStatus.PROPOSED.value:
            return
        external_transfers.hold(connection, row.transaction_id, until, now)
        event, party = INCOMING_HELD, hold.acquiring_party
    else:
        transaction = history.transaction(connection, row.transaction_id, lock=True)
        if transaction is None:
            return
        external_transfers.hold(connection, row.transaction_id, until, now)
        change = TransactionChange(status=transaction.status, expires_at=until)
        history.change_transaction(connection, transaction.id, change)
        event, party = OUTGOING_HELD, transaction.party_code
    log(
        connection,
        registry,
        HUB_ACTOR,
        event,
        party,
        row.transaction_id,
        {
            "acquiring_party": hold.acquiring_party,
            "counterpart_registry": row.counterpart_registry,
            "held_until": until.isoformat(),
            "previous_deadline": aware(row.expires_at).isoformat(),
        },
    )
