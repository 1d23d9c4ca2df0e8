"""Crash recovery under load: the real server (uvicorn, several worker processes) on
PostgreSQL, HTTP clients doing internal transfers (and an authorized entity proposing some
that wait for its Party's approval), killed at a random moment; afterwards every acknowledged
transaction is there as acknowledged, nothing is half-done, the ledger and the journal verify,
every issued unit is accounted for, and the reservations of pending transactions are released
once their deadline passes.

Three scenarios, each for several kill/restart cycles on one database:

    server    SIGKILL the whole server (master and workers), then start it again
    worker    SIGKILL one worker; the master replaces it while the others keep serving
    postgres  `pg_ctl -m immediate stop` a throwaway cluster of its own (initdb, fsync=on),
              start it again, then restart the server

A client re-sends a request that got no answer (or a 5xx while the database was down) with
the same Idempotency-Key until it is answered, so every transaction that committed is
acknowledged exactly once: the registry's new transactions must be exactly the acknowledged
ones. A cycle prints one RESULT line.

    .venv/bin/python bench/crash_bench.py [--scenarios server worker postgres] [--cycles 5]
        [--clients 16] [--workers 4] [--seconds 8] [--seed N]

The `tests/stress/test_server_crash.py` tests drive the same harness at small scale.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

# The throwaway PostgreSQL clusters are the tests' own (tests/postgres_clusters.py): one helper.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from api_load import PASSWORD, USER, children_of, free_port, prepare, start_server, stop_server
from transfer_bench import scratch_postgres

from article6.demo import world as demo
from article6.domain import totp
from article6.domain.access import Actor, Role
from article6.services import approvals, identity
from article6.services import commands as c
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.services.views import TransactionView
from postgres_clusters import Cluster, throwaway_cluster

ENTITY_USER, ENTITY_PASSWORD = "crash.entity", "crash-entity-password"
EXPIRY_ACTOR = Actor("registry", Role.SECRETARIAT)  # as `article6 expire` does
ARTICLE6_CLI = [sys.executable, "-c", "from article6.cli import main; main()"]
RETRY_PAUSE = 0.1  # seconds between re-sends of an unanswered request
ANSWER_TIMEOUT = 30.0  # seconds a client waits for one HTTP answer
GIVE_UP_AFTER_STOP = 120.0  # seconds a client keeps re-sending once asked to stop
MOVED_NOTHING = {"awaiting_approval", "cancelled", "rejected"}


# The clients ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ServerError:
    """A 5xx answer and when its request was in flight (monotonic seconds)."""

    started: float
    ended: float
    text: str


@dataclass
class Tally:
    """What the clients saw, under one lock: every acknowledgement by transaction identifier."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    acknowledged: dict[str, str] = field(default_factory=dict)
    acknowledged_at: dict[str, float] = field(default_factory=dict)
    refused: dict[str, int] = field(default_factory=dict)
    connection_errors: int = 0
    resent: int = 0
    server_errors: list[ServerError] = field(default_factory=list)
    unexpected: list[str] = field(default_factory=list)

    def count(self) -> int:
        with self.lock:
            return len(self.acknowledged)

    def pending(self) -> set[str]:
        with self.lock:
            return {i for i, status in self.acknowledged.items() if status == "awaiting_approval"}

    def acknowledged_between(self, start: float, end: float = float("inf")) -> int:
        with self.lock:
            return sum(1 for moment in self.acknowledged_at.values() if start <= moment < end)

    def first_acknowledgement_after(self, moment: float) -> float | None:
        with self.lock:
            later = [m for m in self.acknowledged_at.values() if m >= moment]
        return min(later) if later else None

    def server_errors_outside(self, windows: list[tuple[float, float]]) -> list[ServerError]:
        """5xx answers to requests that were not in flight during any of the windows."""
        with self.lock:
            return [
                error
                for error in self.server_errors
                if not any(error.started <= end and error.ended >= start for start, end in windows)
            ]


@dataclass
class Load:
    """The client threads; `stop` lets each finish its request, `abandon` drops it."""

    threads: list[threading.Thread]
    stop: threading.Event
    abandon: threading.Event

    def finish(self, timeout: float = GIVE_UP_AFTER_STOP + 60) -> bool:
        """Stop the clients once their current request is answered; True if all stopped."""
        self.stop.set()
        deadline = time.monotonic() + timeout
        for thread in self.threads:
            thread.join(timeout=max(0.0, deadline - time.monotonic()))
        return not any(thread.is_alive() for thread in self.threads)

    def drop(self) -> None:
        self.abandon.set()
        self.stop.set()
        for thread in self.threads:
            thread.join(timeout=ANSWER_TIMEOUT + 5)


