"""Transfer throughput through the service layer, as a ratio to pgbench on the same server.

Each client moves units back and forth between its own pair of entity accounts (internal
transfers, every check, the journal and idempotency keys on). Rounds of the registry and of
pgbench's TPC-B-like script alternate, and the median of the ratios is reported.

    .venv/bin/python bench/transfer_bench.py [--clients 1 4 8] [--seconds 5] [--rounds 3]
        [--postgres URL] [--sqlite]
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date

from sqlalchemy import create_engine, event, text

from article6.domain.access import Actor, Role
from article6.domain.checks import CommandRefused
from article6.domain.nomenclature import MitigationType, Sector
from article6.services import (
    authorized_entities,
    cooperative_approaches,
    issuance,
    mitigation_activities,
    parties,
    queries,
    units,
)
from article6.services import commands as c
from article6.services.context import Registry
from article6.store.database import make_engine
from article6.store.migrate import upgrade

ADMIN_URL = os.environ.get(
    "ARTICLE6_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SECRETARIAT = Actor("bench.secretariat", Role.SECRETARIAT)
ADMIN = Actor("bench.admin", Role.ADMINISTRATOR, "XXA")


@dataclass
class Pair:
    left: str
    right: str


def build(registry: Registry, clients: int, units_per_account: int) -> list[Pair]:
    """One Party, one approach, two entities per client, each entity's MO account stocked."""
    parties.register_party(
        registry,
        SECRETARIAT,
        c.RegisterParty(code="XXA", name="Party XXA", ndc_first_year=2021, ndc_last_year=2030),
    )
    parties.register_party(
        registry,
        SECRETARIAT,
        c.RegisterParty(code="XXC", name="Party XXC", ndc_first_year=2021, ndc_last_year=2030),
    )
    cooperative_approaches.register_cooperative_approach(
        registry,
        SECRETARIAT,
        c.RegisterCooperativeApproach(
            id="CA0001", name="Bench", participating_parties=["XXA", "XXC"]
        ),
    )
    activity = mitigation_activities.record_mitigation_activity(
        registry,
        ADMIN,
        c.RecordMitigationActivity(
            title="Bench activity",
            cooperative_approach="CA0001",
            sector=Sector.ENERGY_GENERATION,
            mitigation_type=MitigationType.EMISSION_REDUCTIONS,
        ),
    ).record
    for index in range(2 * clients):
        authorized_entities.record_authorized_entity(
            registry,
            ADMIN,
            c.RecordAuthorizedEntity(
                name=f"Entity {index}",
                country_of_incorporation="XXA",
                identification_number=f"B-{index}",
                cooperative_approach="CA0001",
                date_of_authorization=date(2025, 1, 1),
            ),
        )
    accounts = {
        a.holder: a.identifier
        for a in queries.list_accounts(registry, ADMIN, "XXA")
        if a.kind == "mo_holding"
    }
    party_account = accounts["PARTY"]
    issuance.issue_units(
        registry,
        ADMIN,
        c.IssueUnits(
            mitigation_activity=activity, vintage=2024, quantity=units_per_account * 2 * clients
        ),
    )
    pairs = []
    for index in range(clients):
        left = accounts[f"XXA-E{2 * index + 1:04d}"]
        right = accounts[f"XXA-E{2 * index + 2:04d}"]
        for account in (left, right):
            units.transfer_units(
                registry,
                ADMIN,
                c.TransferUnits(
                    source_account=party_account,
                    destination_account=account,
                    units=c.UnitSelection(quantity=units_per_account),
                ),
            )
        pairs.append(Pair(left, right))
    return pairs


def registry_round(registry: Registry, pairs: list[Pair], seconds: float) -> float:
    """Transfers per second with one thread per pair for `seconds`."""
    counts = [0] * len(pairs)
    stop = time.monotonic() + seconds
    barrier = threading.Barrier(len(pairs))

    def client(index: int) -> None:
        rng = random.Random(index)
        pair = pairs[index]
        barrier.wait()
        while time.monotonic() < stop:
            source, destination = (
                (pair.left, pair.right) if rng.random() < 0.5 else (pair.right, pair.left)
            )
            try:
                units.transfer_units(
                    registry,
                    ADMIN,
                    c.TransferUnits(
                        source_account=source,
                        destination_account=destination,
                        units=c.UnitSelection(quantity=rng.randint(1, 100)),
                    ),
                    idempotency_key=uuid.uuid4().hex,
                )
                counts[index] += 1
            except CommandRefused:
                pass

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(pairs))]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts) / (time.monotonic() - start)


def pgbench_round(url: str, clients: int, seconds: int) -> float:
    result = subprocess.run(
        ["pgbench", "-n", "-c", str(clients), "-j", str(clients), "-T", str(seconds), url],
        capture_output=True,
        text=True,
        check=True,
    )
    match = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", result.stdout)
    if match is None:
        raise RuntimeError(result.stdout + result.stderr)
    return float(match.group(1))


def libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


@contextmanager
def scratch_postgres(prefix: str = "article6_bench") -> Iterator[str]:
    """A throwaway database on the benchmark server, dropped afterwards."""
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield f"{ADMIN_URL.rsplit('/', 1)[0]}/{name}"
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def scratch_database(kind: str) -> Iterator[str]:
    """A throwaway PostgreSQL database or SQLite file."""
    if kind == "postgres":
        with scratch_postgres() as url:
            yield url
    else:
        with tempfile.TemporaryDirectory() as directory:
            yield f"sqlite:///{directory}/bench.db"


