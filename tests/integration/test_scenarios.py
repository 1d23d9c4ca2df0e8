"""The seed's four scenarios (1a, 2a, 1b, 2b), each run on the seed's world after the scenarios
it builds on, with everything the registry must show afterwards: holdings, transactions,
first-transfer records, block states and the journal."""

from __future__ import annotations

from small_world import account_view, blocks_of

from article6.demo import world as demo
from article6.demo.world import CORSIA_AUTHORIZATION, NDC_AUTHORIZATION, SECRETARIAT, XXA_ADMIN
from article6.domain.access import Actor
from article6.domain.filters import JournalFilter
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.services.views import Receipt, TransactionView

USE_OR_CANCELLATION = "Use or cancellation"
TO_ANOTHER_PARTY = "First transfer to another Party"


def holdings(registry: Registry, world: demo.DemoWorld) -> dict[str, int]:
    """Every non-empty account of XXA and XXC, with nothing left reserved."""
    found = {}
    for party in ("XXA", "XXC"):
        for account in ledger.accounts(registry, SECRETARIAT, party):
            assert account.reserved == 0, account.name
            if account.quantity:
                holder = "Party" if account.holder == "PARTY" else account.entity_name
                found[f"{party} {holder} {account.kind}"] = account.quantity
    return found


def blocks(registry: Registry, account: str) -> list[tuple[int, int, str, str | None, bool]]:
    """(first, last, state, authorization, first transferred) of each block of the account, in
    serial order."""
    found = blocks_of(registry, account)
    return [(b.first, b.last, b.state, b.authorization_id, b.first_transferred) for b in found]


def container(registry: Registry, account: str) -> str:
    return account_view(registry, account).container


def events(registry: Registry, subject: str) -> list[str]:
    about = JournalFilter(subject=subject)
    return [e.event for e in ledger.journal(registry, SECRETARIAT, None, about).items]


def first_transfers(registry: Registry, actor: Actor, party: str) -> list[TransactionView]:
    """The Party's completed first transfers as its section shows them, oldest first."""
    return ledger.first_transfers(registry, actor, party).items[::-1]


def ranges(receipt: Receipt) -> list[tuple[int, int, str | None, str, str | None]]:
    assert receipt.transaction is not None
    return [
        (r.first, r.last, r.from_state, r.to_state, r.first_transfer_subtype)
        for r in receipt.transaction.ranges
    ]


def assert_completed_directly(receipt: Receipt, kind: str, quantity: int) -> None:
    """An administrator's own action completes at once, with nobody else's approval."""
    t = receipt.transaction
    assert t is not None
    assert (t.kind, t.status, t.quantity) == (kind, "completed", quantity)
    assert t.initiator == XXA_ADMIN.label
    assert t.approver is None


def world_with(registry: Registry, *earlier: str) -> demo.DemoWorld:
    world = demo.build_world(registry)
    functions = {code: run for code, _, run, _ in demo.SCENARIOS}
    for code in earlier:
        functions[code](registry, world)
    return world


def test_world_issues_100000_mos_to_xxa(registry: Registry) -> None:
    world = demo.build_world(registry)
    issuance = world.receipts[0]
    assert issuance.transaction is not None
    assert (issuance.transaction.kind, issuance.transaction.status) == ("issuance", "completed")
    assert ranges(issuance) == [(1, 100_000, None, "MO", None)]
    assert holdings(registry, world) == {"XXA Party mo_holding": 100_000}
    assert events(registry, issuance.record) == ["UnitsIssued"]
    assert container(registry, world["XXA Party mo_holding"]) == "ARS"
    assert ledger.verify_registry(registry) == []


