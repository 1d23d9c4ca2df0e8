"""Ledger lists for the API: accounts, holdings, unit blocks, transactions, a unit's history,
the journal. Each is filtered by the obvious fields and paginated (keyset for transactions,
blocks and the journal), applies the same access rule as the commands, and shows an authorized
entity's representative only that entity's accounts and what moved them. (Parties, approaches,
activities, authorizations and entities are listed by `directory.py`.)
"""

from __future__ import annotations

from datetime import datetime
from typing import Generic, TypeVar

from pydantic import BaseModel

from article6.domain.access import Actor, Permission, Role
from article6.domain.checks import Check, refuse
from article6.services import queries
from article6.services.access import allow
from article6.services.context import Registry
from article6.services.queries import AccountView, BlockView, JournalEntryView, block_views
from article6.services.views import TransactionView, transaction_views
from article6.store import (
    account_pages,
    account_register,
    holding_totals,
    journal_pages,
    transaction_pages,
)
from article6.store.database import unit_of_work

PAGE_LIMIT = queries.PAGE_LIMIT
LARGEST = 2**62  # larger numbers cannot name anything in the registry


T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` back as the cursor to get the next page."""

    items: list[T]
    next_cursor: int | None = None


class HoldingView(BaseModel):
    account: str
    kind: str
    cooperative_approach: str
    vintage: int
    state: str
    quantity: int


def _limit(limit: int) -> int:
    return max(1, min(limit, PAGE_LIMIT))


def _not_entity(actor: Actor, what: str) -> None:
    if actor.role is Role.ENTITY:
        raise refuse(Check.C4002, "actor", f"an entity's representative does not see {what}")


def accounts_list(
    registry: Registry,
    actor: Actor,
    party: str,
    kind: str | None = None,
    cooperative_approach: str | None = None,
    status: str | None = None,
    holder: str | None = None,
) -> list[AccountView]:
    found = queries.list_accounts(registry, actor, party)
    return [
        a
        for a in found
        if (kind is None or a.kind == kind)
        and (cooperative_approach is None or a.cooperative_approach == cooperative_approach)
        and (status is None or a.status == status)
        and (holder is None or a.holder == holder)
    ]


def account(registry: Registry, actor: Actor, party: str, identifier: str) -> AccountView:
    view, _ = queries.account_detail(registry, actor, identifier, limit=1)
    if view.party != party:
        raise refuse(Check.C1012, "account", f"{identifier} is not an account of {party}")
    return view


def blocks(
    registry: Registry,
    actor: Actor,
    party: str,
    account: str | None = None,
    cooperative_approach: str | None = None,
    vintage: int | None = None,
    state: str | None = None,
    authorization_id: str | None = None,
    after: int | None = None,
    limit: int = 100,
) -> Page[BlockView]:
    """Unit blocks held in a Party section's accounts, in block order (keyset on block id)."""
    allow(actor, Permission.READ, party)
    limit = _limit(limit)
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = account_pages.section_blocks(
            connection,
            party,
            entity=actor.entity,
            account=account,
            cooperative_approach=cooperative_approach,
            vintage=vintage,
            state=state,
            authorization_id=authorization_id,
            after=after,
            limit=limit,
        )
        page = rows[:limit]
        return Page[BlockView](
            items=queries.with_marks(connection, block_views(page)),
            next_cursor=page[-1].id if len(rows) > limit else None,
        )


def holdings(
    registry: Registry,
    actor: Actor,
    party: str,
    account: str | None = None,
    cooperative_approach: str | None = None,
    vintage: int | None = None,
    state: str | None = None,
) -> list[HoldingView]:
    """Units held per account, cooperative approach, vintage and state."""
    allow(actor, Permission.READ, party)
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = holding_totals.totals_by_account(
            connection,
            party,
            entity=actor.entity,
            account=account,
            cooperative_approach=cooperative_approach,
            vintage=vintage,
            state=state,
        )
        return [
            HoldingView(
                account=r.identifier,
                kind=r.kind,
                cooperative_approach=r.cooperative_approach_id,
                vintage=r.vintage,
                state=r.state,
                quantity=int(r.quantity),
            )
            for r in rows
        ]


def transactions_page(
    registry: Registry,
    actor: Actor,
    party: str,
    before: int | None = None,
    limit: int = 50,
    status: str | None = None,
    kind: str | None = None,
    account: str | None = None,
    cooperative_approach: str | None = None,
    vintage: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    first_transfer: bool | None = None,
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
            entity=actor.entity,
            limit=limit,
            before=before,
            status=status,
            kind=kind,
            account=account,
            cooperative_approach=cooperative_approach,
            vintage=vintage,
            since=since,
            until=until,
            first_transfer=first_transfer,
        )
        page = rows[:limit]
        return Page[TransactionView](
            items=transaction_views(connection, list(page)),
            next_cursor=page[-1].id if len(rows) > limit else None,
        )


def transaction(registry: Registry, actor: Actor, party: str, identifier: str) -> TransactionView:
    """One transaction, seen from `party`'s section (its own, or one that arrived there)."""
    allow(actor, Permission.READ, party)
    view = queries.transaction_detail(registry, actor, identifier)
    touched = {view.source_account, view.destination_account} - {None}
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = [account_register.account(connection, a) for a in touched if a]
    if view.party != party and party not in {r.party_code for r in rows if r is not None}:
        raise refuse(Check.C1012, "transaction", f"{identifier} is not a transaction of {party}")
    if actor.entity is not None and actor.entity not in {r.holder for r in rows if r is not None}:
        raise refuse(Check.C4002, "transaction", "an entity sees only its own transactions")
    return view


def unit(registry: Registry, actor: Actor, party: str, query: str) -> queries.UnitHistory:
    allow(actor, Permission.READ, party)
    from article6.domain.identifiers import parse_unit_query

    _, serial = parse_unit_query(query)
    if serial > LARGEST:
        raise refuse(Check.C1005, "unit", "no serial number is that large")
    # An entity's representative sees only its own part of the history (`queries`).
    return queries.unit_history(registry, actor, query)


def journal_page(
    registry: Registry,
    actor: Actor,
    party: str | None,
    after: int | None = None,
    limit: int = 100,
    event: str | None = None,
    subject: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Page[JournalEntryView]:
    """Journal entries in order (keyset on seq): a Party section's, or the whole registry's for
    the secretariat and registry-wide auditors."""
    _not_entity(actor, "the journal")
    if party is None and not (actor.registry_wide and actor.party is None):
        raise refuse(Check.C4006, "party", "the whole journal is for registry-wide roles")
    allow(actor, Permission.READ, party)
    limit = _limit(limit)
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = journal_pages.entries_page(
            connection,
            party,
            after=after,
            limit=limit,
            event=event,
            subject=subject,
            since=since,
            until=until,
        )
        page = rows[:limit]
        return Page[JournalEntryView](
            items=[
                JournalEntryView(
                    seq=r.seq,
                    recorded_at=r.recorded_at,
                    actor=r.actor,
                    event=r.event,
                    party=r.party_code,
                    subject=r.subject,
                    body=r.body,
                    previous_hash=r.previous_hash,
                    hash=r.hash,
                )
                for r in page
            ],
            next_cursor=page[-1].seq if len(rows) > limit else None,
        )


def verification(registry: Registry, actor: Actor) -> list[str]:
    """The ledger invariants and the journal chain: for registry-wide roles."""
    if not (actor.registry_wide and actor.party is None):
        raise refuse(Check.C4006, "actor", "verification covers the whole registry")
    return queries.verify_registry(registry)
