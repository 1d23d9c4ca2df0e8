"""Transfer throughput through the HTTP API, as a ratio to pgbench on the same server.

The real server (uvicorn, several worker processes) on PostgreSQL; each client, as the Party's
administrator with a bearer token and a fresh Idempotency-Key (every check, the journal and
idempotency on), moves units from the Party's AMO holding account of its own cooperative
approach to an entity's of the same approach, as `transfer_bench.py` does through the service
layer (one way: only the entity's representatives move units out of its accounts). Any
refused request stops the benchmark. Rounds of the API and of pgbench's TPC-B-like script
alternate on the same server and the median of the ratios is reported.

The clients are coroutines on keep-alive HTTP/1.1 connections in one process, a load generator
about as light as pgbench's own, so that the two cores go to the server and the database.
Beside each figure the benchmark reports the CPU each side spent per transaction (server
processes, PostgreSQL backends, client), read from /proc: on a machine whose cores are all
busy, throughput is cores ÷ CPU per transaction, whatever the locks do.

    .venv/bin/python bench/api_throughput.py [--clients 1 4 8] [--workers 2 4] [--seconds 5]
        [--rounds 3] [--request transfer me bare transactions blocks]

`--request me` measures the cheapest authenticated request (`GET /api/v1/me`: the bearer token
checked, one read) and `--request bare` an app that does nothing (`bare_asgi.py`) under the same
server: what a transfer could reach at best on this machine, whatever it did inside.
`--request transactions` and `--request blocks` measure a page as the API serves it (the
Party's newest 50 transactions; the blocks of the account a client's transfers went to), after
a round of transfers has filled them.

Latency is reported at p50, p95 and p99. After the measured rounds, one more round of the same
load runs with a lock sampler beside it (`lock_waits.py`: `pg_locks` every 2 ms): the lock
waits of the requests (their number, how many lasted over 5 ms, the longest, the p99 per
request) and of the journal sealer, apart, and how far the journal's chain lagged (entries
pending, the oldest's age).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import statistics
import subprocess
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from api_load import (
    REGISTRY_APP,
    children_of,
    free_port,
    start_server,
    stop_server,
    wait_until_healthy,
)
from lock_waits import LockSampler, LockWaits
from sqlalchemy import create_engine, text
from transfer_bench import (
    ADMIN_URL,
    SHUTTLE_STOCK,
    Pair,
    build_shuttles,
    fail_on_refusals,
    libpq,
    pgbench_round,
)

from article6.domain import totp
from article6.domain.access import Actor, Role
from article6.services import identity
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.store.database import make_engine
from article6.store.migrate import upgrade

USER, PASSWORD = "throughput.admin", "throughput-bench-password"
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU of these processes and of their children that have exited (a
    PostgreSQL backend's CPU moves to the postmaster's when it ends), from /proc."""
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError):
            continue
        total += sum(int(value) for value in fields[11:15])
    return total / TICK