def send(
    http: httpx.Client, body: dict[str, object], token: str, load: Load, tally: Tally
) -> httpx.Response | None:
    """POST one transfer under one Idempotency-Key until the server answers it with anything
    but a 5xx: a request cut off by a crash may have committed, and only its key tells."""
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex}
    give_up = float("inf")
    while not load.abandon.is_set():
        started = time.monotonic()
        try:
            response = http.post("/api/v1/parties/XXA/transfers", json=body, headers=headers)
        except httpx.TransportError:
            with tally.lock:
                tally.connection_errors += 1
        else:
            if response.status_code < 500:
                return response
            with tally.lock:
                tally.server_errors.append(
                    ServerError(
                        started, time.monotonic(), f"{response.status_code} {response.text[:200]}"
                    )
                )
        if load.stop.is_set():
            give_up = min(give_up, time.monotonic() + GIVE_UP_AFTER_STOP)
            if time.monotonic() > give_up:
                with tally.lock:
                    tally.unexpected.append(f"no answer for key {headers['Idempotency-Key']}")
                return None
        with tally.lock:
            tally.resent += 1
        load.abandon.wait(RETRY_PAUSE)
    return None


def record(response: httpx.Response, tally: Tally) -> None:
    """A 2xx is an acknowledgement; a refusal must be a problem naming its checks."""
    with tally.lock:
        if response.is_success:
            receipt = response.json()
            tally.acknowledged[receipt["record"]] = receipt["status"]
            tally.acknowledged_at[receipt["record"]] = time.monotonic()
        elif response.headers.get("content-type", "").startswith("application/problem+json"):
            checks = response.json().get("checks") or [{"check": "none"}]
            code = checks[0]["check"]
            tally.refused[code] = tally.refused.get(code, 0) + 1
        else:
            tally.unexpected.append(f"{response.status_code} {response.text[:200]}")


def shuttle(
    base: str,
    token: str,
    pair: tuple[str, str],
    authorization: str | None,
    seed: int,
    load: Load,
    tally: Tally,
) -> None:
    """The administrator moves 1-50 units from the Party's account of the pair to the entity's
    (units come back only at the entity's request: `propose`)."""
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=ANSWER_TIMEOUT) as http:
        while not load.stop.is_set():
            source, destination = pair
            body = c.TransferUnits(
                source_account=source,
                destination_account=destination,
                units=c.UnitSelection(quantity=rng.randint(1, 50), authorization_id=authorization),
            ).model_dump(mode="json", exclude_none=True)
            response = send(http, body, token, load, tally)
            if response is not None:
                record(response, tally)


def propose(
    base: str, token: str, pair: tuple[str, str], seed: int, pause: float, load: Load, tally: Tally
) -> None:
    """The authorized entity asks to move 1-5 of its units to its Party: each request waits
    for the Party's approval with its units reserved."""
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=ANSWER_TIMEOUT) as http:
        while not load.stop.is_set():
            body = c.TransferUnits(
                source_account=pair[0],
                destination_account=pair[1],
                units=c.UnitSelection(quantity=rng.randint(1, 5)),
            ).model_dump(mode="json", exclude_none=True)
            response = send(http, body, token, load, tally)
            if response is not None:
                record(response, tally)
            load.stop.wait(pause)


@dataclass
class Preparation:
    """The seed world of the API load benchmark, plus an entity representative who proposes."""

    world: demo.DemoWorld
    admin_secret: str
    entity_secret: str

    @property
    def hot(self) -> tuple[str, str]:
        return self.world["XXA Party amo_holding"], self.world["XXA Green Group A amo_holding"]

    @property
    def plain(self) -> tuple[str, str]:
        return self.world["XXA Party mo_holding"], self.world["XXA Green Group A mo_holding"]


def prepare_registry(registry: Registry) -> Preparation:
    world, admin_secret = prepare(registry)
    entity_secret = totp.new_secret()
    identity.create_section_user(
        registry,
        Actor("installer", Role.SECRETARIAT),
        identity.CreateUser(
            name=ENTITY_USER, display_name="Green Group A representative", password=ENTITY_PASSWORD
        ),
        identity.GrantRole(role=Role.ENTITY, party="XXA", entity=demo.GREEN_GROUP_A.entity),
        totp_secret=entity_secret,
    )
    return Preparation(world, admin_secret, entity_secret)


