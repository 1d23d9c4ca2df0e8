"""Many requests at once on PostgreSQL: no over-spending, no lost or doubled units, no error
but a numbered refusal, one effect per idempotency key, and no serial issued twice.

Every thread uses the same `Registry` (one engine, one connection pool); a barrier starts the
threads together so that their transactions overlap.
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import select

from article6.demo import world as demo
from article6.domain.checks import CommandRefused
from article6.domain.filters import TransactionFilter
from article6.domain.transactions import TransactionStatus
from article6.services import approvals, issuance, units
from article6.services import commands as c
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.services.views import Receipt
from article6.store.database import make_engine
from article6.store.schema import mitigation_activities, unit_blocks

pytestmark = pytest.mark.postgres

THREADS = 12
REQUESTS = 10
EACH = 100
HOT = 10_000  # what the hot account holds: 100 of the 120 requests can be met


@dataclass
class Outcomes:
    """What the threads got back, collected under a lock."""

    receipts: list[Receipt] = field(default_factory=list)
    refusals: list[CommandRefused] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def record(
        self,
        service: Callable[..., Receipt],
        registry: Registry,
        command: Any,
        idempotency_key: str | None = None,
    ) -> None:
        try:
            receipt = service(registry, demo.XXA_ADMIN, command, idempotency_key=idempotency_key)
        except CommandRefused as refused:
            with self.lock:
                self.refusals.append(refused)
        except BaseException as error:  # a database error under load is a bug
            with self.lock:
                self.errors.append(error)
        else:
            with self.lock:
                self.receipts.append(receipt)


def entity_asks_party_approves(
    registry: Registry, _actor: Any, command: Any, idempotency_key: str | None = None
) -> Receipt:
    """Green Group A's representative asks for a transfer from its account (only they may);
    XXA's administrator approves it at once. The approval's receipt."""
    request = units.transfer_units(registry, demo.GREEN_GROUP_A, command, idempotency_key)
    return approvals.approve_transaction(
        registry, demo.XXA_ADMIN, c.ApproveTransaction(transaction=request.record)
    )


def run_together(work: list[Callable[[Outcomes], None]]) -> Outcomes:
    """Start one thread per piece of work at the same instant and wait for all of them."""
    outcomes = Outcomes()
    barrier = threading.Barrier(len(work))

    def start(job: Callable[[Outcomes], None]) -> None:
        barrier.wait()
        job(outcomes)

    threads = [threading.Thread(target=start, args=(job,)) for job in work]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert outcomes.errors == [], f"errors other than refusals: {outcomes.errors[:3]!r}"
    return outcomes


@pytest.fixture
def registry(postgres_url: str) -> Iterator[Registry]:
    registry = Registry(make_engine(postgres_url, pool_size=20, max_overflow=20))
    yield registry
    registry.engine.dispose()


@pytest.fixture
def world(registry: Registry) -> demo.DemoWorld:
    return demo.build_world(registry)


def holdings(registry: Registry) -> dict[str, int]:
    return {
        view.identifier: view.quantity
        for party, actor in (("XXA", demo.XXA_ADMIN), ("XXC", demo.XXC_ADMIN))
        for view in ledger.accounts(registry, actor, party)
    }


def assert_sound(registry: Registry, issued: int) -> dict[str, int]:
    """Nothing lost or doubled: every issued unit is in exactly one account."""
    held = holdings(registry)
    assert sum(held.values()) == issued
    assert ledger.verify_registry(registry) == []
    return held


def link_ndc(registry: Registry, world: demo.DemoWorld, quantity: int) -> None:
    units.link_authorization(
        registry,
        demo.XXA_ADMIN,
        c.LinkAuthorization(
            account=world["XXA Party mo_holding"],
            authorization_id=demo.NDC_AUTHORIZATION,
            units=c.UnitSelection(quantity=quantity),
        ),
    )


def test_a_hot_account_is_never_overspent(registry: Registry, world: demo.DemoWorld) -> None:
    """12 threads ask for 120 x 100 units, internal and international, from 10,000 AMOs."""
    link_ndc(registry, world, HOT)
    hot = world["XXA Party amo_holding"]
    entity, abroad = world["XXA Green Group A amo_holding"], world["XXC Party itmo_holding"]
    some = c.UnitSelection(quantity=EACH)

    def spender(index: int) -> Callable[[Outcomes], None]:
        def spend(outcomes: Outcomes) -> None:
            for request in range(REQUESTS):
                if (index + request) % 2:
                    command: Any = c.TransferUnits(
                        source_account=hot, destination_account=entity, units=some
                    )
                    service: Any = units.transfer_units
                else:
                    command = c.TransferInternationally(
                        source_account=hot, destination_account=abroad, units=some
                    )
                    service = units.transfer_internationally
                outcomes.record(service, registry, command)

        return spend

    outcomes = run_together([spender(i) for i in range(THREADS)])

    assert len(outcomes.receipts) + len(outcomes.refusals) == THREADS * REQUESTS
    assert all(r.status == "completed" for r in outcomes.receipts)
    assert len(outcomes.receipts) * EACH == HOT, "the whole balance and no more was spent"
    assert {code for r in outcomes.refusals for code in r.codes} <= {"C2001", "C2002"}
    held = assert_sound(registry, demo.ISSUED)
    moved_in = sum(r.transaction.quantity for r in outcomes.receipts if r.transaction)
    assert held[hot] == HOT - moved_in == 0
    assert held[entity] + held[abroad] == moved_in


def test_transfers_both_ways_between_two_accounts_all_complete(
    registry: Registry, world: demo.DemoWorld
) -> None:
    """Opposite transfers between the same two accounts lock in one order, so none deadlocks
    and every one completes."""
    link_ndc(registry, world, 20_000)
    party, entity = world["XXA Party amo_holding"], world["XXA Green Group A amo_holding"]
    units.transfer_units(
        registry,
        demo.XXA_ADMIN,
        c.TransferUnits(
            source_account=party,
            destination_account=entity,
            units=c.UnitSelection(quantity=10_000),
        ),
    )
    some = c.UnitSelection(quantity=EACH)

    def shuttle(index: int) -> Callable[[Outcomes], None]:
        source, destination = (party, entity) if index % 2 else (entity, party)
        command = c.TransferUnits(
            source_account=source, destination_account=destination, units=some
        )

        def run(outcomes: Outcomes) -> None:
            for _ in range(REQUESTS // 2):
                if source == entity:  # the entity asks, the Party approves: both lock the two
                    outcomes.record(entity_asks_party_approves, registry, command)
                else:
                    outcomes.record(units.transfer_units, registry, command)

        return run

    outcomes = run_together([shuttle(i) for i in range(THREADS)])

    assert outcomes.refusals == []
    assert len(outcomes.receipts) == THREADS * (REQUESTS // 2)
    assert all(r.status == "completed" for r in outcomes.receipts)
    held = assert_sound(registry, demo.ISSUED)
    assert held[party] == held[entity] == 10_000  # as many went each way


def test_one_idempotency_key_from_16_threads_has_one_effect(
    registry: Registry, world: demo.DemoWorld
) -> None:
    link_ndc(registry, world, 5_000)
    party, entity = world["XXA Party amo_holding"], world["XXA Green Group A amo_holding"]
    command = c.TransferUnits(
        source_account=party, destination_account=entity, units=c.UnitSelection(quantity=1_234)
    )

    def send(outcomes: Outcomes) -> None:
        outcomes.record(units.transfer_units, registry, command, "pay-once-0001")

    outcomes = run_together([send] * 16)

    assert outcomes.refusals == []
    assert len(outcomes.receipts) == 16
    assert len({r.record for r in outcomes.receipts}) == 1, "one transaction for all 16"
    assert all(r == outcomes.receipts[0] for r in outcomes.receipts)
    held = assert_sound(registry, demo.ISSUED)
    assert (held[party], held[entity]) == (5_000 - 1_234, 1_234), "moved once"
    completed = TransactionFilter(status=TransactionStatus.COMPLETED)
    transfers = ledger.transactions(registry, demo.XXA_ADMIN, "XXA", completed).items
    assert sum(t.kind == "internal_transfer" for t in transfers) == 1


def test_concurrent_issuances_never_reuse_a_serial(
    registry: Registry, world: demo.DemoWorld
) -> None:
    """12 threads issue 5 batches each, into the Party's and an entity's MO account."""
    accounts = (world["XXA Party mo_holding"], world["XXA Green Group A mo_holding"])

    def issuer(index: int) -> Callable[[Outcomes], None]:
        def issue(outcomes: Outcomes) -> None:
            for batch in range(5):
                command = c.IssueUnits(
                    mitigation_activity="XXA-MA-0001",
                    vintage=2021 + (index + batch) % 4,
                    quantity=100 + index * 10 + batch,
                    account=accounts[(index + batch) % 2],
                )
                outcomes.record(issuance.issue_units, registry, command)

        return issue

    outcomes = run_together([issuer(i) for i in range(THREADS)])

    assert outcomes.refusals == []
    batches = [r.transaction.ranges[0] for r in outcomes.receipts if r.transaction]
    assert len(batches) == THREADS * 5
    total = sum(b.quantity for b in batches)
    serials = sorted((b.first, b.last) for b in batches)
    assert serials[0][0] == demo.ISSUED + 1
    for (_, last), (first, _) in itertools.pairwise(serials):
        assert first == last + 1, "serials follow each other without gap or overlap"
    assert serials[-1][1] == demo.ISSUED + total
    assert_sound(registry, demo.ISSUED + total)
    with registry.engine.connect() as connection:
        underlying = sorted(
            (row.underlying_first, row.underlying_first + row.serial_last - row.serial_first)
            for row in connection.execute(select(unit_blocks))
        )
        following = connection.execute(
            select(mitigation_activities.c.underlying_next).where(
                mitigation_activities.c.identifier == "XXA-MA-0001"
            )
        ).scalar_one()
    for (_, last), (first, _) in itertools.pairwise(underlying):
        assert first > last, "no underlying Gold Standard unit is issued twice"
    assert following == 500_001 + demo.ISSUED + total


def test_concurrent_links_never_pass_the_authorized_quantity(
    registry: Registry, world: demo.DemoWorld
) -> None:
    """The NDC authorization allows 60,000 units; 12 threads link 12 x 6,000 from two MO
    accounts at once, so exactly 10 links fit."""
    sources = (world["XXA Party mo_holding"], world["XXA Green Group A mo_holding"])
    units.transfer_units(
        registry,
        demo.XXA_ADMIN,
        c.TransferUnits(
            source_account=sources[0],
            destination_account=sources[1],
            units=c.UnitSelection(quantity=50_000),
        ),
    )

    def linker(index: int) -> Callable[[Outcomes], None]:
        command = c.LinkAuthorization(
            account=sources[index % 2],
            authorization_id=demo.NDC_AUTHORIZATION,
            units=c.UnitSelection(quantity=6_000),
        )

        def link(outcomes: Outcomes) -> None:
            outcomes.record(units.link_authorization, registry, command)

        return link

    outcomes = run_together([linker(i) for i in range(THREADS)])

    assert {code for r in outcomes.refusals for code in r.codes} <= {"C3007"}
    assert len(outcomes.receipts) == 10
    held = assert_sound(registry, demo.ISSUED)
    linked = held[world["XXA Party amo_holding"]] + held[world["XXA Green Group A amo_holding"]]
    assert linked == 60_000
