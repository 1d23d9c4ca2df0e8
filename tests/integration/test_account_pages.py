"""An account's pages: its blocks and its history, read page by page with the cursors, are
exactly what it holds and every transaction that moved units out of it or into it, each once,
in order, for the Party's users, for the entity's representative, and for the Party the units
went to.

The small world (see small_world.py). Each test first moves MOs back and forth between the
Party's MO holding account and Green Group A's: five times 20 serials out and the middle 5 of
them back, so both accounts hold several blocks and have a history on both sides; then it
sends 40 NDC AMOs to XXC three times (an account with history on one side only).
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from small_world import (
    APPROACH,
    GREEN_C_ENTITY,
    GREEN_GROUP_A,
    NDC,
    SECRETARIAT,
    XXA_ADMIN,
    XXC_ADMIN,
    SmallWorld,
    holdings,
    selection,
)
from sqlalchemy import or_, select

from article6.domain.access import Actor
from article6.domain.accounts import AccountKind, AccountStatus, UnitState
from article6.domain.filters import AccountFilter, BlockFilter, TransactionFilter
from article6.services import approvals, units
from article6.services import commands as c
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.services.reads.ledger import verify_registry
from article6.store.database import unit_of_work
from article6.store.schema import accounts, transactions, unit_blocks

PARTY_MO = "XXA Party mo_holding"
ENTITY_MO = "XXA Green Group A mo_holding"
XXC_ITMO = "XXC Party itmo_holding"


def move_back_and_forth(registry: Registry, world: SmallWorld) -> None:
    before = holdings(registry)
    for start in range(1, 300, 60):
        for source, destination, first, last in (
            (PARTY_MO, ENTITY_MO, start, start + 19),
            (ENTITY_MO, PARTY_MO, start + 5, start + 9),
        ):
            by_entity = source == ENTITY_MO  # its representative asks, the Party approves
            sent = units.transfer_units(
                registry,
                GREEN_GROUP_A if by_entity else XXA_ADMIN,
                c.TransferUnits(
                    source_account=world[source],
                    destination_account=world[destination],
                    units=selection(ranges=[(first, last)]),
                ),
            )
            if by_entity:
                approvals.approve_transaction(
                    registry, XXA_ADMIN, c.ApproveTransaction(transaction=sent.record)
                )
    for _ in range(3):
        units.transfer_internationally(
            registry,
            XXA_ADMIN,
            c.TransferInternationally(
                source_account=world["XXA Party amo_holding"],
                destination_account=world[XXC_ITMO],
                units=selection(40, NDC),
            ),
        )
    after = holdings(registry)
    assert sum(q for q, _ in after.values()) == sum(q for q, _ in before.values()) == 1000
    assert verify_registry(registry) == []


def moved_through(registry: Registry, identifier: str) -> list[str]:
    """What the ledger says: the transactions out of or into the account, newest first."""
    return moved_through_any(registry, accounts.c.identifier == identifier)


def moved_through_any(registry: Registry, which: Any) -> list[str]:
    """The transactions out of or into any account `which` selects, newest first."""
    with unit_of_work(registry.engine, read_only=True) as connection:
        account = select(accounts.c.id).where(which)
        return list(
            connection.execute(
                select(transactions.c.identifier)
                .where(
                    or_(
                        transactions.c.source_account_id.in_(account),
                        transactions.c.destination_account_id.in_(account),
                    )
                )
                .order_by(transactions.c.id.desc())
            ).scalars()
        )


def history_pages(registry: Registry, actor: Actor, party: str, account: str) -> list[str]:
    """The account's history read two at a time, following next_cursor to the end."""
    seen: list[str] = []
    cursor = None
    for _ in range(100):
        page = ledger.transactions(
            registry, actor, party, TransactionFilter(account=account), before=cursor, limit=2
        )
        seen += [t.identifier for t in page.items]
        assert all(account in (t.source_account, t.destination_account) for t in page.items)
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor
    raise AssertionError("the history never ended")


def held_ranges(registry: Registry, account: str) -> list[tuple[int, int]]:
    """The account's serial ranges as its rows in `unit_blocks` hold them, in serial order."""
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = connection.execute(
            select(unit_blocks.c.serial_first, unit_blocks.c.serial_last)
            .join(accounts, accounts.c.id == unit_blocks.c.account_id)
            .where(accounts.c.identifier == account)
            .order_by(unit_blocks.c.serial_first)
        )
        return [(first, last) for first, last in rows]


def block_pages(registry: Registry, actor: Actor, party: str, account: str) -> list[Any]:
    seen: list[Any] = []
    cursor = None
    for _ in range(100):
        page = ledger.blocks(
            registry, actor, party, BlockFilter(account=account), after=cursor, limit=1
        )
        seen += page.items
        if page.next_cursor is None:
            return seen
        cursor = page.next_cursor
    raise AssertionError("the blocks never ended")


def test_an_accounts_history_page_by_page_is_every_transaction_through_it_once(
    registry: Registry, world: SmallWorld
):
    move_back_and_forth(registry, world)
    for actor, party, name in (
        (XXA_ADMIN, "XXA", PARTY_MO),
        (XXA_ADMIN, "XXA", ENTITY_MO),
        (GREEN_GROUP_A, "XXA", ENTITY_MO),
        (XXC_ADMIN, "XXC", XXC_ITMO),
        (SECRETARIAT, "XXC", XXC_ITMO),
    ):
        expected = moved_through(registry, world[name])
        assert len(expected) >= 3
        assert history_pages(registry, actor, party, world[name]) == expected