def sign_in(base: str, name: str, password: str, secret: str) -> str:
    """A bearer token (kept in the database, so it outlives a server restart)."""
    answer = httpx.post(
        f"{base}/api/v1/tokens",
        json={"name": name, "password": password, "code": totp.code_at(secret, datetime.now(UTC))},
        timeout=30,
    )
    if answer.status_code != 201:
        raise RuntimeError(f"sign-in of {name} failed: {answer.status_code} {answer.text[:300]}")
    token: str = answer.json()["token"]
    return token


def start_load(
    base: str,
    preparation: Preparation,
    tokens: tuple[str, str],
    clients: int,
    seed: int,
    tally: Tally,
    proposal_pause: float = 0.05,
) -> Load:
    """`clients` threads: one in eight (at least one) proposes as the entity, the others
    shuttle as the administrator, alternately on the hot AMO pair and on the MO pair."""
    admin_token, entity_token = tokens
    load = Load([], threading.Event(), threading.Event())
    for index in range(clients):
        if index % 8 == 0:
            thread = threading.Thread(
                target=propose,
                args=(base, entity_token, preparation.plain[::-1], seed + index),
                kwargs={"pause": proposal_pause, "load": load, "tally": tally},
                daemon=True,
            )
        else:
            pair, authorization = (
                (preparation.hot, demo.NDC_AUTHORIZATION)
                if index % 2
                else (preparation.plain, None)
            )
            thread = threading.Thread(
                target=shuttle,
                args=(base, admin_token, pair, authorization, seed + index, load, tally),
                daemon=True,
            )
        load.threads.append(thread)
    for thread in load.threads:
        thread.start()
    return load


def await_acknowledgements(
    tally: Tally, at_least: int, pending_at_least: int = 0, timeout: float = 60
) -> None:
    """Wait until the clients hold enough acknowledgements (and of pending transactions)."""
    deadline = time.monotonic() + timeout
    while tally.count() < at_least or len(tally.pending()) < pending_at_least:
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"only {tally.count()} acknowledgements ({len(tally.pending())} pending) "
                f"after {timeout:.0f} s; unexpected: {tally.unexpected[:3]}"
            )
        time.sleep(0.02)


# The server -------------------------------------------------------------------------------


class Server:
    """The article6 API under uvicorn with several workers, restartable on the same port."""

    def __init__(self, url: str, workers: int, directory: Path, port: int | None = None) -> None:
        self.url = url
        self.workers = workers
        self.directory = directory
        self.port = port or free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen[bytes] | None = None
        self.starts = 0

    @property
    def log(self) -> Path:
        return self.directory / f"server-{self.starts}.log"

    def start(self, timeout: float = 60) -> float:
        """Start it and wait until it answers; the monotonic time it first did."""
        self.starts += 1
        self.process = start_server(self.url, self.port, self.workers, self.log)
        return self.await_health(timeout)

    def await_health(self, timeout: float = 60) -> float:
        """Poll the health endpoint; the monotonic time of the first answer."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited: {self.log.read_text()[-2000:]}")
            try:
                if httpx.get(f"{self.base}/api/v1/health", timeout=2).status_code == 200:
                    return time.monotonic()
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        raise RuntimeError(f"the server did not answer in {timeout:.0f} s: {self.log.read_text()}")

    def kill(self) -> None:
        """SIGKILL the master and every worker (one process group) and reap the master."""
        assert self.process is not None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        deadline = time.monotonic() + 10
        while self.worker_pids() and time.monotonic() < deadline:
            time.sleep(0.05)

    def stop(self) -> None:
        if self.process is not None:
            stop_server(self.process)

    def worker_pids(self) -> set[int]:
        """The master's children that run uvicorn's spawned worker (not the resource tracker)."""
        if self.process is None:
            return set()
        found = set()
        for pid in children_of(self.process.pid):
            try:
                command = Path(f"/proc/{pid}/cmdline").read_bytes()
            except OSError:
                continue
            if b"spawn_main" in command:
                found.add(pid)
        return found

    def busy_workers(self) -> set[int]:
        """Workers holding an established client connection (a kill then cuts requests off)."""
        established = established_sockets(self.port)
        busy = set()
        for pid in self.worker_pids():
            with contextlib.suppress(OSError):
                links = {os.readlink(fd) for fd in Path(f"/proc/{pid}/fd").iterdir()}
                if links & {f"socket:[{inode}]" for inode in established}:
                    busy.add(pid)
        return busy

    def kill_one_worker(self, rng: random.Random) -> tuple[int, set[int]]:
        """SIGKILL one worker, at random among those serving clients; its pid and the workers
        there were."""
        workers = self.worker_pids()
        if len(workers) != self.workers:
            raise RuntimeError(f"expected {self.workers} workers, found {sorted(workers)}")
        victim = rng.choice(sorted(self.busy_workers() or workers))
        os.kill(victim, signal.SIGKILL)
        return victim, workers

    def await_replacement(self, before: set[int], victim: int, timeout: float = 60) -> float:
        """Wait until the master has started a new worker in place of the victim."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            now = self.worker_pids()
            if victim not in now and len(now) == self.workers and now - before:
                return time.monotonic()
            time.sleep(0.05)
        raise RuntimeError(f"worker {victim} was not replaced in {timeout:.0f} s")


