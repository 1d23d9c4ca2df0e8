"""The issue's "32 concurrent API clients for 60 s" run: the real server (uvicorn, several
worker processes) on PostgreSQL, clients doing internal transfers over HTTP with a bearer
token and a fresh Idempotency-Key each, half of them on one hot pair of AMO accounts (Party
XXA AMO holding <-> Green Group A AMO holding, NDC authorization) and half on the MO pair.

Reports requests/s, p50/p95 latency, refusals by check and the count of 5xx (must be 0), then
verifies the registry's invariants and that every issued unit is still accounted for.

    .venv/bin/python bench/api_load.py [--clients 8 32] [--seconds 60] [--workers 4]
"""

from __future__ import annotations

import argparse
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
from serve import REGISTRY_APP
from transfer_bench import scratch_postgres

from article6.demo import world as demo
from article6.domain import totp
from article6.domain.access import Actor, Role
from article6.services import commands as c
from article6.services import identity, units
from article6.services.context import Registry
from article6.services.reads import ledger

USER, PASSWORD = "load.admin", "load-bench-password"
MAX_REQUESTS_PER_CLIENT = 100_000
BENCH = Path(__file__).resolve().parent


@dataclass
class Outcomes:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: list[float] = field(default_factory=list)
    succeeded: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)


def prepare(registry: Registry) -> tuple[demo.DemoWorld, str]:
    """The seed world, 30,000 AMOs under the NDC authorization, 5,000 units on the entity's
    side of each pair, and an administrator of XXA with a known second-factor secret."""
    world = demo.build_world(registry)
    units.link_authorization(
        registry,
        demo.XXA_ADMIN,
        c.LinkAuthorization(
            account=world["XXA Party mo_holding"],
            authorization_id=demo.NDC_AUTHORIZATION,
            units=c.UnitSelection(quantity=30_000),
        ),
    )
    for kind, authorization in (("amo_holding", demo.NDC_AUTHORIZATION), ("mo_holding", None)):
        units.transfer_units(
            registry,
            demo.XXA_ADMIN,
            c.TransferUnits(
                source_account=world[f"XXA Party {kind}"],
                destination_account=world[f"XXA Green Group A {kind}"],
                units=c.UnitSelection(quantity=5_000, authorization_id=authorization),
            ),
        )
    secret = totp.new_secret()
    identity.create_section_user(
        registry,
        Actor("installer", Role.SECRETARIAT),
        identity.CreateUser(name=USER, display_name="Load administrator", password=PASSWORD),
        identity.GrantRole(role=Role.ADMINISTRATOR, party="XXA"),
        totp_secret=secret,
    )
    return world, secret


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def start_server(
    url: str, port: int, workers: int, log: Path, app: str = REGISTRY_APP
) -> subprocess.Popen[bytes]:
    """The server as `article6 serve` runs it (`serve.py`); `app` another ASGI app
    (`module:attribute`, found on the benchmarks' path) to measure the server itself."""
    env = {
        **os.environ,
        "ARTICLE6_DATABASE_URL": url,
        "ARTICLE6_ENVIRONMENT": "development",
        "ARTICLE6_PASSWORD_COST": "test",
    }
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(BENCH), env.get("PYTHONPATH")]))
    command = [sys.executable, str(BENCH / "serve.py"), app, str(port), str(workers)]
    with log.open("wb") as output:
        return subprocess.Popen(
            command, env=env, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )


