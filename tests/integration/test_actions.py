"""What each action does to units: where they go, their state, and whether (and how) it is their
first transfer, for every first-transfer definition and purpose; blocks split and coalesce;
authorization versions; the manual first-transfer record.

The small world (see small_world.py): XXA holds MOs 1-500, AMOs 501-700 under CORSIA (OIMP,
first transfer at use or cancellation) and 701-1000 under the NDC authorization.
"""

from __future__ import annotations

import random
from typing import Any

import pytest
from small_world import (
    CORSIA,
    GREEN_GROUP_A,
    NDC,
    SECRETARIAT,
    XXA_ADMIN,
    XXC_ADMIN,
    SmallWorld,
    account_of,
    block_rows,
    blocks_of,
    holdings,
    record_authorization,
    selection,
)

from article6.domain.accounts import CancellationPurpose
from article6.domain.checks import CommandRefused
from article6.domain.filters import JournalFilter
from article6.domain.nomenclature import FirstTransferDefinition, Purpose
from article6.services import approvals, issuance, units
from article6.services import commands as c
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.services.reads.ledger import verify_registry
from article6.services.views import Receipt
from article6.store import history

AUTHORIZATION = "Authorization"
ISSUANCE = "Issuance"
USE_OR_CANCELLATION = "Use or cancellation"
TO_ANOTHER_PARTY = "First transfer to another Party"


def moved(receipt: Receipt) -> list[tuple[int, int, str | None, str, str | None]]:
    assert receipt.transaction is not None
    return [
        (r.first, r.last, r.from_state, r.to_state, r.first_transfer_subtype)
        for r in receipt.transaction.ranges
    ]


def versions(registry: Registry, account: str) -> list[tuple[int, int, str | None, int | None]]:
    blocks = blocks_of(registry, account, limit=100)
    return [(b.first, b.last, b.authorization_id, b.authorization_version) for b in blocks]


def first_transferred(registry: Registry, account: str) -> list[bool]:
    return [b.first_transferred for b in blocks_of(registry, account, limit=100)]


def link(registry: Registry, world: SmallWorld, authorization: str, quantity: int) -> Receipt:
    return units.link_authorization(
        registry,
        XXA_ADMIN,
        c.LinkAuthorization(
            account=world["XXA Party mo_holding"],
            authorization_id=authorization,
            units=selection(quantity),
        ),
    )


def international(
    registry: Registry,
    world: SmallWorld,
    units_: c.UnitSelection,
    source: str = "XXA Party amo_holding",
    destination: str = "XXC Party itmo_holding",
) -> Receipt:
    return units.transfer_internationally(
        registry,
        XXA_ADMIN,
        c.TransferInternationally(
            source_account=world[source], destination_account=world[destination], units=units_
        ),
    )


def transfer(
    registry: Registry,
    world: SmallWorld,
    source: str,
    destination: str,
    units_: c.UnitSelection,
    actor: Any = None,
) -> Receipt:
    """By XXA's administrator, or from Green Group A's account by its representative (who
    alone moves its units), approved by XXA's administrator."""
    by_entity = actor is None and source.startswith("XXA Green Group A")
    receipt = units.transfer_units(
        registry,
        GREEN_GROUP_A if by_entity else actor or XXA_ADMIN,
        c.TransferUnits(
            source_account=world[source], destination_account=world[destination], units=units_
        ),
    )
    if by_entity:
        return approvals.approve_transaction(
            registry, XXA_ADMIN, c.ApproveTransaction(transaction=receipt.record)
        )
    return receipt


def cancel(
    registry: Registry,
    world: SmallWorld,
    units_: c.UnitSelection,
    purpose: CancellationPurpose = CancellationPurpose.IMP,
    text: str | None = "CORSIA",
    source: str = "XXA Party amo_holding",
    actor: Any = XXA_ADMIN,
) -> Receipt:
    return units.cancel_units(
        registry,
        actor,
        c.CancelUnits(
            source_account=world[source], purpose=purpose, purpose_text=text, units=units_
        ),
    )