def test_an_accounts_history_shows_an_entity_nothing_of_accounts_not_its_own(
    registry: Registry, world: SmallWorld
):
    move_back_and_forth(registry, world)
    assert history_pages(registry, GREEN_GROUP_A, "XXA", world["XXA Party amo_holding"]) == []
    assert history_pages(registry, GREEN_C_ENTITY, "XXC", world[XXC_ITMO]) == []


def test_an_entitys_whole_history_page_by_page_is_every_transaction_through_its_accounts(
    registry: Registry, world: SmallWorld
):
    move_back_and_forth(registry, world)
    expected = moved_through_any(registry, accounts.c.holder == GREEN_GROUP_A.entity)
    seen: list[str] = []
    cursor = None
    while True:
        page = ledger.transactions(registry, GREEN_GROUP_A, "XXA", before=cursor, limit=3)
        seen += [t.identifier for t in page.items]
        if page.next_cursor is None:
            break
        cursor = page.next_cursor
    assert len(expected) >= 10
    assert seen == expected


def test_an_accounts_history_pages_stop_at_the_cursor(registry: Registry, world: SmallWorld):
    move_back_and_forth(registry, world)
    everything = moved_through(registry, world[PARTY_MO])
    through = TransactionFilter(account=world[PARTY_MO])
    first = ledger.transactions(registry, XXA_ADMIN, "XXA", through, limit=3)
    assert [t.identifier for t in first.items] == everything[:3]
    rest = ledger.transactions(
        registry, XXA_ADMIN, "XXA", through, before=first.next_cursor, limit=500
    )
    assert [t.identifier for t in rest.items] == everything[3:]
    assert rest.next_cursor is None


def test_an_accounts_blocks_page_by_page_are_what_it_holds(registry: Registry, world: SmallWorld):
    move_back_and_forth(registry, world)
    for actor, name in ((XXA_ADMIN, PARTY_MO), (XXA_ADMIN, ENTITY_MO), (GREEN_GROUP_A, ENTITY_MO)):
        view = ledger.account(registry, actor, "XXA", world[name])
        paged = block_pages(registry, actor, "XXA", world[name])
        held = held_ranges(registry, world[name])
        assert len(held) > 1
        assert sorted((b.first, b.last) for b in paged) == held
        whole = ledger.blocks(registry, actor, "XXA", BlockFilter(account=world[name]), limit=500)
        assert paged == whole.items
        assert sum(b.quantity for b in paged) == view.quantity


def test_an_account_filter_narrows_the_section_s_accounts_field_by_field(
    registry: Registry, world: SmallWorld
):
    every = ledger.accounts(registry, XXA_ADMIN, "XXA")
    for where, chosen in (
        (AccountFilter(kind=AccountKind.MO_HOLDING), lambda a: a.kind == "mo_holding"),
        (AccountFilter(holder="PARTY"), lambda a: a.holder == "PARTY"),
        (AccountFilter(holder=GREEN_GROUP_A.entity), lambda a: a.holder == GREEN_GROUP_A.entity),
        (AccountFilter(status=AccountStatus.OPEN), lambda a: a.status == "open"),
        (AccountFilter(status=AccountStatus.CLOSED), lambda a: a.status == "closed"),
        (
            AccountFilter(cooperative_approach=APPROACH),
            lambda a: a.cooperative_approach == APPROACH,
        ),
        (
            AccountFilter(kind=AccountKind.MO_HOLDING, holder="PARTY"),
            lambda a: a.kind == "mo_holding" and a.holder == "PARTY",
        ),
    ):
        assert ledger.accounts(registry, XXA_ADMIN, "XXA", where) == [a for a in every if chosen(a)]
    assert ledger.accounts(registry, XXA_ADMIN, "XXA", AccountFilter(holder="PARTY"))
    assert [a.name for a in ledger.accounts(registry, XXA_ADMIN, "XXA", AccountFilter())] == [
        a.name for a in every
    ]


def test_the_holdings_are_the_blocks_the_same_filter_chooses_summed(
    registry: Registry, world: SmallWorld
):
    move_back_and_forth(registry, world)
    for actor in (XXA_ADMIN, GREEN_GROUP_A):
        for where in (
            BlockFilter(),
            BlockFilter(account=world[PARTY_MO]),
            BlockFilter(account=world[ENTITY_MO], state=UnitState.MO),
            BlockFilter(cooperative_approach=APPROACH, vintage=2024),
            BlockFilter(state=UnitState.AMO),
            BlockFilter(authorization_id=NDC),
            BlockFilter(vintage=2023),
        ):
            blocks = ledger.blocks(registry, actor, "XXA", where, limit=500)
            assert blocks.next_cursor is None
            summed: Counter[tuple[str, str, int, str]] = Counter()
            for b in blocks.items:
                summed[(b.account, b.cooperative_approach, b.vintage, b.state)] += b.quantity
            held = {
                (h.account, h.cooperative_approach, h.vintage, h.state): h.quantity
                for h in ledger.holdings(registry, actor, "XXA", where)
            }
            assert held == dict(summed), where
    assert not ledger.blocks(registry, XXA_ADMIN, "XXA", BlockFilter(vintage=2023)).items
    nothing_of_theirs = BlockFilter(account=world[PARTY_MO])
    assert ledger.holdings(registry, GREEN_GROUP_A, "XXA", nothing_of_theirs) == []
    mine = ledger.holdings(registry, XXA_ADMIN, "XXA", BlockFilter(account=world[ENTITY_MO]))
    assert {h.account for h in mine} == {world[ENTITY_MO]}
