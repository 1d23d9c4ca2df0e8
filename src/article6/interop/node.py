"""A registry on the protocol: the same software as the IR with ARS, a connected Party
registry, or the Article 6.4 mechanism registry, each with its own database and key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Connection

from article6.domain.checks import Check, refuse
from article6.domain.messages import (
    AcceptanceHold,
    Ack,
    Body,
    Envelope,
    KeyAnnouncement,
    MechanismHoldingsAnswer,
    MechanismHoldingsQuery,
    Notice,
    ReconciliationPhase,
    ReconciliationRequest,
    ReconciliationResult,
    StatusNotification,
    TransferProposal,
)
from article6.domain.protocol import HUB, Role
from article6.domain.reconciliation import HOLD_LIMIT
from article6.domain.unit_marks import UNIT_MARK_NOTICE
from article6.domain.wording import words
from article6.interop import directory, key_rotation, mechanism, outbox, reconciliation
from article6.interop.directory import Identity
from article6.interop.inbox import receive
from article6.services import acceptance_holds, acquisitions, ports, settlement, unit_marks
from article6.services import external_transfer_status as transfers
from article6.services import reconciliation_holds as hold
from article6.services.context import Registry
from article6.services.journal import log


@dataclass
class RegistryNode:
    """A registry's protocol side; `receive` is what its HTTP endpoint calls.

    `hold_limit` is how long a reconciliation may hold the registry at most (C2006)."""

    registry: Registry
    identity: Identity
    hold_limit: timedelta = HOLD_LIMIT

    @classmethod
    def open(cls, registry: Registry, registry_id: str, role: Role) -> RegistryNode:
        return cls(
            registry, directory.establish(registry.engine, registry_id, role, registry.now())
        )

    @property
    def registry_id(self) -> str:
        return self.identity.registry_id

    def now(self) -> datetime:
        return self.registry.now()

    def connect_hub(self, public_key: str, base_url: str) -> None:
        directory.add_peer(self.registry.engine, HUB, Role.HUB, public_key, base_url, self.now())

    def receive(self, wire: Any) -> Ack:
        return receive(self.registry, self.identity, wire, self._handle)

    def deliver_pending(self, transport: outbox.Transport) -> int:
        return outbox.deliver_pending(self.registry.engine, self.identity, transport, self.now)

    def ask_about_overdue(self) -> list[str]:
        """The registry's periodic work on what is overdue: end a reconciliation hold past its
        deadline, and ask the hub about transfers past theirs."""
        hold.lift_overdue(self.registry)
        return transfers.ask_about_overdue(self.registry)

    def _handle(self, connection: Connection, envelope: Envelope, body: Body) -> None:
        if envelope.from_registry != HUB:
            if isinstance(body, KeyAnnouncement):
                raise refuse(
                    Check.C6118,
                    "envelope.from_registry",
                    words("a registry's new key comes only through the hub"),
                )
            return  # registries talk to each other only through the hub
        if isinstance(body, TransferProposal):
            if not hold.refuse_proposal(connection, self.registry, body):
                acquisitions.on_proposal(connection, self.registry, body)
        elif isinstance(body, StatusNotification):
            if not hold.defer_arrival(connection, self.registry, body):
                settlement.on_status(connection, self.registry, body)
        elif isinstance(body, KeyAnnouncement):
            key_rotation.on_forwarded(connection, body, self.now())
        elif isinstance(body, AcceptanceHold):
            acceptance_holds.on_hold(connection, self.registry, body)
        elif isinstance(body, ReconciliationRequest):
            if body.phase is ReconciliationPhase.TOTALS:
                hold.place(connection, self.registry, body, self.now() + self.hold_limit)
            ports.send_message(
                connection,
                to=HUB,
                body=reconciliation.report(connection, body),
                now=self.now(),
                in_reply_to=envelope.message_id,
            )
        elif isinstance(body, MechanismHoldingsQuery):
            mechanism.on_query(connection, self.registry, self.identity, body, self.now())
        elif isinstance(body, MechanismHoldingsAnswer):
            mechanism.on_answer(connection, self.registry, self.identity, body, self.now())
        elif isinstance(body, ReconciliationResult | Notice):
            log(
                connection,
                self.registry,
                transfers.HUB_ACTOR,
                type(body).__name__,
                None,
                getattr(body, "reconciliation_id", None) or body.__class__.__name__,
                body.model_dump(mode="json"),
            )
            if isinstance(body, ReconciliationResult):
                hold.lift(
                    connection, self.registry, body.reconciliation_id, f"the run {body.status}"
                )
            elif body.notice_type == UNIT_MARK_NOTICE:
                unit_marks.record_hub_notice(
                    connection, self.registry, transfers.HUB_ACTOR, body.blocks, body.text
                )
