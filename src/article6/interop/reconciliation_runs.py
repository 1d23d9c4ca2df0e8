"""The hub's reconciliation runs (RULES.md 8.8, 9.8): totals, then unit blocks, then the audit
trail, phase by phase as each registry replies; the comparisons are `reconciliation`'s.

While a run with a registry is open (C2006, the ITL's 3016), the hub refuses proposals involving
that registry and keeps its accepted transfers open (`forwarding`); a run open longer than the
registry's hold lasts no longer counts. Since every run holds the registries, a new one starts
only when none is open and the last started at least the hub's minimum interval ago (C6109).
"""

from __future__ import annotations

import json
import math
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta

from pydantic import BaseModel
from sqlalchemy import Connection

from article6.domain.access import Actor
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.messages import (
    AuditTrailReport,
    ReconciliationPhase,
    ReconciliationRequest,
    ReconciliationResult,
    ReconciliationStatus,
    TotalsReport,
    UnitBlocksReport,
)
from article6.domain.reconciliation import HOLD_LIMIT, RECONCILIATION_INTERVAL
from article6.domain.wording import words
from article6.interop import directory, reconciliation
from article6.services import ports
from article6.services.commands import Command
from article6.services.context import Registry, execute
from article6.services.external_transfer_status import HUB_ACTOR
from article6.store import hub_reconciliations
from article6.store.database import aware, unit_of_work
from article6.store.hub_reconciliations import NewRun, Run

RUN_OVER = [s.value for s in ReconciliationStatus]


def open_runs(connection: Connection, registries: Iterable[str], now: datetime) -> dict[str, str]:
    """Which of `registries` a reconciliation run is open with, and the run. A run open
    longer than the registry's hold lasts (`HOLD_LIMIT`) no longer counts."""
    return hub_reconciliations.open_with(connection, registries, RUN_OVER, now - HOLD_LIMIT)


def require_may_start(connection: Connection, now: datetime, interval: timedelta) -> None:
    """C6109 while a run is open, or until `interval` after the last run started."""
    running = open_runs(connection, [p.registry_id for p in directory.peers(connection)], now)
    if running:
        runs = ", ".join(sorted(set(running.values())))
        raise CommandRefused(
            [
                Refusal(
                    Check.C6109,
                    "reconciliation",
                    words("reconciliation {runs} is in progress", runs=runs),
                )
            ]
        )
    last = hub_reconciliations.last_started(connection)
    if last is not None and aware(last) + interval > now:
        allowed = aware(last) + interval
        raise CommandRefused(
            [
                Refusal(
                    Check.C6109,
                    "reconciliation",
                    words(
                        "the last reconciliation started at {last:%Y-%m-%d %H:%M:%S} UTC; the "
                        "next may start at {allowed:%Y-%m-%d %H:%M:%S} UTC",
                        last=aware(last),
                        allowed=allowed,
                    ),
                )
            ],
            retry_after=math.ceil((allowed - now).total_seconds()),
        )


def start(
    registry: Registry,
    registries: Iterable[str] | None = None,
    interval: timedelta = RECONCILIATION_INTERVAL,
) -> str:
    """Ask every connected registry (or those named) for its totals; the run continues as
    replies arrive. Refused (C6109) while a run is open or within `interval` of the last. A
    command like any other (`execute`: one transaction, run again whole after a deadlock)."""
    now = registry.now()
    command = StartReconciliation(
        reconciliation_id=f"R-{now:%Y%m%d%H%M%S}-{uuid.uuid4().hex[:8]}",
        registries=sorted(set(registries)) if registries is not None else None,
        now=now,
    )

    def handle(connection: Connection, registry: Registry, actor: Actor) -> ReconciliationStarted:
        _start(connection, command, interval)
        return ReconciliationStarted(reconciliation_id=command.reconciliation_id)

    return execute(registry, HUB_ACTOR, command, handle, ReconciliationStarted).reconciliation_id


class StartReconciliation(Command):
    """The hub's command (an operator's request): a run of `reconciliation_id` over the
    connected registries, or only those named."""

    reconciliation_id: str
    registries: list[str] | None
    now: datetime


class ReconciliationStarted(BaseModel):
    reconciliation_id: str


def _start(connection: Connection, command: StartReconciliation, interval: timedelta) -> None:
    now, chosen = command.now, command.registries
    hub_reconciliations.serialise_starts(connection)
    require_may_start(connection, now, interval)
    for peer in directory.peers(connection):
        if not peer.connected or (chosen is not None and peer.registry_id not in chosen):
            continue
        started = NewRun(
            reconciliation_id=command.reconciliation_id,
            registry_id=peer.registry_id,
            phase=ReconciliationPhase.TOTALS.value,
            status="initiated",
            discrepancies="[]",
            started_at=now,
        )
        hub_reconciliations.insert_run(connection, started)
        _request(connection, peer.registry_id, command.reconciliation_id, "totals", now)


def _request(
    connection: Connection, to: str, reconciliation_id: str, phase: str, now: datetime
) -> None:
    ports.send_message(
        connection,
        to=to,
        body=ReconciliationRequest(
            reconciliation_id=reconciliation_id,
            phase=ReconciliationPhase(phase),
            snapshot_at=now,
        ),
        now=now,
    )


def on_reply(
    connection: Connection,
    sender: str,
    reply: TotalsReport | UnitBlocksReport | AuditTrailReport,
    now: datetime,
) -> bool:
    """Take a registry's reply to a phase: ask for the next phase, or record the run's result
    with that registry and send it. True when the run with the registry has ended, so the
    transfers it kept open may complete."""
    run = hub_reconciliations.run(connection, reply.reconciliation_id, sender)
    if run is None or run.status in ("completed", "inconsistent"):
        return False
    found: list[str] = json.loads(run.discrepancies)
    if isinstance(reply, TotalsReport):
        differences = reconciliation.totals_agree(connection, sender, reply, run.started_at)
        found = [f"ledger of {sender}: {p}" for p in reply.ledger_problems]
        if differences:
            _advance(connection, run, "unit_blocks", found, now)
            return False
    elif isinstance(reply, UnitBlocksReport):
        peer = directory.peer(connection, sender)
        found += reconciliation.compare_blocks(
            connection, sender, peer.issuer_codes if peer else (), reply
        )
        if found:
            _advance(connection, run, "audit_trail", found, now)
            return False
    else:
        found += reconciliation.compare_trail(connection, sender, reply, run.started_at)
    status = ReconciliationStatus.INCONSISTENT if found else ReconciliationStatus.COMPLETED
    hub_reconciliations.finish(connection, run.id, status.value, json.dumps(found), now)
    ports.send_message(
        connection,
        to=sender,
        body=ReconciliationResult(
            reconciliation_id=reply.reconciliation_id, status=status, discrepancies=found[:1000]
        ),
        now=now,
    )
    return True


def _advance(connection: Connection, run: Run, phase: str, found: list[str], now: datetime) -> None:
    hub_reconciliations.advance(connection, run.id, phase, json.dumps(found))
    _request(connection, run.registry_id, run.reconciliation_id, phase, now)


def results(registry: Registry, reconciliation_id: str) -> dict[str, tuple[str, list[str]]]:
    """Each registry's status in a run, with the discrepancies found."""
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = hub_reconciliations.runs(connection, reconciliation_id)
        return {r.registry_id: (r.status, json.loads(r.discrepancies)) for r in rows}
