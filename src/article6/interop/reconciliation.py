"""Reconciliation (RULES.md 8.8, 9.8): totals, then unit blocks, then the audit trail.

A registry answers each phase from its ledger. The hub compares the totals with its register;
when they differ it asks for the unit blocks, learns units a registry issued itself, and
reports units found in two registries, units lost, or units that came from nowhere; when
blocks differ it asks for the audit trail and compares every transfer's status with its own.

Nothing needs quiescing first (C2006, after the ITL's check 3016). The registry's snapshot is
taken when it handles the request for totals, in the transaction that places its hold (see
`services.reconciliation_holds`): from then until the hub's result (or the hold's deadline) it
refuses every transaction, so the later phases see the ledger the totals saw. The hub, while a
run with a registry is open, refuses proposals involving it and completes none of its transfers
(an acceptance waits, the transfer stays open), so its register does not move under the
comparison either. An outcome the hub decided after the run started reaches the registry after
its snapshot: a transfer still pending there is then no discrepancy.
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime

from sqlalchemy import Connection

from article6.domain.messages import (
    AuditTrailReport,
    HeldBlock,
    ReconciliationPhase,
    ReconciliationRequest,
    Total,
    TotalsReport,
    TrailEntry,
    TransferProposal,
    UnitBlocksReport,
)
from article6.domain.protocol import Range, TransferStatus, uncovered
from article6.interop import register
from article6.store import external_transfers, hub_register, hub_transfers, interop_ledger, verify

ACCEPTED_OR_CHECKED = {TransferStatus.ACCEPTED.value, TransferStatus.CHECKED.value}


# --- the registry's replies -----------------------------------------------------------------


def report(
    connection: Connection, request: ReconciliationRequest
) -> TotalsReport | UnitBlocksReport | AuditTrailReport:
    if request.phase is ReconciliationPhase.TOTALS:
        return totals(connection, request.reconciliation_id)
    if request.phase is ReconciliationPhase.UNIT_BLOCKS:
        return blocks(connection, request.reconciliation_id)
    return trail(connection, request.reconciliation_id)


def totals(connection: Connection, reconciliation_id: str) -> TotalsReport:
    rows = interop_ledger.unit_totals(connection)
    pending = external_transfers.not_final_ids(connection)
    return TotalsReport(
        reconciliation_id=reconciliation_id,
        totals=[
            Total(originating_registry=t.originating_registry, state=t.state, quantity=t.quantity)
            for t in rows
        ],
        pending_transfers=pending,
        ledger_problems=verify.ledger(connection)[:1000],
    )


def blocks(connection: Connection, reconciliation_id: str) -> UnitBlocksReport:
    rows = interop_ledger.blocks_in_serial_order(connection)
    return UnitBlocksReport(
        reconciliation_id=reconciliation_id,
        blocks=[
            HeldBlock(
                originating_registry=block.attributes.registry,
                first=block.first,
                last=block.last,
                state=block.state.value,
                reserved=block.reserved_by is not None,
            )
            for block in rows
        ],
    )


def trail(connection: Connection, reconciliation_id: str) -> AuditTrailReport:
    entries = []
    for row in external_transfers.in_order_of_creation(connection):
        proposal = TransferProposal.model_validate_json(row.proposal)
        entries.append(
            TrailEntry(
                transaction_id=row.transaction_id,
                direction=row.direction,
                counterpart_registry=row.counterpart_registry,
                status=row.status,
                ranges=[
                    HeldBlock(
                        originating_registry=b.originating_registry,
                        first=b.first,
                        last=b.last,
                        state="ITMO",
                    )
                    for b in proposal.blocks
                ],
            )
        )
    return AuditTrailReport(reconciliation_id=reconciliation_id, transfers=entries)


# --- the hub's comparisons ------------------------------------------------------------------


def decided_since(connection: Connection, registry: str, since: datetime) -> set[str]:
    """Transfers of a registry whose outcome the hub decided after a run started: the outcome
    reaches the registry after its snapshot, so the registry may still report them pending."""
    return hub_transfers.decided_since(connection, registry, since)


def totals_agree(
    connection: Connection, registry: str, reported: TotalsReport, since: datetime
) -> list[str]:
    """Differences between a registry's totals and the register (empty when they agree)."""
    expected: dict[str, int] = defaultdict(int)
    for location in hub_register.at(connection, registry):
        expected[location.range.registry] += location.range.quantity
    found: dict[str, int] = defaultdict(int)
    for total in reported.totals:
        found[total.originating_registry] += total.quantity
    differences = [
        f"{registry} holds {found[code]} units of {code}; the hub has {expected[code]} there"
        for code in sorted(set(expected) | set(found))
        if expected[code] != found[code]
    ]
    open_here = hub_transfers.not_final_of(connection, registry)
    on_their_way = decided_since(connection, registry, since)
    for transaction_id in sorted((set(reported.pending_transfers) ^ open_here) - on_their_way):
        differences.append(f"{transaction_id} is pending on one side only ({registry} or the hub)")
    return differences


