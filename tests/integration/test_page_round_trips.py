"""A page of a section's transactions, or of an account's blocks, costs at most five round trips
to PostgreSQL (counts, not times: `bench/api_throughput.py --request transactions blocks` times
them). A round trip is a statement, a BEGIN, a COMMIT or ROLLBACK, or a connection's ping;
the ping the pool sends when it hands out a connection (`pool_pre_ping`, which #16 removes in
favour of one retry) is the connection's, not the page's, and is left out of the count."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from sqlalchemy import Connection, event

from article6.demo import world as demo
from article6.domain.filters import BlockFilter
from article6.services import commands as c
from article6.services import units
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.store.database import make_engine

pytestmark = pytest.mark.postgres

MAX_ROUND_TRIPS = 5


@pytest.fixture
def registry(postgres_url: str) -> Iterator[Registry]:
    registry = Registry(make_engine(postgres_url))
    yield registry
    registry.engine.dispose()


@contextmanager
def round_trips(registry: Registry) -> Iterator[list[str]]:
    """What the block sends to the server from this thread (not the journal sealer's), one
    item a round trip."""
    engine = registry.engine
    sent: list[str] = []
    ours = threading.get_ident()

    def in_transaction(connection: Connection) -> bool:
        return threading.get_ident() == ours and connection.get_isolation_level() != "AUTOCOMMIT"

    def statement(connection: Connection, _cursor: Any, text: str, *_rest: Any) -> None:
        if threading.get_ident() == ours:
            sent.append(text.split(None, 1)[0])

    def begin(connection: Connection) -> None:
        if in_transaction(connection):
            sent.append("BEGIN")

    def commit(connection: Connection) -> None:
        if in_transaction(connection):
            sent.append("COMMIT")

    def rollback(connection: Connection) -> None:
        if in_transaction(connection):
            sent.append("ROLLBACK")

    ping = engine.dialect.do_ping

    def counted_ping(dbapi_connection: Any) -> bool:
        if threading.get_ident() == ours:
            sent.append("ping")
        return ping(dbapi_connection)

    listeners = [
        ("before_cursor_execute", statement),
        ("begin", begin),
        ("commit", commit),
        ("rollback", rollback),
    ]
    for name, listener in listeners:
        event.listen(engine, name, listener)
    engine.dialect.do_ping = counted_ping  # type: ignore[method-assign]
    try:
        yield sent
    finally:
        engine.dialect.do_ping = ping  # type: ignore[method-assign]
        for name, listener in listeners:
            event.remove(engine, name, listener)


def the_pages_own(sent: list[str]) -> list[str]:
    return [item for item in sent if item != "ping"]


@pytest.fixture
def busy_world(registry: Registry) -> demo.DemoWorld:
    """The seed's world and 60 more transfers, so that a page is full."""
    world = demo.build_world(registry)
    units.link_authorization(
        registry,
        demo.XXA_ADMIN,
        c.LinkAuthorization(
            account=world["XXA Party mo_holding"],
            authorization_id=demo.NDC_AUTHORIZATION,
            units=c.UnitSelection(quantity=1_000),
        ),
    )
    for _ in range(60):
        units.transfer_units(
            registry,
            demo.XXA_ADMIN,
            c.TransferUnits(
                source_account=world["XXA Party amo_holding"],
                destination_account=world["XXA Green Group A amo_holding"],
                units=c.UnitSelection(quantity=3),
            ),
        )
    return world


def test_a_page_of_transactions_takes_at_most_five_round_trips(
    registry: Registry, busy_world: demo.DemoWorld
) -> None:
    ledger.transactions(registry, demo.XXA_ADMIN, "XXA", limit=50)  # the pool warm
    with round_trips(registry) as sent:
        page = ledger.transactions(registry, demo.XXA_ADMIN, "XXA", limit=50)
    assert len(page.items) == 50 and page.next_cursor is not None
    assert len(the_pages_own(sent)) <= MAX_ROUND_TRIPS, sent


def test_a_page_of_an_accounts_blocks_takes_at_most_five_round_trips(
    registry: Registry, busy_world: demo.DemoWorld
) -> None:
    where = BlockFilter(account=busy_world["XXA Party mo_holding"])
    ledger.blocks(registry, demo.XXA_ADMIN, "XXA", where)
    with round_trips(registry) as sent:
        page = ledger.blocks(registry, demo.XXA_ADMIN, "XXA", where, limit=100)
    assert page.items
    assert len(the_pages_own(sent)) <= MAX_ROUND_TRIPS, sent