def test_1a_party_cancels_for_corsia_as_first_transfer(registry: Registry) -> None:
    world = world_with(registry)
    link, cancellation = demo.scenario_1a(registry, world)

    assert_completed_directly(link, "authorization", 20_000)
    assert ranges(link) == [(80_001, 100_000, "MO", "AMO", None)]
    assert_completed_directly(cancellation, "cancellation", 10_000)
    assert cancellation.transaction is not None
    assert cancellation.transaction.cancellation_purpose == "IMP"
    assert cancellation.transaction.purpose == "CORSIA"
    assert cancellation.transaction.first_transfer
    assert ranges(cancellation) == [(90_001, 100_000, "AMO", "cancelled", USE_OR_CANCELLATION)]

    assert holdings(registry, world) == {
        "XXA Party mo_holding": 80_000,
        "XXA Party amo_holding": 10_000,
        "XXA Party imp_cancellation": 10_000,
    }
    assert blocks(registry, world["XXA Party amo_holding"]) == [
        (80_001, 90_000, "AMO", CORSIA_AUTHORIZATION, False)
    ]
    assert container(registry, world["XXA Party amo_holding"]) == "ARS"
    assert blocks(registry, world["XXA Party imp_cancellation"]) == [
        (90_001, 100_000, "cancelled", CORSIA_AUTHORIZATION, True)
    ]
    assert [t.identifier for t in first_transfers(registry, XXA_ADMIN, "XXA")] == [
        cancellation.record
    ]
    assert events(registry, link.record) == ["TransactionCompleted"]
    assert events(registry, cancellation.record) == ["TransactionCompleted"]
    assert ledger.verify_registry(registry) == []


def test_2a_party_transfers_to_xxc_as_first_transfer(registry: Registry) -> None:
    world = world_with(registry, "1a")
    link, transfer = demo.scenario_2a(registry, world)

    assert_completed_directly(link, "authorization", 30_000)
    assert ranges(link) == [(50_001, 80_000, "MO", "AMO", None)]
    assert_completed_directly(transfer, "international_transfer", 20_000)
    assert transfer.transaction is not None
    assert transfer.transaction.acquiring_party == "XXC"
    assert transfer.transaction.first_transfer
    assert ranges(transfer) == [(60_001, 80_000, "AMO", "ITMO", TO_ANOTHER_PARTY)]

    assert holdings(registry, world) == {
        "XXA Party mo_holding": 50_000,
        "XXA Party amo_holding": 20_000,
        "XXA Party imp_cancellation": 10_000,
        "XXC Party itmo_holding": 20_000,
    }
    assert blocks(registry, world["XXA Party amo_holding"]) == [
        (50_001, 60_000, "AMO", NDC_AUTHORIZATION, False),
        (80_001, 90_000, "AMO", CORSIA_AUTHORIZATION, False),
    ]
    assert blocks(registry, world["XXC Party itmo_holding"]) == [
        (60_001, 80_000, "ITMO", NDC_AUTHORIZATION, True)
    ]
    assert container(registry, world["XXC Party itmo_holding"]) == "IR"
    first = first_transfers(registry, XXA_ADMIN, "XXA")
    assert [t.kind for t in first] == ["cancellation", "international_transfer"]
    assert first[-1].identifier == transfer.record
    # XXC first transferred nothing: the one first transfer its section shows is XXA's, the
    # acquisition that brought the units in, which it also sees among its own transactions.
    seen_by_xxc = first_transfers(registry, demo.XXC_ADMIN, "XXC")
    assert [(t.identifier, t.party) for t in seen_by_xxc] == [(transfer.record, "XXA")]
    assert transfer.record in {
        t.identifier for t in ledger.transactions(registry, demo.XXC_ADMIN, "XXC").items
    }
    assert events(registry, transfer.record) == ["TransactionCompleted"]
    assert ledger.verify_registry(registry) == []