def use(registry: Registry, world: SmallWorld, quantity: int, year: int) -> Receipt:
    return units.use_towards_ndc(
        registry,
        XXC_ADMIN,
        c.UseTowardsNDC(
            source_account=world["XXC Party itmo_holding"], ndc_year=year, units=selection(quantity)
        ),
    )


def oimp(registry: Registry, identifier: str, definition: FirstTransferDefinition, **more: Any):
    record_authorization(
        registry,
        authorization_id=identifier,
        purposes=more.pop("purposes", Purpose.OIMP),
        oimp_authorized="CORSIA",
        first_transfer_definition=definition,
        **more,
    )


# First transfer of OIMP units, at each of the three events a Party may define


def test_oimp_first_transfer_at_authorisation_moves_linked_units_to_the_ir(
    registry: Registry, world: SmallWorld
):
    oimp(registry, "XXA-OIMP-AUTH", FirstTransferDefinition.AUTHORISATION)
    receipt = link(registry, world, "XXA-OIMP-AUTH", 100)

    assert receipt.transaction is not None
    assert (receipt.transaction.kind, receipt.transaction.status) == ("authorization", "completed")
    assert receipt.transaction.first_transfer
    assert moved(receipt) == [(401, 500, "MO", "ITMO", AUTHORIZATION)]
    assert account_of(registry, world["XXA Party itmo_holding"]) == [(401, 500, "ITMO", False)]
    assert first_transferred(registry, world["XXA Party itmo_holding"]) == [True]
    assert receipt.record in {
        t.identifier for t in ledger.first_transfers(registry, XXA_ADMIN, "XXA").items
    }
    # Already first transferred: the later international transfer is not a first transfer.
    onward = international(
        registry, world, selection(40, "XXA-OIMP-AUTH"), source="XXA Party itmo_holding"
    )
    assert moved(onward) == [(461, 500, "ITMO", "ITMO", None)]
    assert verify_registry(registry) == []


def test_oimp_first_transfer_at_issuance_issues_itmos_into_the_ir(
    registry: Registry, world: SmallWorld
):
    oimp(registry, "XXA-OIMP-ISS", FirstTransferDefinition.ISSUANCE)
    receipt = issuance.issue_units(
        registry,
        XXA_ADMIN,
        c.IssueUnits(
            mitigation_activity=world.activity,
            vintage=2024,
            quantity=250,
            authorization_id="XXA-OIMP-ISS",
        ),
    )

    assert receipt.transaction is not None
    assert receipt.transaction.kind == "issuance"
    assert receipt.transaction.first_transfer
    assert moved(receipt) == [(1001, 1250, None, "ITMO", ISSUANCE)]
    assert versions(registry, world["XXA Party itmo_holding"]) == [(1001, 1250, "XXA-OIMP-ISS", 1)]
    assert holdings(registry)["XXA Party itmo_holding"] == (250, 0)
    # MOs already issued cannot take this authorization: their first transfer has passed.
    with pytest.raises(CommandRefused) as refused:
        link(registry, world, "XXA-OIMP-ISS", 10)
    assert refused.value.codes == ["C3008"]
    assert verify_registry(registry) == []


def test_oimp_first_transfer_at_use_or_cancellation(registry: Registry, world: SmallWorld):
    receipt = cancel(registry, world, selection(50, CORSIA))

    assert receipt.transaction is not None
    assert receipt.transaction.first_transfer
    assert moved(receipt) == [(651, 700, "AMO", "cancelled", USE_OR_CANCELLATION)]
    assert account_of(registry, world["XXA Party amo_holding"]) == [
        (501, 650, "AMO", False),
        (701, 1000, "AMO", False),
    ]
    assert account_of(registry, world["XXA Party imp_cancellation"]) == [
        (651, 700, "cancelled", False)
    ]
    assert verify_registry(registry) == []