def established_sockets(port: int) -> set[int]:
    """Inodes of the established TCP connections whose local end is `port` (server side)."""
    inodes = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with contextlib.suppress(OSError):
            for line in Path(table).read_text().splitlines()[1:]:
                fields = line.split()
                local, state, inode = fields[1], fields[3], fields[9]
                if state == "01" and int(local.rsplit(":", 1)[1], 16) == port:
                    inodes.add(int(inode))
    return inodes


# What the registry holds afterwards ----------------------------------------------------------


def transactions_by_identifier(registry: Registry) -> dict[str, TransactionView]:
    """Every transaction of XXA's section, through the read side (newest first)."""
    found: dict[str, TransactionView] = {}
    before: int | None = None
    while True:
        page = ledger.transactions(
            registry, demo.XXA_ADMIN, "XXA", before=before, limit=ledger.PAGE_LIMIT
        )
        found.update((view.identifier, view) for view in page.items)
        if page.next_cursor is None:
            return found
        before = page.next_cursor


def journalled_subjects(registry: Registry) -> set[str]:
    """The subjects of XXA's journal entries, through the journal query."""
    subjects: set[str] = set()
    after: int | None = None
    while True:
        page = ledger.journal(registry, demo.XXA_ADMIN, "XXA", after=after, limit=ledger.PAGE_LIMIT)
        subjects.update(entry.subject for entry in page.items if entry.subject)
        if page.next_cursor is None:
            return subjects
        after = page.next_cursor


def half_done(view: TransactionView) -> bool:
    """Completed with all its units moved, or settled otherwise with none moved: anything
    else is a transaction caught half-way."""
    moved = sum(moved_range.quantity for moved_range in view.ranges)
    if view.status == "completed":
        return moved != view.quantity
    return view.status not in MOVED_NOTHING or moved != 0


