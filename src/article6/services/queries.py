"""Read models: accounts with their holdings, unit blocks, transactions, first-transfer records,
a unit's history and the journal. Every query is scoped by the same access rule as commands."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, TypeAdapter
from sqlalchemy import Connection, Row

from article6.domain.access import Actor, Permission
from article6.domain.accounts import AccountKind
from article6.domain.checks import Check, refuse
from article6.domain.identifiers import block_identifier, parse_unit_query
from article6.services.access import allow
from article6.services.context import Registry
from article6.services.unit_marks import UnitMarkView, mark_view
from article6.services.views import (
    TransactionView,
    UtcDateTime,
    transaction_view,
    transaction_views,
)
from article6.store import (
    account_pages,
    account_register,
    block_selection,
    history,
    holding_totals,
    journal_pages,
    transaction_pages,
    unit_marks,
)
from article6.store.database import unit_of_work

PAGE_LIMIT = 500


class BlockView(BaseModel):
    identifier: str
    registry: str
    first: int
    last: int
    quantity: int
    cooperative_approach: str
    first_transferring_party: str
    vintage: int
    state: str
    first_transferred: bool
    authorization_id: str | None
    authorization_version: int | None
    mitigation_activity: str
    sector: str
    activity_type: str | None
    mitigation_type: str
    metric: str
    underlying_registry: str | None
    underlying_first: int | None
    underlying_last: int | None
    reserved_by: str | None
    account: str
    marks: list[UnitMarkView] = []
    """The secretariat's marks in force touching the block (its marked units do not move)."""


def with_marks(connection: Connection, views: list[BlockView]) -> list[BlockView]:
    """Each block with the marks in force that touch it: one query for the page."""
    found = unit_marks.active_over(connection, [(b.registry, b.first, b.last) for b in views])
    for view in views:
        touching = (m for m in found if m.overlaps(view.registry, view.first, view.last))
        view.marks = [mark_view(m) for m in touching]
    return views


class AccountView(BaseModel):
    identifier: str
    name: str
    party: str
    holder: str
    entity_name: str | None
    kind: str
    container: str
    cooperative_approach: str | None
    status: str
    quantity: int
    reserved: int
    available: int


def _block_fields(block: Any, account: str, reservation: str | None) -> dict[str, Any]:
    """A block's view as plain fields, from any mapping of its `unit_blocks` columns."""
    first, last = block["serial_first"], block["serial_last"]
    size = last - first + 1
    underlying = block["underlying_first"]
    return {
        "identifier": block_identifier(
            block["cooperative_approach_id"],
            block["registry_id"],
            block["first_transferring_party"],
            first,
            last,
            block["vintage"],
        ),
        "registry": block["registry_id"],
        "first": first,
        "last": last,
        "quantity": size,
        "cooperative_approach": block["cooperative_approach_id"],
        "first_transferring_party": block["first_transferring_party"],
        "vintage": block["vintage"],
        "state": block["state"],
        "first_transferred": block["first_transferred"],
        "authorization_id": block["authorization_id"],
        "authorization_version": block["authorization_version"],
        "mitigation_activity": block["mitigation_activity"],
        "sector": block["sector"],
        "activity_type": block["activity_type"],
        "mitigation_type": block["mitigation_type"],
        "metric": block["metric"],
        "underlying_registry": block["underlying_registry"],
        "underlying_first": underlying,
        "underlying_last": underlying + size - 1 if underlying else None,
        "reserved_by": reservation,
        "account": account,
    }


def block_view(row: Any, account_identifier: str, reserved_identifier: str | None) -> BlockView:
    return BlockView.model_validate(
        _block_fields(row._mapping, account_identifier, reserved_identifier)
    )


_BLOCK_PAGE = TypeAdapter(list[BlockView])


