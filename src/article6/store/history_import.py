"""What an imported history is judged against and what it raises: units already held or
recorded here, the Party section's first live action, the years already reported, and the
serial counters a section must move past the imported units (docs/history-import.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, and_, func, or_, select, update

from article6.domain.transactions import TransactionKind
from article6.store.reports_schema import aef_submissions, holdings_snapshots
from article6.store.schema import (
    accounts,
    party_sections,
    transaction_blocks,
    transactions,
    unit_blocks,
)

HISTORY_IMPORT = TransactionKind.HISTORY_IMPORT.value


@dataclass(frozen=True)
class HeldHere:
    """A block of this registry that shares units with an imported range."""

    party_code: str
    account: str
    registry_id: str
    serial_first: int
    serial_last: int


def held_here(
    connection: Connection, registry_id: str, first: int, last: int, limit: int | None = 5
) -> list[HeldHere]:
    """Blocks of `registry_id` overlapping serials `first`-`last`, with their account's Party,
    by serial (the first `limit`)."""
    rows = connection.execute(
        select(
            accounts.c.party_code,
            accounts.c.identifier,
            unit_blocks.c.registry_id,
            unit_blocks.c.serial_first,
            unit_blocks.c.serial_last,
        )
        .select_from(unit_blocks.join(accounts, accounts.c.id == unit_blocks.c.account_id))
        .where(
            and_(
                unit_blocks.c.registry_id == registry_id,
                unit_blocks.c.serial_first <= last,
                unit_blocks.c.serial_last >= first,
            )
        )
        .order_by(unit_blocks.c.serial_first)
        .limit(limit)
    )
    return [HeldHere(*row) for row in rows]


def recorded_spans(
    connection: Connection, registry_id: str, first: int, last: int
) -> list[tuple[int, int]]:
    """The serials of `registry_id` between `first` and `last` that this registry's history
    already names, as disjoint spans in order (the moved ranges merged)."""
    rows = connection.execute(
        select(transaction_blocks.c.serial_first, transaction_blocks.c.serial_last)
        .where(
            and_(
                transaction_blocks.c.registry_id == registry_id,
                transaction_blocks.c.serial_first <= last,
                transaction_blocks.c.serial_last >= first,
            )
        )
        .order_by(transaction_blocks.c.serial_first)
    )
    spans: list[tuple[int, int]] = []
    for low, high in rows:
        if spans and low <= spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], max(spans[-1][1], high))
        else:
            spans.append((low, high))
    return spans


def first_live_action(connection: Connection, party: str) -> datetime | None:
    """When the Party section's first transaction was created (initiated by it or into its
    accounts), imported history aside."""
    destination = accounts.alias("destination")
    found: datetime | None = connection.execute(
        select(func.min(transactions.c.created_at))
        .select_from(
            transactions.outerjoin(
                destination, destination.c.id == transactions.c.destination_account_id
            )
        )
        .where(
            and_(
                transactions.c.kind != HISTORY_IMPORT,
                or_(transactions.c.party_code == party, destination.c.party_code == party),
            )
        )
    ).scalar_one()
    return found


def imported_before(connection: Connection, party: str) -> str | None:
    """The identifier of the Party's earlier history import, if any."""
    found: str | None = connection.execute(
        select(transactions.c.identifier)
        .where(and_(transactions.c.party_code == party, transactions.c.kind == HISTORY_IMPORT))
        .limit(1)
    ).scalar_one_or_none()
    return found


def reported_years(connection: Connection, party: str) -> set[int]:
    """Years with a submitted (or imported) AEF version or a frozen holdings snapshot."""
    submitted = connection.execute(
        select(aef_submissions.c.year).where(aef_submissions.c.party_code == party)
    ).scalars()
    frozen = connection.execute(
        select(holdings_snapshots.c.year).where(holdings_snapshots.c.party_code == party)
    ).scalars()
    return {*submitted, *frozen}


def section_of_registry(connection: Connection, registry_id: str) -> str | None:
    """The Party whose section is the registry `registry_id` here, if any."""
    found: str | None = connection.execute(
        select(party_sections.c.party_code).where(party_sections.c.registry_id == registry_id)
    ).scalar_one_or_none()
    return found


def move_serials_past(connection: Connection, registry_id: str, last: int) -> None:
    """A section issues no serial an imported range holds: its next serial follows them."""
    connection.execute(
        update(party_sections)
        .where(
            and_(
                party_sections.c.registry_id == registry_id,
                party_sections.c.next_serial <= last,
            )
        )
        .values(next_serial=last + 1)
    )
