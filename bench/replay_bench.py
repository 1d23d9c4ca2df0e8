"""Replay at scale on PostgreSQL: how long `article6 journal verify` takes to rebuild every
account's blocks and holdings from the history and compare them with the live tables, and the
peak memory (RSS) of the process doing it.

    .venv/bin/python bench/replay_bench.py [--transactions 1000000] [--blocks 100000]
        [--accounts 200]

The registry is built through the services, then bulk-loaded with the scale benchmark's loader
(`scale_bench.load`: one issuance covering every loaded block, then completed internal transfers
of one block each). That loader leaves each block where it was put, not where its last transfer
took it; here every loaded block is then placed where the history says it is (the destination of
the last moved range covering it, or the issuance's account) and holdings are recounted, so the
history and the live tables agree and the replay has to walk all of it to say so.

Printed: the load time; the replay alone (`store.replay.replay`), with the process's CPU time
beside the wall time (the rest is the database server reading and sending the pages); and the
whole `verify_registry` (invariants, replay, chain). Peak RSS is the process's high-water mark,
read before and after.
"""

from __future__ import annotations

import argparse
import os
import resource
import time
from pathlib import Path

from scale_bench import BLOCK, load
from sqlalchemy import text
from transfer_bench import build, scratch_postgres

from article6.services.context import Registry
from article6.services.reads.ledger import verify_registry
from article6.store.database import make_engine
from article6.store.migrate import upgrade
from article6.store.replay_compare import replay


def backend_usage(pid: int) -> tuple[float, int]:
    """CPU seconds and bytes read from storage by one PostgreSQL backend (same machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = os.sysconf("SC_CLK_TCK")
        cpu = (int(fields[11]) + int(fields[12])) / ticks
        io = dict(line.split(": ") for line in Path(f"/proc/{pid}/io").read_text().splitlines())
        return cpu, int(io["read_bytes"])
    except (OSError, IndexError, KeyError, ValueError):
        return float("nan"), 0


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def place_as_history_says(registry: Registry, first: int) -> None:
    """Put every loaded block in the account its last moved range names; recount holdings."""
    with registry.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE unit_blocks b SET account_id = x.destination_account_id "
                "FROM transaction_blocks tb JOIN transactions x ON x.id = tb.transaction_id "
                "WHERE x.kind = 'issuance' AND tb.serial_first = :first "
                "AND b.serial_first >= :first"
            ),
            {"first": first},
        )
        connection.execute(
            text(
                "UPDATE unit_blocks b SET account_id = last.destination FROM ("
                "SELECT DISTINCT ON (tb.registry_id, tb.serial_first) tb.registry_id, "
                "tb.serial_first, x.destination_account_id AS destination "
                "FROM transaction_blocks tb JOIN transactions x ON x.id = tb.transaction_id "
                "WHERE x.kind = 'internal_transfer' AND tb.serial_first >= :first "
                "ORDER BY tb.registry_id, tb.serial_first, tb.id DESC) last "
                "WHERE b.registry_id = last.registry_id AND b.serial_first = last.serial_first"
            ),
            {"first": first},
        )
        connection.execute(
            text(
                "UPDATE holdings h SET quantity = COALESCE((SELECT "
                "sum(b.serial_last - b.serial_first + 1) FROM unit_blocks b "
                "WHERE b.account_id = h.account_id), 0)"
            )
        )
    with registry.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("VACUUM ANALYZE"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--blocks", type=int, default=100_000)
    parser.add_argument("--accounts", type=int, default=200)
    arguments = parser.parse_args()
    os.environ["ARTICLE6_PASSWORD_COST"] = "test"
    print(
        f"Replay: {arguments.transactions:,} transactions over {arguments.blocks:,} blocks of "
        f"{BLOCK} units, {arguments.accounts} accounts (PostgreSQL)",
        flush=True,
    )
    with scratch_postgres("article6_replay") as url:
        engine = make_engine(url)
        upgrade(engine)
        registry = Registry(engine)
        pairs = build(registry, arguments.accounts // 2, 1)
        names = [name for pair in pairs for name in (pair.left, pair.right)]
        with engine.connect() as connection:
            ids = list(
                connection.execute(
                    text("SELECT id FROM accounts WHERE identifier = ANY(:names) ORDER BY id"),
                    {"names": names},
                ).scalars()
            )
        started = time.monotonic()
        loaded = load(registry, arguments.blocks, arguments.transactions, ids)
        place_as_history_says(registry, loaded["first"])
        print(f"  loaded in {time.monotonic() - started:.0f} s", flush=True)
        with engine.connect() as connection:
            moved = connection.execute(text("SELECT count(*) FROM transaction_blocks")).scalar()
            live = connection.execute(text("SELECT count(*) FROM unit_blocks")).scalar()
        print(f"  {moved:,} moved ranges in the history, {live:,} live blocks", flush=True)

        before = peak_rss_mb()
        with engine.connect() as connection:
            backend = int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())
            server_cpu, server_read = backend_usage(backend)
            cpu, wall = time.process_time(), time.monotonic()
            problems = replay(connection)
            cpu, wall = time.process_time() - cpu, time.monotonic() - wall
            server_after, read_after = backend_usage(backend)
        print(
            f"  the PostgreSQL backend meanwhile: {server_after - server_cpu:.1f} s CPU, "
            f"{(read_after - server_read) / 2**20:.0f} MB read from storage",
            flush=True,
        )
        print(
            f"  replay: {wall:.1f} s wall, {cpu:.1f} s CPU in this process "
            f"({100 * cpu / wall:.0f} %), {len(problems)} differences; peak RSS "
            f"{before:.0f} MB before, {peak_rss_mb():.0f} MB after",
            flush=True,
        )
        print(
            f"RESULT replay {arguments.transactions:,} transactions: {wall:.1f} s "
            f"(CPU here {cpu:.1f} s), peak RSS {peak_rss_mb():.0f} MB"
        )
        for problem in problems[:5]:
            print(f"    {problem}")
        wall = time.monotonic()
        everything = verify_registry(registry)
        print(
            f"  verify_registry (invariants, replay, chain): {time.monotonic() - wall:.1f} s, "
            f"{len(everything)} problems; peak RSS {peak_rss_mb():.0f} MB",
            flush=True,
        )
        for problem in everything[:5]:
            print(f"    {problem}")
        engine.dispose()
        if problems or everything:
            raise SystemExit(1)


if __name__ == "__main__":
    main()