def block_views(
    rows: Sequence[Row[*tuple[Any, ...]]], account: str | None = None
) -> list[BlockView]:
    """Views of a page of blocks, validated as one list. Rows carry
    `account_pages.BLOCK_COLUMNS`, the reserving transaction's identifier as `reservation` and,
    unless `account` names the one holding account, the holder's identifier as `holder`.

    Per-row model construction and attribute access on rows were most of an account page's
    time; plain dicts validated at once cost a third of that."""
    if not rows:
        return []
    names = rows[0]._fields
    fields = []
    for row in rows:
        block = dict(zip(names, row, strict=True))
        holder = account if account is not None else block["holder"]
        fields.append(_block_fields(block, holder, block["reservation"]))
    return _BLOCK_PAGE.validate_python(fields)


def _account_view(row: Any) -> AccountView:
    return AccountView(
        identifier=row.identifier,
        name=row.name,
        party=row.party_code,
        holder=row.holder,
        entity_name=row.entity_name,
        kind=row.kind,
        container=row.container,
        cooperative_approach=row.cooperative_approach_key or None,
        status=row.status,
        quantity=row.quantity,
        reserved=row.reserved,
        available=row.quantity - row.reserved,
    )


def list_accounts(
    registry: Registry, actor: Actor, party: str, entity: str | None = None
) -> list[AccountView]:
    """The accounts of a Party section; an entity's representative sees its own and the
    Party's use and cancellation accounts."""
    allow(actor, Permission.READ, party)
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = account_pages.section_accounts(connection, party, entity or actor.entity)
        return [_account_view(row) for row in rows]


def account_detail(
    registry: Registry, actor: Actor, identifier: str, after_serial: int = 0, limit: int = 100
) -> tuple[AccountView, list[BlockView]]:
    """An account with one page of its unit blocks (keyset by serial)."""
    limit = max(1, min(limit, PAGE_LIMIT))
    with unit_of_work(registry.engine, read_only=True) as connection:
        row = account_pages.account_with_holding(connection, identifier)
        if row is None:
            raise refuse(Check.C1012, "account", f"{identifier} is not an account")
        allow(actor, Permission.READ, row.party_code)
        if (
            actor.entity is not None
            and row.holder not in (actor.entity,)
            and not AccountKind(row.kind).terminal
        ):
            raise refuse(Check.C4002, "account", "an entity sees only its own accounts")
        blocks = account_pages.account_blocks(connection, row.id, after_serial, limit)
        return _account_view(row), with_marks(connection, block_views(blocks, identifier))


def transactions_of(
    registry: Registry,
    actor: Actor,
    party: str,
    before_id: int | None = None,
    limit: int = 50,
    status: str | None = None,
) -> list[TransactionView]:
    """A Party's transactions, newest first, keyset-paginated by internal id; also those that
    brought units into its accounts (acquisitions)."""
    allow(actor, Permission.READ, party)
    limit = max(1, min(limit, PAGE_LIMIT))
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = transaction_pages.newest_of_party(connection, party, before_id, limit, status)
        return transaction_views(connection, list(rows))


def transaction_detail(registry: Registry, actor: Actor, identifier: str) -> TransactionView:
    with unit_of_work(registry.engine, read_only=True) as connection:
        row = history.transaction(connection, identifier)
        if row is None:
            raise refuse(Check.C1012, "transaction", f"{identifier} is not a transaction")
        destination = (
            account_register.account_by_id(connection, row.destination_account_id)
            if row.destination_account_id
            else None
        )
        parties = {row.party_code, destination.party_code if destination else row.party_code}
        if actor.party not in parties:
            allow(actor, Permission.READ, row.party_code)
        return transaction_view(connection, row)


class UnitHistory(BaseModel):
    registry: str
    serial: int
    identifier: str
    block: BlockView
    transactions: list[TransactionView]
    marks: list[UnitMarkView] = []
    """The secretariat's marks on the unit, in force or lifted, oldest first."""