def journal_verify(url: str) -> tuple[int, str]:
    """`article6 journal verify` in its own process: exit status and what it said."""
    done = subprocess.run(
        [*ARTICLE6_CLI, "journal", "verify", "--database", url],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    return done.returncode, (done.stdout + done.stderr).strip()


@dataclass
class Findings:
    """What the registry shows after a crash, compared with what the clients were told."""

    found: int
    missing: list[str]
    changed: list[str]
    half_done: list[str]
    unacknowledged: list[str]
    unjournalled: list[str]
    problems: list[str]
    journal_verify_status: int
    journal_verify_said: str
    units: int

    @property
    def sound(self) -> bool:
        return (
            not (self.missing or self.changed or self.half_done or self.unacknowledged)
            and not (self.unjournalled or self.problems or self.journal_verify_status)
            and self.units == demo.ISSUED
        )

    def describe(self) -> str:
        return (
            f"found={self.found} missing={len(self.missing)} changed={len(self.changed)} "
            f"half_done={len(self.half_done)} unacknowledged={len(self.unacknowledged)} "
            f"unjournalled={len(self.unjournalled)} problems={self.problems[:3]} "
            f"journal_verify={self.journal_verify_status} units={self.units}/{demo.ISSUED}"
        )


def audit(
    registry: Registry,
    url: str,
    world: demo.DemoWorld,
    before: set[str],
    acknowledged: dict[str, str],
) -> Findings:
    """Every acknowledged transaction present with the status it was acknowledged with, no
    other new one (a re-sent key replays, it does not record twice), none half-done, each in
    the journal, the invariants and the journal chain sound, every issued unit accounted for."""
    views = transactions_by_identifier(registry)
    subjects = journalled_subjects(registry)
    new = set(views) - before
    status, said = journal_verify(url)
    return Findings(
        found=len(set(acknowledged) & set(views)),
        missing=sorted(set(acknowledged) - set(views)),
        changed=sorted(
            i for i in acknowledged if i in views and views[i].status != acknowledged[i]
        ),
        half_done=sorted(i for i, view in views.items() if half_done(view)),
        unacknowledged=sorted(new - set(acknowledged)),
        unjournalled=sorted(i for i in views if i not in subjects),
        problems=ledger.verify_registry(registry),
        journal_verify_status=status,
        journal_verify_said=said,
        units=sum(demo.holdings(registry, world).values()),
    )


def pair_holdings(registry: Registry, preparation: Preparation) -> dict[str, tuple[int, int]]:
    """(units held, units reserved) by each side of the pairs the clients move between."""
    accounts = {*preparation.hot, *preparation.plain}
    return {
        view.identifier: (view.quantity, view.reserved)
        for view in ledger.accounts(registry, demo.XXA_ADMIN, "XXA")
        if view.identifier in accounts
    }


def expire_later(registry: Registry, days: int = 30) -> list[str]:
    """Run the expiry service as if `days` had passed: it cancels every request still waiting
    past its deadline and releases its reservation."""
    later = registry.now() + timedelta(days=days)
    return approvals.expire_pending(Registry(registry.engine, lambda: later), EXPIRY_ACTOR)


# The benchmark -----------------------------------------------------------------------------


@dataclass
class CycleResult:
    acknowledged: int
    before_kill: int
    findings: Findings
    expired: int
    released: bool
    recovered_s: float
    first_ack_s: float
    server_errors_outside: int
    server_errors_during: int
    sound: bool


def cycle(
    scenario: str,
    number: int,
    server: Server,
    registry: Registry,
    preparation: Preparation,
    tokens: tuple[str, str],
    clients: int,
    seconds: float,
    rng: random.Random,
    cluster: Cluster | None,
) -> CycleResult:
    """One load, one crash at a random moment, recovery, the audit and the expiry."""
    before = set(transactions_by_identifier(registry))
    held_before = pair_holdings(registry, preparation)
    tally = Tally()
    load = start_load(server.base, preparation, tokens, clients, rng.randrange(10**6), tally)
    outage: list[tuple[float, float]] = []
    try:
        await_acknowledgements(tally, at_least=20, pending_at_least=1)
        time.sleep(rng.uniform(0.2, 1.0) * seconds)
        crashed = time.monotonic()
        before_kill = tally.count()
        detail = ""
        if scenario == "server":
            server.kill()
            print(f"    cycle {number}: server killed after {before_kill} acks", flush=True)
            killed = time.monotonic()
            healthy = server.start()
            detail = f"start_s={healthy - killed:.2f} "
        elif scenario == "worker":
            victim, workers = server.kill_one_worker(rng)
            healthy = server.await_replacement(workers, victim)
            print(
                f"    cycle {number}: worker {victim} killed after {before_kill} acks; "
                f"{tally.acknowledged_between(crashed, healthy)} acks before its replacement "
                f"{healthy - crashed:.2f} s later",
                flush=True,
            )
        else:
            assert cluster is not None
            cluster.stop_immediately()
            print(f"    cycle {number}: PostgreSQL stopped (immediate) after {before_kill} acks")
            time.sleep(rng.uniform(0.1, 1.0))
            recovery = cluster.start()
            restarted = time.monotonic()
            by_itself = float("nan")
            with contextlib.suppress(RuntimeError):
                await_acknowledgements(tally, at_least=tally.count() + 1, timeout=10)
                by_itself = time.monotonic() - restarted
            stopping = time.monotonic()
            server.stop()  # SIGTERM (graceful), SIGKILL after 20 s
            stopped = time.monotonic()
            healthy = server.start()
            detail = (
                f"pg_recovery_s={recovery:.2f} served_again_by_itself_s={by_itself:.2f} "
                f"graceful_stop_s={stopped - stopping:.2f} start_s={healthy - stopped:.2f} "
            )
            print(f"    cycle {number}: {detail.strip()}", flush=True)
        outage.append((crashed, healthy))
        await_acknowledgements(tally, at_least=tally.count() + 20, timeout=120)
        time.sleep(seconds * 0.3)
        if not load.finish():
            raise RuntimeError("a client did not stop")
    except BaseException:
        load.drop()
        raise
    first = tally.first_acknowledgement_after(crashed if scenario == "worker" else healthy)
    outside = tally.server_errors_outside(outage)
    findings = audit(registry, server.url, preparation.world, before, tally.acknowledged)
    pending = tally.pending()
    expired = expire_later(registry)
    held_after = pair_holdings(registry, preparation)
    released = (
        pending <= set(expired)
        and all(reserved == 0 for _, reserved in held_after.values())
        and sum(q for q, _ in held_after.values()) == sum(q for q, _ in held_before.values())
        and ledger.verify_registry(registry) == []
    )
    sound = (
        findings.sound
        and released
        and not outside
        and not tally.unexpected
        and (scenario == "postgres" or not tally.server_errors)
    )
    result = CycleResult(
        acknowledged=len(tally.acknowledged),
        before_kill=before_kill,
        findings=findings,
        expired=len(expired),
        released=released,
        recovered_s=healthy - crashed,
        first_ack_s=(first - crashed) if first is not None else float("nan"),
        server_errors_outside=len(outside),
        server_errors_during=len(tally.server_errors) - len(outside),
        sound=sound,
    )
    print(
        f"RESULT crash scenario={scenario} cycle={number} clients={clients} "
        f"workers={server.workers} acknowledged={result.acknowledged} "
        f"before_kill={before_kill} pending={len(pending)} "
        f"expired={len(expired)} released={released} recovery_s={result.recovered_s:.2f} "
        f"first_ack_after_kill_s={result.first_ack_s:.2f} {detail}resent={tally.resent} "
        f"connection_errors={tally.connection_errors} 5xx_during={result.server_errors_during} "
        f"5xx_outside={len(outside)} refused={tally.refused} unexpected={len(tally.unexpected)} "
        f"{findings.describe()} invariants={'ok' if sound else 'FAILED'}",
        flush=True,
    )
    for line in ([e.text for e in outside] + tally.unexpected + findings.problems)[:5]:
        print(f"      {line}")
    return result


def scenario_run(
    scenario: str, cycles: int, clients: int, workers: int, seconds: float, seed: int
) -> bool:
    """Several cycles of one scenario on one database and one server."""
    rng = random.Random(seed)
    print(f"  {scenario}: seed {seed}, {cycles} cycle(s), {clients} clients, {workers} workers")
    with contextlib.ExitStack() as stack:
        scratch = Path(stack.enter_context(tempfile.TemporaryDirectory()))
        cluster: Cluster | None = None
        if scenario == "postgres":
            cluster = stack.enter_context(throwaway_cluster())
            url = cluster.create_database("article6_crash")
            print(f"  {scenario}: throwaway cluster on port {cluster.port}", flush=True)
        else:
            url = stack.enter_context(scratch_postgres("article6_crash"))
        registry = Registry.open(url)
        stack.callback(registry.engine.dispose)
        preparation = prepare_registry(registry)
        server = Server(url, workers, scratch)
        stack.callback(server.stop)
        server.start()
        tokens = (
            sign_in(server.base, USER, PASSWORD, preparation.admin_secret),
            sign_in(server.base, ENTITY_USER, ENTITY_PASSWORD, preparation.entity_secret),
        )
        results = [
            cycle(
                scenario,
                number,
                server,
                registry,
                preparation,
                tokens,
                clients,
                seconds,
                rng,
                cluster,
            )
            for number in range(1, cycles + 1)
        ]
    return all(result.sound for result in results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--scenarios",
        nargs="+",
        choices=["server", "worker", "postgres"],
        default=["server", "worker", "postgres"],
    )
    parser.add_argument("--cycles", type=int, default=5)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8, help="load before a kill, at most")
    parser.add_argument("--seed", type=int, default=None)
    arguments = parser.parse_args()
    os.environ["ARTICLE6_PASSWORD_COST"] = "test"
    seed = arguments.seed if arguments.seed is not None else random.randrange(10**6)
    print("Crash recovery: kills under HTTP load, real server, PostgreSQL", flush=True)
    sound = [
        scenario_run(
            scenario,
            arguments.cycles,
            arguments.clients,
            arguments.workers,
            arguments.seconds,
            seed,
        )
        for scenario in arguments.scenarios
    ]
    if not all(sound):
        raise SystemExit(f"FAILED (seed {seed}): see the RESULT lines above")


if __name__ == "__main__":
    main()
