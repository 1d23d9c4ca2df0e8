"""Reads at scale on PostgreSQL: an account's holdings, a page of transaction history and a
serial lookup, with 10^6 unit blocks and 5 x 10^6 transactions in the ledger.

    .venv/bin/python bench/scale_bench.py [--blocks 1000000] [--transactions 5000000]
        [--accounts 200] [--samples 200]

A small registry is built through the services (one Party, one approach, `accounts` entity
accounts). The bulk is then written straight into the real tables with set-based SQL
(INSERT … SELECT over generate_series), not through the services, keeping every ledger
invariant true: the blocks come with one completed issuance whose moved range covers them all,
holdings are raised by what each account received, the transactions are completed internal
transfers of 10 units each with their moved range, and the section counters move past what was
loaded. The bulk transactions have no journal entries (the journal chain still verifies).
`verify_registry` runs at the end.
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
from collections.abc import Callable
from typing import Any

from sqlalchemy import text
from transfer_bench import ADMIN, build, scratch_postgres

from article6.services import queries
from article6.services.context import Registry
from article6.store import ledger
from article6.store.database import make_engine
from article6.store.migrate import upgrade

BLOCK = 10  # units per loaded block and per loaded transfer

ATTRIBUTES = (
    "cooperative_approach_id, first_transferring_party, vintage, metric, gwp_values, "
    "non_ghg_metric, non_ghg_per_unit, mitigation_type, sector, activity_type, "
    "underlying_registry, authorization_id, authorization_version"
)


def load(registry: Registry, blocks: int, count: int, account_ids: list[int]) -> dict[str, Any]:
    """Bulk-write `blocks` blocks and `count` transfers; returns what the timings need."""
    with registry.engine.begin() as connection:
        section = connection.execute(
            text("SELECT * FROM party_sections WHERE party_code = 'XXA' FOR UPDATE")
        ).one()
        template = connection.execute(text("SELECT * FROM unit_blocks ORDER BY id LIMIT 1")).one()
        first = section.next_serial
        number = section.next_transaction
        stamp = "now() - interval '1 day'"
        issuance = connection.execute(
            text(
                "INSERT INTO transactions (identifier, party_code, kind, status, "
                "destination_account_id, quantity, first_transfer, initiator, created_at, "
                f"proposed_at, checked_at, finished_at) VALUES (:identifier, 'XXA', 'issuance', "
                f"'completed', :account, :quantity, false, 'bench.bulk', {stamp}, {stamp}, "
                f"{stamp}, {stamp}) RETURNING id"
            ),
            {
                "identifier": f"{section.registry_id}-{number:08d}",
                "account": account_ids[0],
                "quantity": blocks * BLOCK,
            },
        ).scalar_one()
        connection.execute(
            text(
                f"INSERT INTO transaction_blocks (transaction_id, registry_id, serial_first, "
                f"serial_last, {ATTRIBUTES}, underlying_first, from_state, to_state, "
                f"first_transfer_subtype) SELECT :tx, registry_id, :first, :last, {ATTRIBUTES}, "
                f"NULL, NULL, 'MO', NULL FROM unit_blocks WHERE id = :template"
            ),
            {
                "tx": issuance,
                "first": first,
                "last": first + blocks * BLOCK - 1,
                "template": template.id,
            },
        )
        print(f"  loading {blocks:,} blocks …", flush=True)
        started = time.monotonic()
        connection.execute(
            text(
                f"INSERT INTO unit_blocks (registry_id, serial_first, serial_last, {ATTRIBUTES}, "
                f"mitigation_activity, underlying_first, state, first_transferred, account_id, "
                f"reserved_by) SELECT t.registry_id, :first + (g - 1) * {BLOCK}, "
                f":first + g * {BLOCK} - 1, {', '.join('t.' + a for a in ATTRIBUTES.split(', '))}, "
                f"t.mitigation_activity, NULL, 'MO', false, "
                f"(CAST(:ids AS bigint[]))[1 + g % :accounts], NULL "
                f"FROM generate_series(1, :blocks) AS g, "
                f"(SELECT * FROM unit_blocks WHERE id = :template) AS t"
            ),
            {
                "first": first,
                "ids": account_ids,
                "accounts": len(account_ids),
                "blocks": blocks,
                "template": template.id,
            },
        )
        connection.execute(
            text(
                "UPDATE holdings h SET quantity = h.quantity + b.held FROM ("
                f"SELECT account_id, count(*) * {BLOCK} AS held FROM unit_blocks "
                "WHERE serial_first >= :first GROUP BY account_id) b "
                "WHERE h.account_id = b.account_id"
            ),
            {"first": first},
        )
        print(f"  blocks loaded in {time.monotonic() - started:.1f} s", flush=True)
        print(f"  loading {count:,} transactions and their moved ranges …", flush=True)
        started = time.monotonic()
        last_id = connection.execute(text("SELECT max(id) FROM transactions")).scalar_one()
        batch = 500_000
        for offset in range(0, count, batch):
            size = min(batch, count - offset)
            connection.execute(
                text(
                    "INSERT INTO transactions (identifier, party_code, kind, status, "
                    "source_account_id, destination_account_id, quantity, first_transfer, "
                    "initiator, created_at, proposed_at, checked_at, finished_at) "
                    "SELECT :registry || '-' || lpad(CAST(:number + g AS text), 8, '0'), 'XXA', "
                    "'internal_transfer', 'completed', "
                    "(CAST(:ids AS bigint[]))[1 + g % :accounts], "
                    "(CAST(:ids AS bigint[]))[1 + (g + 1) % :accounts], "
                    f"{BLOCK}, false, 'bench.bulk', {stamp}, {stamp}, {stamp}, {stamp} "
                    "FROM generate_series(:low, :high) AS g"
                ),
                {
                    "registry": section.registry_id,
                    "number": number,
                    "ids": account_ids,
                    "accounts": len(account_ids),
                    "low": offset + 1,
                    "high": offset + size,
                },
            )
            print(f"    {offset + size:,} transactions", flush=True)
        connection.execute(
            text(
                f"INSERT INTO transaction_blocks (transaction_id, registry_id, serial_first, "
                f"serial_last, {ATTRIBUTES}, underlying_first, from_state, to_state, "
                f"first_transfer_subtype) SELECT x.id, t.registry_id, "
                f":first + ((x.id * 7919) % :blocks) * {BLOCK}, "
                f":first + ((x.id * 7919) % :blocks) * {BLOCK} + {BLOCK - 1}, "
                f"{', '.join('t.' + a for a in ATTRIBUTES.split(', '))}, NULL, 'MO', 'MO', NULL "
                f"FROM transactions x, (SELECT * FROM unit_blocks WHERE id = :template) AS t "
                f"WHERE x.id > :last_id"
            ),
            {"first": first, "blocks": blocks, "template": template.id, "last_id": last_id},
        )
        connection.execute(
            text(
                "UPDATE party_sections SET next_serial = :serial, next_transaction = :number "
                "WHERE party_code = 'XXA'"
            ),
            {"serial": first + blocks * BLOCK, "number": number + count + 1},
        )
        print(f"  transactions loaded in {time.monotonic() - started:.1f} s", flush=True)
    with registry.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    return {"first": first, "registry_id": section.registry_id}


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def timed(label: str, samples: int, action: Callable[[random.Random], Any]) -> dict[str, float]:
    rng = random.Random(7)
    for _ in range(5):
        action(rng)
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        action(rng)
        times.append((time.perf_counter() - started) * 1000)
    row = {"p50_ms": statistics.median(times), "p95_ms": p95(times)}
    print(f"RESULT scale {label}: p50 {row['p50_ms']:.2f} ms, p95 {row['p95_ms']:.2f} ms")
    return row


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--blocks", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=5_000_000)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--samples", type=int, default=200)
    arguments = parser.parse_args()
    print(
        f"Scale: {arguments.blocks:,} blocks, {arguments.transactions:,} transactions, "
        f"{arguments.accounts} accounts (PostgreSQL)",
        flush=True,
    )
    with scratch_postgres("article6_scale") as url:
        engine = make_engine(url)
        upgrade(engine)
        registry = Registry(engine)
        print("  building the registry through the services …", flush=True)
        pairs = build(registry, arguments.accounts // 2, 1)
        names = [name for pair in pairs for name in (pair.left, pair.right)]
        with engine.connect() as connection:
            ids = dict(
                connection.execute(
                    text("SELECT identifier, id FROM accounts WHERE identifier = ANY(:names)"),
                    {"names": names},
                ).all()
            )
        loaded = load(registry, arguments.blocks, arguments.transactions, list(ids.values()))
        first, last = loaded["first"], loaded["first"] + arguments.blocks * BLOCK - 1
        with engine.connect() as connection:
            newest = connection.execute(text("SELECT max(id) FROM transactions")).scalar_one()

        timed(
            "holdings of an account (account_detail, first page of blocks)",
            arguments.samples,
            lambda rng: queries.account_detail(registry, ADMIN, rng.choice(names)),
        )
        timed(
            "holdings of an account, a page deep in its blocks",
            arguments.samples,
            lambda rng: queries.account_detail(
                registry, ADMIN, rng.choice(names), after_serial=rng.randint(first, last)
            ),
        )
        timed(
            "transaction-history page (transactions_of, 50 newest)",
            arguments.samples,
            lambda rng: queries.transactions_of(registry, ADMIN, "XXA"),
        )
        timed(
            "transaction-history page at a random depth",
            arguments.samples,
            lambda rng: queries.transactions_of(
                registry, ADMIN, "XXA", before_id=rng.randint(1, newest)
            ),
        )

        def lookup(rng: random.Random) -> None:
            with engine.connect() as connection:
                row = ledger.block_at(connection, loaded["registry_id"], rng.randint(first, last))
                assert row is not None

        timed("serial lookup in the database (ledger.block_at)", arguments.samples, lookup)
        timed(
            "serial lookup with the unit's history (unit_history)",
            max(20, arguments.samples // 4),
            lambda rng: queries.unit_history(
                registry, ADMIN, f"{loaded['registry_id']}-{rng.randint(first, last)}"
            ),
        )
        started = time.monotonic()
        problems = queries.verify_registry(registry)
        print(f"RESULT scale verify_registry: {time.monotonic() - started:.1f} s, {problems[:3]}")
        if problems:
            raise SystemExit("invariants broken by the bulk load")
        engine.dispose()


if __name__ == "__main__":
    main()
