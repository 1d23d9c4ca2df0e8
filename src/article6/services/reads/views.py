"""What a read answers: accounts with their holdings, unit blocks with the marks on them,
holdings per account, journal entries, a unit's history and a page of any of these.
(Transactions are `services.views.TransactionView`, shared with the commands' receipts.)"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, TypeAdapter
from sqlalchemy import Connection, Row

from article6.domain.blocks import UnitBlock
from article6.domain.identifiers import block_identifier
from article6.services.unit_marks import UnitMarkView, mark_view
from article6.services.views import TransactionView, UtcDateTime
from article6.store import unit_marks
from article6.store.account_pages import AccountHolding
from article6.store.block_rows import block_values
from article6.store.journal_pages import SealedEntry

T = TypeVar("T")


class Page(BaseModel, Generic[T]):
    """One page of a list; pass `next_cursor` back as the cursor to get the next page."""

    items: list[T]
    next_cursor: int | None = None


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


def account_view(row: AccountHolding) -> AccountView:
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


def block_view(
    block: UnitBlock, account_identifier: str, reserved_identifier: str | None
) -> BlockView:
    return BlockView.model_validate(
        _block_fields(block_values(block), account_identifier, reserved_identifier)
    )


_BLOCK_PAGE = TypeAdapter(list[BlockView])


def block_views(rows: Sequence[Row[*tuple[Any, ...]]]) -> list[BlockView]:
    """Views of a page of blocks, validated as one list. Rows carry
    `account_pages.BLOCK_COLUMNS`, the holder's identifier as `holder` and the reserving
    transaction's as `reservation`.

    Per-row model construction and attribute access on rows were most of an account page's
    time; plain dicts validated at once cost a third of that."""
    if not rows:
        return []
    names = rows[0]._fields
    fields = []
    for row in rows:
        block = dict(zip(names, row, strict=True))
        fields.append(_block_fields(block, block["holder"], block["reservation"]))
    return _BLOCK_PAGE.validate_python(fields)


def with_marks(connection: Connection, views: list[BlockView]) -> list[BlockView]:
    """Each block with the marks in force that touch it: one query for the page."""
    found = unit_marks.active_over(connection, [(b.registry, b.first, b.last) for b in views])
    for view in views:
        touching = (m for m in found if m.overlaps(view.registry, view.first, view.last))
        view.marks = [mark_view(m) for m in touching]
    return views


class HoldingView(BaseModel):
    account: str
    kind: str
    cooperative_approach: str
    vintage: int
    state: str
    quantity: int


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


def journal_entry_view(row: SealedEntry) -> JournalEntryView:
    return JournalEntryView(
        seq=row.seq,
        recorded_at=row.recorded_at,
        actor=row.actor,
        event=row.event,
        party=row.party_code,
        subject=row.subject,
        body=row.body,
        previous_hash=row.previous_hash,
        hash=row.hash,
    )


class UnitHistory(BaseModel):
    registry: str
    serial: int
    identifier: str
    block: BlockView
    transactions: list[TransactionView]
    marks: list[UnitMarkView] = []
    """The secretariat's marks on the unit, in force or lifted, oldest first."""
    replica_lag_seconds: float | None = None
    """Read from a replica this many seconds behind the registry's database (None: read from
    the database itself)."""
