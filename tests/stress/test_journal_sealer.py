"""The journal is sealed off the request path, within a documented bound.

A command on PostgreSQL answers once committed; its process's sealer chains the entry after it.
Under normal operation an entry is chained within `journal_sealer.LAG_BOUND_MS` of its commit,
the chain then verifies without anyone else sealing, and entries a dead process left pending
are chained by any other process's next round or at the next start.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from itertools import pairwise

import pytest
from sqlalchemy import Connection, event, select
from test_concurrency import assert_sound, link_ndc

from article6.demo import world as demo
from article6.services import commands as c
from article6.services import units
from article6.services.context import Registry
from article6.services.views import Receipt
from article6.store import journal, journal_sealer, verify
from article6.store.database import make_engine
from article6.store.schema import journal as journal_table
from article6.store.schema import journal_head

pytestmark = pytest.mark.postgres

CLIENTS, TRANSFERS_EACH = 8, 12


@pytest.fixture
def registry(postgres_url: str) -> Iterator[Registry]:
    registry = Registry(make_engine(postgres_url, pool_size=20, max_overflow=20))
    yield registry
    registry.engine.dispose()


@pytest.fixture
def world(registry: Registry) -> demo.DemoWorld:
    world = demo.build_world(registry)
    link_ndc(registry, world, 10_000)
    journal.seal(registry.engine)
    return world


def transfer(registry: Registry, world: demo.DemoWorld, quantity: int = 1) -> Receipt:
    return units.transfer_units(
        registry,
        demo.XXA_ADMIN,
        c.TransferUnits(
            source_account=world["XXA Party amo_holding"],
            destination_account=world["XXA Green Group A amo_holding"],
            units=c.UnitSelection(quantity=quantity),
        ),
    )


def pending(registry: Registry) -> int:
    with registry.engine.connect() as connection:
        return journal.pending_count(connection)


def wait_until_chained(registry: Registry) -> float:
    """Wait (no longer than the bound, and then some) until nothing is pending; how long it
    took, in ms. Does not seal: only the sealer may."""
    started = time.monotonic()
    while pending(registry) and time.monotonic() - started < 5 * journal_sealer.LAG_BOUND_MS / 1000:
        time.sleep(0.005)
    return 1000 * (time.monotonic() - started)


def sealer_stopped(registry: Registry, monkeypatch: pytest.MonkeyPatch) -> None:
    """As if the process died: commits wake no sealer, and the round the world's last commits
    asked for (it may be waiting out `ROUND_SPACING`) does not run."""
    monkeypatch.setattr(journal_sealer, "wake", lambda _engine: None)
    journal_sealer.sealer_for(registry.engine).halt()


def test_after_a_burst_of_commands_every_entry_is_chained_within_the_bound(
    registry: Registry, world: demo.DemoWorld
) -> None:
    committed: dict[str, float] = {}
    chained: dict[str, float] = {}
    burst_over = threading.Event()
    errors: list[BaseException] = []

    def watch() -> None:
        """Read the chain as it grows, as a reader would, without sealing: when did each
        transfer's entry appear?"""
        with registry.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as reader:
            last = reader.execute(select(journal_head.c.seq)).scalar_one()
            give_up = None
            while True:
                over = burst_over.is_set()
                if over:
                    give_up = give_up or time.monotonic() + 5 * journal_sealer.LAG_BOUND_MS / 1000
                    settled = journal.pending_count(reader) == 0
                new = reader.execute(
                    select(journal_table.c.seq, journal_table.c.subject)
                    .where(journal_table.c.seq > last)
                    .order_by(journal_table.c.seq)
                ).all()
                now = time.monotonic()
                for row in new:
                    chained.setdefault(str(row.subject), now)
                    last = row.seq
                if over and (settled or now > (give_up or now)):
                    return
                time.sleep(0.002)

    committing = threading.local()  # when this thread last sent COMMIT
    event.listen(registry.engine, "commit", lambda _c: setattr(committing, "at", time.monotonic()))

    def client() -> None:
        try:
            for _ in range(TRANSFERS_EACH):
                receipt = transfer(registry, world)
                assert receipt.transaction is not None
                committed[receipt.transaction.identifier] = committing.at
        except BaseException as error:  # reported below
            errors.append(error)

    watcher = threading.Thread(target=watch)
    watcher.start()
    clients = [threading.Thread(target=client) for _ in range(CLIENTS)]
    for thread in clients:
        thread.start()
    for thread in clients:
        thread.join()
    burst_over.set()
    watcher.join()

    assert errors == []
    assert len(committed) == CLIENTS * TRANSFERS_EACH
    assert set(committed) <= set(chained), "every transfer's entry reached the chain"
    # From just before COMMIT was sent: the lag is at most this.
    worst_ms = max(1000 * (chained[i] - committed[i]) for i in committed)
    assert worst_ms <= journal_sealer.LAG_BOUND_MS, f"an entry waited {worst_ms:.0f} ms"
    with registry.engine.connect() as connection:  # as the sealer left it, nobody else sealing
        assert verify.everything(connection) == []
    assert_sound(registry, demo.ISSUED)


def test_under_a_stream_of_commits_rounds_start_no_closer_than_the_spacing(
    registry: Registry, world: demo.DemoWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    """One round chains the commits of its moments: a round costs the same whatever it chains,
    so one per commit would cost a third of a transfer's server CPU."""
    started: list[float] = []
    seal_on = journal.seal_on

    def counted(connection: Connection) -> int:
        started.append(time.monotonic())
        return seal_on(connection)

    monkeypatch.setattr(journal, "seal_on", counted)
    time.sleep(journal_sealer.ROUND_SPACING)  # the world's own round is over
    started.clear()
    commits = 30
    for _ in range(commits):
        transfer(registry, world)
    assert wait_until_chained(registry) <= journal_sealer.LAG_BOUND_MS

    gaps = [later - earlier for earlier, later in pairwise(started)]
    assert len(started) < commits
    assert min(gaps, default=journal_sealer.ROUND_SPACING) >= 0.95 * journal_sealer.ROUND_SPACING
    with registry.engine.connect() as connection:
        assert verify.everything(connection) == []
    assert_sound(registry, demo.ISSUED)


def test_entries_a_dead_process_left_pending_are_chained_at_the_next_start(
    registry: Registry, world: demo.DemoWorld, postgres_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The process committed and died before its sealer's round: the entries wait, reported
    by verification, and the next start (`Registry.open`) chains them."""
    sealer_stopped(registry, monkeypatch)
    for _ in range(3):
        transfer(registry, world)
    with registry.engine.connect() as connection:
        assert verify.everything(connection) == ["3 committed journal entries are not chained yet"]
    monkeypatch.undo()

    restarted = Registry.open(postgres_url, migrate=False)
    try:
        with restarted.engine.connect() as connection:
            assert journal.pending_count(connection) == 0
            assert verify.everything(connection) == []
    finally:
        restarted.engine.dispose()
    assert_sound(registry, demo.ISSUED)


def test_a_sealer_chains_the_entries_another_process_left(
    registry: Registry, world: demo.DemoWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    sealer_stopped(registry, monkeypatch)
    transfer(registry, world)
    transfer(registry, world)
    monkeypatch.undo()
    assert pending(registry) == 2

    transfer(registry, world)  # its sealer chains all three

    assert wait_until_chained(registry) <= journal_sealer.LAG_BOUND_MS
    assert pending(registry) == 0
    with registry.engine.connect() as connection:
        assert verify.everything(connection) == []
    assert_sound(registry, demo.ISSUED)
