"""A crash of the real server or of PostgreSQL in the middle of HTTP load loses nothing that
was acknowledged and leaves nothing half-done.

The server runs under uvicorn with two worker processes; HTTP clients shuttle units between
accounts as the Party's administrator while an authorized entity's representative proposes
transfers that wait for approval. Each client records the transaction identifier of every
2xx answer, and re-sends a request that got no answer (or a 5xx while the database was down)
with the same Idempotency-Key until it is answered. Then, at a random moment, the whole server
is killed with SIGKILL, or one worker is, or PostgreSQL is stopped with `pg_ctl -m immediate`.
After the restart every acknowledged transaction is there with the status it was acknowledged
with, no other was recorded, none is half-done, the journal and the ledger verify, every issued
unit is accounted for, and the pending transactions' reservations are released once their
deadline passes.

The harness is the crash benchmark's own (bench/crash_bench.py), which runs the same scenarios
at full scale over several cycles.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# The server, the clients and the audit are the crash benchmark's own: one harness.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from api_load import PASSWORD, USER
from crash_bench import (
    ENTITY_PASSWORD,
    ENTITY_USER,
    Load,
    Preparation,
    Server,
    Tally,
    audit,
    await_acknowledgements,
    expire_later,
    pair_holdings,
    prepare_registry,
    sign_in,
    start_load,
    transactions_by_identifier,
)

from article6.demo import world as demo
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.store.database import make_engine
from postgres_clusters import (
    Cluster,
    ClusterUnavailable,
    throwaway_cluster,
    without_cluster,
)

pytestmark = pytest.mark.postgres

WORKERS = 2
CLIENTS = 6  # one proposing as the entity, five shuttling as the administrator
ALLOWED_CHECKS = {"C2001", "C2002"}  # units not held, or taken or reserved meanwhile


class Run:
    """One registry under load: what it held before, and what the clients were told."""

    def __init__(self, url: str, directory: Path) -> None:
        self.url = url
        self.registry = Registry(make_engine(url))
        self.preparation: Preparation = prepare_registry(self.registry)
        self.before = set(transactions_by_identifier(self.registry))
        self.held_before = pair_holdings(self.registry, self.preparation)
        self.server = Server(url, WORKERS, directory)
        self.tally = Tally()
        self.seed = random.randrange(1_000_000)
        self.rng = random.Random(self.seed)
        self.load: Load | None = None

    def start(self) -> None:
        self.server.start()
        tokens = (
            sign_in(self.server.base, USER, PASSWORD, self.preparation.admin_secret),
            sign_in(self.server.base, ENTITY_USER, ENTITY_PASSWORD, self.preparation.entity_secret),
        )
        self.load = start_load(
            self.server.base, self.preparation, tokens, CLIENTS, self.seed, self.tally
        )

    def until_a_random_moment(self) -> dict[str, str]:
        """Wait for a random number of acknowledgements, some of them pending; what was
        acknowledged so far."""
        await_acknowledgements(self.tally, at_least=self.rng.randint(20, 60), pending_at_least=1)
        with self.tally.lock:
            return dict(self.tally.acknowledged)

    def more_acknowledgements(self, count: int = 20) -> None:
        await_acknowledgements(self.tally, at_least=self.tally.count() + count)

    def finish(self) -> None:
        assert self.load is not None
        assert self.load.finish(), f"a client did not stop (seed {self.seed})"

    def close(self) -> None:
        if self.load is not None:
            self.load.drop()
        self.server.stop()
        self.registry.engine.dispose()

    def assert_recovered(self, acknowledged_before_crash: dict[str, str]) -> None:
        """Every acknowledged transaction there as acknowledged, nothing else new, nothing
        half-done, the invariants and the journal sound, every unit accounted for; then the
        expiry releases every pending transaction's reservation."""
        seed = f"seed {self.seed}"
        tally = self.tally
        assert tally.unexpected == [], (seed, tally.unexpected[:5])
        assert set(tally.refused) <= ALLOWED_CHECKS, (seed, tally.refused)
        assert acknowledged_before_crash.items() <= tally.acknowledged.items(), seed

        findings = audit(
            self.registry, self.url, self.preparation.world, self.before, tally.acknowledged
        )
        assert findings.missing == [], seed
        assert findings.changed == [], seed
        assert findings.half_done == [], seed
        assert findings.unacknowledged == [], f"a re-sent key recorded twice ({seed})"
        assert findings.unjournalled == [], seed
        assert findings.problems == [], seed
        assert findings.journal_verify_status == 0, findings.journal_verify_said
        assert findings.units == demo.ISSUED, seed

        pending = tally.pending()
        assert pending, f"no transaction awaited approval ({seed})"
        assert pending <= set(expire_later(self.registry)), seed
        held_after = pair_holdings(self.registry, self.preparation)
        assert all(reserved == 0 for _, reserved in held_after.values()), seed
        assert sum(held for held, _ in held_after.values()) == sum(
            held for held, _ in self.held_before.values()
        ), seed
        assert ledger.verify_registry(self.registry) == [], seed
        assert sum(demo.holdings(self.registry, self.preparation.world).values()) == demo.ISSUED