def children_of(pid: int) -> list[int]:
    """The processes whose parent is `pid` (a server's workers), from /proc."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            except (OSError, IndexError, ValueError):
                continue
            if parent == pid:
                found.append(int(entry.name))
    return found


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is None:
        os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=20)


def wait_until_healthy(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"the server exited: {log.read_text()[-2000:]}")
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise SystemExit(f"the server did not answer within 60 s: {log.read_text()[-2000:]}")


def shuttle(
    base: str,
    token: str,
    pair: tuple[str, str],
    authorization: str | None,
    seed: int,
    deadline: float,
    outcomes: Outcomes,
) -> None:
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=120) as http:
        for _ in range(MAX_REQUESTS_PER_CLIENT):
            if time.monotonic() >= deadline:
                return
            # The Party's account to the entity's: only the entity's representatives move
            # its units back, and their requests wait for approval.
            source, destination = pair
            body = c.TransferUnits(
                source_account=source,
                destination_account=destination,
                units=c.UnitSelection(quantity=rng.randint(1, 50), authorization_id=authorization),
            ).model_dump(mode="json", exclude_none=True)
            started = time.perf_counter()
            try:
                response = http.post(
                    "/api/v1/parties/XXA/transfers",
                    json=body,
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Idempotency-Key": uuid.uuid4().hex,
                    },
                )
            except httpx.TransportError as error:
                with outcomes.lock:
                    outcomes.other.append(f"no answer: {error!r}")
                return
            elapsed = time.perf_counter() - started
            with outcomes.lock:
                outcomes.latencies.append(elapsed)
                if response.is_success:
                    outcomes.succeeded += 1
                elif response.status_code >= 500:
                    outcomes.server_errors.append(f"{response.status_code} {response.text[:300]}")
                elif response.headers.get("content-type", "").startswith("application/problem"):
                    checks = response.json().get("checks") or [{"check": "none"}]
                    code = checks[0]["check"]
                    outcomes.refused[code] = outcomes.refused.get(code, 0) + 1
                else:
                    outcomes.other.append(f"{response.status_code} {response.text[:300]}")


def run(clients: int, seconds: int, workers: int) -> bool:
    """One run on a fresh database and a fresh server; True if it met every expectation."""
    with scratch_postgres("article6_api_load") as url, tempfile.TemporaryDirectory() as scratch:
        os.environ["ARTICLE6_PASSWORD_COST"] = "test"
        registry = Registry.open(url)
        print(f"  clients={clients}: building the seed world …", flush=True)
        world, secret = prepare(registry)
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = Path(scratch) / "server.log"
        server = start_server(url, port, workers, log)
        outcomes = Outcomes()
        try:
            wait_until_healthy(base, server, log)
            signed_in = httpx.post(
                f"{base}/api/v1/tokens",
                json={
                    "name": USER,
                    "password": PASSWORD,
                    "code": totp.code_at(secret, datetime.now(UTC)),
                },
                timeout=30,
            )
            if signed_in.status_code != 201:
                raise SystemExit(f"sign-in failed: {signed_in.text}")
            token = signed_in.json()["token"]
            hot = (world["XXA Party amo_holding"], world["XXA Green Group A amo_holding"])
            plain = (world["XXA Party mo_holding"], world["XXA Green Group A mo_holding"])
            print(
                f"  clients={clients}: {workers} worker(s) on port {port}, load for {seconds} s",
                flush=True,
            )
            start = time.monotonic()
            deadline = start + seconds
            threads = [
                threading.Thread(
                    target=shuttle,
                    args=(
                        base,
                        token,
                        *((hot, demo.NDC_AUTHORIZATION) if index % 2 else (plain, None)),
                        index,
                        deadline,
                        outcomes,
                    ),
                    daemon=True,
                )
                for index in range(clients)
            ]
            for thread in threads:
                thread.start()
            while running := [thread for thread in threads if thread.is_alive()]:
                running[0].join(timeout=5)
                if not running[0].is_alive():
                    continue
                with outcomes.lock:
                    done = len(outcomes.latencies)
                print(
                    f"    {time.monotonic() - start:5.1f} s: {done} requests, "
                    f"{len(outcomes.server_errors)} 5xx",
                    flush=True,
                )
                if time.monotonic() > deadline + 180:
                    raise SystemExit("clients still running 180 s after the deadline")
            elapsed = time.monotonic() - start
        finally:
            stop_server(server)

        latencies = sorted(outcomes.latencies)
        p50 = statistics.median(latencies) * 1000 if latencies else float("nan")
        p95 = latencies[int(0.95 * (len(latencies) - 1))] * 1000 if latencies else float("nan")
        problems = ledger.verify_registry(registry)
        total = sum(demo.holdings(registry, world).values())
        registry.engine.dispose()
        print(
            f"RESULT api_load clients={clients} workers={workers} seconds={seconds} "
            f"requests={len(latencies)} ok={outcomes.succeeded} "
            f"requests_per_s={len(latencies) / elapsed:.1f} p50_ms={p50:.1f} p95_ms={p95:.1f} "
            f"refused={outcomes.refused} 5xx={len(outcomes.server_errors)} "
            f"other={len(outcomes.other)} invariants={'ok' if not problems else problems[:3]} "
            f"units={total}/{demo.ISSUED}",
            flush=True,
        )
        for line in (outcomes.server_errors + outcomes.other)[:5]:
            print(f"    {line}")
        return (
            not outcomes.server_errors
            and not outcomes.other
            and outcomes.succeeded > 0
            and not problems
            and total == demo.ISSUED
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--clients", type=int, nargs="+", default=[8, 32])
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--workers", type=int, default=4)
    arguments = parser.parse_args()
    print("API load: internal transfers over HTTP, real server, PostgreSQL")
    sound = [run(n, arguments.seconds, arguments.workers) for n in arguments.clients]
    if not all(sound):
        raise SystemExit("FAILED: a 5xx, an unexpected answer, or a broken invariant (see above)")


if __name__ == "__main__":
    main()
