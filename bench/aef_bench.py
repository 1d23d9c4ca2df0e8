"""Benchmark: AEF generation for one Party-year with many actions, on SQLite and PostgreSQL.

    .venv/bin/python bench/aef_bench.py                      # 10,000 and 100,000 actions, both
    .venv/bin/python bench/aef_bench.py --rows 100000 --database sqlite:///bench.db --format xlsx

The seed's world is built through the services; then `rows` completed actions of 2025 are
written straight into the ledger tables (as the services would record them): 60 % international
first transfers of 10-unit ranges from XXA to XXC, 40 % XXC uses of those ranges. XXC's AEF for
2025 then has `rows` Table 3 rows, and its Table 4 is reconstructed from all those moves. Each
size runs in its own process so that its peak resident memory (ru_maxrss) is its own.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import create_engine, text

POSTGRES_ADMIN = os.environ.get(
    "ARTICLE6_TEST_POSTGRES", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
BATCH = 5_000
SERIAL_BASE = 1_000_000


def populate(url: str, rows: int) -> None:
    from article6.demo import world as demo
    from article6.services.context import Registry
    from article6.store import account_register
    from article6.store.schema import transaction_blocks, transactions

    registry = Registry.open(url)
    registry.clock = lambda: datetime(2025, 4, 5, tzinfo=UTC)  # after the demo authorizations
    world = demo.build_world(registry)
    with registry.engine.begin() as connection:
        ids = {
            name: account_register.account(connection, world[name]).id  # type: ignore[union-attr]
            for name in ("XXA Party amo_holding", "XXC Party itmo_holding", "XXC Party ndc_use")
        }
    transfers = rows * 6 // 10
    start = datetime(2025, 2, 1, tzinfo=UTC)
    step = timedelta(seconds=(300 * 86_400) // rows)
    attributes = {
        "registry_id": "XXA01",
        "cooperative_approach_id": "CA0001",
        "first_transferring_party": "XXA",
        "vintage": 2024,
        "metric": "GHG",
        "mitigation_type": "Emission reductions",
        "sector": "Energy generation",
        "activity_type": "Solar",
        "underlying_registry": "GS",
        "authorization_id": demo.NDC_AUTHORIZATION,
        "authorization_version": 1,
    }
    number = 0
    for first in range(0, rows, BATCH):
        header, moved = [], []
        for index in range(first, min(rows, first + BATCH)):
            number += 1
            transfer = index < transfers
            serial = SERIAL_BASE + 10 * (index if transfer else index - transfers)
            finished = start + step * index
            header.append(
                {
                    "id": 1_000_000 + index,
                    "identifier": f"BENCH-{index:08d}",
                    "party_code": "XXA" if transfer else "XXC",
                    "kind": "international_transfer" if transfer else "use",
                    "status": "completed",
                    "source_account_id": ids["XXA Party amo_holding"]
                    if transfer
                    else ids["XXC Party itmo_holding"],
                    "destination_account_id": ids["XXC Party itmo_holding"]
                    if transfer
                    else ids["XXC Party ndc_use"],
                    "acquiring_party": "XXC" if transfer else None,
                    "quantity": 10,
                    "ndc_year": None if transfer else 2025,
                    "first_transfer": transfer,
                    "initiator": "bench",
                    "created_at": finished,
                    "finished_at": finished,
                }
            )
            moved.append(
                {
                    "transaction_id": 1_000_000 + index,
                    "serial_first": serial,
                    "serial_last": serial + 9,
                    "underlying_first": 10_000_000 + serial,
                    "from_state": "AMO" if transfer else "ITMO",
                    "to_state": "ITMO" if transfer else "used",
                    "first_transfer_subtype": "First transfer to another Party"
                    if transfer
                    else None,
                    **attributes,
                }
            )
        with registry.engine.begin() as connection:
            connection.execute(transactions.insert(), header)
            connection.execute(transaction_blocks.insert(), moved)
    registry.engine.dispose()


def measure(url: str, rows: int, fmt: str) -> dict[str, object]:
    from article6.domain.access import Actor, Role
    from article6.reports.aef_writers import Format
    from article6.services.aef_versions import export_aef
    from article6.services.context import Registry

    populate(url, rows)
    registry = Registry.open(url, migrate=False)
    registry.clock = lambda: datetime(2026, 1, 10, tzinfo=UTC)
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    output = Path(tempfile.mkdtemp()) / f"aef.{fmt}"
    started, cpu = time.perf_counter(), time.process_time()
    view = export_aef(registry, Actor("bench", Role.AUDITOR), "XXC", 2025, Format(fmt), output)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    from article6.reports.aef_validate import validate

    started = time.perf_counter()
    problems = validate(output) if fmt != "json" else []
    validation = time.perf_counter() - started
    return {
        "database": url.split(":", 1)[0],
        "actions": rows,
        "format": fmt,
        "table3_rows": view.row_counts["3"],
        "table4_rows": view.row_counts["4"],
        "export_seconds": round(seconds, 2),
        "export_cpu_seconds": round(cpu, 2),
        "peak_rss_mb_before": round(before / 1024, 1),
        "peak_rss_mb_after": round(peak / 1024, 1),
        "validate_seconds": round(validation, 2) if fmt != "json" else None,
        "problems": len(problems),
    }


def fresh_database(kind: str, folder: Path) -> tuple[str, str | None]:
    if kind == "sqlite":
        return f"sqlite:///{folder / f'bench-{uuid.uuid4().hex[:8]}.db'}", None
    name = f"article6_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return POSTGRES_ADMIN.rsplit("/", 1)[0] + f"/{name}", name


def drop_database(name: str) -> None:
    admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=None)
    parser.add_argument("--database", default=None)
    parser.add_argument("--format", default="xlsx", choices=["xlsx", "csv", "json"])
    arguments = parser.parse_args()
    if arguments.rows is not None and arguments.database is not None:
        print(json.dumps(measure(arguments.database, arguments.rows, arguments.format)))
        return
    folder = Path(tempfile.mkdtemp())
    for kind in ("sqlite", "postgresql"):
        for rows in (10_000, 100_000) if arguments.rows is None else (arguments.rows,):
            url, name = fresh_database(kind, folder)
            try:
                result = subprocess.run(
                    [
                        sys.executable,
                        __file__,
                        "--rows",
                        str(rows),
                        "--database",
                        url,
                        "--format",
                        arguments.format,
                    ],
                    check=True,
                    capture_output=True,
                    text=True,
                )
                print(result.stdout.strip(), flush=True)
            finally:
                if name:
                    drop_database(name)


if __name__ == "__main__":
    main()
