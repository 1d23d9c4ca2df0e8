"""Fragmentation soak: many random transfers among a set of accounts; the throughput of each
window and the blocks per account (p50 / p99) must stay flat, thanks to coalescing and the
split-minimising selection (DESIGN.md section 2).

    .venv/bin/python bench/fragmentation_soak.py [--transfers 1000000] [--window 100000]
        [--accounts 20] [--database sqlite|postgres|postgres-cluster]

One client, through the service layer, every check, the journal and idempotency keys on.
Each transfer picks two distinct entity accounts and a quantity from 1 to 1,000 at random; the
source entity's representative asks for it and the Party's administrator approves it (only an
entity's representatives move units out of its accounts, and the Party approves), so each
transfer counted is two commands. Any refusal stops the soak, non-zero.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from crash_bench import throwaway_cluster
from sqlalchemy import bindparam, text
from transfer_bench import ADMIN, build, count_refusal, fail_on_refusals, scratch_database

from article6.domain.access import Actor, Role
from article6.domain.checks import CommandRefused
from article6.services import approvals, units
from article6.services import commands as c
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.store.database import make_engine
from article6.store.migrate import upgrade


def percentile(values: list[int], fraction: float) -> float:
    ordered = sorted(values)
    return float(ordered[min(len(ordered) - 1, int(fraction * len(ordered)))])


@contextmanager
def soak_database(kind: str) -> Iterator[str]:
    """SQLite, the shared PostgreSQL server, or a PostgreSQL cluster of the soak's own with the
    server's defaults. A long soak needs vacuum: PostgreSQL's default runs autovacuum, and a
    server configured without it (as a CI server may be) measures its own bloat, not ours."""
    if kind != "postgres-cluster":
        with scratch_database(kind) as url:
            yield url
        return
    with throwaway_cluster() as cluster:
        yield cluster.create_database("soak")


def soak(kind: str, transfers: int, window: int, accounts: int) -> None:
    with soak_database(kind) as url:
        engine = make_engine(url)
        upgrade(engine)
        registry = Registry(engine)
        print(f"  building {accounts} accounts on {kind} …", flush=True)
        pairs = build(registry, accounts // 2, 1_000_000)
        names = [name for pair in pairs for name in (pair.left, pair.right)]
        representatives = {
            a.identifier: Actor(f"{a.holder}.rep", Role.ENTITY, "XXA", a.holder)
            for a in ledger.accounts(registry, ADMIN, "XXA")
            if a.identifier in names
        }
        rng = random.Random(2026)
        rates = []
        done = 0
        refusals: dict[str, int] = {}
        while done < transfers:
            started = time.monotonic()
            for _ in range(min(window, transfers - done)):
                source, destination = rng.sample(names, 2)
                try:
                    asked = units.transfer_units(
                        registry,
                        representatives[source],
                        c.TransferUnits(
                            source_account=source,
                            destination_account=destination,
                            units=c.UnitSelection(quantity=rng.randint(1, 1000)),
                        ),
                        idempotency_key=uuid.uuid4().hex,
                    )
                    approvals.approve_transaction(
                        registry,
                        ADMIN,
                        c.ApproveTransaction(transaction=asked.record),
                        idempotency_key=uuid.uuid4().hex,
                    )
                except CommandRefused as refused:
                    count_refusal(refusals, refused)
                done += 1
            rate = min(window, transfers) / (time.monotonic() - started)
            rates.append(rate)
            with engine.connect() as connection:
                per_account = list(
                    connection.execute(
                        text(
                            "SELECT count(*) FROM unit_blocks b JOIN accounts a "
                            "ON a.id = b.account_id WHERE a.identifier IN :names "
                            "GROUP BY b.account_id"
                        ).bindparams(bindparam("names", expanding=True)),
                        {"names": names},
                    ).scalars()
                )
            print(
                f"RESULT soak {kind} after {done:,}: {rate:,.0f} transfers/s, blocks per account "
                f"p50 {percentile(per_account, 0.5):.0f} p99 {percentile(per_account, 0.99):.0f} "
                f"max {max(per_account)}, refused so far {sum(refusals.values())}",
                flush=True,
            )
        fail_on_refusals(refusals)
        spread = (max(rates) - min(rates)) / statistics.median(rates)
        print(f"RESULT soak {kind}: window throughput spread {spread:.0%} of the median")
        problems = ledger.verify_registry(registry)
        if problems:
            raise SystemExit(f"invariants broken: {problems[:3]}")
        print(f"RESULT soak {kind}: journal and ledger verify after {done:,} transfers", flush=True)
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transfers", type=int, default=1_000_000)
    parser.add_argument("--window", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=20)
    parser.add_argument(
        "--database", choices=["sqlite", "postgres", "postgres-cluster"], default="sqlite"
    )
    arguments = parser.parse_args()
    print(
        f"Fragmentation soak: {arguments.transfers:,} random transfers among "
        f"{arguments.accounts} accounts, windows of {arguments.window:,}",
        flush=True,
    )
    soak(arguments.database, arguments.transfers, arguments.window, arguments.accounts)


if __name__ == "__main__":
    main()
