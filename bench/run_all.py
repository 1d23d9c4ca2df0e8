"""Every benchmark in a row: reduced scale by default (`make bench`, well under 10 minutes),
full scale with `--full` (`make bench FULL=1`). Each benchmark prints its own progress and
`RESULT` lines; this script prints them again, together, at the end.

    .venv/bin/python bench/run_all.py [--full]
"""

from __future__ import annotations

import argparse
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
    ["api_load.py", "--clients", "8", "32", "--seconds", "60", "--workers", "4"],
    ["aef_consistency_bench.py", "--parties", "20", "--actions", "10000"],
]


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


if __name__ == "__main__":
    main()
