"""Commands commit in parallel on PostgreSQL, and the journal still chains every one of them.

A command takes no shared row it would hold to its commit: its journal entry waits in
`journal_pending` and its process's sealer chains it after the commit, and its transaction
number comes from its section's sequence. So one command of a Party never waits for another,
every committed entry is chained exactly once, and a number is never given twice.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime

import pytest
from sqlalchemy import Connection, func, select
from test_concurrency import (
    Outcomes,
    assert_sound,
    entity_asks_party_approves,
    link_ndc,
    run_together,
)

from article6.demo import world as demo
from article6.services import commands as c
from article6.services import units
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.store import journal, journal_sealer, sections, verify
from article6.store.database import make_engine
from article6.store.schema import journal as journal_table
from article6.store.schema import journal_head, journal_pending

pytestmark = pytest.mark.postgres


@pytest.fixture
def registry(postgres_url: str) -> Iterator[Registry]:
    registry = Registry(make_engine(postgres_url, pool_size=20, max_overflow=20))
    yield registry
    registry.engine.dispose()


@pytest.fixture
def world(registry: Registry) -> demo.DemoWorld:
    world = demo.build_world(registry)
    link_ndc(registry, world, 10_000)
    journal.seal(registry.engine)  # the tests count what is pending from here
    return world


def record_uncommitted_entry(connection: Connection, subject: str) -> None:
    journal.append(
        connection,
        actor="test",
        event="Probe",
        party="XXA",
        subject=subject,
        body={},
        at=datetime.now(UTC),
    )


def wait_for_the_sealer(registry: Registry) -> None:
    """Until the background sealer has chained every committed entry (it does not take long:
    `journal_sealer.LAG_BOUND_MS`)."""
    give_up = time.monotonic() + 5 * journal_sealer.LAG_BOUND_MS / 1000
    while time.monotonic() < give_up:
        with registry.engine.connect() as connection:
            if journal.pending_count(connection) == 0:
                return
        time.sleep(0.005)
    raise AssertionError("the sealer left entries pending")


def chained_subjects(registry: Registry) -> list[str | None]:
    journal.seal(registry.engine)  # what the sealer has not chained yet, now
    with registry.engine.connect() as connection:
        return list(
            connection.execute(select(journal_table.c.subject).order_by(journal_table.c.seq))
            .scalars()
            .all()
        )


def test_a_command_commits_while_another_of_its_party_is_open_after_numbering_and_journaling(
    registry: Registry, world: demo.DemoWorld
) -> None:
    """The open transaction holds a transaction number and a journal entry of XXA; a transfer
    of XXA still completes (before, it waited on the section counter and the journal head)."""
    party, entity = world["XXA Party amo_holding"], world["XXA Green Group A amo_holding"]
    with registry.engine.connect() as open_connection:
        open_transaction = open_connection.begin()
        held_number = sections.next_transaction_number(open_connection, "XXA", registry.now())
        record_uncommitted_entry(open_connection, "still-open")

        finished = threading.Event()

        def transfer() -> None:
            units.transfer_units(
                registry,
                demo.XXA_ADMIN,
                c.TransferUnits(
                    source_account=party,
                    destination_account=entity,
                    units=c.UnitSelection(quantity=10),
                ),
            )
            finished.set()

        worker = threading.Thread(target=transfer)
        worker.start()
        assert finished.wait(timeout=60), "the transfer waited for the open transaction"
        worker.join()
        wait_for_the_sealer(registry)  # the transfer's entry: the open one is not committed
        open_transaction.commit()

    newest = ledger.transactions(registry, demo.XXA_ADMIN, "XXA").items[0]
    assert int(newest.identifier.rsplit("-", 1)[1]) == held_number + 1
    assert_sound(registry, demo.ISSUED)  # seals the entry the open transaction left pending
    assert chained_subjects(registry)[-1] == "still-open"


def test_every_committed_entry_is_chained_once_under_parallel_commands(
    registry: Registry, world: demo.DemoWorld
) -> None:
    party, entity = world["XXA Party amo_holding"], world["XXA Green Group A amo_holding"]
    units.transfer_units(
        registry,
        demo.XXA_ADMIN,
        c.TransferUnits(
            source_account=party, destination_account=entity, units=c.UnitSelection(quantity=5_000)
        ),
    )
    before = len(chained_subjects(registry))

    def shuttle(index: int) -> Callable[[Outcomes], None]:
        source, destination = (party, entity) if index % 2 else (entity, party)
        command = c.TransferUnits(
            source_account=source,
            destination_account=destination,
            units=c.UnitSelection(quantity=7),
        )

        def run(outcomes: Outcomes) -> None:
            for _ in range(10):
                if source == entity:  # only its representative asks; the Party approves
                    outcomes.record(entity_asks_party_approves, registry, command)
                else:
                    outcomes.record(units.transfer_units, registry, command)

        return run

    outcomes = run_together([shuttle(i) for i in range(12)])

    identifiers = [r.transaction.identifier for r in outcomes.receipts if r.transaction]
    assert len(identifiers) == len(set(identifiers)) == 120, "no number given twice"
    subjects = chained_subjects(registry)
    # The Party's 60 transfers have one entry each; the entity's 60, two (asked, completed).
    assert len(subjects) == before + 60 + 2 * 60
    chained = sorted(subjects[before:])
    assert sorted(set(chained)) == sorted(identifiers), "each transfer chained"
    assert all(chained.count(i) in (1, 2) for i in identifiers), "and only once per entry"
    with registry.engine.connect() as connection:
        assert journal.pending_count(connection) == 0
    assert_sound(registry, demo.ISSUED)


def test_an_entry_a_crash_left_unchained_is_reported_then_sealed(registry: Registry) -> None:
    with registry.engine.begin() as connection:  # committed without the seal that follows
        record_uncommitted_entry(connection, "left-by-a-crash")
    with registry.engine.connect() as connection:
        assert verify.everything(connection) == ["1 committed journal entries are not chained yet"]
    assert ledger.verify_registry(registry) == []  # seals first, as the next command would
    assert chained_subjects(registry)[-1] == "left-by-a-crash"


def test_sealers_racing_each_other_chain_every_entry_exactly_once(registry: Registry) -> None:
    for index in range(300):
        with registry.engine.begin() as connection:
            record_uncommitted_entry(connection, f"entry-{index}")
    sealed: list[int] = []
    lock = threading.Lock()
    barrier = threading.Barrier(8)

    def sealer() -> None:
        barrier.wait()
        count = journal.seal(registry.engine)
        with lock:
            sealed.append(count)

    threads = [threading.Thread(target=sealer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sum(sealed) == 300
    assert chained_subjects(registry) == [f"entry-{index}" for index in range(300)]
    with registry.engine.connect() as connection:
        assert connection.execute(select(func.count()).select_from(journal_pending)).scalar() == 0
    assert ledger.verify_registry(registry) == []


def test_a_command_rolled_back_after_numbering_leaves_a_gap_never_a_duplicate(
    registry: Registry, world: demo.DemoWorld
) -> None:
    with registry.engine.connect() as connection:
        transaction = connection.begin()
        lost = sections.next_transaction_number(connection, "XXA", registry.now())
        transaction.rollback()
    receipt = units.transfer_units(
        registry,
        demo.XXA_ADMIN,
        c.TransferUnits(
            source_account=world["XXA Party amo_holding"],
            destination_account=world["XXA Green Group A amo_holding"],
            units=c.UnitSelection(quantity=1),
        ),
    )
    assert receipt.transaction is not None
    assert int(receipt.transaction.identifier.rsplit("-", 1)[1]) == lost + 1
    assert_sound(registry, demo.ISSUED)


def test_a_stuck_sealer_delays_no_answer_and_loses_no_entry(
    registry: Registry, world: demo.DemoWorld
) -> None:
    """Another session holds the journal's head row, so no sealer can chain: the transfer still
    answers (it does not seal), its entry waits pending, and is chained once the head is free."""
    with registry.engine.connect() as stuck:
        held = stuck.begin()
        stuck.execute(select(journal_head).with_for_update())
        receipt = units.transfer_units(
            registry,
            demo.XXA_ADMIN,
            c.TransferUnits(
                source_account=world["XXA Party amo_holding"],
                destination_account=world["XXA Green Group A amo_holding"],
                units=c.UnitSelection(quantity=3),
            ),
        )
        assert receipt.transaction is not None and receipt.status == "completed"
        with registry.engine.connect() as connection:
            assert journal.pending_count(connection) == 1
        held.rollback()
    assert_sound(registry, demo.ISSUED)
    assert chained_subjects(registry)[-1] == receipt.transaction.identifier
