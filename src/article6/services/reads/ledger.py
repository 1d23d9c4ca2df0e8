"""The ledger's reads: a Party section's accounts, holdings and unit blocks, its transactions
(and those that brought units into it), one transaction, a unit's history, the journal and its
verification. Each read is one read-only transaction, applies the same access rule as the
commands, shows an authorized entity's representative only that entity's accounts and what
moved them, and takes its filter whole to the store. Long lists are keyset pages.
(Parties, approaches, activities, authorizations and entities are read by `directory`.)"""

from __future__ import annotations

from dataclasses import replace

from sqlalchemy import Connection

from article6.domain.access import Actor, Permission, Role
from article6.domain.accounts import Account, AccountKind
from article6.domain.checks import Check, refuse
from article6.domain.filters import AccountFilter, BlockFilter, JournalFilter, TransactionFilter
from article6.domain.identifiers import parse_unit_query
from article6.domain.transactions import StoredTransaction, TransactionStatus
from article6.domain.wording import words
from article6.services.access import allow
from article6.services.context import Registry
from article6.services.reads.views import (
    AccountView,
    BlockView,
    HoldingView,
    JournalEntryView,
    Page,
    UnitHistory,
    account_view,
    block_view,
    block_views,
    journal_entry_view,
    with_marks,
)
from article6.services.unit_marks import mark_view
from article6.services.views import TransactionView, transaction_view, transaction_views
from article6.store import (
    account_pages,
    account_register,
    block_selection,
    history,
    holding_totals,
    journal_pages,
    replication,
    transaction_pages,
    unit_marks,
)
from article6.store.database import unit_of_work
from article6.store.journal import seal as seal_journal

PAGE_LIMIT = 500
LARGEST = 2**62  # larger numbers cannot name anything in the registry


def _limit(limit: int) -> int:
    return max(1, min(limit, PAGE_LIMIT))


def accounts(
    registry: Registry, actor: Actor, party: str, where: AccountFilter | None = None
) -> list[AccountView]:
    """The accounts of a Party section, in id order; an entity's representative sees its own
    and the Party's use and cancellation accounts."""
    allow(actor, Permission.READ, party)
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = account_pages.section_accounts(
            connection, party, actor.entity, where or AccountFilter()
        )
        return [account_view(row) for row in rows]


def account(registry: Registry, actor: Actor, party: str, identifier: str) -> AccountView:
    """One account of `party`'s section with its holding (its blocks are `blocks`)."""
    with unit_of_work(registry.engine, read_only=True) as connection:
        row = account_pages.account_with_holding(connection, identifier)
    if row is None:
        raise refuse(
            Check.C1012,
            "account",
            words("{identifier} is not an account", identifier=identifier),
        )
    allow(actor, Permission.READ, row.party_code)
    if (
        actor.entity is not None
        and row.holder != actor.entity
        and not AccountKind(row.kind).terminal
    ):
        raise refuse(Check.C4002, "account", words("an entity sees only its own accounts"))
    if row.party_code != party:
        raise refuse(
            Check.C1012,
            "account",
            words("{identifier} is not an account of {party}", identifier=identifier, party=party),
        )
    return account_view(row)


def blocks(
    registry: Registry,
    actor: Actor,
    party: str,
    where: BlockFilter | None = None,
    after: int | None = None,
    limit: int = 100,
) -> Page[BlockView]:
    """Unit blocks held in a Party section's accounts, in block order (keyset on block id)."""
    allow(actor, Permission.READ, party)
    limit = _limit(limit)
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = account_pages.section_blocks(
            connection, party, where or BlockFilter(), entity=actor.entity, after=after, limit=limit
        )
        page = rows[:limit]
        return Page[BlockView](
            items=with_marks(connection, block_views(page)),
            next_cursor=page[-1].id if len(rows) > limit else None,
        )