def compare_blocks(
    connection: Connection,
    registry: str,
    issuer_codes: tuple[str, ...],
    reported: UnitBlocksReport,
) -> list[str]:
    """Compare a registry's blocks with the register; learn the units it issued itself."""
    problems: list[str] = []
    here = hub_register.at(connection, registry)
    reported_ranges = [Range(b.originating_registry, b.first, b.last) for b in reported.blocks]
    for block, wanted in zip(reported.blocks, reported_ranges, strict=True):
        known = hub_register.overlapping(connection, wanted)
        elsewhere = [k for k in known if k.registry != registry]
        for other in elsewhere:
            problems.append(
                f"units {wanted.registry} [{max(wanted.first, other.range.first)}, "
                f"{min(wanted.last, other.range.last)}] are in {registry} and, for the hub, "
                f"in {other.registry}"
            )
        for part in uncovered(wanted, [k.range for k in known]):
            if part.registry in issuer_codes:
                register.place(connection, part, registry, block.state)
            else:
                problems.append(
                    f"{registry} holds {part.registry} [{part.first}, {part.last}], units it "
                    f"did not issue and the hub never saw arrive"
                )
        for k in known:
            if k.registry == registry and k.state != block.state and k.transaction_id is None:
                common = Range(
                    wanted.registry,
                    max(wanted.first, k.range.first),
                    min(wanted.last, k.range.last),
                )
                register.place(connection, common, registry, block.state)
    for location in here:
        for part in uncovered(location.range, reported_ranges):
            problems.append(
                f"the hub records {part.registry} [{part.first}, {part.last}] in {registry}, "
                f"which does not report them (lost)"
            )
    return problems


def compare_trail(
    connection: Connection, registry: str, reported: AuditTrailReport, since: datetime
) -> list[str]:
    problems = []
    on_their_way = decided_since(connection, registry, since)
    for entry in reported.transfers:
        if entry.transaction_id in on_their_way and not TransferStatus(entry.status).final:
            continue
        status = hub_transfers.status(connection, entry.transaction_id)
        if status is None:
            if entry.status not in (TransferStatus.CANCELLED.value, TransferStatus.PROPOSED.value):
                problems.append(
                    f"{entry.transaction_id} is {entry.status} in {registry}, unknown to the hub"
                )
        # The acquiring registry accepted before the hub heard, or the hub keeps an acceptance
        # waiting for a run to end (the transferring registry knows `checked`): no discrepancy.
        elif status != entry.status and {entry.status, status} != ACCEPTED_OR_CHECKED:
            problems.append(
                f"{entry.transaction_id} is {entry.status} in {registry} but {status} at the hub"
            )
    return problems


def encode(discrepancies: list[str]) -> str:
    return json.dumps(discrepancies)


def snapshot_time(now: datetime) -> datetime:
    return now
