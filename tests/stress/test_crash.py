"""A crash in the middle of load loses nothing that was acknowledged and leaves nothing
half-done: a process doing transfers (and proposing some for approval) is killed with SIGKILL,
and a fresh process then finds every acknowledged transaction, sound invariants, and the
reservations of the pending ones released when their deadline passes.

The load runs in a child process that prints each transaction identifier it got back, after
the command returned; the parent kills it after a random number of acknowledgements.
"""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from article6.demo import world as demo
from article6.services import approvals, units
from article6.services import commands as c
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.store.database import make_engine
from article6.store.schema import journal, transaction_blocks, transactions

pytestmark = pytest.mark.postgres

LOAD = textwrap.dedent(
    """
    import random, sys, threading, uuid
    from article6.demo import world as demo
    from article6.domain.checks import CommandRefused
    from article6.services import approvals, commands as c, units
    from article6.services.context import Registry
    from article6.store.database import make_engine

    url, party, entity = sys.argv[1:4]
    registry = Registry(make_engine(url, pool_size=6, max_overflow=0))
    printing = threading.Lock()

    def say(line):
        with printing:
            sys.stdout.write(line + "\\n")
            sys.stdout.flush()

    def shuttle(seed):
        rng = random.Random(seed)
        while True:
            source, destination = (party, entity) if rng.random() < 0.5 else (entity, party)
            command = c.TransferUnits(
                source_account=source,
                destination_account=destination,
                units=c.UnitSelection(quantity=rng.randint(1, 50)),
            )
            try:
                if source == entity:  # its representative asks, the Party approves at once
                    asked = units.transfer_units(registry, demo.GREEN_GROUP_A, command)
                    receipt = approvals.approve_transaction(
                        registry,
                        demo.XXA_ADMIN,
                        c.ApproveTransaction(transaction=asked.record),
                        idempotency_key=uuid.uuid4().hex,
                    )
                else:
                    receipt = units.transfer_units(
                        registry, demo.XXA_ADMIN, command, idempotency_key=uuid.uuid4().hex
                    )
            except CommandRefused:
                continue
            say(f"ACK {receipt.record} {receipt.status}")

    def propose(seed):
        rng = random.Random(seed)
        while True:
            command = c.TransferUnits(
                source_account=entity,
                destination_account=party,
                units=c.UnitSelection(quantity=rng.randint(1, 5)),
            )
            try:
                receipt = units.transfer_units(registry, demo.GREEN_GROUP_A, command)
            except CommandRefused:
                continue
            say(f"ACK {receipt.record} {receipt.status}")

    threads = [threading.Thread(target=shuttle, args=(i,), daemon=True) for i in range(4)]
    threads.append(threading.Thread(target=propose, args=(99,), daemon=True))
    for thread in threads:
        thread.start()
    say("READY")
    for thread in threads:
        thread.join()
    """
)


@pytest.fixture
def registry(postgres_url: str) -> Iterator[Registry]:
    registry = Registry(make_engine(postgres_url))
    yield registry
    registry.engine.dispose()


def held_by(registry: Registry, *accounts: str) -> tuple[int, int]:
    """Units held by the accounts together, and how many of them are reserved."""
    views = [
        v for v in ledger.accounts(registry, demo.XXA_ADMIN, "XXA") if v.identifier in accounts
    ]
    return sum(v.quantity for v in views), sum(v.reserved for v in views)


def test_killing_the_process_mid_load_loses_no_acknowledged_transaction(
    registry: Registry, postgres_url: str
) -> None:
    world = demo.build_world(registry)
    party, entity = world["XXA Party mo_holding"], world["XXA Green Group A mo_holding"]
    units.transfer_units(
        registry,
        demo.XXA_ADMIN,
        c.TransferUnits(
            source_account=party,
            destination_account=entity,
            units=c.UnitSelection(quantity=10_000),
        ),
    )
    before = held_by(registry, party, entity)
    seed = random.randrange(1_000_000)
    kill_after = random.Random(seed).randint(20, 80)

    load = subprocess.Popen(
        [sys.executable, "-c", LOAD, postgres_url, party, entity],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    acknowledged: dict[str, str] = {}
    try:
        assert load.stdout is not None
        for line in load.stdout:
            if line.startswith("ACK "):
                _, identifier, status = line.split()
                acknowledged[identifier] = status
                if len(acknowledged) >= kill_after and "awaiting_approval" in acknowledged.values():
                    os.kill(load.pid, signal.SIGKILL)
                    break
        # Whatever reached the pipe before the kill was acknowledged too.
        for line in load.stdout:
            if line.startswith("ACK "):
                _, identifier, status = line.split()
                acknowledged[identifier] = status
    finally:
        if load.poll() is None:
            load.kill()
        _, errors = load.communicate()
    assert load.returncode == -signal.SIGKILL, f"the load stopped by itself (seed {seed}): {errors}"
    assert len(acknowledged) >= kill_after

    # Restart as a new server process does: open the registry, which chains any journal entry
    # the kill left committed but not yet sealed.
    restarted = Registry.open(postgres_url, migrate=False)
    try:
        with restarted.engine.connect() as connection:
            found = dict(
                connection.execute(
                    select(transactions.c.identifier, transactions.c.status).where(
                        transactions.c.identifier.in_(list(acknowledged))
                    )
                ).all()
            )
            assert found == acknowledged, f"seed {seed}"
            # Nothing half-done: every completed transaction has all its moved ranges and its
            # journal entry, every other one is awaiting approval with its units reserved.
            moved = (
                select(
                    transactions.c.identifier,
                    transactions.c.status,
                    transactions.c.quantity,
                    func.coalesce(
                        func.sum(
                            transaction_blocks.c.serial_last - transaction_blocks.c.serial_first + 1
                        ),
                        0,
                    ),
                )
                .select_from(transactions.outerjoin(transaction_blocks))
                .group_by(transactions.c.id)
            )
            journalled = set(connection.execute(select(journal.c.subject)).scalars())
            for identifier, status, quantity, in_ranges in connection.execute(moved):
                assert identifier in journalled, f"{identifier} has no journal entry (seed {seed})"
                if status == "completed":
                    assert in_ranges == quantity, f"{identifier} is half recorded (seed {seed})"
                else:
                    assert (status, in_ranges) == ("awaiting_approval", 0), f"seed {seed}"
        assert ledger.verify_registry(restarted) == [], f"seed {seed}"

        # The reservations of pending transactions are released once their deadline passes.
        later = restarted.now() + timedelta(days=30)
        expired = approvals.expire_pending(
            Registry(restarted.engine, lambda: later), demo.XXA_ADMIN
        )
        pending = {i for i, status in acknowledged.items() if status == "awaiting_approval"}
        assert pending <= set(expired)
        with restarted.engine.connect() as connection:
            waiting = connection.execute(
                select(func.count()).where(transactions.c.status == "awaiting_approval")
            ).scalar_one()
        assert waiting == 0
        assert ledger.verify_registry(restarted) == []
        assert held_by(restarted, party, entity) == before
    finally:
        restarted.engine.dispose()
