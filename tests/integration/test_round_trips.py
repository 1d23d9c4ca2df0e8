"""How many statements and round trips an internal transfer costs on PostgreSQL, counted where
the driver talks to the server (libpq's protocol trace): counts, never times. A round trip is the
client sending and then waiting for the server's answer; a statement is one Execute or simple
Query message (BEGIN and COMMIT included). The journal's sealer, which chains the entries after
the commit off the request path (2 statements a round, however many entries it chains), is
held still while the command is counted, and counted apart."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import psycopg
import pytest
from fastapi.testclient import TestClient
from small_world import NDC, SmallWorld, selection
from sqlalchemy import event

from article6.app import create_app
from article6.domain import totp
from article6.domain.access import Actor, Role
from article6.services import commands as c
from article6.services import identity, units
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.settings import Settings
from article6.store import journal, journal_sealer

os.environ.setdefault("ARTICLE6_PASSWORD_COST", "test")
XXA_ADMIN = Actor("xxa.admin", Role.ADMINISTRATOR, "XXA")
TRANSFERS = 4

API_ROUND_TRIPS = 4
"""The command through the API (30.25 with the seal before `store.batches`, 14.75 after it,
5 before the statements were merged): BEGIN + the bearer token's session and grants +
idempotency claim + accounts (the session read in the command's transaction since the ninth
session, with the claim once the process has met the token: the first time it goes alone with
the BEGIN, 5 round trips; before, it went on the event loop's own connection, one round trip
more outside the command); holdings locks with the policy + the entities' standing +
candidates (which say whether a mark touches them); neighbours + number; the writes + journal
entry + idempotency outcome + COMMIT."""
API_STATEMENTS = 15
"""BEGIN, the session with its user and grants, claim, accounts, lock (with the approvals
policy and the section's choice of signed confirmation, #17), the entities' standing,
candidates, neighbours, number, the transaction, the source block shrinks, the destination's
neighbour grows (separate statements: shrink before grow), both holdings, the moved range with
the journal entry and the outcome (one data-modifying WITH: `batches.later(merged=True)`),
COMMIT (27 before #16, 17 before the riders and the merge; 14 + the session's read on the
event loop before the ninth session)."""
COMMAND_ROUND_TRIPS = 4
"""The same in the service layer."""
COMMAND_STATEMENTS = 14
SEAL_STATEMENTS = 2
"""A sealing round: the pending entries with the chain's head, then all of them onto it."""


@dataclass
class Traffic:
    statements: float = 0
    round_trips: float = 0


@contextmanager
def traced(registry: Registry, directory: Path) -> Iterator[Callable[[], Traffic]]:
    """Trace every new connection of the registry's engine; the callable counts what was sent
    since it was last called."""
    registry.engine.dispose()
    files: list[Any] = []
    read_to: dict[str, int] = {}

    def trace(dbapi_connection: Any, _record: Any) -> None:
        handle = open(directory / f"{uuid.uuid4().hex}.trace", "w")  # noqa: SIM115
        files.append(handle)
        dbapi_connection.pgconn.trace(handle.fileno())
        dbapi_connection.pgconn.set_trace_flags(psycopg.pq.Trace.SUPPRESS_TIMESTAMPS)

    def count() -> Traffic:
        traffic = Traffic()
        for handle in files:
            handle.flush()
            with open(handle.name) as text:
                text.seek(read_to.get(handle.name, 0))
                last = "B"
                for line in text:
                    direction, _length, message, *_rest = [*line.split("\t"), "", ""][:4]
                    if direction == "F":
                        traffic.statements += message in ("Execute", "Query")
                        traffic.round_trips += last == "B" and message != "Terminate"
                    last = direction or last
                read_to[handle.name] = text.tell()
        return traffic

    event.listen(registry.engine, "connect", trace)
    try:
        yield count
    finally:
        event.remove(registry.engine, "connect", trace)
        registry.engine.dispose()
        for handle in files:
            handle.close()


def per_transfer(
    count: Callable[[], Traffic], transfer: Callable[[], None], engine: Any
) -> tuple[Traffic, Traffic]:
    """The command's traffic per transfer, the sealer held still, then one sealing round's."""
    for _ in range(2):  # warm: the pool's connections, the prepared statements
        transfer()
    with sealer_still(engine):
        journal.seal(engine)
        count()
        for _ in range(TRANSFERS):
            transfer()
        total = count()
        journal.seal(engine)
    return Traffic(total.statements / TRANSFERS, total.round_trips / TRANSFERS), count()


@contextmanager
def sealer_still(engine: Any) -> Iterator[None]:
    """No sealing round runs: the one under way finishes, commits do not wake the sealer (the
    test seals itself)."""
    wake = journal_sealer.wake
    journal_sealer.wake = lambda _engine: None  # type: ignore[assignment]
    journal_sealer.sealer_for(engine).halt()
    try:
        yield
    finally:
        journal_sealer.wake = wake  # type: ignore[assignment]


POSTGRES_ONLY = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
"""Round trips are PostgreSQL's: SQLite runs in the process."""


def conserved(registry: Registry, total: int) -> None:
    assert ledger.verify_registry(registry) == []
    held = sum(a.quantity for a in ledger.accounts(registry, XXA_ADMIN, "XXA"))
    assert held == total


def section_administrator(registry: Registry, name: str) -> str:
    """XXA's administrator `name` (password `name`-password-1), enrolled; their TOTP secret."""
    secret = totp.new_secret()
    identity.create_section_user(
        registry,
        Actor("installer", Role.SECRETARIAT),
        identity.CreateUser(name=name, display_name=name, password=f"{name}-password-1"),
        identity.GrantRole(role=Role.ADMINISTRATOR, party="XXA"),
        totp_secret=secret,
    )
    return secret


def bearer_token(api: TestClient, name: str, secret: str) -> str:
    code = totp.code_at(secret, datetime.now(UTC))
    signed_in = api.post(
        "/api/v1/tokens", json={"name": name, "password": f"{name}-password-1", "code": code}
    )
    token: str = signed_in.json()["token"]
    return token


def transfer_over_http(api: TestClient, world: SmallWorld, token: str) -> None:
    answer = api.post(
        "/api/v1/parties/XXA/transfers",
        json={
            "source_account": world["XXA Party mo_holding"],
            "destination_account": world["XXA Green Group A mo_holding"],
            "units": {"quantity": 3},
        },
        headers={"Authorization": f"Bearer {token}", "Idempotency-Key": uuid.uuid4().hex},
    )
    assert answer.status_code == 201, answer.text


@POSTGRES_ONLY
def test_an_internal_transfer_through_the_api_takes_few_statements_in_few_round_trips(
    registry: Registry, world: SmallWorld, tmp_path: Path
):
    total = sum(a.quantity for a in ledger.accounts(registry, XXA_ADMIN, "XXA"))
    secret = section_administrator(registry, "trips.admin")
    with traced(registry, tmp_path) as count, TestClient(create_app(registry, Settings())) as api:
        token = bearer_token(api, "trips.admin", secret)

        def transfer() -> None:
            transfer_over_http(api, world, token)

        traffic, seal = per_transfer(count, transfer, registry.engine)

    assert traffic.round_trips <= API_ROUND_TRIPS
    assert traffic.statements <= API_STATEMENTS
    assert seal.statements <= SEAL_STATEMENTS
    conserved(registry, total)


@POSTGRES_ONLY
def test_a_transfer_reads_its_caller_in_its_own_transaction_not_on_the_event_loop(
    registry: Registry, world: SmallWorld, monkeypatch: pytest.MonkeyPatch
):
    """Before the ninth session the bearer token's session was read on the event loop's own
    connection (psycopg's async cursor) before the command: one statement and round trip of
    its own per transfer. `GET /me` still reads it there, once."""
    total = sum(a.quantity for a in ledger.accounts(registry, XXA_ADMIN, "XXA"))
    secret = section_administrator(registry, "loop.admin")
    on_loop = []
    async_execute = psycopg.AsyncCursor.execute

    async def counted(cursor: psycopg.AsyncCursor[Any], *arguments: Any, **options: Any) -> Any:
        on_loop.append(arguments[0])
        return await async_execute(cursor, *arguments, **options)

    monkeypatch.setattr(psycopg.AsyncCursor, "execute", counted)
    with TestClient(create_app(registry, Settings())) as api:
        token = bearer_token(api, "loop.admin", secret)
        headers = {"Authorization": f"Bearer {token}"}
        on_loop.clear()
        for _ in range(TRANSFERS):
            transfer_over_http(api, world, token)
        transfers_on_loop = len(on_loop)
        assert api.get("/api/v1/me", headers=headers).status_code == 200

    assert transfers_on_loop == 0
    assert len(on_loop) == 1  # `/me`
    conserved(registry, total)


@POSTGRES_ONLY
def test_an_internal_transfer_in_the_service_layer_takes_few_statements_in_few_round_trips(
    registry: Registry, world: SmallWorld, tmp_path: Path
):
    total = sum(a.quantity for a in ledger.accounts(registry, XXA_ADMIN, "XXA"))

    def transfer() -> None:
        units.transfer_units(
            registry,
            XXA_ADMIN,
            c.TransferUnits(
                source_account=world["XXA Party mo_holding"],
                destination_account=world["XXA Green Group A mo_holding"],
                units=selection(3),
            ),
            idempotency_key=uuid.uuid4().hex,
        )

    with traced(registry, tmp_path) as count:
        traffic, seal = per_transfer(count, transfer, registry.engine)

    assert traffic.round_trips <= COMMAND_ROUND_TRIPS
    assert seal.statements <= SEAL_STATEMENTS
    assert traffic.statements <= COMMAND_STATEMENTS
    conserved(registry, total)


INTERNATIONAL_STATEMENTS = 16
"""An international transfer of NDC units (service layer) reads more than an internal one: the
section's trusted list, the acquiring Party's acceptance setting and both Parties'
participation, in the statement that locks the holdings, the approach's participants with it,
the governing authorization once the blocks are chosen (23 statements in 10.25 round trips
before these rode with the locks and the writes were merged)."""
INTERNATIONAL_ROUND_TRIPS = 6


@POSTGRES_ONLY
def test_an_international_transfer_reads_its_safeguards_and_acceptance_with_the_locks(
    registry: Registry, world: SmallWorld, tmp_path: Path
):
    total = sum(a.quantity for a in ledger.accounts(registry, XXA_ADMIN, "XXA"))

    def transfer() -> None:
        units.transfer_internationally(
            registry,
            XXA_ADMIN,
            c.TransferInternationally(
                source_account=world["XXA Party amo_holding"],
                destination_account=world["XXC Party itmo_holding"],
                units=selection(1, NDC),
            ),
            idempotency_key=uuid.uuid4().hex,
        )

    with traced(registry, tmp_path) as count:
        traffic, _seal = per_transfer(count, transfer, registry.engine)

    assert traffic.round_trips <= INTERNATIONAL_ROUND_TRIPS
    assert traffic.statements <= INTERNATIONAL_STATEMENTS
    left = sum(a.quantity for a in ledger.accounts(registry, XXA_ADMIN, "XXA"))
    assert left == total - 6 * 1
    assert ledger.verify_registry(registry) == []


AMO_STATEMENTS = 15
"""An internal transfer of AMOs adds the governing authorization's read: it depends on the
blocks chosen, so it goes with the marks, in a round trip of its own (18 statements before the
riders and the merged writes)."""
AMO_ROUND_TRIPS = 5


@POSTGRES_ONLY
def test_an_internal_transfer_of_amos_adds_only_its_authorization_read(
    registry: Registry, world: SmallWorld, tmp_path: Path
):
    total = sum(a.quantity for a in ledger.accounts(registry, XXA_ADMIN, "XXA"))

    def transfer() -> None:
        units.transfer_units(
            registry,
            XXA_ADMIN,
            c.TransferUnits(
                source_account=world["XXA Party amo_holding"],
                destination_account=world["XXA Green Group A amo_holding"],
                units=selection(1),
            ),
            idempotency_key=uuid.uuid4().hex,
        )

    with traced(registry, tmp_path) as count:
        traffic, _seal = per_transfer(count, transfer, registry.engine)

    assert traffic.round_trips <= AMO_ROUND_TRIPS
    assert traffic.statements <= AMO_STATEMENTS
    conserved(registry, total)