def test_issuing_under_an_authorization_respects_its_authorized_quantity(
    registry: Registry, world: SmallWorld
):
    oimp(registry, "XXA-OIMP-CAP", FirstTransferDefinition.ISSUANCE, authorized_quantity=100)

    def issue(quantity: int) -> Receipt:
        return issuance.issue_units(
            registry,
            XXA_ADMIN,
            c.IssueUnits(
                mitigation_activity=world.activity,
                vintage=2024,
                quantity=quantity,
                authorization_id="XXA-OIMP-CAP",
            ),
        )

    issue(60)
    with pytest.raises(CommandRefused) as refused:
        issue(41)
    assert [(r.check.code, r.field) for r in refused.value.refusals] == [("C3007", "quantity")]
    assert issue(40).status == "completed"
    assert holdings(registry)["XXA Party itmo_holding"] == (100, 0)
    assert verify_registry(registry) == []


def test_linking_respects_the_authorized_quantity_across_links(
    registry: Registry, world: SmallWorld
):
    record_authorization(
        registry, authorization_id="XXA-NDC-CAP", purposes=Purpose.NDC, authorized_quantity=100
    )
    link(registry, world, "XXA-NDC-CAP", 70)
    with pytest.raises(CommandRefused) as refused:
        link(registry, world, "XXA-NDC-CAP", 31)
    assert refused.value.codes == ["C3007"]
    assert link(registry, world, "XXA-NDC-CAP", 30).status == "completed"
    assert verify_registry(registry) == []


# NDC and OIMP together: whichever first-transfer event comes first


def test_ndc_and_oimp_first_transferred_by_the_international_transfer(
    registry: Registry, world: SmallWorld
):
    oimp(
        registry,
        "XXA-BOTH",
        FirstTransferDefinition.USE_OR_CANCELLATION,
        purposes=Purpose.NDC_AND_OIMP,
    )
    link(registry, world, "XXA-BOTH", 100)
    transfer_out = international(registry, world, selection(100, "XXA-BOTH"))
    assert moved(transfer_out) == [(401, 500, "AMO", "ITMO", TO_ANOTHER_PARTY)]
    # XXC's later cancellation for CORSIA is not a first transfer.
    cancelled = cancel(
        registry, world, selection(30), source="XXC Party itmo_holding", actor=XXC_ADMIN
    )
    assert cancelled.transaction is not None
    assert not cancelled.transaction.first_transfer
    assert moved(cancelled) == [(471, 500, "ITMO", "cancelled", None)]
    assert holdings(registry)["XXC Party imp_cancellation"] == (30, 0)
    assert verify_registry(registry) == []


def test_ndc_and_oimp_first_transferred_by_the_cancellation(registry: Registry, world: SmallWorld):
    oimp(
        registry,
        "XXA-BOTH",
        FirstTransferDefinition.USE_OR_CANCELLATION,
        purposes=Purpose.NDC_AND_OIMP,
    )
    link(registry, world, "XXA-BOTH", 100)
    cancelled = cancel(registry, world, selection(100, "XXA-BOTH"))
    assert moved(cancelled) == [(401, 500, "AMO", "cancelled", USE_OR_CANCELLATION)]
    assert verify_registry(registry) == []


def test_ndc_and_oimp_first_transferred_at_authorisation(registry: Registry, world: SmallWorld):
    oimp(
        registry,
        "XXA-BOTH",
        FirstTransferDefinition.AUTHORISATION,
        purposes=Purpose.NDC_AND_OIMP,
    )
    linked = link(registry, world, "XXA-BOTH", 100)
    assert moved(linked) == [(401, 500, "MO", "ITMO", AUTHORIZATION)]
    onward = international(
        registry, world, selection(100, "XXA-BOTH"), source="XXA Party itmo_holding"
    )
    assert moved(onward) == [(401, 500, "ITMO", "ITMO", None)]
    assert len(ledger.first_transfers(registry, XXA_ADMIN, "XXA").items) == 1
    assert verify_registry(registry) == []


