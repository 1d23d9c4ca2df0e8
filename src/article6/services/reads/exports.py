"""The rows of the files a reader downloads: the filtered transaction list and the holdings
(per account, or per unit block). Each is a generator that reads one keyset page at a time
(through the same reads the pages and the API call, so the same access rule applies) and
yields its rows before reading the next: an export of any size holds one page in memory.

Access is judged when the export is asked for, before the first byte goes out, so a refusal
is an error answer and never a file cut short. Cells are plain values for machines: instants
in ISO 8601 UTC, numbers unformatted."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime

from article6.domain.access import Actor, Permission
from article6.domain.filters import BlockFilter, TransactionFilter
from article6.services.access import allow
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.services.views import TransactionView

Cell = str | int | None
EXPORT_PAGE = 500
"""Rows read per page: each page is one read-only transaction."""


@dataclass(frozen=True)
class Sheet:
    """A file's name, its column headings and its rows, read lazily page by page."""

    name: str
    headings: tuple[str, ...]
    pages: Iterator[list[tuple[Cell, ...]]]


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat().replace("+00:00", "Z")


TRANSACTION_HEADINGS = (
    "transaction",
    "created_at",
    "kind",
    "status",
    "party",
    "quantity",
    "source_account",
    "destination_account",
    "acquiring_party",
    "first_transfer",
    "cooperative_approaches",
    "vintages",
    "serial_ranges",
    "initiator",
    "approver",
    "finished_at",
)


def _transaction_row(t: TransactionView) -> tuple[Cell, ...]:
    return (
        t.identifier,
        iso(t.created_at),
        t.kind,
        t.status,
        t.party,
        t.quantity,
        t.source_account,
        t.destination_account,
        t.acquiring_party,
        "yes" if t.first_transfer else "no",
        " ".join(sorted({r.cooperative_approach for r in t.ranges})),
        " ".join(str(v) for v in sorted({r.vintage for r in t.ranges})),
        " ".join(f"{r.registry}:{r.first}-{r.last}" for r in t.ranges),
        t.initiator,
        t.approver,
        iso(t.finished_at),
    )


def transactions(registry: Registry, actor: Actor, party: str, where: TransactionFilter) -> Sheet:
    """The transactions `ledger.transactions` lists, newest first, every page of them."""
    allow(actor, Permission.READ, party)

    def pages() -> Iterator[list[tuple[Cell, ...]]]:
        before: int | None = None
        while True:
            page = ledger.transactions(registry, actor, party, where, before, EXPORT_PAGE)
            yield [_transaction_row(t) for t in page.items]
            if page.next_cursor is None:
                return
            before = page.next_cursor

    return Sheet(f"transactions-{party}", TRANSACTION_HEADINGS, pages())


HOLDING_HEADINGS = ("account", "kind", "cooperative_approach", "vintage", "state", "quantity")
BLOCK_HEADINGS = (
    "account",
    "block",
    "registry",
    "first",
    "last",
    "quantity",
    "cooperative_approach",
    "first_transferring_party",
    "vintage",
    "state",
    "first_transferred",
    "authorization",
    "mitigation_activity",
    "reserved_by",
)


def holdings(registry: Registry, actor: Actor, party: str, where: BlockFilter) -> Sheet:
    """Units held per account, cooperative approach, vintage and state (a short list: one
    row per combination, read at once)."""
    allow(actor, Permission.READ, party)

    def pages() -> Iterator[list[tuple[Cell, ...]]]:
        yield [
            (h.account, h.kind, h.cooperative_approach, h.vintage, h.state, h.quantity)
            for h in ledger.holdings(registry, actor, party, where)
        ]

    return Sheet(f"holdings-{party}", HOLDING_HEADINGS, pages())


def blocks(registry: Registry, actor: Actor, party: str, where: BlockFilter) -> Sheet:
    """Every unit block held in the section's accounts, in block order, page by page."""
    allow(actor, Permission.READ, party)

    def pages() -> Iterator[list[tuple[Cell, ...]]]:
        after: int | None = None
        while True:
            page = ledger.blocks(registry, actor, party, where, after, EXPORT_PAGE)
            yield [
                (
                    b.account,
                    b.identifier,
                    b.registry,
                    b.first,
                    b.last,
                    b.quantity,
                    b.cooperative_approach,
                    b.first_transferring_party,
                    b.vintage,
                    b.state,
                    "yes" if b.first_transferred else "no",
                    None
                    if b.authorization_id is None
                    else f"{b.authorization_id} v{b.authorization_version}",
                    b.mitigation_activity,
                    b.reserved_by,
                )
                for b in page.items
            ]
            if page.next_cursor is None:
                return
            after = page.next_cursor

    return Sheet(f"blocks-{party}", BLOCK_HEADINGS, pages())
