"""Transfer throughput through the service layer, as a ratio to pgbench on the same server.

Each client has its own cooperative approach and, in it, moves units from the Party's AMO
holding account to one entity's AMO holding account, as the Party's administrator (internal
transfers, every check, the journal and idempotency keys on). Units go one way: only an
entity's representatives move units out of its accounts, and their requests wait for the
Party's approval, which is not what this measures; a Party has one account of each kind per
approach, so there is no pair of its own to shuttle between. One approach per client keeps the
clients off each other's holdings locks, as the former pairs of entity accounts did; all share
the Party's section, as before. Any refusal stops the benchmark. Rounds of the registry and of
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
from article6.domain.nomenclature import MitigationType, Purpose, Sector
from article6.services import (
    authorizations,
    authorized_entities,
    cooperative_approaches,
    issuance,
    mitigation_activities,
    parties,
    units,
)
from article6.services import commands as c
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.store.database import make_engine
from article6.store.migrate import upgrade

ADMIN_URL = os.environ.get(
    "ARTICLE6_BENCH_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
SECRETARIAT = Actor("bench.secretariat", Role.SECRETARIAT)
ADMIN = Actor("bench.admin", Role.ADMINISTRATOR, "XXA")
SHUTTLE_STOCK = 10**12
"""Units each client's Party account starts with: one block, at 50 units a transfer on average
enough for 2 x 10^10 transfers (a block is a serial range, so its size costs nothing)."""


@dataclass
class Pair:
    left: str
    right: str


class RefusedDuringBenchmark(SystemExit):
    """A benchmark whose transfers are refused measures nothing: it stops, non-zero."""


def fail_on_refusals(refusals: dict[str, int], what: str = "transfers") -> None:
    """Exit non-zero, naming the checks, if any of the benchmark's commands was refused."""
    if refusals:
        raise RefusedDuringBenchmark(
            f"FAILED: {sum(refusals.values())} {what} refused ({refusals}); "
            "the figures measure nothing"
        )


def count_refusal(refusals: dict[str, int], refused: CommandRefused) -> None:
    key = ",".join(f"{r.check.code}:{r.field}" for r in refused.refusals)
    refusals[key] = refusals.get(key, 0) + 1


def build_shuttles(registry: Registry, clients: int, units_per_client: int) -> list[Pair]:
    """Per client, a cooperative approach CA0001, CA0002 …, an activity in it with
    `units_per_client` units issued and linked to an NDC authorization, and one entity
    authorized for it: Pair(the Party's AMO holding account, the entity's), both of that
    approach, the Party's holding the units. The Party's administrator may move them from the
    first to the second (an internal transfer: same kind, same approach, one section)."""
    for code in ("XXA", "XXC"):
        parties.register_party(
            registry,
            SECRETARIAT,
            c.RegisterParty(
                code=code, name=f"Party {code}", ndc_first_year=2021, ndc_last_year=2030
            ),
        )
    pairs = []
    for index in range(1, clients + 1):
        approach = f"CA{index:04d}"
        cooperative_approaches.register_cooperative_approach(
            registry,
            SECRETARIAT,
            c.RegisterCooperativeApproach(
                id=approach, name=f"Bench {index}", participating_parties=["XXA", "XXC"]
            ),
        )
        activity = mitigation_activities.record_mitigation_activity(
            registry,
            ADMIN,
            c.RecordMitigationActivity(
                title=f"Bench activity {index}",
                cooperative_approach=approach,
                sector=Sector.ENERGY_GENERATION,
                mitigation_type=MitigationType.EMISSION_REDUCTIONS,
            ),
        ).record
        entity = authorized_entities.record_authorized_entity(
            registry,
            ADMIN,
            c.RecordAuthorizedEntity(
                name=f"Entity {index}",
                country_of_incorporation="XXA",
                identification_number=f"B-{index}",
                cooperative_approach=approach,
                date_of_authorization=date(2025, 1, 1),
            ),
        ).record
        authorization = f"XXA-NDC-{index:04d}"
        authorizations.record_authorization(
            registry,
            ADMIN,
            c.RecordAuthorization(
                authorization_id=authorization,
                date_of_authorization=date(2025, 1, 1),
                cooperative_approach=approach,
                sectors=[Sector.ENERGY_GENERATION],
                purposes=Purpose.NDC,
                authorized_parties=["XXC"],
                timeframe_first=2021,
                timeframe_last=2030,
            ),
        )
        issuance.issue_units(
            registry,
            ADMIN,
            c.IssueUnits(mitigation_activity=activity, vintage=2024, quantity=units_per_client),
        )
        accounts = {
            (a.holder, a.kind, a.cooperative_approach): a.identifier
            for a in ledger.accounts(registry, ADMIN, "XXA")
        }
        units.link_authorization(
            registry,
            ADMIN,
            c.LinkAuthorization(
                account=accounts[("PARTY", "mo_holding", None)],
                authorization_id=authorization,
                units=c.UnitSelection(quantity=units_per_client),
            ),
        )
        pairs.append(
            Pair(
                accounts[("PARTY", "amo_holding", approach)],
                accounts[(entity, "amo_holding", approach)],
            )
        )
    return pairs


