"""Throwaway PostgreSQL clusters of a test's (or a benchmark's) own: initdb, their own port and
directory, stopped and deleted afterwards, so that a test may stop one with `pg_ctl -m
immediate`, stream it to a standby, promote the standby or restore its WAL archive without
touching the shared server.

Running as root, every server program runs as the `postgres` OS user (initdb refuses root).
Only the clusters made here are ever stopped, each by its own data directory.

The crash benchmark (bench/crash_bench.py) and the operations tests share this module.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import random
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator, Mapping
from datetime import datetime
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Engine

HOW_TO_ENABLE_CLUSTER = (
    "install the PostgreSQL server binaries (initdb and pg_ctl, e.g. Debian's "
    "postgresql package under /usr/lib/postgresql/<version>/bin); as root, runuser and a "
    "`postgres` OS user are needed too"
)
OPERATIONS_PORTS = range(18700, 18800)
"""Where the operations tests put their clusters and servers, away from the shared server's."""


def without_cluster(error: Exception) -> None:
    """A test that needs a throwaway cluster and cannot have one: skipped locally with how to
    enable it, failed under CI=true, where nothing may be skipped."""
    import pytest  # only the tests call this; the benchmarks import the module without pytest

    message = f"no throwaway PostgreSQL cluster ({error}): {HOW_TO_ENABLE_CLUSTER}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message + " (CI=true: this test may not be skipped)")
    pytest.skip(message)


class ClusterUnavailable(RuntimeError):
    """initdb / pg_ctl (or, as root, runuser and the postgres user) are not there."""


def port_in(ports: range | None = None) -> int:
    """A TCP port nobody listens on: from `ports`, starting at a random one so that parallel
    test workers rarely probe the same, or any free port the system gives (None)."""
    if ports is None:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port: int = probe.getsockname()[1]
            return port
    start = random.randrange(len(ports))
    for offset in range(len(ports)):
        candidate = ports[(start + offset) % len(ports)]
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", candidate))
            except OSError:
                continue
            return candidate
    raise ClusterUnavailable(f"no free port in {ports.start}-{ports.stop - 1}")


def server_binaries() -> Path:
    """The newest installed server's programs (Debian: /usr/lib/postgresql/<version>/bin)."""
    binaries = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=_version)
    found = [b for b in binaries if Path(b, "initdb").exists() and Path(b, "pg_ctl").exists()]
    if found:
        return Path(found[-1])
    initdb = shutil.which("initdb")
    if initdb and shutil.which("pg_ctl"):
        return Path(initdb).parent
    raise ClusterUnavailable("initdb and pg_ctl were not found")


def _version(path: str) -> tuple[int, ...]:
    name = Path(path).parent.name
    return tuple(int(part) for part in name.split(".") if part.isdigit()) or (0,)


def _as_postgres_user() -> list[str]:
    """The prefix that runs a server program as the `postgres` user when we are root."""
    if os.geteuid() != 0:
        return []
    try:
        pwd.getpwnam("postgres")
    except KeyError as error:
        raise ClusterUnavailable("running as root and there is no postgres user") from error
    runuser = shutil.which("runuser")
    if runuser is None:
        raise ClusterUnavailable("running as root and runuser was not found")
    return [runuser, "-u", "postgres", "--"]


def give_to_postgres(path: Path) -> None:
    """Let the server's user own `path` (a directory it will write), when we are root."""
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(path, account.pw_uid, account.pw_gid)