# Use towards the NDC and the cancellations


def test_ndc_use_records_the_year(registry: Registry, world: SmallWorld):
    international(registry, world, selection(100, NDC))
    receipt = use(registry, world, 60, 2027)

    assert receipt.transaction is not None
    assert (receipt.transaction.kind, receipt.transaction.ndc_year) == ("use", 2027)
    assert moved(receipt) == [(941, 1000, "ITMO", "used", None)]
    assert account_of(registry, world["XXC Party ndc_use"]) == [(941, 1000, "used", False)]
    assert holdings(registry, ("XXC",)) == {
        "XXC Party itmo_holding": (40, 0),
        "XXC Party ndc_use": (60, 0),
    }
    assert verify_registry(registry) == []


def test_op_omge_and_voluntary_cancellations_go_to_their_own_accounts(
    registry: Registry, world: SmallWorld
):
    op = cancel(registry, world, selection(20, CORSIA), CancellationPurpose.OP, "Airline pledge")
    international(registry, world, selection(100, NDC))
    omge = cancel(
        registry,
        world,
        selection(30),
        CancellationPurpose.OMGE,
        None,
        source="XXC Party itmo_holding",
        actor=XXC_ADMIN,
    )
    voluntary = cancel(
        registry,
        world,
        selection(10),
        CancellationPurpose.VOLUNTARY,
        None,
        source="XXC Party itmo_holding",
        actor=XXC_ADMIN,
    )

    assert moved(op) == [(681, 700, "AMO", "cancelled", USE_OR_CANCELLATION)]
    assert op.transaction is not None and op.transaction.purpose == "Airline pledge"
    for receipt, purpose in ((op, "OP"), (omge, "OMGE"), (voluntary, "voluntary")):
        assert receipt.transaction is not None
        assert receipt.transaction.cancellation_purpose == purpose
        assert receipt.transaction.status == "completed"
    assert [r[4] for r in moved(omge) + moved(voluntary)] == [None, None]
    assert holdings(registry) == {
        "XXA Party mo_holding": (500, 0),
        "XXA Party amo_holding": (380, 0),
        "XXA Party op_cancellation": (20, 0),
        "XXC Party itmo_holding": (60, 0),
        "XXC Party omge_cancellation": (30, 0),
        "XXC Party voluntary_cancellation": (10, 0),
    }
    assert verify_registry(registry) == []


def test_units_in_use_and_cancellation_accounts_never_move_again(
    registry: Registry, world: SmallWorld
):
    cancel(registry, world, selection(10, CORSIA))
    international(registry, world, selection(10, NDC))
    use(registry, world, 10, 2025)
    attempts = [
        lambda: cancel(registry, world, selection(10), source="XXA Party imp_cancellation"),
        lambda: transfer(
            registry,
            world,
            "XXA Party imp_cancellation",
            "XXA Party op_cancellation",
            selection(10),
        ),
        lambda: international(registry, world, selection(10), source="XXA Party imp_cancellation"),
        lambda: units.use_towards_ndc(
            registry,
            XXC_ADMIN,
            c.UseTowardsNDC(
                source_account=world["XXC Party ndc_use"], ndc_year=2025, units=selection(10)
            ),
        ),
        lambda: units.transfer_units(
            registry,
            XXC_ADMIN,
            c.TransferUnits(
                source_account=world["XXC Party ndc_use"],
                destination_account=world["XXC Party itmo_holding"],
                units=selection(10),
            ),
        ),
    ]
    for attempt in attempts:
        with pytest.raises(CommandRefused) as refused:
            attempt()
        assert refused.value.codes == ["C5002"]
    assert holdings(registry)["XXA Party imp_cancellation"] == (10, 0)
    assert holdings(registry)["XXC Party ndc_use"] == (10, 0)
    assert verify_registry(registry) == []


# Blocks: splitting, coalescing, size independence, explicit ranges