def build(
    registry: Registry, clients: int, units_per_account: int, party_keeps: int = 0
) -> list[Pair]:
    """One Party, one approach, two entities per client, each entity's MO account stocked by
    the Party's administrator from the Party's MO account, which keeps `party_keeps` units.
    Units leave the entities' accounts only at their representatives' request."""
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
        for a in ledger.accounts(registry, ADMIN, "XXA")
        if a.kind == "mo_holding"
    }
    party_account = accounts["PARTY"]
    issuance.issue_units(
        registry,
        ADMIN,
        c.IssueUnits(
            mitigation_activity=activity,
            vintage=2024,
            quantity=units_per_account * 2 * clients + party_keeps,
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


def shuttle(registry: Registry, pair: Pair, rng: random.Random) -> None:
    """One transfer of 1-100 units from the Party's account of the pair to the entity's, by
    the Party's administrator, with a fresh idempotency key."""
    units.transfer_units(
        registry,
        ADMIN,
        c.TransferUnits(
            source_account=pair.left,
            destination_account=pair.right,
            units=c.UnitSelection(quantity=rng.randint(1, 100)),
        ),
        idempotency_key=uuid.uuid4().hex,
    )


def registry_round(registry: Registry, pairs: list[Pair], seconds: float) -> float:
    """Transfers per second with one thread per pair for `seconds`; stops the benchmark if any
    transfer was refused."""
    counts = [0] * len(pairs)
    refusals: dict[str, int] = {}
    stop = time.monotonic() + seconds
    barrier = threading.Barrier(len(pairs))

    def client(index: int) -> None:
        rng = random.Random(index)
        pair = pairs[index]
        barrier.wait()
        while time.monotonic() < stop:
            try:
                shuttle(registry, pair, rng)
                counts[index] += 1
            except CommandRefused as refused:
                count_refusal(refusals, refused)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(len(pairs))]
    start = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - start
    fail_on_refusals(refusals)
    return sum(counts) / elapsed


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
            pairs = build_shuttles(registry, clients, SHUTTLE_STOCK)
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
            problems = ledger.verify_registry(registry)
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
            pairs = build_shuttles(registry, clients, SHUTTLE_STOCK)
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
        pair = build_shuttles(registry, 1, SHUTTLE_STOCK)[0]
        sent = [0]

        @event.listens_for(engine, "before_cursor_execute")
        def count(*_arguments: object) -> None:
            sent[0] += 1

        rng = random.Random(1)
        for _ in range(50):
            shuttle(registry, pair, rng)
        sent[0] = 0
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(transfers):
            shuttle(registry, pair, rng)
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(
            f"RESULT profile {kind}: {sent[0] / transfers:.1f} statements per transfer through "
            f"SQLAlchemy (PostgreSQL: those `store.batches` hands the driver are not counted "
            f"here; tests/integration/test_round_trips.py counts every one), "
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
