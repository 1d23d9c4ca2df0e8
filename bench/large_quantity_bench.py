"""Moving 10^9 units costs the same rows and time as moving 1: a block is a serial range, so a
transfer writes the same few rows whatever its size.

    .venv/bin/python bench/large_quantity_bench.py [--repeats 50] [--database sqlite|postgres]

The Party's AMO holding account holds enough units for every transfer in one block; the
Party's administrator moves 1 unit and 10^9 units, alternately, to an entity's AMO holding
account of the same approach (one way: only the entity's representatives move units out of its
accounts). For each size the median time, the statements sent and the rows written per
transfer are reported. A refused transfer stops the benchmark.
"""

from __future__ import annotations

import argparse
import statistics
import time
import uuid
from typing import Any

from sqlalchemy import event
from transfer_bench import ADMIN, build_shuttles, scratch_database

from article6.domain.checks import CommandRefused
from article6.services import commands as c
from article6.services import units
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.store.database import make_engine
from article6.store.migrate import upgrade


def run(kind: str, repeats: int) -> list[dict[str, Any]]:
    with scratch_database(kind) as url:
        engine = make_engine(url)
        upgrade(engine)
        registry = Registry(engine)
        pair = build_shuttles(registry, 1, repeats * (10**9 + 1))[0]
        counts = {"statements": 0, "rows": 0}

        @event.listens_for(engine, "after_cursor_execute")
        def count(_c: Any, cursor: Any, statement: str, *_rest: Any) -> None:
            counts["statements"] += 1
            if statement.lstrip().split(None, 1)[0].upper() in (
                "INSERT",
                "UPDATE",
                "DELETE",
                "WITH",
            ):
                counts["rows"] += max(cursor.rowcount, 0)

        def move(quantity: int) -> tuple[float, int, int]:
            """One transfer; a refusal propagates and stops the benchmark."""
            counts.update(statements=0, rows=0)
            started = time.perf_counter()
            units.transfer_units(
                registry,
                ADMIN,
                c.TransferUnits(
                    source_account=pair.left,
                    destination_account=pair.right,
                    units=c.UnitSelection(quantity=quantity),
                ),
                idempotency_key=uuid.uuid4().hex,
            )
            return (time.perf_counter() - started) * 1000, counts["statements"], counts["rows"]

        results = []
        samples: dict[int, list[tuple[float, int, int]]] = {1: [], 10**9: []}
        for index in range(repeats):
            for quantity in (1, 10**9):
                sample = move(quantity)
                if index >= 3:  # warm-up
                    samples[quantity].append(sample)
        for quantity, rows in samples.items():
            result = {
                "database": kind,
                "quantity": quantity,
                "ms": statistics.median(r[0] for r in rows),
                "statements": statistics.median(r[1] for r in rows),
                "rows": statistics.median(r[2] for r in rows),
            }
            counted = (
                f"{result['statements']:.0f} statements, {result['rows']:.0f} rows written"
                if kind == "sqlite"
                # What `store.batches` hands the driver does not pass SQLAlchemy's events:
                # tests/integration/test_round_trips.py counts PostgreSQL's statements.
                else "statements counted by tests/integration/test_round_trips.py"
            )
            print(
                f"RESULT large-quantity {kind} quantity={quantity:,}: "
                f"{result['ms']:.2f} ms, {counted} (medians of {len(rows)})",
                flush=True,
            )
            results.append(result)
        problems = ledger.verify_registry(registry)
        if problems:
            raise SystemExit(f"invariants broken: {problems[:3]}")
        engine.dispose()
        return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeats", type=int, default=50)
    parser.add_argument("--database", choices=["sqlite", "postgres"], nargs="+")
    arguments = parser.parse_args()
    print("Large quantities: a transfer of 10^9 units against a transfer of 1", flush=True)
    for kind in arguments.database or ["sqlite", "postgres"]:
        try:
            run(kind, arguments.repeats)
        except CommandRefused as refused:
            raise SystemExit(
                f"FAILED: a transfer was refused, the figures measure nothing: {refused}"
            ) from None


if __name__ == "__main__":
    main()