def test_moving_part_of_a_block_and_back_leaves_one_block(registry: Registry, world: SmallWorld):
    out = transfer(
        registry,
        world,
        "XXA Party amo_holding",
        "XXA Green Group A amo_holding",
        selection(100, CORSIA),
    )
    assert moved(out) == [(601, 700, "AMO", "AMO", None)]
    assert account_of(registry, world["XXA Party amo_holding"])[0] == (501, 600, "AMO", False)

    transfer(
        registry,
        world,
        "XXA Green Group A amo_holding",
        "XXA Party amo_holding",
        selection(100),
    )
    assert account_of(registry, world["XXA Party amo_holding"]) == [
        (501, 700, "AMO", False),
        (701, 1000, "AMO", False),
    ]
    assert account_of(registry, world["XXA Green Group A amo_holding"]) == []
    assert verify_registry(registry) == []


def test_moving_a_billion_units_writes_as_many_block_rows_as_moving_one(
    registry: Registry, world: SmallWorld
):
    issuance.issue_units(
        registry,
        XXA_ADMIN,
        c.IssueUnits(mitigation_activity=world.activity, vintage=2023, quantity=2 * 10**9),
    )

    def rows_written(quantity: int, vintage: int) -> tuple[int, int]:
        before = block_rows(registry)
        transfer(
            registry,
            world,
            "XXA Party mo_holding",
            "XXA Green Group A mo_holding",
            selection(quantity, vintage=vintage),
        )
        after = block_rows(registry)
        return after[0] - before[0], after[1] - before[1]

    # Each splits one block in two and records one moved range.
    assert rows_written(10**9, 2023) == rows_written(1, 2024) == (1, 1)
    assert holdings(registry)["XXA Green Group A mo_holding"] == (10**9 + 1, 0)
    assert holdings(registry)["XXA Party mo_holding"] == (500 + 10**9 - 1, 0)
    assert verify_registry(registry) == []


def test_explicit_serial_ranges_move_exactly_those_units(registry: Registry, world: SmallWorld):
    receipt = transfer(
        registry,
        world,
        "XXA Party mo_holding",
        "XXA Green Group A mo_holding",
        selection(ranges=[(10, 19), (100, 100), (490, 500)]),
    )
    assert moved(receipt) == [
        (10, 19, "MO", "MO", None),
        (100, 100, "MO", "MO", None),
        (490, 500, "MO", "MO", None),
    ]
    assert [b[:2] for b in account_of(registry, world["XXA Green Group A mo_holding"])] == [
        (10, 19),
        (100, 100),
        (490, 500),
    ]
    assert [b[:2] for b in account_of(registry, world["XXA Party mo_holding"])] == [
        (1, 9),
        (20, 99),
        (101, 489),
    ]
    assert holdings(registry)["XXA Green Group A mo_holding"] == (22, 0)
    assert verify_registry(registry) == []


# Authorization versions


def test_a_change_is_version_2_and_governs_units_not_yet_first_transferred(
    registry: Registry, world: SmallWorld
):
    international(registry, world, selection(100, NDC))  # first transferred under version 1

    version_2 = record_authorization(
        registry, authorization_id=NDC, purposes=Purpose.NDC, authorized_parties=["XXC", "XXB"]
    )
    assert version_2.record == f"{NDC} v2"
    to_xxb = international(
        registry, world, selection(50, NDC), destination="XXB Party itmo_holding"
    )
    assert to_xxb.transaction is not None
    assert [r.authorization_version for r in to_xxb.transaction.ranges] == [2]
    assert versions(registry, world["XXC Party itmo_holding"]) == [(901, 1000, NDC, 1)]
    assert versions(registry, world["XXB Party itmo_holding"]) == [(851, 900, NDC, 2)]

    # Version 3 revokes: units not yet first transferred can no longer leave; those first
    # transferred under version 1 keep it and can still be used.
    record_authorization(registry, authorization_id=NDC, purposes=Purpose.NDC, revoked=True)
    with pytest.raises(CommandRefused) as refused:
        international(registry, world, selection(10, NDC))
    assert refused.value.codes == ["C3002"]
    assert use(registry, world, 100, 2026).status == "completed"
    assert versions(registry, world["XXC Party ndc_use"]) == [(901, 1000, NDC, 1)]
    assert verify_registry(registry) == []


