"""Lock waits and the journal's lag on PostgreSQL, sampled while a benchmark's load runs.

Every `interval` one query of `pg_locks` (PostgreSQL 14+, for `waitstart`) lists the sessions
of the benchmark's database waiting for a lock. A wait is known by its session and the instant
it began; its length is the longest (sample time - waitstart) seen, so any wait longer than two
intervals is seen and measured to within one interval, and shorter ones may be missed. Waits of
the journal sealer's statement and of the notifications projectors, which take turns on their
position (both off the request path), are counted apart from the requests'.
Every 25th sample also reads `journal_pending`: how many entries wait and the age of the oldest,
from its `recorded_at` (taken before its commit, so an upper bound on how far the chain lags).

The sampler is a process of its own, querying the locks from the administration database, and
runs in a round of its own: its CPU does not enter the throughput rounds' figures.
"""

from __future__ import annotations

import multiprocessing
import statistics
import time
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from typing import Any

LOCKS = """
SELECT l.pid, l.locktype, l.waitstart, clock_timestamp() AS seen,
       position('USING chain' IN a.query) > 0
         OR position('notification_position' IN a.query) > 0 AS sealer
FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
WHERE NOT l.granted AND l.waitstart IS NOT NULL AND a.datname = %s
"""
PENDING = """
SELECT count(*),
       coalesce(1000 * extract(epoch FROM clock_timestamp() - min(recorded_at)), 0)
FROM journal_pending
"""


@dataclass
class LockWaits:
    requests: list[float] = field(default_factory=list)
    """Each request's lock wait seen, ms."""
    sealer: list[float] = field(default_factory=list)
    kinds: dict[str, int] = field(default_factory=dict)
    samples: int = 0
    pending_max: int = 0
    lag_max_ms: float = 0.0

    def over(self, ms: float) -> int:
        return sum(1 for wait in self.requests if wait > ms)

    def p99_ms(self, requests: int) -> float:
        """The 99th percentile of the lock wait per request, counting a request whose wait was
        not seen as 0 (each wait taken as a different request's: an upper bound)."""
        waits = sorted(self.requests, reverse=True)
        rank = max(requests, len(waits)) // 100
        return waits[rank] if rank < len(waits) else 0.0

    def summary(self, requests: int) -> str:
        top = max(self.requests, default=0.0)
        sealer_top = max(self.sealer, default=0.0)
        kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(self.kinds.items()))
        return (
            f"{len(self.requests)} lock waits of requests seen ({kinds or 'none'}), "
            f"{self.over(5)} over 5 ms of {requests} requests, longest {top:.1f} ms, p99 "
            f"{self.p99_ms(requests):.1f} ms; sealer: {len(self.sealer)} waits, longest "
            f"{sealer_top:.1f} ms (median {statistics.median(self.sealer or [0]):.1f}); "
            f"journal: at most {self.pending_max} entries pending, the oldest "
            f"{self.lag_max_ms:.0f} ms after its recording; {self.samples} samples"
        )


def _sample(
    admin_url: str, registry_url: str, database: str, interval: float, stop: Connection
) -> None:
    import psycopg

    waits: dict[tuple[int, Any], tuple[float, str, bool]] = {}
    found = LockWaits()
    with (
        psycopg.connect(admin_url, autocommit=True) as admin,
        psycopg.connect(registry_url, autocommit=True) as registry,
    ):
        stop.send("started")
        while not stop.poll():
            for pid, kind, began, seen, sealer in admin.execute(LOCKS, (database,)):
                ms = 1000 * (seen - began).total_seconds()
                known = waits.get((pid, began))
                if known is None or ms > known[0]:
                    waits[(pid, began)] = (ms, kind, bool(sealer))
            if found.samples % 25 == 0:
                row = registry.execute(PENDING).fetchone()
                if row is not None:
                    found.pending_max = max(found.pending_max, int(row[0]))
                    found.lag_max_ms = max(found.lag_max_ms, float(row[1]))
            found.samples += 1
            time.sleep(interval)
    for ms, kind, sealer in waits.values():
        (found.sealer if sealer else found.requests).append(ms)
        if not sealer:
            found.kinds[kind] = found.kinds.get(kind, 0) + 1
    stop.send(found)


class LockSampler:
    """`with LockSampler(...) as sampler:` the load; then `sampler.found`."""

    def __init__(
        self, admin_url: str, registry_url: str, database: str, interval: float = 0.002
    ) -> None:
        self.arguments = (admin_url, registry_url, database, interval)
        self.found = LockWaits()

    def __enter__(self) -> LockSampler:
        context = multiprocessing.get_context("spawn")
        self.ours, theirs = context.Pipe()
        self.process = context.Process(target=_sample, args=(*self.arguments, theirs))
        self.process.start()
        self.ours.recv()  # connected and sampling
        return self

    def __exit__(self, *_exception: object) -> None:
        self.ours.send("stop")
        self.found = self.ours.recv()
        self.process.join()