def holdings(
    registry: Registry, actor: Actor, party: str, where: BlockFilter | None = None
) -> list[HoldingView]:
    """Units held per account, cooperative approach, vintage and state."""
    allow(actor, Permission.READ, party)
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = holding_totals.totals_by_account(
            connection, party, where or BlockFilter(), entity=actor.entity
        )
        return [
            HoldingView(
                account=r.account,
                kind=r.kind,
                cooperative_approach=r.cooperative_approach_id,
                vintage=r.vintage,
                state=r.state,
                quantity=r.quantity,
            )
            for r in rows
        ]


def transactions(
    registry: Registry,
    actor: Actor,
    party: str,
    where: TransactionFilter | None = None,
    before: int | None = None,
    limit: int = 50,
) -> Page[TransactionView]:
    """A Party's transactions and those that brought units into its accounts, newest first
    (keyset on the internal id: pass `next_cursor` as `before`). How the page is read, and
    why: `store.transaction_pages.filtered_page`."""
    allow(actor, Permission.READ, party)
    limit = _limit(limit)
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = transaction_pages.filtered_page(
            connection,
            party,
            where or TransactionFilter(),
            entity=actor.entity,
            before=before,
            limit=limit,
        )
        page = rows[:limit]
        return Page[TransactionView](
            items=transaction_views(connection, list(page)),
            next_cursor=page[-1].id if len(rows) > limit else None,
        )


def first_transfers(
    registry: Registry,
    actor: Actor,
    party: str,
    where: TransactionFilter | None = None,
    before: int | None = None,
    limit: int = 50,
) -> Page[TransactionView]:
    """The completed first transfers among `transactions`, newest first."""
    chosen = replace(
        where or TransactionFilter(), status=TransactionStatus.COMPLETED, first_transfer=True
    )
    return transactions(registry, actor, party, chosen, before, limit)


def transaction(registry: Registry, actor: Actor, party: str, identifier: str) -> TransactionView:
    """One transaction, seen from `party`'s section (its own, or one that arrived there)."""
    allow(actor, Permission.READ, party)
    with unit_of_work(registry.engine, read_only=True) as connection:
        row = history.transaction(connection, identifier)
        if row is None:
            raise refuse(
                Check.C1012,
                "transaction",
                words("{identifier} is not a transaction", identifier=identifier),
            )
        destination = (
            account_register.account_by_id(connection, row.destination_account_id)
            if row.destination_account_id
            else None
        )
        parties = {row.party_code, destination.party_code if destination else row.party_code}
        if actor.party not in parties:
            allow(actor, Permission.READ, row.party_code)
        view = transaction_view(connection, row)
        touched = {view.source_account, view.destination_account} - {None}
        rows = [account_register.account(connection, a) for a in touched if a]
    if view.party != party and party not in {r.party_code for r in rows if r is not None}:
        raise refuse(
            Check.C1012,
            "transaction",
            words(
                "{identifier} is not a transaction of {party}", identifier=identifier, party=party
            ),
        )
    if actor.entity is not None and actor.entity not in {r.holder for r in rows if r is not None}:
        raise refuse(Check.C4002, "transaction", words("an entity sees only its own transactions"))
    return view


def unit(registry: Registry, actor: Actor, party: str, query: str) -> UnitHistory:
    """Everything that happened to one unit, found by serial or identifier. An entity's
    representative sees only its own part of the history (`_entity_movers`)."""
    allow(actor, Permission.READ, party)
    registry_id, serial = parse_unit_query(query)
    if serial > LARGEST:
        raise refuse(Check.C1020, "unit", words("no serial number is that large"))
    with unit_of_work(registry.read_engine, read_only=True) as connection:
        lag = replication.replay_lag(connection)
        block = block_selection.block_at(connection, registry_id, serial)
        if block is None:
            raise refuse(
                Check.C1012, "unit", words("no unit {query} in this registry", query=query)
            )
        held_in = account_register.account_by_id(connection, block.account_id)
        unit = block.attributes
        movers = list(transaction_pages.movers_of(connection, unit.registry, serial))
        visible = {unit.first_transferring_party, held_in.party_code if held_in else ""}
        visible |= {m.party_code for m in movers}
        if actor.party is not None and actor.party not in visible:
            allow(actor, Permission.READ, unit.first_transferring_party)
        if actor.entity is not None:
            movers = _entity_movers(connection, actor.entity, held_in, movers)
        return UnitHistory(
            registry=unit.registry,
            serial=serial,
            identifier=f"{unit.cooperative_approach}-{unit.registry}-"
            f"{unit.first_transferring_party}-{serial}-{unit.vintage}",
            block=block_view(block, held_in.identifier if held_in else "", None),
            transactions=transaction_views(connection, movers),
            marks=[
                mark_view(m) for m in unit_marks.over(connection, unit.registry, serial, serial)
            ],
            replica_lag_seconds=lag,
        )


