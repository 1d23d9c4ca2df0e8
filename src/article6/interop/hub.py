"""The Interoperability Hub: the directory of registries, the checks of every proposal, the
forwarding of proposals and outcomes, the record of each transfer, and reconciliation.

The hub decides a transfer's final status; registries act on it (`forwarding`, with the checks
in `hub_checks`). It reconciles with each registry phase by phase (`reconciliation_runs`); while
a run with a registry is open it refuses proposals involving that registry and keeps its
accepted transfers open until the run ends.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from pydantic import BaseModel
from sqlalchemy import Connection

from article6.domain.access import Actor
from article6.domain.checks import Check, refuse
from article6.domain.messages import (
    AcceptanceHold,
    Ack,
    AckResult,
    AuditTrailReport,
    Body,
    Envelope,
    JournalCheckpoint,
    KeyAnnouncement,
    MechanismHoldingsAnswer,
    MechanismHoldingsQuery,
    Notice,
    ProposalResponse,
    TotalsReport,
    TransactionStatusQuery,
    TransferProposal,
    TransferWithdrawal,
    UnitBlocksReport,
    UnitLocationAnswer,
    UnitLocationQuery,
)
from article6.domain.protocol import ACCEPTANCE_HOLD_LIMIT, HUB, Role
from article6.domain.reconciliation import RECONCILIATION_INTERVAL
from article6.domain.wording import words
from article6.interop import (
    acceptance_holds,
    checkpoints,
    directory,
    forwarding,
    key_rotation,
    mechanism,
    outbox,
    reconciliation_runs,
    unit_locations,
)
from article6.interop.directory import Identity
from article6.interop.inbox import receive
from article6.services import ports
from article6.services.commands import Command
from article6.services.context import Registry, execute
from article6.services.external_transfer_status import HUB_ACTOR


class SendNotice(Command):
    """An operator's notice (a unit-mark notice, say) to the registries named."""

    registries: list[str]
    notice: Notice
    now: datetime


class NoticeSent(BaseModel):
    sent_to: list[str]


@dataclass
class Hub:
    """The hub over its own database; `receive` is what its HTTP endpoint calls.

    `reconciliation_interval` is how long after a run's start the next may start (C6109);
    `acceptance_hold_limit` how far beyond a proposal's deadline a transfer may be held for the
    acquiring Party's acceptance (C6116)."""

    registry: Registry
    identity: Identity
    reconciliation_interval: timedelta = RECONCILIATION_INTERVAL
    acceptance_hold_limit: timedelta = ACCEPTANCE_HOLD_LIMIT

    @classmethod
    def open(
        cls, registry: Registry, reconciliation_interval: timedelta = RECONCILIATION_INTERVAL
    ) -> Hub:
        identity = directory.establish(registry.engine, HUB, Role.HUB, registry.now())
        return cls(registry, identity, reconciliation_interval)

    def now(self) -> datetime:
        return self.registry.now()

    def receive(self, wire: Any) -> Ack:
        return receive(self.registry, self.identity, wire, self._handle)

    def answer_locations(self, wire: Any) -> Ack | dict[str, Any]:
        """A question where units are (1.3), checked as any message and answered at once with
        a signed `UnitLocationAnswer`; an Ack when it is not taken."""
        answered: list[tuple[UnitLocationAnswer, str]] = []

        def handle(connection: Connection, envelope: Envelope, body: Body) -> None:
            if not isinstance(body, UnitLocationQuery):
                raise refuse(
                    Check.C6119,
                    "envelope.message_type",
                    words("ask where units are with a UnitLocationQuery"),
                )
            answer = unit_locations.answer_query(
                connection, self.registry, envelope.from_registry, body, self.now()
            )
            answered.append((answer, envelope.message_id))

        ack = receive(self.registry, self.identity, wire, handle)
        if not answered or ack.result is not AckResult.RECEIVED:
            return ack
        answer, message_id = answered[-1]
        return unit_locations.sealed_answer(self.identity, answer, message_id, self.now())

    def deliver_pending(self, transport: outbox.Transport) -> int:
        return outbox.deliver_pending(self.registry.engine, self.identity, transport, self.now)

    def expire_transfers(self) -> list[str]:
        return forwarding.expire_transfers(self.registry)

    def transactions(self) -> dict[str, str]:
        return forwarding.transactions(self.registry)

    def start_reconciliation(self, registries: Iterable[str] | None = None) -> str:
        return reconciliation_runs.start(self.registry, registries, self.reconciliation_interval)

    def reconciliation(self, reconciliation_id: str) -> dict[str, tuple[str, list[str]]]:
        return reconciliation_runs.results(self.registry, reconciliation_id)

    def send_notice(self, registries: Iterable[str], notice: Notice) -> list[str]:
        """Send a notice (an operator's, e.g. a unit-mark notice) to each named registry of
        the directory; C4005 for one the directory does not hold, and then none is sent."""
        command = SendNotice(registries=sorted(set(registries)), notice=notice, now=self.now())

        def handle(connection: Connection, registry: Registry, actor: Actor) -> NoticeSent:
            chosen = command.registries
            known = {peer.registry_id for peer in directory.peers(connection) if peer.connected}
            unknown = [r for r in chosen if r not in known]
            if unknown or not chosen:
                raise refuse(
                    Check.C4005,
                    "registries",
                    words("{unknown}: name connected registries", unknown=", ".join(unknown))
                    if unknown
                    else words("no registry: name connected registries"),
                )
            for registry_id in chosen:
                ports.send_message(connection, to=registry_id, body=notice, now=command.now)
            return NoticeSent(sent_to=chosen)

        return execute(self.registry, HUB_ACTOR, command, handle, NoticeSent).sent_to

    def _handle(self, connection: Connection, envelope: Envelope, body: Body) -> None:
        sender = envelope.from_registry
        now = self.now()
        if isinstance(body, TransferProposal):
            forwarding.on_proposal(connection, sender, body, now)
        elif isinstance(body, ProposalResponse):
            forwarding.on_response(connection, sender, body, now)
        elif isinstance(body, TransactionStatusQuery):
            forwarding.on_query(connection, sender, body, now)
        elif isinstance(body, AcceptanceHold):
            acceptance_holds.on_hold(connection, sender, body, now, self.acceptance_hold_limit)
        elif isinstance(body, TransferWithdrawal):
            acceptance_holds.on_withdrawal(connection, sender, body, now)
        elif isinstance(body, TotalsReport | UnitBlocksReport | AuditTrailReport):
            ended = reconciliation_runs.on_reply(connection, sender, body, now)
            if ended:
                # The run with the sender is over: the transfers it kept open may complete.
                forwarding.complete_accepted(connection, now)
        elif isinstance(body, JournalCheckpoint):
            checkpoints.on_checkpoint(connection, sender, body, now)
        elif isinstance(body, KeyAnnouncement):
            key_rotation.on_announcement(connection, sender, body, now)
        elif isinstance(body, MechanismHoldingsQuery):
            mechanism.forward_query(connection, sender, body, now)
        elif isinstance(body, MechanismHoldingsAnswer):
            mechanism.forward_answer(connection, sender, body, now)
        elif isinstance(body, UnitLocationQuery):
            raise refuse(
                Check.C6119,
                "envelope.message_type",
                words(
                    "ask where units are at {path}, answered at once",
                    path=unit_locations.LOCATIONS_PATH,
                ),
            )
        # Notices and anything else are recorded in the inbox only.