def test_manual_first_transfer_record_after_the_definition_moves_to_authorisation(
    registry: Registry, world: SmallWorld
):
    def record() -> Receipt:
        return units.record_first_transfer(
            registry,
            XXA_ADMIN,
            c.RecordFirstTransfer(
                account=world["XXA Party amo_holding"],
                reason="Version 2 moved the first transfer to Authorisation",
                units=selection(200, CORSIA),
            ),
        )

    # Under "Use or Cancellation" the registry records the first transfer itself.
    with pytest.raises(CommandRefused) as refused:
        record()
    assert refused.value.codes == ["C3008"]

    change = record_authorization(
        registry,
        authorization_id=CORSIA,
        purposes=Purpose.OIMP,
        oimp_authorized="CORSIA",
        first_transfer_definition=FirstTransferDefinition.AUTHORISATION,
    )
    assert change.record == f"{CORSIA} v2"
    receipt = record()

    assert receipt.transaction is not None
    assert (receipt.transaction.kind, receipt.transaction.status) == (
        "first_transfer_record",
        "completed",
    )
    assert receipt.transaction.first_transfer
    # The reason is the record's, not a purpose the AEF would report in field 22.
    assert (receipt.transaction.first_transfer_reason, receipt.transaction.purpose) == (
        "Version 2 moved the first transfer to Authorisation",
        None,
    )
    with registry.engine.connect() as connection:
        row = history.transaction(connection, receipt.transaction.identifier)
    assert row is not None and (row.first_transfer_reason, row.purpose) == (
        "Version 2 moved the first transfer to Authorisation",
        None,
    )
    assert moved(receipt) == [(501, 700, "AMO", "ITMO", AUTHORIZATION)]
    assert versions(registry, world["XXA Party itmo_holding"]) == [(501, 700, CORSIA, 2)]
    assert first_transferred(registry, world["XXA Party itmo_holding"]) == [True]
    about = JournalFilter(subject=receipt.record)
    entries = ledger.journal(registry, SECRETARIAT, None, about).items
    assert [e.event for e in entries] == ["TransactionCompleted"]
    assert "Version 2 moved the first transfer to Authorisation" in entries[0].body
    # Recorded once: these units cannot be first transferred again.
    with pytest.raises(CommandRefused) as again:
        units.record_first_transfer(
            registry,
            XXA_ADMIN,
            c.RecordFirstTransfer(
                account=world["XXA Party itmo_holding"], reason="twice", units=selection(10)
            ),
        )
    assert again.value.codes == ["C4001"]
    assert verify_registry(registry) == []


def test_ping_pong_transfers_of_random_quantities_leave_each_account_one_block(
    registry: Registry, world: SmallWorld
):
    """The moved part of a split block is the end next to the destination's units, so it merges
    there and the source keeps one contiguous remainder: fragmentation stays flat."""
    rng = random.Random(2026)
    accounts = ["XXA Party mo_holding", "XXA Green Group A mo_holding"]
    most = 0
    for turn in range(200):
        source, destination = accounts[turn % 2], accounts[1 - turn % 2]
        held = holdings(registry)[source][0]
        if held == 0:
            continue
        transfer(registry, world, source, destination, selection(rng.randint(1, held)))
        most = max(most, *(len(account_of(registry, world[name])) for name in accounts))
    blocks = [account_of(registry, world[name]) for name in accounts]
    assert most == 1
    assert sum(last - first + 1 for found in blocks for first, last, _, _ in found) == 500
    assert verify_registry(registry) == []