@pytest.fixture
def run(postgres_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Run]:
    monkeypatch.setenv("ARTICLE6_PASSWORD_COST", "test")
    run = Run(postgres_url, tmp_path)
    yield run
    run.close()


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    """A PostgreSQL cluster of the test's own, which it may stop as it likes."""
    try:
        with throwaway_cluster() as cluster:
            yield cluster
            return
    except ClusterUnavailable as error:
        without_cluster(error)


def test_killing_the_whole_server_mid_load_loses_no_acknowledged_transaction(run: Run) -> None:
    run.start()
    acknowledged = run.until_a_random_moment()

    run.server.kill()  # SIGKILL to the master and every worker at once
    run.server.start()
    run.more_acknowledgements()
    run.finish()

    assert run.tally.connection_errors > 0, "the kill cut no request off"
    assert run.tally.server_errors == [], run.tally.server_errors[:5]
    run.assert_recovered(acknowledged)


def test_killing_one_worker_mid_load_the_others_keep_serving(run: Run) -> None:
    run.start()
    acknowledged = run.until_a_random_moment()

    victim, workers = run.server.kill_one_worker(run.rng)
    run.more_acknowledgements()  # served meanwhile
    run.server.await_replacement(workers, victim)  # uvicorn starts a new worker in its place
    run.more_acknowledgements()
    run.finish()

    # A request cut off with the worker is a connection error, re-sent under its key; no 5xx.
    assert run.tally.server_errors == [], run.tally.server_errors[:5]
    run.assert_recovered(acknowledged)


def test_an_immediate_postgresql_stop_mid_load_loses_no_acknowledged_transaction(
    cluster: Cluster, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARTICLE6_PASSWORD_COST", "test")
    url = cluster.create_database("article6_crash")
    Registry.open(url).engine.dispose()  # the migrations
    run = Run(url, tmp_path)
    try:
        run.start()
        acknowledged = run.until_a_random_moment()

        stopped = time.monotonic()
        cluster.stop_immediately()  # no checkpoint: the restart replays the WAL
        time.sleep(run.rng.uniform(0.1, 0.5))
        cluster.start()
        # Restart the server too (killed: uvicorn's graceful stop can wait 20 s on a client).
        run.server.kill()
        healthy = run.server.start()
        run.more_acknowledgements()
        run.finish()

        # 5xx only for requests in flight while the database was down (each re-sent after).
        assert run.tally.connection_errors > 0, "the restart cut no request off"
        outside = run.tally.server_errors_outside([(stopped, healthy)])
        assert outside == [], outside[:5]
        run.assert_recovered(acknowledged)
    finally:
        run.close()