def postgres_processes(database: str) -> list[int]:
    """PostgreSQL's own processes (WAL writer, checkpointer …) and the backends serving
    `database`, not those of other databases on the same server."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() != "postgres":
                    continue
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
            except OSError:
                continue
            backend = "(" in title  # a backend's title ends with the client's address
            if not backend or f" {database} " in title:
                found.append(int(entry.name))
    return found


@dataclass
class Tally:
    succeeded: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)


REQUESTS = ("transfer", "me", "bare", "transactions", "blocks")
PAGES = ("transactions", "blocks")


def request_bytes(request: str, token: str, pair: Pair, rng: random.Random) -> bytes:
    """One request of the kind measured: a transfer (every check, the journal and a fresh
    Idempotency-Key), `me` (authenticated, one read: the least any registry request costs),
    `bare` (any path of `bare_asgi.py`: the HTTP layer alone), or a page as the API serves it:
    `transactions` (the Party's newest 50) or `blocks` (the blocks of the account the client's
    transfers went to)."""
    if request != "transfer":
        path = {
            "me": "/api/v1/me",
            "bare": "/api/v1/health",
            "transactions": "/api/v1/parties/XXA/transactions?limit=50",
            "blocks": f"/api/v1/parties/XXA/blocks?account={pair.right}&limit=100",
        }[request]
        return (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n\r\n"
        ).encode()
    body = json.dumps(
        {
            "source_account": pair.left,
            "destination_account": pair.right,
            "units": {"quantity": rng.randint(1, 100)},
        }
    ).encode()
    head = (
        "POST /api/v1/parties/XXA/transfers HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        f"Authorization: Bearer {token}\r\nIdempotency-Key: {uuid.uuid4().hex}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()
    return head + body


async def client(
    port: int, token: str, pair: Pair, request: str, seed: int, deadline: float, tally: Tally
) -> None:
    """One keep-alive connection; read each answer whole; count refusals by status and check."""
    rng = random.Random(seed)
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    try:
        while time.monotonic() < deadline:
            started = time.perf_counter()
            writer.write(request_bytes(request, token, pair, rng))
            status_line = await reader.readline()
            length = 0
            while (line := await reader.readline()) not in (b"\r\n", b""):
                name, _, value = line.decode("latin-1").partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value)
            answer = await reader.readexactly(length)
            tally.latencies.append(time.perf_counter() - started)
            status = int(status_line.split()[1])
            if status < 300:
                tally.succeeded += 1
            elif status >= 500:
                tally.server_errors.append(f"{status} {answer[:200]!r}")
            else:
                checks = ",".join(sorted(set(re.findall(r"C[0-9]{4}", answer.decode("latin-1")))))
                key = f"{status} {checks}"
                tally.refused[key] = tally.refused.get(key, 0) + 1
    finally:
        writer.close()


def api_round(
    port: int, token: str, pairs: list[Pair], request: str, seconds: float, seed: int
) -> Tally:
    tally = Tally()
    deadline = time.monotonic() + seconds

    async def everyone() -> None:
        await asyncio.gather(
            *(
                client(port, token, pair, request, seed * 1000 + index, deadline, tally)
                for index, pair in enumerate(pairs)
            )
        )

    asyncio.run(everyone())
    return tally


@dataclass
class Round:
    api_tps: float
    pgbench_tps: float
    server_ms: float
    postgres_ms: float
    client_ms: float
    pgbench_postgres_ms: float
    pgbench_client_ms: float
    p50_ms: float
    p95_ms: float
    p99_ms: float
    busy_workers: int
    """Worker processes that spent a tenth or more of the server's CPU. Each worker listens on
    a socket of its own and the kernel hashes each connection onto one, so 8 clients land on
    two to four of four workers; with one shared socket they often all landed on one (GIL-bound,
    a core idle)."""


def percentile(ordered: list[float], share: float) -> float:
    return ordered[int(share * (len(ordered) - 1))]


def measure(
    port: int,
    token: str,
    pairs: list[Pair],
    request: str,
    server_pid: int,
    registry_database: str,
    pgbench_url: str,
    seconds: int,
    seed: int,
) -> tuple[Round, Tally]:
    server_pids = [server_pid, *children_of(server_pid)]
    postgres = postgres_processes(registry_database)
    each_before = [cpu_seconds([pid]) for pid in server_pids]
    before = cpu_seconds(server_pids), cpu_seconds(postgres), time.process_time()
    started = time.monotonic()
    tally = api_round(port, token, pairs, request, seconds, seed)
    elapsed = time.monotonic() - started
    # Backends a worker's pool opened during the round count whole (they began in it).
    born = sorted(set(postgres_processes(registry_database)) - set(postgres))
    after = cpu_seconds(server_pids), cpu_seconds(postgres + born), time.process_time()
    each = [cpu_seconds([pid]) - spent for pid, spent in zip(server_pids, each_before, strict=True)]
    done = max(tally.succeeded, 1)

    pgbench_database = pgbench_url.rsplit("/", 1)[1]
    postgres_before = cpu_seconds(postgres_processes(pgbench_database))
    children_before = os.times().children_user + os.times().children_system
    reference = pgbench_round(pgbench_url, len(pairs), seconds)
    time.sleep(1)  # pgbench's backends end after it does: their CPU joins the postmaster's
    postgres_after = cpu_seconds(postgres_processes(pgbench_database))
    children_after = os.times().children_user + os.times().children_system
    transactions = max(reference * seconds, 1)
    latencies = sorted(tally.latencies) or [float("nan")]
    return (
        Round(
            api_tps=done / elapsed,
            pgbench_tps=reference,
            server_ms=1000 * (after[0] - before[0]) / done,
            postgres_ms=1000 * (after[1] - before[1]) / done,
            client_ms=1000 * (after[2] - before[2]) / done,
            pgbench_postgres_ms=1000 * (postgres_after - postgres_before) / transactions,
            pgbench_client_ms=1000 * (children_after - children_before) / transactions,
            p50_ms=1000 * statistics.median(latencies),
            p95_ms=1000 * percentile(latencies, 0.95),
            p99_ms=1000 * percentile(latencies, 0.99),
            busy_workers=sum(spent > 0.1 * max(sum(each), 1e-9) for spent in each),
        ),
        tally,
    )


def sign_in(address: str, secret: str) -> str:
    signed_in = httpx.post(
        f"{address}/api/v1/tokens",
        json={"name": USER, "password": PASSWORD, "code": totp.code_at(secret, datetime.now(UTC))},
        timeout=30,
    )
    token: str = signed_in.json()["token"]
    return token


def run(
    clients: int, workers: int, seconds: int, rounds: int, request: str = "transfer"
) -> dict[str, float | str]:
    admin = create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    base = ADMIN_URL.rsplit("/", 1)[0]
    registry_db = f"article6_api_tp_{uuid.uuid4().hex[:8]}"
    pgbench_db = f"pgbench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{registry_db}"'))
        connection.execute(text(f'CREATE DATABASE "{pgbench_db}"'))
    url = f"{base}/{registry_db}"
    pgbench_url = libpq(f"{base}/{pgbench_db}")
    try:
        subprocess.run(
            ["pgbench", "-i", "-q", "-s", str(max(clients, 1)), pgbench_url],
            check=True,
            capture_output=True,
        )
        os.environ["ARTICLE6_PASSWORD_COST"] = "test"
        engine = make_engine(url)
        upgrade(engine)
        registry = Registry(engine)
        print(f"  clients={clients} workers={workers}: building the registry …", flush=True)
        pairs = build_shuttles(registry, clients, SHUTTLE_STOCK)
        secret = totp.new_secret()
        identity.create_section_user(
            registry,
            Actor("installer", Role.SECRETARIAT),
            identity.CreateUser(name=USER, display_name="Throughput bench", password=PASSWORD),
            identity.GrantRole(role=Role.ADMINISTRATOR, party="XXA"),
            totp_secret=secret,
        )
        port = free_port()
        with tempfile.TemporaryDirectory() as scratch:
            log = Path(scratch) / "server.log"
            app = "bare_asgi:app" if request == "bare" else REGISTRY_APP
            server = start_server(url, port, workers, log, app)
            try:
                address = f"http://127.0.0.1:{port}"
                wait_until_healthy(address, server, log)
                token = "none" if request == "bare" else sign_in(address, secret)
                if request in PAGES:  # transactions to page through, blocks in the accounts
                    fill = api_round(port, token, pairs, "transfer", seconds, 0)
                    fail_on_refusals(fill.refused, "transfers filling the pages")
                warm = api_round(port, token, pairs, request, 2, 0)  # every worker's pool, caches
                fail_on_refusals(warm.refused, f"{request} requests")
                measured: list[Round] = []
                waits: LockWaits | None = None
                errors: list[str] = []
                for number in range(1, rounds + 1):
                    figures, tally = measure(
                        port,
                        token,
                        pairs,
                        request,
                        server.pid,
                        registry_db,
                        pgbench_url,
                        seconds,
                        number,
                    )
                    errors += tally.server_errors
                    fail_on_refusals(tally.refused, f"{request} requests")
                    measured.append(figures)
                    print(
                        f"  {request}: clients={clients} workers={workers} round "
                        f"{number}/{rounds}: "
                        f"API {figures.api_tps:,.0f}/s (p50 {figures.p50_ms:.1f} ms, p95 "
                        f"{figures.p95_ms:.1f} ms, p99 {figures.p99_ms:.1f} ms), "
                        f"pgbench {figures.pgbench_tps:,.0f}/s, "
                        f"ratio {figures.api_tps / figures.pgbench_tps:.3f}; CPU ms per "
                        f"request: server {figures.server_ms:.2f}, PostgreSQL "
                        f"{figures.postgres_ms:.2f}, client {figures.client_ms:.2f}; per "
                        f"pgbench transaction: PostgreSQL {figures.pgbench_postgres_ms:.2f}, "
                        f"client {figures.pgbench_client_ms:.2f}; workers busy "
                        f"{figures.busy_workers}",
                        flush=True,
                    )
                if request != "bare":
                    with LockSampler(libpq(ADMIN_URL), libpq(url), registry_db) as sampler:
                        sampled = api_round(port, token, pairs, request, seconds, rounds + 1)
                    errors += sampled.server_errors
                    fail_on_refusals(sampled.refused, f"{request} requests")
                    waits = sampler.found
                    print(
                        f"  {request}: clients={clients} workers={workers} sampled round: "
                        + waits.summary(sampled.succeeded),
                        flush=True,
                    )
            finally:
                stop_server(server)
        problems = ledger.verify_registry(registry)
        engine.dispose()
        if problems or errors:
            raise SystemExit(f"FAILED: 5xx {errors[:3]} or broken invariants {problems[:3]}")

        def median(name: str) -> float:
            return statistics.median(getattr(figures, name) for figures in measured)

        ratio = statistics.median(f.api_tps / f.pgbench_tps for f in measured)
        result: dict[str, float | str] = {
            "request": request,
            "clients": clients,
            "workers": workers,
            "api_tps": median("api_tps"),
            "pgbench_tps": median("pgbench_tps"),
            "ratio": ratio,
            "p50_ms": median("p50_ms"),
            "p95_ms": median("p95_ms"),
            "p99_ms": median("p99_ms"),
            "server_ms": median("server_ms"),
            "postgres_ms": median("postgres_ms"),
            "client_ms": median("client_ms"),
            "pgbench_postgres_ms": median("pgbench_postgres_ms"),
            "pgbench_client_ms": median("pgbench_client_ms"),
        }
        if waits is not None:
            result |= {
                "lock_waits": float(len(waits.requests)),
                "lock_waits_over_5ms": float(waits.over(5)),
                "lock_wait_p99_ms": waits.p99_ms(sampled.succeeded),
                "lock_wait_max_ms": max(waits.requests, default=0.0),
                "sealer_wait_max_ms": max(waits.sealer, default=0.0),
                "journal_pending_max": float(waits.pending_max),
                "journal_lag_max_ms": waits.lag_max_ms,
            }
        print(
            "RESULT api_throughput "
            + " ".join(
                f"{key}={value:.3f}" if isinstance(value, float) else f"{key}={value}"
                for key, value in result.items()
            ),
            flush=True,
        )
        return result
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{registry_db}" WITH (FORCE)'))
            connection.execute(text(f'DROP DATABASE IF EXISTS "{pgbench_db}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, nargs="+", default=[1, 4, 8])
    parser.add_argument("--workers", type=int, nargs="+", default=[2, 4])
    parser.add_argument("--seconds", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--request",
        nargs="+",
        choices=REQUESTS,
        default=["transfer"],
        help="what each request does: a transfer; `me`, the cheapest authenticated request; "
        "`bare`, an app that does nothing (the HTTP layer alone)",
    )
    arguments = parser.parse_args()
    print(
        f"API throughput against pgbench: {arguments.rounds} interleaved rounds of "
        f"{arguments.seconds} s, median",
        flush=True,
    )
    for request in arguments.request:
        for workers in arguments.workers:
            for clients in arguments.clients:
                run(clients, workers, arguments.seconds, arguments.rounds, request)


if __name__ == "__main__":
    main()
