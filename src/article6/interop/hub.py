"""The Interoperability Hub: the directory of registries, the checks of every proposal, the
forwarding of proposals and outcomes, the record of each transfer, and reconciliation.

The hub decides a transfer's final status; registries act on it. Its checks (C6101-C6105)
follow the ITL's (RULES.md 8.7): the units are in the transferring registry, not used,
cancelled or in another transfer, in no other registry, and their authorization allows the
transfer to the acquiring Party. While a reconciliation run with a registry is open (C2006,
the ITL's 3016), it refuses proposals involving that registry and keeps its accepted
transfers open until the run ends (see `reconciliation`).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Connection, select, update

from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.protocol import HUB, Range, Role, TransferStatus, uncovered
from article6.domain.reconciliation import HOLD_LIMIT
from article6.interop import directory, outbox, reconciliation, register
from article6.interop.directory import Identity
from article6.interop.inbox import receive
from article6.interop.messages import (
    Ack,
    AuditTrailReport,
    Body,
    Envelope,
    Evaluation,
    ProposalOutcome,
    ProposalResponse,
    ReconciliationPhase,
    ReconciliationRequest,
    ReconciliationResult,
    ReconciliationStatus,
    StatusNotification,
    TotalsReport,
    TransactionStatusQuery,
    TransferProposal,
    UnitBlocksReport,
)
from article6.interop.transfers import authorized_transfer
from article6.services.context import Registry
from article6.store.database import unit_of_work
from article6.store.interop_schema import hub_reconciliations, hub_transactions

OPEN = [s.value for s in TransferStatus if not s.final]
RUN_OVER = [s.value for s in ReconciliationStatus]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _evaluation(refusals: list[Refusal]) -> list[Evaluation]:
    return [
        Evaluation(
            code=r.check.code,
            detail=r.detail,
            blocks=[r.field.removeprefix("blocks:")] if r.field.startswith("blocks:") else [],
        )
        for r in refusals
    ]


@dataclass
class Hub:
    """The hub over its own database; `receive` is what its HTTP endpoint calls."""

    registry: Registry
    identity: Identity

    @classmethod
    def open(cls, registry: Registry) -> Hub:
        return cls(registry, directory.establish(registry.engine, HUB, Role.HUB, registry.now()))

    def now(self) -> datetime:
        return self.registry.now()

    def receive(self, wire: Any) -> Ack:
        return receive(self.registry.engine, self.identity, wire, self.now(), self._handle)

    def deliver_pending(self, transport: outbox.Transport) -> int:
        return outbox.deliver_pending(self.registry.engine, self.identity, transport, self.now)

    # --- handlers ---------------------------------------------------------------------------

    def _handle(self, connection: Connection, envelope: Envelope, body: Body) -> None:
        sender = envelope.from_registry
        if isinstance(body, TransferProposal):
            self._proposal(connection, sender, body)
        elif isinstance(body, ProposalResponse):
            self._response(connection, sender, body)
        elif isinstance(body, TransactionStatusQuery):
            self._query(connection, sender, body)
        elif isinstance(body, TotalsReport | UnitBlocksReport | AuditTrailReport):
            self._reconciliation_reply(connection, sender, body)
        # Notices and anything else are recorded in the inbox only.

    def _notify(
        self,
        connection: Connection,
        to: str,
        transaction_id: str,
        status: TransferStatus,
        evaluation: list[Evaluation] | None = None,
    ) -> None:
        outbox.enqueue(
            connection,
            to=to,
            body=StatusNotification(
                transaction_id=transaction_id, status=status, evaluation=evaluation or []
            ),
            now=self.now(),
        )

    def check(
        self, connection: Connection, sender: str, proposal: TransferProposal
    ) -> list[Refusal]:
        """The hub's checks of a proposal, every failure with the block it concerns."""
        problems: list[Refusal] = []
        if proposal.transferring_registry != sender:
            problems.append(
                Refusal(Check.C6002, "transferring_registry", f"sent by {sender}, not by it")
            )
        acquiring = directory.peer(connection, proposal.acquiring_registry)
        if acquiring is None or not acquiring.connected or acquiring.registry_id == sender:
            problems.append(
                Refusal(
                    Check.C4005,
                    "acquiring_registry",
                    f"{proposal.acquiring_registry} is not another connected registry",
                )
            )
        if _aware(proposal.expires_at) <= self.now():
            problems.append(Refusal(Check.C6105, "expires_at", "the deadline has passed"))
        runs = self._open_runs(connection, [sender, proposal.acquiring_registry])
        for field, registry in (
            ("transferring_registry", sender),
            ("acquiring_registry", proposal.acquiring_registry),
        ):
            if registry in runs:
                problems.append(
                    Refusal(
                        Check.C2006,
                        field,
                        f"reconciliation {runs[registry]} with {registry} is in progress",
                    )
                )
        if proposal.quantity != sum(b.quantity for b in proposal.blocks):
            problems.append(Refusal(Check.C6001, "quantity", "the blocks do not add up"))
        issuer = directory.peer(connection, sender)
        issuer_codes = issuer.issuer_codes if issuer else ()
        for block in proposal.blocks:
            where = f"blocks:{block.label}"
            wanted = Range(block.originating_registry, block.first, block.last)
            known = register.overlapping(connection, wanted)
            for location in known:
                if location.registry != sender:
                    problems.append(Refusal(Check.C6103, where, f"recorded in {location.registry}"))
                elif location.state not in (register.HELD, "AMO", "ITMO"):
                    problems.append(Refusal(Check.C6102, where, f"the units are {location.state}"))
                elif location.transaction_id is not None:
                    problems.append(
                        Refusal(
                            Check.C6102, where, f"in pending transfer {location.transaction_id}"
                        )
                    )
            if uncovered(wanted, [k.range for k in known]) and (
                block.originating_registry not in issuer_codes
            ):
                problems.append(
                    Refusal(
                        Check.C6101,
                        where,
                        f"not recorded in {sender}, and {sender} does not issue units of "
                        f"{block.originating_registry}",
                    )
                )
            try:
                authorized_transfer(proposal, block, Check.C6104)
            except CommandRefused as refused:
                problems.extend(refused.refusals)
        return problems

    def _proposal(self, connection: Connection, sender: str, proposal: TransferProposal) -> None:
        now = self.now()
        existing = connection.execute(
            select(hub_transactions).where(
                hub_transactions.c.transaction_id == proposal.transaction_id
            )
        ).first()
        if existing is not None:
            if existing.transferring_registry == sender:
                evaluation = [Evaluation(**e) for e in json.loads(existing.evaluation)]
                if existing.status == TransferStatus.CANCELLED.value and not evaluation:
                    evaluation = [
                        Evaluation(code=Check.C6105.code, detail="cancelled before it arrived")
                    ]
                self._notify(
                    connection,
                    sender,
                    proposal.transaction_id,
                    TransferStatus(existing.status),
                    evaluation,
                )
            return
        problems = self.check(connection, sender, proposal)
        status = TransferStatus.TERMINATED if problems else TransferStatus.CHECKED
        evaluation = _evaluation(problems)
        connection.execute(
            hub_transactions.insert().values(
                transaction_id=proposal.transaction_id,
                transferring_registry=sender,
                acquiring_registry=proposal.acquiring_registry,
                status=status.value,
                quantity=proposal.quantity,
                expires_at=proposal.expires_at,
                proposal=proposal.model_dump_json(),
                evaluation=json.dumps([e.model_dump() for e in evaluation]),
                created_at=now,
                finished_at=now if problems else None,
            )
        )
        if problems:
            self._notify(connection, sender, proposal.transaction_id, status, evaluation)
            return
        for block in proposal.blocks:
            register.place(
                connection,
                Range(block.originating_registry, block.first, block.last),
                sender,
                register.HELD,
                proposal.transaction_id,
            )
        outbox.enqueue(
            connection,
            to=proposal.acquiring_registry,
            body=proposal,
            now=now,
            expires_at=proposal.expires_at,
        )
        self._notify(connection, sender, proposal.transaction_id, TransferStatus.CHECKED)

    def _finish(
        self,
        connection: Connection,
        row: Any,
        status: TransferStatus,
        evaluation: list[Evaluation],
    ) -> None:
        """Record a final status, settle the register, and tell both registries."""
        connection.execute(
            update(hub_transactions)
            .where(hub_transactions.c.transaction_id == row.transaction_id)
            .values(
                status=status.value,
                finished_at=self.now(),
                evaluation=json.dumps([e.model_dump() for e in evaluation]),
            )
        )
        holder = (
            row.acquiring_registry
            if status is TransferStatus.COMPLETED
            else row.transferring_registry
        )
        for location in register.in_transit(connection, row.transaction_id):
            register.place(connection, location.range, holder, register.HELD)
        if status is not TransferStatus.COMPLETED:
            outbox.abandon(
                connection,
                message_type="TransferProposal",
                body_contains=f'"{row.transaction_id}"',
            )
        for to in (row.transferring_registry, row.acquiring_registry):
            self._notify(connection, to, row.transaction_id, status, evaluation)

    def _response(self, connection: Connection, sender: str, response: ProposalResponse) -> None:
        row = connection.execute(
            select(hub_transactions)
            .where(hub_transactions.c.transaction_id == response.transaction_id)
            .with_for_update()
        ).first()
        if row is None or row.acquiring_registry != sender:
            raise CommandRefused(
                [Refusal(Check.C6106, "transaction_id", f"{response.transaction_id} is not yours")]
            )
        status = TransferStatus(row.status)
        if status.final:
            self._notify(connection, sender, row.transaction_id, status)
            return
        if response.outcome is ProposalOutcome.ACCEPTED:
            if self._open_runs(connection, [row.transferring_registry, row.acquiring_registry]):
                # Completing now would move units under a comparison: wait for the run to end.
                connection.execute(
                    update(hub_transactions)
                    .where(hub_transactions.c.transaction_id == row.transaction_id)
                    .values(status=TransferStatus.ACCEPTED.value)
                )
                return
            self._finish(connection, row, TransferStatus.COMPLETED, [])
        else:
            self._finish(connection, row, TransferStatus.REJECTED, response.evaluation)

    def _query(self, connection: Connection, sender: str, query: TransactionStatusQuery) -> None:
        row = connection.execute(
            select(hub_transactions).where(
                hub_transactions.c.transaction_id == query.transaction_id
            )
        ).first()
        if row is None:
            # Never seen, and asked only after its deadline: cancelled for good, so a late
            # proposal with this id is refused.
            connection.execute(
                hub_transactions.insert().values(
                    transaction_id=query.transaction_id,
                    transferring_registry=sender,
                    acquiring_registry=sender,
                    status=TransferStatus.CANCELLED.value,
                    quantity=0,
                    expires_at=self.now(),
                    proposal="{}",
                    evaluation="[]",
                    created_at=self.now(),
                    finished_at=self.now(),
                )
            )
            self._notify(
                connection,
                sender,
                query.transaction_id,
                TransferStatus.CANCELLED,
                [Evaluation(code=Check.C6105.code, detail="the hub never received the proposal")],
            )
            return
        if sender in (row.transferring_registry, row.acquiring_registry):
            evaluation = [Evaluation(**e) for e in json.loads(row.evaluation)]
            self._notify(
                connection, sender, row.transaction_id, TransferStatus(row.status), evaluation
            )

    # --- timeouts ---------------------------------------------------------------------------

    def expire_transfers(self) -> list[str]:
        """Complete the accepted transfers whose reconciliation runs have ended (or lapsed);
        cancel every transfer not completed by its deadline (C6105); tell both sides."""
        now = self.now()
        cancelled = []
        with unit_of_work(self.registry.engine) as connection:
            self._complete_accepted(connection)
            rows = connection.execute(
                select(hub_transactions).where(hub_transactions.c.status.in_(OPEN))
            ).all()
            for row in rows:
                if _aware(row.expires_at) < now:
                    self._finish(
                        connection,
                        row,
                        TransferStatus.CANCELLED,
                        [Evaluation(code=Check.C6105.code, detail="not completed by its deadline")],
                    )
                    cancelled.append(row.transaction_id)
        return cancelled

    # --- reconciliation ---------------------------------------------------------------------

    def _open_runs(self, connection: Connection, registries: Iterable[str]) -> dict[str, str]:
        """Which of `registries` a reconciliation run is open with, and the run. A run open
        longer than the registry's hold lasts (`HOLD_LIMIT`) no longer counts."""
        rows = connection.execute(
            select(hub_reconciliations.c.registry_id, hub_reconciliations.c.reconciliation_id)
            .where(
                hub_reconciliations.c.registry_id.in_(sorted(set(registries)))
                & hub_reconciliations.c.status.not_in(RUN_OVER)
                & (hub_reconciliations.c.started_at > self.now() - HOLD_LIMIT)
            )
            .order_by(hub_reconciliations.c.started_at)
        )
        return {registry: run for registry, run in rows}

    def _complete_accepted(self, connection: Connection) -> None:
        """Complete the accepted transfers kept open by a run that has ended."""
        rows = connection.execute(
            select(hub_transactions)
            .where(hub_transactions.c.status == TransferStatus.ACCEPTED.value)
            .order_by(hub_transactions.c.created_at)
            .with_for_update()
        ).all()
        for row in rows:
            if not self._open_runs(connection, [row.transferring_registry, row.acquiring_registry]):
                self._finish(connection, row, TransferStatus.COMPLETED, [])

    def start_reconciliation(self, registries: Iterable[str] | None = None) -> str:
        """Ask every connected registry (or those named) for its totals; the run continues as
        replies arrive."""
        reconciliation_id = f"R-{self.now():%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}"
        chosen = set(registries) if registries is not None else None
        with unit_of_work(self.registry.engine) as connection:
            for peer in directory.peers(connection):
                if not peer.connected or (chosen is not None and peer.registry_id not in chosen):
                    continue
                connection.execute(
                    hub_reconciliations.insert().values(
                        reconciliation_id=reconciliation_id,
                        registry_id=peer.registry_id,
                        phase=ReconciliationPhase.TOTALS.value,
                        status="initiated",
                        discrepancies="[]",
                        started_at=self.now(),
                    )
                )
                self._request(connection, peer.registry_id, reconciliation_id, "totals")
        return reconciliation_id

    def _request(self, connection: Connection, to: str, reconciliation_id: str, phase: str) -> None:
        outbox.enqueue(
            connection,
            to=to,
            body=ReconciliationRequest(
                reconciliation_id=reconciliation_id,
                phase=ReconciliationPhase(phase),
                snapshot_at=self.now(),
            ),
            now=self.now(),
        )

    def _reconciliation_reply(
        self,
        connection: Connection,
        sender: str,
        reply: TotalsReport | UnitBlocksReport | AuditTrailReport,
    ) -> None:
        run = connection.execute(
            select(hub_reconciliations).where(
                (hub_reconciliations.c.reconciliation_id == reply.reconciliation_id)
                & (hub_reconciliations.c.registry_id == sender)
            )
        ).first()
        if run is None or run.status in ("completed", "inconsistent"):
            return
        found: list[str] = json.loads(run.discrepancies)
        if isinstance(reply, TotalsReport):
            differences = reconciliation.totals_agree(connection, sender, reply, run.started_at)
            found = [f"ledger of {sender}: {p}" for p in reply.ledger_problems]
            if differences:
                self._advance(connection, run, "unit_blocks", found)
                return
        elif isinstance(reply, UnitBlocksReport):
            peer = directory.peer(connection, sender)
            found += reconciliation.compare_blocks(
                connection, sender, peer.issuer_codes if peer else (), reply
            )
            if found:
                self._advance(connection, run, "audit_trail", found)
                return
        else:
            found += reconciliation.compare_trail(connection, sender, reply, run.started_at)
        status = ReconciliationStatus.INCONSISTENT if found else ReconciliationStatus.COMPLETED
        connection.execute(
            update(hub_reconciliations)
            .where(hub_reconciliations.c.id == run.id)
            .values(status=status.value, discrepancies=json.dumps(found), finished_at=self.now())
        )
        outbox.enqueue(
            connection,
            to=sender,
            body=ReconciliationResult(
                reconciliation_id=reply.reconciliation_id, status=status, discrepancies=found[:1000]
            ),
            now=self.now(),
        )
        self._complete_accepted(connection)

    def _advance(self, connection: Connection, run: Any, phase: str, found: list[str]) -> None:
        connection.execute(
            update(hub_reconciliations)
            .where(hub_reconciliations.c.id == run.id)
            .values(phase=phase, discrepancies=json.dumps(found))
        )
        self._request(connection, run.registry_id, run.reconciliation_id, phase)

    def reconciliation(self, reconciliation_id: str) -> dict[str, tuple[str, list[str]]]:
        """Each registry's status in a run, with the discrepancies found."""
        with unit_of_work(self.registry.engine, read_only=True) as connection:
            rows = connection.execute(
                select(hub_reconciliations).where(
                    hub_reconciliations.c.reconciliation_id == reconciliation_id
                )
            )
            return {r.registry_id: (r.status, json.loads(r.discrepancies)) for r in rows}

    def transactions(self) -> dict[str, str]:
        with unit_of_work(self.registry.engine, read_only=True) as connection:
            return {
                r.transaction_id: r.status
                for r in connection.execute(
                    select(hub_transactions.c.transaction_id, hub_transactions.c.status)
                )
            }