def _entity_movers(
    connection: Connection, entity: str, held_in: Account | None, movers: list[StoredTransaction]
) -> list[StoredTransaction]:
    """What an entity's representative sees of a unit's history: the transactions into or out
    of the entity's accounts (which include every one it initiated), for a unit in one of its
    accounts or in a use or cancellation account it moved the unit into; else C4002."""
    own = account_register.accounts_of_holder(connection, entity)
    mine = [m for m in movers if {m.source_account_id, m.destination_account_id} & own]
    held = held_in is not None and held_in.id in own
    terminal = held_in is not None and AccountKind(held_in.kind).terminal
    if not held and not (terminal and mine):
        raise refuse(
            Check.C4002,
            "unit",
            words("an entity sees only units in its own accounts or that it moved"),
        )
    return mine


def journal(
    registry: Registry,
    actor: Actor,
    party: str | None,
    where: JournalFilter | None = None,
    after: int | None = None,
    limit: int = 100,
) -> Page[JournalEntryView]:
    """Journal entries in order (keyset on seq): a Party section's, or the whole registry's for
    the secretariat and registry-wide auditors."""
    if actor.role is Role.ENTITY:
        raise refuse(
            Check.C4002, "actor", words("an entity's representative does not see the journal")
        )
    if party is None and not (actor.registry_wide and actor.party is None):
        raise refuse(Check.C4006, "party", words("the whole journal is for registry-wide roles"))
    allow(actor, Permission.READ, party)
    limit = _limit(limit)
    seal_journal(registry.engine)  # the page shows every committed entry, the newest too
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = journal_pages.entries_page(
            connection, party, where or JournalFilter(), after=after, limit=limit
        )
        page = rows[:limit]
        return Page[JournalEntryView](
            items=[journal_entry_view(r) for r in page],
            next_cursor=page[-1].seq if len(rows) > limit else None,
        )


def journal_entry(
    registry: Registry, actor: Actor, party: str | None, seq: int
) -> JournalEntryView:
    """One journal entry with its hashes: of `party`'s section, or any for the registry-wide
    roles (`party` None), under the same rule as `journal`."""
    if actor.role is Role.ENTITY:
        raise refuse(
            Check.C4002, "actor", words("an entity's representative does not see the journal")
        )
    if party is None and not (actor.registry_wide and actor.party is None):
        raise refuse(Check.C4006, "party", words("the whole journal is for registry-wide roles"))
    allow(actor, Permission.READ, party)
    with unit_of_work(registry.engine, read_only=True) as connection:
        row = journal_pages.entry_at(connection, seq)
    if row is None or (party is not None and row.party_code != party):
        raise refuse(
            Check.C1012,
            "entry",
            words("there is no journal entry {seq} you can see", seq=seq),
        )
    return journal_entry_view(row)


def verification(registry: Registry, actor: Actor) -> list[str]:
    """The ledger invariants and the journal chain: for registry-wide roles."""
    if not (actor.registry_wide and actor.party is None):
        raise refuse(Check.C4006, "actor", words("verification covers the whole registry"))
    return verify_registry(registry)


def verify_registry(registry: Registry) -> list[str]:
    """All ledger invariants and the journal chain; an empty list means sound. For the CLI and
    the tests, which act as no one; the doors ask `verification`.

    Entries not chained yet (the sealer's next round, or a crash's leftovers) are sealed first."""
    from article6.store import verify

    seal_journal(registry.engine)
    with unit_of_work(registry.engine, read_only=True) as connection:
        return verify.everything(connection)
