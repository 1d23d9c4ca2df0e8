"""Failover with no acknowledged loss: the real server (uvicorn, several workers) on a primary
PostgreSQL cluster with a synchronous standby (streaming replication, `synchronous_commit =
on`, `synchronous_standby_names`), reached through one multi-host URL with
`target_session_attrs=read-write`. HTTP clients run transfers (and an entity proposes some that
wait for approval); at a random moment the primary is stopped with `pg_ctl -m immediate` and
the standby promoted (`pg_ctl promote`). The server is not restarted: its pool reconnects to
whichever server accepts writes.

Afterwards every transfer the API acknowledged is on the new primary as acknowledged, nothing
else new, nothing half-done, the ledger and the journal verify, every issued unit is accounted
for. Each run prints one RESULT line with the time to serve again (primary stopped → first
acknowledgement from the promoted standby) and the transfers lost.

    .venv/bin/python bench/failover_bench.py [--runs 3] [--clients 16] [--workers 4]
        [--seconds 8] [--seed N]

`tests/operations/test_failover.py` drives the same harness at small scale.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import random
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from api_load import PASSWORD, USER
from crash_bench import (
    ENTITY_PASSWORD,
    ENTITY_USER,
    Findings,
    Server,
    ServerError,
    Tally,
    audit,
    await_acknowledgements,
    expire_later,
    pair_holdings,
    prepare_registry,
    sign_in,
    start_load,
    transactions_by_identifier,
)

from article6.services.context import Registry
from article6.services.reads import ledger

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from postgres_clusters import OPERATIONS_PORTS, multi_host_url, port_in, replicated_pair

DATABASE = "article6_failover"


@dataclass
class FailoverResult:
    """What one failover showed: the clients' tally, the audit, and the times measured."""

    seed: int
    tally: Tally
    acknowledged_before_stop: dict[str, str]
    findings: Findings
    pending_released: bool
    promote_s: float
    served_again_s: float
    server_errors_outside: list[ServerError]
    primary_port: int
    standby_port: int
    served_by_port: object

    @property
    def lost(self) -> int:
        return len(self.findings.missing)

    @property
    def sound(self) -> bool:
        return (
            self.findings.sound
            and self.pending_released
            and not self.server_errors_outside
            and not self.tally.unexpected
            and self.served_by_port == self.standby_port
        )

    def describe(self) -> str:
        tally = self.tally
        return (
            f"RESULT failover seed={self.seed} acknowledged={len(tally.acknowledged)} "
            f"before_stop={len(self.acknowledged_before_stop)} lost={self.lost} "
            f"promote_s={self.promote_s:.2f} served_again_s={self.served_again_s:.2f} "
            f"resent={tally.resent} connection_errors={tally.connection_errors} "
            f"5xx={len(tally.server_errors)} 5xx_outside={len(self.server_errors_outside)} "
            f"refused={tally.refused} {self.findings.describe()} "
            f"released={self.pending_released} invariants={'ok' if self.sound else 'FAILED'}"
        )


def failover(
    clients: int, workers: int, seconds: float, seed: int, directory: Path
) -> FailoverResult:
    """One primary, one synchronous standby, one server, `clients` clients; the primary is
    stopped after a random number of acknowledgements and up to `seconds` more of load."""
    rng = random.Random(seed)
    with contextlib.ExitStack() as stack:
        primary, standby = stack.enter_context(replicated_pair(synchronous=True))
        primary.create_database(DATABASE)
        url = multi_host_url([primary, standby], DATABASE)
        registry = Registry.open(url)
        stack.callback(registry.engine.dispose)
        preparation = prepare_registry(registry)
        before = set(transactions_by_identifier(registry))
        held_before = pair_holdings(registry, preparation)
        server = Server(url, workers, directory, port=port_in(OPERATIONS_PORTS))
        stack.callback(server.stop)
        server.start()
        tokens = (
            sign_in(server.base, USER, PASSWORD, preparation.admin_secret),
            sign_in(server.base, ENTITY_USER, ENTITY_PASSWORD, preparation.entity_secret),
        )
        tally = Tally()
        load = start_load(server.base, preparation, tokens, clients, seed, tally)
        try:
            await_acknowledgements(tally, at_least=rng.randint(20, 60), pending_at_least=1)
            time.sleep(rng.uniform(0, seconds))
            with tally.lock:
                acknowledged_before_stop = dict(tally.acknowledged)
            stopped = time.monotonic()
            primary.stop_immediately()  # the primary's machine is gone
            promote_s = standby.promote()
            promoted = time.monotonic()
            await_acknowledgements(tally, at_least=tally.count() + 20, timeout=120)
            first = tally.first_acknowledgement_after(promoted)
            served_again_s = (first if first is not None else float("nan")) - stopped
            if not load.finish():
                raise RuntimeError("a client did not stop")
        except BaseException:
            load.drop()
            raise
        findings = audit(registry, url, preparation.world, before, tally.acknowledged)
        pending = tally.pending()
        expired = expire_later(registry)
        held_after = pair_holdings(registry, preparation)
        released = (
            pending <= set(expired)
            and all(reserved == 0 for _, reserved in held_after.values())
            and sum(q for q, _ in held_after.values()) == sum(q for q, _ in held_before.values())
            and ledger.verify_registry(registry) == []
        )
        with registry.engine.connect() as connection:
            served_by = connection.exec_driver_sql("SELECT inet_server_port()").scalar()
        return FailoverResult(
            seed=seed,
            tally=tally,
            acknowledged_before_stop=acknowledged_before_stop,
            findings=findings,
            pending_released=released,
            promote_s=promote_s,
            served_again_s=served_again_s,
            server_errors_outside=tally.server_errors_outside([(stopped, first or promoted)]),
            primary_port=primary.port,
            standby_port=standby.port,
            served_by_port=served_by,
        )
    raise RuntimeError("unreachable")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--clients", type=int, default=16)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8, help="load before the stop, at most")
    parser.add_argument("--seed", type=int, default=None)
    arguments = parser.parse_args()
    os.environ["ARTICLE6_PASSWORD_COST"] = "test"
    seed = arguments.seed if arguments.seed is not None else random.randrange(10**6)
    print(
        f"Failover: primary stopped (immediate) under HTTP load, standby promoted; seed {seed}, "
        f"{arguments.clients} clients, {arguments.workers} workers",
        flush=True,
    )
    sound = True
    for run in range(arguments.runs):
        with tempfile.TemporaryDirectory() as directory:
            result = failover(
                arguments.clients, arguments.workers, arguments.seconds, seed + run, Path(directory)
            )
        print(result.describe(), flush=True)
        for line in (
            [e.text for e in result.server_errors_outside]
            + result.tally.unexpected
            + result.findings.problems
        )[:5]:
            print(f"      {line}")
        sound = sound and result.sound
    if not sound:
        raise SystemExit(f"FAILED (seed {seed}): see the RESULT lines above")


if __name__ == "__main__":
    main()
