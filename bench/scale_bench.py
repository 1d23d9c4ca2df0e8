"""Reads at scale on PostgreSQL: an account's holdings, a page of transaction history and a
serial lookup, with 10^6 unit blocks and 5 x 10^6 transactions in the ledger; timed in the
database (the service functions, in this process) and through the HTTP API (the real server).

    .venv/bin/python bench/scale_bench.py [--blocks 1000000] [--transactions 5000000]
        [--accounts 200] [--samples 200] [--api-workers 1]

A small registry is built through the services (one Party, one approach, `accounts` entity
accounts, and an administrator of the Party with a known second-factor secret). The bulk is
then written straight into the real tables with set-based SQL (INSERT … SELECT over
generate_series), not through the services, keeping every ledger invariant true: the blocks
come with one completed issuance whose moved range covers them all, the transactions are
completed internal transfers of 10 units each with their moved range, each block lies where
the last transfer that moved it put it (so replaying the history rebuilds the live blocks),
holdings are raised by what each account holds at the end, and the section's serial counter
and transaction numbering move past what was loaded. The bulk transactions have no journal
entries (the journal chain still verifies).

The reads pick among the busy accounts the load filled, and for an account's history also among
the Party's other accounts, through which nothing moved lately (a history that must not walk
the whole ledger to fill a page). Then the same reads go through the API: the server (uvicorn,
`--api-workers` processes) on the scale database, one client in sequence with the
administrator's bearer token, p50/p95 per endpoint. `verify_registry` runs at the end.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
from api_load import free_port, start_server, stop_server, wait_until_healthy
from sqlalchemy import text
from transfer_bench import ADMIN, SECRETARIAT, build, scratch_postgres

from article6.domain import totp
from article6.domain.access import Actor, Role
from article6.domain.filters import BlockFilter, TransactionFilter
from article6.services import authorized_entities, identity, units
from article6.services import commands as c
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.store import block_selection, sections
from article6.store.database import make_engine
from article6.store.migrate import upgrade

BLOCK = 10  # units per loaded block and per loaded transfer
READER, PASSWORD = "scale.admin", "scale-bench-password"

ATTRIBUTES = (
    "cooperative_approach_id, first_transferring_party, vintage, metric, gwp_values, "
    "non_ghg_metric, non_ghg_per_unit, mitigation_type, sector, activity_type, "
    "underlying_registry, authorization_id, authorization_version"
)


def load(registry: Registry, blocks: int, count: int, account_ids: list[int]) -> dict[str, Any]:
    """Bulk-write `blocks` blocks and `count` transfers; returns what the timings need."""
    with registry.engine.begin() as connection:
        section = connection.execute(
            text("SELECT * FROM party_sections WHERE party_code = 'XXA' FOR UPDATE")
        ).one()
        template = connection.execute(text("SELECT * FROM unit_blocks ORDER BY id LIMIT 1")).one()
        first = section.next_serial
        number = sections.next_transaction_number(connection, "XXA", registry.now())  # issuance's
        stamp = "now() - interval '1 day'"
        issuance = connection.execute(
            text(
                "INSERT INTO transactions (identifier, party_code, kind, status, "
                "destination_account_id, quantity, first_transfer, initiator, created_at, "
                f"proposed_at, checked_at, finished_at) VALUES (:identifier, 'XXA', 'issuance', "
                f"'completed', :account, :quantity, false, 'bench.bulk', {stamp}, {stamp}, "
                f"{stamp}, {stamp}) RETURNING id"
            ),
            {
                "identifier": f"{section.registry_id}-{number:08d}",
                "account": account_ids[0],
                "quantity": blocks * BLOCK,
            },
        ).scalar_one()
        connection.execute(
            text(
                f"INSERT INTO transaction_blocks (transaction_id, registry_id, serial_first, "
                f"serial_last, {ATTRIBUTES}, underlying_first, from_state, to_state, "
                f"first_transfer_subtype) SELECT :tx, registry_id, :first, :last, {ATTRIBUTES}, "
                f"NULL, NULL, 'MO', NULL FROM unit_blocks WHERE id = :template"
            ),
            {
                "tx": issuance,
                "first": first,
                "last": first + blocks * BLOCK - 1,
                "template": template.id,
            },
        )
        last_id = connection.execute(text("SELECT max(id) FROM transactions")).scalar_one()
        print(f"  loading {count:,} transactions and their moved ranges …", flush=True)
        started = time.monotonic()
        batch = 500_000
        for offset in range(0, count, batch):
            size = min(batch, count - offset)
            connection.execute(
                text(
                    "INSERT INTO transactions (identifier, party_code, kind, status, "
                    "source_account_id, destination_account_id, quantity, first_transfer, "
                    "initiator, created_at, proposed_at, checked_at, finished_at) "
                    "SELECT :registry || '-' || lpad(CAST(:number + g AS text), 8, '0'), 'XXA', "
                    "'internal_transfer', 'completed', "
                    "(CAST(:ids AS bigint[]))[1 + g % :accounts], "
                    "(CAST(:ids AS bigint[]))[1 + (g + 1) % :accounts], "
                    f"{BLOCK}, false, 'bench.bulk', {stamp}, {stamp}, {stamp}, {stamp} "
                    "FROM generate_series(CAST(:low AS bigint), CAST(:high AS bigint)) AS g"
                ),
                {
                    "registry": section.registry_id,
                    "number": number,
                    "ids": account_ids,
                    "accounts": len(account_ids),
                    "low": offset + 1,
                    "high": offset + size,
                },
            )
            print(f"    {offset + size:,} transactions", flush=True)
        connection.execute(
            text(
                f"INSERT INTO transaction_blocks (transaction_id, registry_id, serial_first, "
                f"serial_last, {ATTRIBUTES}, underlying_first, from_state, to_state, "
                f"first_transfer_subtype) SELECT x.id, t.registry_id, "
                f":first + ((x.id * 7919) % :blocks) * {BLOCK}, "
                f":first + ((x.id * 7919) % :blocks) * {BLOCK} + {BLOCK - 1}, "
                f"{', '.join('t.' + a for a in ATTRIBUTES.split(', '))}, NULL, 'MO', 'MO', NULL "
                f"FROM transactions x, (SELECT * FROM unit_blocks WHERE id = :template) AS t "
                f"WHERE x.id > :last_id"
            ),
            {"first": first, "blocks": blocks, "template": template.id, "last_id": last_id},
        )
        print(f"  transactions loaded in {time.monotonic() - started:.1f} s", flush=True)
        print(f"  loading {blocks:,} blocks …", flush=True)
        started = time.monotonic()
        # Each block where the loaded history leaves it: the destination of the last transfer
        # that moved it, else the issuance's (replay rebuilds the blocks from the history).
        connection.execute(
            text(
                f"INSERT INTO unit_blocks (registry_id, serial_first, serial_last, {ATTRIBUTES}, "
                f"mitigation_activity, underlying_first, state, first_transferred, account_id, "
                f"reserved_by) SELECT t.registry_id, :first + (g - 1) * {BLOCK}, "
                f":first + g * {BLOCK} - 1, {', '.join('t.' + a for a in ATTRIBUTES.split(', '))}, "
                f"t.mitigation_activity, NULL, 'MO', false, "
                f"COALESCE(moved.destination, CAST(:issued_to AS bigint)), NULL "
                f"FROM generate_series(1, CAST(:blocks AS bigint)) AS g "
                f"CROSS JOIN (SELECT * FROM unit_blocks WHERE id = :template) AS t "
                f"LEFT JOIN (SELECT DISTINCT ON (m.serial_first) m.serial_first, "
                f"x.destination_account_id AS destination FROM transaction_blocks m "
                f"JOIN transactions x ON x.id = m.transaction_id WHERE x.id > :last_id "
                f"ORDER BY m.serial_first, m.id DESC) AS moved "
                f"ON moved.serial_first = :first + (g - 1) * {BLOCK}"
            ),
            {
                "first": first,
                "issued_to": account_ids[0],
                "blocks": blocks,
                "template": template.id,
                "last_id": last_id,
            },
        )
        connection.execute(
            text(
                "UPDATE holdings h SET quantity = h.quantity + b.held FROM ("
                f"SELECT account_id, count(*) * {BLOCK} AS held FROM unit_blocks "
                "WHERE serial_first >= :first GROUP BY account_id) b "
                "WHERE h.account_id = b.account_id"
            ),
            {"first": first},
        )
        print(f"  blocks loaded in {time.monotonic() - started:.1f} s", flush=True)
        connection.execute(
            text(
                "UPDATE party_sections SET next_serial = :serial, next_transaction = :number "
                "WHERE party_code = 'XXA'"
            ),
            {"serial": first + blocks * BLOCK, "number": number + count + 1},
        )
        connection.execute(
            text("SELECT setval(:sequence, :last)"),
            {"sequence": sections.transaction_sequence("XXA"), "last": number + count},
        )
    with registry.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        connection.execute(text("ANALYZE"))
    return {"first": first, "registry_id": section.registry_id}


def p95(samples: list[float]) -> float:
    return statistics.quantiles(samples, n=20)[-1]


def timed(
    label: str, samples: int, action: Callable[[random.Random], Any], warm_up: int = 5
) -> dict[str, float]:
    rng = random.Random(7)
    for _ in range(warm_up):
        action(rng)
    times = []
    for _ in range(samples):
        started = time.perf_counter()
        action(rng)
        times.append((time.perf_counter() - started) * 1000)
    row = {"p50_ms": statistics.median(times), "p95_ms": p95(times)}
    print(f"RESULT scale {label}: p50 {row['p50_ms']:.2f} ms, p95 {row['p95_ms']:.2f} ms")
    return row


def reader(registry: Registry) -> str:
    """An administrator of XXA (who may read the whole section) with a known TOTP secret."""
    secret = totp.new_secret()
    identity.create_section_user(
        registry,
        SECRETARIAT,
        identity.CreateUser(name=READER, display_name="Scale reader", password=PASSWORD),
        identity.GrantRole(role=Role.ADMINISTRATOR, party="XXA"),
        totp_secret=secret,
    )
    return secret


def entity_with_one_transfer(registry: Registry) -> str:
    """A new entity whose only transaction comes before the bulk load: its history is one
    transaction deep under millions of its Party's. The unit comes from the Party's own MO
    account (the Party's administrator moves units from the Party's accounts only)."""
    entity = authorized_entities.record_authorized_entity(
        registry,
        ADMIN,
        c.RecordAuthorizedEntity(
            name="Quiet entity",
            country_of_incorporation="XXA",
            identification_number="Q-1",
            cooperative_approach="CA0001",
            date_of_authorization=date(2025, 1, 1),
        ),
    ).record
    accounts = {
        a.holder: a.identifier
        for a in ledger.accounts(registry, ADMIN, "XXA")
        if a.kind == "mo_holding"
    }
    source, account = accounts["PARTY"], accounts[entity]
    units.transfer_units(
        registry,
        ADMIN,
        c.TransferUnits(
            source_account=source, destination_account=account, units=c.UnitSelection(quantity=1)
        ),
    )
    return str(entity)


def holder_of(engine: Any, identifier: str) -> str:
    with engine.connect() as connection:
        return str(
            connection.execute(
                text("SELECT holder FROM accounts WHERE identifier = :identifier"),
                {"identifier": identifier},
            ).scalar_one()
        )


@dataclass
class Loaded:
    """What the timed reads pick from: the accounts, and the ranges the bulk load wrote."""

    names: list[str]  # the busy accounts the bulk load filled
    quiet: list[str]  # the Party's other accounts: nothing moved through them lately
    registry_id: str
    first: int  # serials
    last: int
    newest: int  # transaction id
    lowest_block: int  # block ids
    highest_block: int


def through_the_api(url: str, secret: str, workers: int, samples: int, scale: Loaded) -> None:
    """The same reads over HTTP from the real server: one client, requests in sequence."""
    names = scale.names
    section = "parties/XXA"
    endpoints: list[tuple[str, Callable[[random.Random], str]]] = [
        ("HTTP floor: no sign-in, one small read (GET health)", lambda rng: "health"),
        ("account (GET accounts/{account})", lambda rng: f"{section}/accounts/{rng.choice(names)}"),
        (
            "account's blocks, first page (GET blocks?account=)",
            lambda rng: f"{section}/blocks?account={rng.choice(names)}",
        ),
        (
            "account's blocks, a page deep (GET blocks?account=&after=)",
            lambda rng: (
                f"{section}/blocks?account={rng.choice(names)}"
                f"&after={rng.randint(scale.lowest_block, scale.highest_block)}"
            ),
        ),
        (
            "account's holdings summary (GET holdings?account=)",
            lambda rng: f"{section}/holdings?account={rng.choice(names)}",
        ),
        (
            "transaction-history page, 50 newest (GET transactions)",
            lambda rng: f"{section}/transactions",
        ),
        (
            "transaction-history page at a random depth (GET transactions?before=)",
            lambda rng: f"{section}/transactions?before={rng.randint(1, scale.newest)}",
        ),
        (
            "an account's transaction history (GET transactions?account=)",
            lambda rng: f"{section}/transactions?account={rng.choice(names)}",
        ),
        (
            "a quiet account's transaction history (GET transactions?account=)",
            lambda rng: f"{section}/transactions?account={rng.choice(scale.quiet)}",
        ),
        (
            "serial lookup with the unit's history (GET units/{unit})",
            lambda rng: (
                f"{section}/units/{scale.registry_id}-{rng.randint(scale.first, scale.last)}"
            ),
        ),
    ]
    with tempfile.TemporaryDirectory() as scratch:
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        log = Path(scratch) / "server.log"
        print(f"  starting the API server ({workers} worker(s), port {port}) …", flush=True)
        server = start_server(url, port, workers, log)
        try:
            wait_until_healthy(base, server, log)
            signed_in = httpx.post(
                f"{base}/api/v1/tokens",
                json={
                    "name": READER,
                    "password": PASSWORD,
                    "code": totp.code_at(secret, datetime.now(UTC)),
                },
                timeout=30,
            )
            if signed_in.status_code != 201:
                raise SystemExit(f"sign-in failed: {signed_in.text}")
            token = signed_in.json()["token"]
            with httpx.Client(
                base_url=f"{base}/api/v1/",
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            ) as http:
                for label, path in endpoints:

                    def get(
                        rng: random.Random, path: Callable[[random.Random], str] = path
                    ) -> None:
                        response = http.get(path(rng))
                        if response.status_code != 200:
                            raise SystemExit(f"{response.status_code} {response.text[:300]}")

                    timed(f"API {label}", samples, get, warm_up=20)
        finally:
            stop_server(server)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--blocks", type=int, default=1_000_000)
    parser.add_argument("--transactions", type=int, default=5_000_000)
    parser.add_argument("--accounts", type=int, default=200)
    parser.add_argument("--samples", type=int, default=200)
    parser.add_argument("--api-workers", type=int, default=1)
    arguments = parser.parse_args()
    os.environ["ARTICLE6_PASSWORD_COST"] = "test"  # the reader's hash; the server's own too
    print(
        f"Scale: {arguments.blocks:,} blocks, {arguments.transactions:,} transactions, "
        f"{arguments.accounts} accounts (PostgreSQL)",
        flush=True,
    )
    with scratch_postgres("article6_scale") as url:
        engine = make_engine(url)
        upgrade(engine)
        registry = Registry(engine)
        print("  building the registry through the services …", flush=True)
        pairs = build(registry, arguments.accounts // 2, 1, party_keeps=1)
        names = [name for pair in pairs for name in (pair.left, pair.right)]
        with engine.connect() as connection:
            ids: dict[str, int] = dict(
                connection.execute(
                    text("SELECT identifier, id FROM accounts WHERE identifier = ANY(:names)"),
                    {"names": names},
                ).all()
            )
        secret = reader(registry)
        quiet_entity = entity_with_one_transfer(registry)
        busy_entity = holder_of(engine, names[1])
        loaded = load(registry, arguments.blocks, arguments.transactions, list(ids.values()))
        first, last = loaded["first"], loaded["first"] + arguments.blocks * BLOCK - 1
        with engine.connect() as connection:
            newest = connection.execute(text("SELECT max(id) FROM transactions")).scalar_one()
            lowest, highest = connection.execute(
                text("SELECT min(id), max(id) FROM unit_blocks")
            ).one()
            quiet = list(
                connection.execute(
                    text(
                        "SELECT identifier FROM accounts WHERE party_code = 'XXA' "
                        "AND NOT identifier = ANY(:names) ORDER BY id"
                    ),
                    {"names": names},
                ).scalars()
            )
        scale = Loaded(names, quiet, loaded["registry_id"], first, last, newest, lowest, highest)

        def holdings_of_an_account(rng: random.Random, after: int | None = None) -> None:
            """What the account page reads: the account, then a page of its blocks."""
            account = ledger.account(registry, ADMIN, "XXA", rng.choice(names))
            ledger.blocks(registry, ADMIN, "XXA", BlockFilter(account=account.identifier), after)

        timed(
            "holdings of an account (ledger.account, first page of blocks)",
            arguments.samples,
            holdings_of_an_account,
        )
        timed(
            "holdings of an account, a page deep in its blocks",
            arguments.samples,
            lambda rng: holdings_of_an_account(rng, rng.randint(lowest, highest)),
        )
        timed(
            "transaction-history page (ledger.transactions, 50 newest)",
            arguments.samples,
            lambda rng: ledger.transactions(registry, ADMIN, "XXA"),
        )
        timed(
            "transaction-history page at a random depth",
            arguments.samples,
            lambda rng: ledger.transactions(registry, ADMIN, "XXA", before=rng.randint(1, newest)),
        )

        timed(
            "an account's blocks page (ledger.blocks, keyset by block id)",
            arguments.samples,
            lambda rng: ledger.blocks(
                registry,
                ADMIN,
                "XXA",
                BlockFilter(account=rng.choice(names)),
                after=rng.choice([None, rng.randint(lowest, highest)]),
            ),
        )
        timed(
            "an account's transaction history (ledger.transactions)",
            arguments.samples,
            lambda rng: ledger.transactions(
                registry, ADMIN, "XXA", TransactionFilter(account=rng.choice(names))
            ),
        )
        timed(
            "a quiet account's transaction history (ledger.transactions)",
            arguments.samples,
            lambda rng: ledger.transactions(
                registry, ADMIN, "XXA", TransactionFilter(account=rng.choice(quiet))
            ),
        )

        for label, entity in (("a busy", busy_entity), ("a quiet", quiet_entity)):
            representative = Actor(f"{entity}.rep", Role.ENTITY, "XXA", entity)
            timed(
                f"{label} entity's whole history, as its representative (ledger.transactions)",
                arguments.samples,
                lambda _rng, who=representative: ledger.transactions(registry, who, "XXA"),
            )

        def lookup(rng: random.Random) -> None:
            with engine.connect() as connection:
                row = block_selection.block_at(
                    connection, loaded["registry_id"], rng.randint(first, last)
                )
                assert row is not None

        timed("serial lookup in the database (block_selection.block_at)", arguments.samples, lookup)
        timed(
            "serial lookup with the unit's history (ledger.unit)",
            max(20, arguments.samples // 4),
            lambda rng: ledger.unit(
                registry, ADMIN, "XXA", f"{loaded['registry_id']}-{rng.randint(first, last)}"
            ),
        )
        through_the_api(url, secret, arguments.api_workers, arguments.samples, scale)
        started = time.monotonic()
        problems = ledger.verify_registry(registry)
        print(f"RESULT scale verify_registry: {time.monotonic() - started:.1f} s, {problems[:3]}")
        if problems:
            raise SystemExit("invariants broken by the bulk load")
        engine.dispose()


if __name__ == "__main__":
    main()