def unit_history(registry: Registry, actor: Actor, query: str) -> UnitHistory:
    """Everything that happened to one unit, found by serial or identifier."""
    registry_id, serial = parse_unit_query(query)
    with unit_of_work(registry.engine, read_only=True) as connection:
        row = block_selection.block_at(connection, registry_id, serial)
        if row is None:
            raise refuse(Check.C1012, "unit", f"no unit {query} in this registry")
        account = account_register.account_by_id(connection, row.account_id)
        movers = list(transaction_pages.movers_of(connection, row.registry_id, serial))
        visible = {row.first_transferring_party, account.party_code if account else ""}
        visible |= {m.party_code for m in movers}
        if actor.party is not None and actor.party not in visible:
            allow(actor, Permission.READ, row.first_transferring_party)
        if actor.entity is not None:
            movers = _entity_movers(connection, actor.entity, account, movers)
        return UnitHistory(
            registry=row.registry_id,
            serial=serial,
            identifier=f"{row.cooperative_approach_id}-{row.registry_id}-"
            f"{row.first_transferring_party}-{serial}-{row.vintage}",
            block=block_view(row, account.identifier if account else "", None),
            transactions=transaction_views(connection, movers),
            marks=[
                mark_view(m) for m in unit_marks.over(connection, row.registry_id, serial, serial)
            ],
        )


def _entity_movers(
    connection: Connection, entity: str, account: Row[Any] | None, movers: list[Row[Any]]
) -> list[Row[Any]]:
    """What an entity's representative sees of a unit's history: the transactions into or out
    of the entity's accounts (which include every one it initiated), for a unit in one of its
    accounts or in a use or cancellation account it moved the unit into; else C4002."""
    own = account_register.accounts_of_holder(connection, entity)
    mine = [m for m in movers if {m.source_account_id, m.destination_account_id} & own]
    held = account is not None and account.id in own
    terminal = account is not None and AccountKind(account.kind).terminal
    if not held and not (terminal and mine):
        raise refuse(
            Check.C4002, "unit", "an entity sees only units in its own accounts or that it moved"
        )
    return mine


class JournalEntryView(BaseModel):
    seq: int
    recorded_at: UtcDateTime
    actor: str
    event: str
    party: str | None
    subject: str | None
    body: str
    previous_hash: str
    hash: str


def journal_entries(
    registry: Registry,
    actor: Actor,
    after_seq: int = 0,
    limit: int = 100,
    subject: str | None = None,
) -> list[JournalEntryView]:
    """The journal in order; a Party's users see their own section's entries."""
    allow(actor, Permission.READ, actor.party)
    limit = max(1, min(limit, PAGE_LIMIT))
    with unit_of_work(registry.engine, read_only=True) as connection:
        section = actor.party if actor.party is not None and not actor.registry_wide else None
        rows = journal_pages.entries_after(connection, after_seq, limit, section, subject)
        return [
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
            for r in rows
        ]


def first_transfers(registry: Registry, actor: Actor, party: str) -> list[TransactionView]:
    """Transactions in which units of this Party were first transferred."""
    allow(actor, Permission.READ, party)
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = transaction_pages.first_transfers_of(connection, party)
        return transaction_views(connection, list(rows))


def holdings_summary(registry: Registry, actor: Actor, party: str) -> list[dict[str, Any]]:
    """Units held per account kind, cooperative approach, vintage and state (dashboard, demo)."""
    allow(actor, Permission.READ, party)
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = holding_totals.totals_by_kind(connection, party)
        return [
            {
                "kind": r.kind,
                "cooperative_approach": r.cooperative_approach_id,
                "vintage": r.vintage,
                "state": r.state,
                "quantity": int(r.quantity),
            }
            for r in rows
        ]


def verify_registry(registry: Registry) -> list[str]:
    """All ledger invariants and the journal chain; an empty list means sound.

    Entries a crash left committed but unchained are sealed first, as the next command would."""
    from article6.store import journal, verify

    journal.seal(registry.engine)
    with unit_of_work(registry.engine, read_only=True) as connection:
        return verify.everything(connection)
