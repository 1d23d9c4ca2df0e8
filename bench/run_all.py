"""Every benchmark in a row: reduced scale by default (`make bench`, well under 10 minutes),
full scale with `--full` (`make bench FULL=1`). Each benchmark prints its own progress and
`RESULT` lines; this script prints them again, together, at the end, and the throughput ones
as one table: request x clients x ratio to pgbench x server CPU ms x statements x p99, for
whichever steps ran (a step that did not run, or a figure a step does not measure, shows -).

    .venv/bin/python bench/run_all.py [--full]
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent

REDUCED = [
    ["transfer_bench.py", "--profile"],
    ["transfer_bench.py", "--clients", "1", "4", "8", "--seconds", "5", "--rounds", "3"],
    ["transfer_bench.py", "--sqlite-only", "--seconds", "5"],
    ["large_quantity_bench.py", "--repeats", "20"],
    ["fragmentation_soak.py", "--transfers", "20000", "--window", "2000"],
    ["scale_bench.py", "--blocks", "100000", "--transactions", "500000", "--samples", "100"],
    ["replay_bench.py", "--transactions", "100000", "--blocks", "10000"],
    ["crash_bench.py", "--cycles", "2", "--clients", "8", "--workers", "2", "--seconds", "4"],
    ["failover_bench.py", "--runs", "1", "--clients", "8", "--workers", "2", "--seconds", "4"],
    ["api_throughput.py", "--clients", "1", "4", "8", "--workers", "2", "--rounds", "2"],
    [
        "api_throughput.py",
        "--clients",
        "8",
        "--workers",
        "2",
        "--rounds",
        "1",
        "--request",
        "me",
        "bare",
    ],
    [
        "api_throughput.py",
        "--clients",
        "8",
        "--workers",
        "2",
        "--rounds",
        "1",
        "--request",
        "transactions",
        "blocks",
    ],
    ["api_load.py", "--clients", "32", "--seconds", "10", "--workers", "4"],
    ["aef_consistency_bench.py", "--parties", "20", "--actions", "1000"],
]
FULL = [
    ["transfer_bench.py", "--profile"],
    ["transfer_bench.py", "--clients", "1", "4", "8", "--seconds", "20", "--rounds", "5"],
    ["transfer_bench.py", "--sqlite-only", "--seconds", "20"],
    ["large_quantity_bench.py", "--repeats", "100"],
    ["fragmentation_soak.py", "--transfers", "1000000", "--window", "100000"],
    ["scale_bench.py", "--blocks", "1000000", "--transactions", "5000000"],
    ["replay_bench.py", "--transactions", "1000000", "--blocks", "100000"],
    ["crash_bench.py", "--cycles", "5", "--clients", "16", "--workers", "4", "--seconds", "10"],
    ["failover_bench.py", "--runs", "5", "--clients", "16", "--workers", "4", "--seconds", "10"],
    ["api_throughput.py", "--clients", "1", "4", "8", "--workers", "2", "4", "--rounds", "5"],
    ["api_throughput.py", "--clients", "1", "4", "8", "--workers", "4", "--request", "me", "bare"],
    ["api_throughput.py", "--clients", "8", "--workers", "4", "--request", "transactions"],
    ["api_throughput.py", "--clients", "8", "--workers", "4", "--request", "blocks"],
    ["api_load.py", "--clients", "8", "32", "--seconds", "60", "--workers", "4"],
    ["aef_consistency_bench.py", "--parties", "20", "--actions", "10000"],
]


FIGURE = re.compile(r"([a-z_0-9]+)=([^\s,]+)")
COLUMNS = ("what", "request", "clients", "per s", "ratio", "server CPU ms", "statements", "p99 ms")


def figures(line: str) -> dict[str, str]:
    return {key: value.removesuffix("/s") for key, value in FIGURE.findall(line)}


def rounded(figure: str | None, places: int) -> str:
    return "-" if figure is None else f"{float(figure):.{places}f}"


def summary_rows(results: list[str]) -> list[tuple[str, ...]]:
    """The throughput figures of the RESULT lines, one row per measurement."""
    rows: list[tuple[str, ...]] = []
    statements: dict[str, str] = {}
    for line in results:
        if match := re.match(r"RESULT profile (\w+): ([0-9.]+) statements per transfer", line):
            statements[match[1]] = match[2]
    for line in results:
        found = figures(line)
        if line.startswith("RESULT api_throughput"):
            workers = found.get("workers", "?")
            rows.append(
                (
                    f"API, {workers} workers",
                    found.get("request", "?"),
                    found.get("clients", "?"),
                    f"{float(found['api_tps']):,.0f}",
                    found.get("ratio", "-"),
                    rounded(found.get("server_ms"), 2),
                    "-",
                    rounded(found.get("p99_ms"), 1),
                )
            )
        elif line.startswith("RESULT postgres clients="):
            row = ("service, PostgreSQL", "transfer", found["clients"], found["registry"])
            # The batched statements pass no SQLAlchemy event: test_round_trips counts them.
            rows.append((*row, found.get("ratio", "-"), "-", "-", "-"))
        elif line.startswith("RESULT sqlite clients="):
            row = ("service, SQLite", "transfer", found["clients"], found["registry"])
            rows.append((*row, "-", "-", statements.get("sqlite", "-"), "-"))
        elif line.startswith("RESULT api_load"):
            row = (f"API load, {found.get('workers', '?')} workers", "transfer (hot pairs)")
            per_s = f"{float(found['requests_per_s']):,.0f}"
            rows.append((*row, found["clients"], per_s, "-", "-", "-", "-"))
    return rows


def table(rows: list[tuple[str, ...]]) -> str:
    widths = [max(len(cell) for cell in column) for column in zip(COLUMNS, *rows, strict=True)]

    def line(cells: tuple[str, ...]) -> str:
        return " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    rule = "-+-".join("-" * width for width in widths)
    return "\n".join([line(COLUMNS), rule, *(line(row) for row in rows)])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--full", action="store_true", help="full scale (hours, not minutes)")
    arguments = parser.parse_args()
    results: list[str] = []
    started = time.monotonic()
    for script, *options in FULL if arguments.full else REDUCED:
        print(f"== {script} {' '.join(options)}", flush=True)
        process = subprocess.Popen(
            [sys.executable, "-u", str(HERE / script), *options],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert process.stdout is not None
        for line in process.stdout:
            print(line, end="", flush=True)
            if line.startswith("RESULT"):
                results.append(line.rstrip())
        if process.wait() != 0:
            raise SystemExit(f"{script} failed with exit status {process.returncode}")
    print(f"== all benchmarks done in {time.monotonic() - started:.0f} s")
    print("\n".join(results))
    print("\n== throughput summary (ratio: to pgbench on the same server; p99: request latency)")
    print(table(summary_rows(results)))


if __name__ == "__main__":
    main()
