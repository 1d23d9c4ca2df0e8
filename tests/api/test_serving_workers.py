"""`article6 serve --workers N` gives each worker a listening socket of its own on the port
(SO_REUSEPORT), so the kernel spreads new connections over the workers: with one socket shared,
the first worker awake took every connection made together and the others idled (BENCHMARKS.md).
The port is checked free first, and a worker that dies is replaced on a socket of its own."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from uvicorn.config import STARTUP_FAILURE

pytestmark = pytest.mark.skipif(
    not sys.platform.startswith("linux"), reason="SO_REUSEPORT spreads connections on Linux"
)
ARTICLE6 = str(Path(sys.executable).parent / "article6")
WORKERS = 4
HEALTH = b"GET /health/live HTTP/1.1\r\nHost: registry\r\n\r\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment() -> dict[str, str]:
    found = {
        **os.environ,
        "ARTICLE6_ENVIRONMENT": "development",
        "ARTICLE6_CHECKPOINT_MINUTES": "0",
        "ARTICLE6_NOTIFICATION_SECONDS": "0",
    }
    found.pop("PROMETHEUS_MULTIPROC_DIR", None)
    return found


def serve(database: str, port: int, log: Path) -> subprocess.Popen[bytes]:
    command = [ARTICLE6, "serve", "--database", database, "--port", str(port)]
    return subprocess.Popen(
        [*command, "--workers", str(WORKERS)],
        env=environment(),
        stdout=subprocess.DEVNULL,
        stderr=log.open("wb"),
        start_new_session=True,
    )


def upgraded(tmp_path: Path) -> str:
    database = f"sqlite:///{tmp_path / 'registry.db'}"
    command = [ARTICLE6, "db", "upgrade", "--database", database]
    subprocess.run(command, env=environment(), check=True, capture_output=True)
    return database


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    database = upgraded(tmp_path)
    port = free_port()
    log = tmp_path / "server.log"
    process = serve(database, port, log)
    try:
        deadline = time.monotonic() + 60
        while listening(port) < WORKERS or not answers(port):  # every worker serving
            assert process.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.2)
        yield process, port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=30)


def answers(port: int) -> bool:
    try:
        return httpx.get(f"http://127.0.0.1:{port}/health/live", timeout=1).status_code == 200
    except httpx.TransportError:
        return False


def sockets_on(port: int, state: str) -> set[str]:
    """The inodes of the IPv4 sockets on local `port` in `state` (01 established, 0A
    listening), from /proc."""
    found = set()
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if int(fields[1].split(":")[1], 16) == port and fields[3] == state:
            found.add(fields[9])
    return found


def listening(port: int) -> int:
    """How many sockets listen on `port` (a worker's listens once its app has started)."""
    return len(sockets_on(port, "0A"))


def workers_of(pid: int) -> list[int]:
    """The supervisor's worker processes (its children but multiprocessing's tracker)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
                command = (entry / "cmdline").read_bytes()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == pid and b"spawn_main" in command:
                found.append(int(entry.name))
    return sorted(found)


def connections_held(port: int, workers: list[int]) -> dict[int, int]:
    """How many established connections to `port` each worker holds, from /proc."""
    established = sockets_on(port, "01")
    held = {}
    for pid in workers:
        inodes = set()
        for fd in Path(f"/proc/{pid}/fd").iterdir():
            try:
                target = os.readlink(fd)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
        held[pid] = len(inodes & established)
    return held


def connect_and_hold(port: int, count: int) -> list[httpx.Client]:
    clients = []
    for _ in range(count):
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}")
        assert client.get("/health/live").status_code == 200
        clients.append(client)
    return clients


def connect_together(port: int, count: int) -> list[socket.socket]:
    """`count` connections made at once, as a proxy's pool or a benchmark's clients make them
    (the kernel completes them before any worker accepts), each then asked one request."""
    connections = [socket.create_connection(("127.0.0.1", port), timeout=10) for _ in range(count)]
    for connection in connections:
        connection.sendall(HEALTH)
    for connection in connections:
        assert connection.recv(4096).startswith(b"HTTP/1.1 200")
    return connections


def test_connections_made_together_are_spread_over_the_workers(server):
    process, port = server
    connections = connect_together(port, 64)  # keep-alive: each stays open
    try:
        held = connections_held(port, workers_of(process.pid))
        assert sum(held.values()) == 64
        # One shared socket gave 34 to 62 of 64 to one worker; hashed over four sockets, 64
        # connections put more than half on one about once in 100,000 runs.
        assert max(held.values()) <= 32, held
    finally:
        for connection in connections:
            connection.close()


def test_a_worker_that_dies_is_replaced_on_a_socket_of_its_own(server):
    process, port = server
    before = workers_of(process.pid)
    os.kill(before[0], signal.SIGKILL)
    deadline = time.monotonic() + 60
    while True:
        now = workers_of(process.pid)
        if len(now) == WORKERS and before[0] not in now:
            break
        assert time.monotonic() < deadline, f"no replacement: {now}"
        time.sleep(0.2)
    clients = []
    try:  # every connection is answered, the replacement's share included
        deadline = time.monotonic() + 30
        while True:
            clients += connect_and_hold(port, 8)
            held = connections_held(port, now)
            if held[set(now).difference(before).pop()] > 0:
                break
            assert time.monotonic() < deadline, held
    finally:
        for client in clients:
            client.close()


def test_a_worker_still_starting_takes_no_connections(server):
    """While a killed worker's replacement loads the app (a second or more), every new
    connection is answered at once by the others: none waits on the newcomer's socket."""
    process, port = server
    victim = workers_of(process.pid)[0]
    os.kill(victim, signal.SIGKILL)
    while exited(victim) is False:  # its socket closed with it
        time.sleep(0.01)
    failed: list[str] = []
    waits = []
    deadline = time.monotonic() + 6  # the replacement's start, and more
    while time.monotonic() < deadline:
        started = time.monotonic()
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=2) as connection:
                connection.sendall(HEALTH)
                assert connection.recv(4096).startswith(b"HTTP/1.1 200")
                waits.append(time.monotonic() - started)
        except OSError as error:  # a timeout: queued on a worker not serving yet
            failed.append(repr(error))
    # A worker loading the app takes a second or more; an answer takes milliseconds.
    assert failed == [] and max(waits) < 0.5
    assert len(workers_of(process.pid)) == WORKERS  # replaced meanwhile


def exited(pid: int) -> bool:
    """Whether the process has ended, every thread of it (its files, sockets included, close
    with the last thread; the main thread may show as a zombie before)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        return state == "Z" and len(list(Path(f"/proc/{pid}/task").iterdir())) <= 1
    except OSError:
        return True


def test_a_port_another_program_listens_on_is_refused_at_once(tmp_path: Path):
    database = upgraded(tmp_path)
    with socket.socket() as other:
        other.bind(("127.0.0.1", 0))
        other.listen()
        port = other.getsockname()[1]
        log = tmp_path / "server.log"
        process = serve(database, port, log)
        try:
            assert process.wait(timeout=60) == STARTUP_FAILURE
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        assert "Address already in use" in log.read_text()
