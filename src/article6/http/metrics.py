"""The registry's metrics in the Prometheus text format.

Two kinds of figure: what each server process counts as it answers (requests by route and
status, their latency, refusals by check: `prometheus_client` counters, shared between worker
processes through PROMETHEUS_MULTIPROC_DIR when several serve), and what the ledger says at
the moment of the scrape (transactions by kind and status, approvals waiting, the outbox, the
journal's sealing lag, the reconciliation hold), read from the database so that every process
gives the same answer and restarts lose nothing.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily, Metric
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

from article6.domain.checks import Refusal
from article6.domain.transactions import TransactionStatus
from article6.services.context import Registry
from article6.services.monitoring import state

CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8"
PROCESS_METRICS = CollectorRegistry(auto_describe=True)

REQUESTS = Counter(
    "article6_http_requests",
    "HTTP requests answered, by route template, method and status code",
    ["route", "method", "status"],
    registry=PROCESS_METRICS,
)
LATENCY = Histogram(
    "article6_http_request_duration_seconds",
    "Time from a request's arrival to the end of its response, by route template",
    ["route", "method"],
    buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
    registry=PROCESS_METRICS,
)
REFUSALS = Counter(
    "article6_refusals",
    "Refusals sent back to users (API problems and web forms), by numbered check",
    ["check"],
    registry=PROCESS_METRICS,
)


def count_refusals(refusals: Iterable[Refusal]) -> None:
    for refusal in refusals:
        REFUSALS.labels(refusal.check.code).inc()


def observe_request(route: str, method: str, status: int, seconds: float) -> None:
    """Count one answered request under its route's template (never the raw path, which would
    let any client create series without end)."""
    REQUESTS.labels(route, method, str(status)).inc()
    LATENCY.labels(route, method).observe(seconds)


class LedgerCollector(Collector):
    """The figures read from the database at each scrape."""

    def __init__(self, registry: Registry) -> None:
        self.registry = registry

    def collect(self) -> Iterator[Metric]:
        now = self.registry.now()
        seen = state(self.registry)
        transactions = GaugeMetricFamily(
            "article6_transactions",
            "Transactions recorded, by kind and status",
            labels=["kind", "status"],
        )
        for (kind, status), count in sorted(seen.transactions.items()):
            transactions.add_metric([kind, status], count)
        yield transactions
        waiting = sum(
            count
            for (_, status), count in seen.transactions.items()
            if status == TransactionStatus.AWAITING_APPROVAL
        )
        yield _gauge("article6_pending_approvals", "Transactions awaiting approval", waiting)
        yield _gauge(
            "article6_outbox_depth", "Protocol messages waiting to be sent", seen.outbox.depth
        )
        yield _gauge(
            "article6_outbox_oldest_age_seconds",
            "How long the oldest unsent protocol message has waited",
            _age(now, seen.outbox.oldest),
        )
        yield _gauge("article6_inbox_messages", "Protocol messages received", seen.inbox_received)
        yield _gauge(
            "article6_journal_pending_entries",
            "Committed journal entries not yet sealed onto the chain",
            seen.journal_pending.depth,
        )
        yield _gauge(
            "article6_journal_sealing_lag_seconds",
            "How long the oldest committed journal entry has waited for the chain",
            _age(now, seen.journal_pending.oldest),
        )
        held = seen.hold_until is not None and seen.hold_until > now
        yield _gauge(
            "article6_reconciliation_hold",
            "1 while a reconciliation holds the registry's sections (C2006)",
            1 if held else 0,
        )
        pool = self.registry.engine.pool
        checked_out = getattr(pool, "checkedout", None)
        if callable(checked_out):
            yield _gauge(
                "article6_database_connections_in_use",
                "Database connections this server process has checked out of its pool",
                int(checked_out()),
            )


def _gauge(name: str, documentation: str, value: float) -> GaugeMetricFamily:
    return GaugeMetricFamily(name, documentation, value=value)


def _age(now: datetime, since: datetime | None) -> float:
    return 0.0 if since is None else max((now - since).total_seconds(), 0.0)


def exposition(registry: Registry) -> bytes:
    """The whole scrape: the processes' counters (all worker processes' when they share a
    multiprocess directory) and the ledger's figures."""
    ledger = CollectorRegistry(auto_describe=False)
    ledger.register(LedgerCollector(registry))
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        processes = CollectorRegistry()
        MultiProcessCollector(processes)  # type: ignore[no-untyped-call]  # untyped library
        return generate_latest(processes) + generate_latest(ledger)
    return generate_latest(PROCESS_METRICS) + generate_latest(ledger)