def test_1b_entity_cancels_for_corsia_with_party_approval(registry: Registry) -> None:
    world = world_with(registry, "1a", "2a")
    transfer, request, approval = demo.scenario_1b(registry, world)

    assert_completed_directly(transfer, "internal_transfer", 5_000)
    assert ranges(transfer) == [(85_001, 90_000, "AMO", "AMO", None)]
    assert request.transaction is not None
    assert request.status == "awaiting_approval"
    assert request.transaction.initiator == demo.GREEN_GROUP_A.label
    assert request.transaction.approver is None
    assert request.transaction.expires_at is not None
    assert ranges(request) == []  # nothing moved yet
    approved = approval.transaction
    assert approved is not None
    assert approved.identifier == request.record
    assert (approved.kind, approved.status) == ("cancellation", "completed")
    assert approved.approver == XXA_ADMIN.label != approved.initiator
    assert approved.using_entity == "XXA-E0001"
    assert approved.first_transfer
    assert ranges(approval) == [(85_001, 90_000, "AMO", "cancelled", USE_OR_CANCELLATION)]

    assert holdings(registry, world) == {
        "XXA Party mo_holding": 50_000,
        "XXA Party amo_holding": 15_000,
        "XXA Party imp_cancellation": 15_000,
        "XXC Party itmo_holding": 20_000,
    }
    # The entity's cancelled units sit next to the Party's and coalesce with them.
    assert blocks(registry, world["XXA Party imp_cancellation"]) == [
        (85_001, 100_000, "cancelled", CORSIA_AUTHORIZATION, True)
    ]
    assert blocks(registry, world["XXA Green Group A amo_holding"]) == []
    first = first_transfers(registry, XXA_ADMIN, "XXA")
    assert [t.identifier for t in first][-1] == request.record
    assert len(first) == 3
    assert events(registry, request.record) == [
        "TransactionAwaitingApproval",
        "TransactionCompleted",
    ]
    assert ledger.verify_registry(registry) == []


def test_2b_entities_transfer_internationally_and_xxc_uses_towards_ndc(
    registry: Registry,
) -> None:
    world = world_with(registry, "1a", "2a", "1b")
    transfer, request, approval, handover, handover_approval, use = demo.scenario_2b(
        registry, world
    )

    assert_completed_directly(transfer, "internal_transfer", 8_000)
    assert ranges(transfer) == [(52_001, 60_000, "AMO", "AMO", None)]
    assert request.status == "awaiting_approval"
    assert approval.transaction is not None
    assert approval.transaction.kind == "international_transfer"
    assert approval.transaction.approver == XXA_ADMIN.label
    assert approval.transaction.initiator == demo.GREEN_GROUP_A.label
    assert ranges(approval) == [(52_001, 60_000, "AMO", "ITMO", TO_ANOTHER_PARTY)]

    # Units already first transferred are not first transferred again.
    assert handover.status == "awaiting_approval"
    assert handover_approval.transaction is not None
    assert handover_approval.transaction.kind == "internal_transfer"
    assert handover_approval.transaction.approver == demo.XXC_ADMIN.label
    assert handover_approval.transaction.initiator == demo.GREEN_C_ENTITY.label
    assert not handover_approval.transaction.first_transfer
    assert ranges(handover_approval) == [(57_001, 60_000, "ITMO", "ITMO", None)]
    used = use.transaction
    assert used is not None
    assert (used.kind, used.status, used.ndc_year) == ("use", "completed", 2025)
    assert used.initiator == demo.XXC_ADMIN.label
    assert not used.first_transfer
    assert [r.first_transfer_subtype for r in used.ranges] == [None]
    assert sum(r.quantity for r in used.ranges) == 3_000

    assert holdings(registry, world) == {
        "XXA Party mo_holding": 50_000,
        "XXA Party amo_holding": 7_000,
        "XXA Party imp_cancellation": 15_000,
        "XXC Green C Entity itmo_holding": 5_000,
        "XXC Party itmo_holding": 20_000,
        "XXC Party ndc_use": 3_000,
    }
    assert blocks(registry, world["XXC Green C Entity itmo_holding"]) == [
        (52_001, 57_000, "ITMO", NDC_AUTHORIZATION, True)
    ]
    assert [b[2] for b in blocks(registry, world["XXC Party ndc_use"])] == ["used"]
    assert container(registry, world["XXC Party ndc_use"]) == "IR"
    first = first_transfers(registry, XXA_ADMIN, "XXA")
    assert [t.identifier for t in first][-1] == request.record
    assert len(first) == 4
    assert handover.record not in {t.identifier for t in first}
    assert use.record not in {t.identifier for t in first}
    for pending in (request, handover):
        assert events(registry, pending.record) == [
            "TransactionAwaitingApproval",
            "TransactionCompleted",
        ]
    assert events(registry, use.record) == ["TransactionCompleted"]
    assert ledger.verify_registry(registry) == []