class Cluster:
    """One PostgreSQL cluster (trust on loopback, fsync on) in a directory of its own.

    `settings` are server settings given on the command line at every start (`-c name=value`):
    a standby made by `standby()` does not inherit them, so a primary's
    `synchronous_standby_names` does not make its promoted standby wait for itself."""

    def __init__(
        self,
        name: str = "primary",
        ports: range | None = None,
        directory: Path | None = None,
        settings: Mapping[str, str] | None = None,
    ) -> None:
        self.bin = server_binaries()
        self.as_user = _as_postgres_user()
        self.name = name
        self.owns_directory = directory is None
        self.directory = directory or Path(tempfile.mkdtemp(prefix=f"article6-{name}-"))
        self.directory.mkdir(parents=True, exist_ok=True)
        give_to_postgres(self.directory)
        self.port = port_in(ports)
        self.settings = dict(settings or {})
        self.running = False

    @property
    def data(self) -> Path:
        return self.directory / "data"

    @property
    def log(self) -> Path:
        return self.directory / "postgres.log"

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def run(self, *command: str, timeout: float = 120) -> str:
        """A server program (by name, from the server's bin directory) as the server's user."""
        done = subprocess.run(
            [*self.as_user, str(self.bin / command[0]), *command[1:]],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if done.returncode != 0:
            raise ClusterUnavailable(
                f"{' '.join(command[:2])} failed: {done.stdout[-1000:]} {done.stderr[-1000:]}"
            )
        return done.stdout

    def initialise(self) -> None:
        self.run(
            "initdb",
            *("-D", str(self.data), "-A", "trust", "-U", "postgres", "-E", "UTF8"),
            "--no-instructions",
        )

    def start(self) -> float:
        """Start it (after an immediate stop this includes crash recovery) and wait until it
        accepts connections; the seconds taken."""
        began = time.monotonic()
        settings = {
            "port": str(self.port),
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.directory),
            "fsync": "on",
            "synchronous_commit": "on",
            "max_connections": "200",
            "cluster_name": self.name,
            **self.settings,
        }
        options = " ".join(f"-c {name}={_quoted(value)}" for name, value in settings.items())
        try:
            self.run(
                "pg_ctl", "-D", str(self.data), "-l", str(self.log), "-w", "-o", options, "start"
            )
        except ClusterUnavailable as failure:  # say why: the log goes with the folder
            raise ClusterUnavailable(f"{failure}\nserver log:\n{self.tail()}") from None
        self.running = True
        return time.monotonic() - began

    def stop_immediately(self) -> None:
        """`pg_ctl -m immediate stop`: no checkpoint, every backend killed; WAL replay on start."""
        self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "stop")
        self.running = False

    def stop(self) -> None:
        """A fast, clean shutdown (a checkpoint, then exit)."""
        self.run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")
        self.running = False

    def promote(self) -> float:
        """Promote a standby (`pg_ctl promote`, waiting until it accepts writes); seconds taken."""
        began = time.monotonic()
        self.run("pg_ctl", "-D", str(self.data), "-w", "promote")
        return time.monotonic() - began

    def standby(self, name: str = "standby", settings: Mapping[str, str] | None = None) -> Cluster:
        """A new cluster made from this one's base backup (`pg_basebackup -R`: it streams from
        this one as `name`), not yet started."""
        replica = Cluster(name, _range_of(self.port), settings=settings)
        self.base_backup(replica.data, "-R")
        return replica

    def base_backup(self, target: Path, *options: str) -> None:
        """`pg_basebackup` of the running cluster into `target` (plain format, its WAL
        streamed alongside, after a fast checkpoint)."""
        give_to_postgres(target.parent)
        self.run(
            "pg_basebackup",
            *("-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-D", str(target)),
            *("-X", "stream", "--checkpoint=fast", *options),
        )

    def engine(self, database: str = "postgres") -> Engine:
        return create_engine(self.url(database), isolation_level="AUTOCOMMIT")

    def query(self, statement: str, database: str = "postgres") -> object:
        """The first column of the first row of one statement (autocommit); None if it
        returns no rows."""
        engine = self.engine(database)
        try:
            with engine.connect() as connection:
                result = connection.execute(text(statement))
                return result.scalar() if result.returns_rows else None
        finally:
            engine.dispose()

    def create_database(self, name: str) -> str:
        self.query(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def await_synchronous(self, standby: str, timeout: float = 60) -> None:
        """Wait until `standby` streams from this primary as its synchronous standby."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            state = self.query(
                "SELECT sync_state FROM pg_stat_replication "
                f"WHERE application_name = '{standby}' AND state = 'streaming'"
            )
            if state == "sync":
                return
            time.sleep(0.05)
        raise ClusterUnavailable(f"{standby} is not a synchronous standby after {timeout:.0f} s")

    def await_streaming(self, standby: str, timeout: float = 60) -> None:
        """Wait until `standby` streams from this primary (asynchronously)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.query(
                "SELECT count(*) FROM pg_stat_replication "
                f"WHERE application_name = '{standby}' AND state = 'streaming'"
            ):
                return
            time.sleep(0.05)
        raise ClusterUnavailable(f"{standby} is not streaming after {timeout:.0f} s")

    def await_writable(self, timeout: float = 120) -> None:
        """Wait until recovery has ended (a restore reached its target and promoted)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with contextlib.suppress(Exception):
                if self.query("SELECT pg_is_in_recovery()") is False:
                    return
            time.sleep(0.1)
        raise ClusterUnavailable(
            f"{self.name} still recovering after {timeout:.0f} s: {self.tail()}"
        )

    def now(self) -> datetime:
        moment = self.query("SELECT clock_timestamp()")
        assert isinstance(moment, datetime)
        return moment

    def tail(self) -> str:
        with contextlib.suppress(OSError):
            return self.log.read_text()[-2000:]
        return ""

    def close(self) -> None:
        """Stop it if it runs (immediately: it is thrown away) and delete what it wrote."""
        if self.running:
            with contextlib.suppress(ClusterUnavailable, subprocess.TimeoutExpired):
                self.stop_immediately()
        if self.owns_directory:
            shutil.rmtree(self.directory, ignore_errors=True)


def _quoted(value: str) -> str:
    """A setting's value as postgres's `-c` takes it inside pg_ctl's `-o` string."""
    if "'" in value:
        raise ValueError(f"a setting given on the command line cannot hold a quote: {value}")
    return f"'{value}'"


def _range_of(port: int) -> range | None:
    """The operations range when `port` is in it (a standby stays beside its primary)."""
    return OPERATIONS_PORTS if port in OPERATIONS_PORTS else None


@contextlib.contextmanager
def throwaway_cluster(
    name: str = "primary",
    ports: range | None = None,
    settings: Mapping[str, str] | None = None,
) -> Iterator[Cluster]:
    """A fresh cluster, started; stopped and deleted afterwards. ClusterUnavailable if the
    server binaries (or, as root, runuser and the postgres user) are missing."""
    cluster = Cluster(name, ports, settings=settings)
    try:
        cluster.initialise()
        cluster.start()
        yield cluster
    finally:
        cluster.close()


@contextlib.contextmanager
def replicated_pair(
    synchronous: bool = True, ports: range | None = OPERATIONS_PORTS
) -> Iterator[tuple[Cluster, Cluster]]:
    """A primary and a standby streaming from it (`pg_basebackup -R`), both started. With
    `synchronous`, the primary's commits wait until the standby has flushed them to disk
    (`synchronous_commit = on`, `synchronous_standby_names`): whatever it acknowledged
    survives its loss. The standby's own settings name no synchronous standby, so once
    promoted it commits alone."""
    settings = {"synchronous_standby_names": "FIRST 1 (standby)"} if synchronous else {}
    with contextlib.ExitStack() as stack:
        primary = Cluster("primary", ports, settings=settings)
        stack.callback(primary.close)
        primary.initialise()
        primary.start()
        standby = primary.standby("standby")
        stack.callback(standby.close)
        standby.start()
        if synchronous:
            primary.await_synchronous("standby")
        else:
            primary.await_streaming("standby")
        yield primary, standby


def multi_host_url(clusters: list[Cluster], database: str) -> str:
    """One URL naming every server, as the registry is configured for failover: libpq tries
    them in order and keeps the one that accepts writes (`target_session_attrs=read-write`)."""
    hosts = "&".join(f"host=127.0.0.1:{cluster.port}" for cluster in clusters)
    return (
        f"postgresql+psycopg://postgres@/{database}?{hosts}"
        "&target_session_attrs=read-write&connect_timeout=5"
    )