def bench_postgres(clients_list: list[int], seconds: int, rounds: int) -> list[dict[str, float]]:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    base = ADMIN_URL.rsplit("/", 1)[0]
    results = []
    for clients in clients_list:
        registry_db = f"article6_bench_{uuid.uuid4().hex[:8]}"
        pgbench_db = f"pgbench_{uuid.uuid4().hex[:8]}"
        with admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{registry_db}"'))
            connection.execute(text(f'CREATE DATABASE "{pgbench_db}"'))
        try:
            scale = max(clients, 1)
            subprocess.run(
                ["pgbench", "-i", "-q", "-s", str(scale), libpq(f"{base}/{pgbench_db}")],
                check=True,
                capture_output=True,
            )
            engine = make_engine(f"{base}/{registry_db}", pool_size=clients + 2, max_overflow=4)
            upgrade(engine)
            registry = Registry(engine)
            print(f"  building a registry for {clients} client(s) …", flush=True)
            pairs = build(registry, clients, 1_000_000)
            ratios, ours, theirs = [], [], []
            for round_number in range(1, rounds + 1):
                tps = registry_round(registry, pairs, seconds)
                reference = pgbench_round(libpq(f"{base}/{pgbench_db}"), clients, seconds)
                ours.append(tps)
                theirs.append(reference)
                ratios.append(tps / reference)
                print(
                    f"  clients={clients} round {round_number}/{rounds}: registry {tps:,.0f}/s, "
                    f"pgbench {reference:,.0f}/s, ratio {tps / reference:.3f}",
                    flush=True,
                )
            problems = queries.verify_registry(registry)
            if problems:
                raise SystemExit(f"invariants broken after the benchmark: {problems[:5]}")
            results.append(
                {
                    "clients": clients,
                    "registry_tps": statistics.median(ours),
                    "pgbench_tps": statistics.median(theirs),
                    "ratio": statistics.median(ratios),
                }
            )
            engine.dispose()
        finally:
            with admin.connect() as connection:
                connection.execute(text(f'DROP DATABASE IF EXISTS "{registry_db}" WITH (FORCE)'))
                connection.execute(text(f'DROP DATABASE IF EXISTS "{pgbench_db}" WITH (FORCE)'))
    admin.dispose()
    return results


def bench_sqlite(clients_list: list[int], seconds: int) -> list[dict[str, float]]:
    results = []
    for clients in clients_list:
        with tempfile.TemporaryDirectory() as directory:
            engine = make_engine(f"sqlite:///{directory}/bench.db")
            upgrade(engine)
            registry = Registry(engine)
            pairs = build(registry, clients, 1_000_000)
            tps = registry_round(registry, pairs, seconds)
            print(f"  sqlite clients={clients}: {tps:,.0f} transfers/s", flush=True)
            results.append({"clients": clients, "registry_tps": tps})
            engine.dispose()
    return results


def profile(kind: str, transfers: int = 300) -> None:
    """Statements sent and time spent per internal transfer, one client, after a warm-up."""
    with scratch_database(kind) as url:
        engine = make_engine(url)
        upgrade(engine)
        registry = Registry(engine)
        pair = build(registry, 1, 1_000_000)[0]
        sent = [0]

        @event.listens_for(engine, "before_cursor_execute")
        def count(*_arguments: object) -> None:
            sent[0] += 1

        rng = random.Random(1)

        def transfer() -> None:
            source, destination = (
                (pair.left, pair.right) if rng.random() < 0.5 else (pair.right, pair.left)
            )
            units.transfer_units(
                registry,
                ADMIN,
                c.TransferUnits(
                    source_account=source,
                    destination_account=destination,
                    units=c.UnitSelection(quantity=rng.randint(1, 100)),
                ),
                idempotency_key=uuid.uuid4().hex,
            )

        for _ in range(50):
            transfer()
        sent[0] = 0
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(transfers):
            transfer()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"RESULT profile {kind}: {sent[0] / transfers:.1f} statements per transfer, "
            f"{1000 * wall / transfers:.2f} ms per transfer ({1000 * cpu / transfers:.2f} ms "
            f"client CPU)",
            flush=True,
        )
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--sqlite", action="store_true", help="also run SQLite at 1 and 4 clients")
    parser.add_argument("--sqlite-only", action="store_true", help="only SQLite, 1 and 4 clients")
    parser.add_argument(
        "--profile", action="store_true", help="queries and ms per transfer, one client"
    )
    arguments = parser.parse_args()
    if arguments.profile:
        for kind in ("sqlite", "postgres"):
            profile(kind)
        return
    if not arguments.sqlite_only:
        print("Transfer throughput, service layer, PostgreSQL vs pgbench (TPC-B-like)")
        for row in bench_postgres(arguments.clients, arguments.seconds, arguments.rounds):
            print(
                f"RESULT postgres clients={row['clients']} registry={row['registry_tps']:.0f}/s "
                f"pgbench={row['pgbench_tps']:.0f}/s ratio={row['ratio']:.3f}"
            )
    if arguments.sqlite or arguments.sqlite_only:
        print("Transfer throughput, service layer, SQLite (the default database)")
        for row in bench_sqlite([1, 4], arguments.seconds):
            print(f"RESULT sqlite clients={row['clients']} registry={row['registry_tps']:.0f}/s")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
