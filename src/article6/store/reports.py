"""The reports' repository: a consistent read-only transaction, paged reads, and the ledger the
AEF reads (a Party's moved ranges, its authorizations' versions, its authorized entities). The
frozen snapshots and submissions are in `store.aef_archive`; what account statements and
certificates read in `store.statement_ledger`, the public report in `store.public_ledger`.

Everything long is read in pages of `PAGE_SIZE` rows, by keyset pagination (`keyset`) or, for
the long ordered scans, from one streamed cursor (`stream`), so a report of any size never holds
all its rows. Reports read completed transactions and
their moved ranges, never the live blocks (the public report's current totals excepted).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Connection,
    Row,
    Select,
    and_,
    func,
    or_,
    select,
    tuple_,
)
from sqlalchemy.engine import Engine

from article6.domain.authorizations import Authorization
from article6.store.database import unit_of_work
from article6.store.entities import EntityApproval
from article6.store.records import to_authorization
from article6.store.schema import (
    accounts,
    authorizations,
    authorized_entities,
    entity_authorizations,
    parties,
    transaction_blocks,
    transactions,
)
from article6.store.sections import PARTIES_WITH_SECTIONS, PartyWithSection, with_section

PAGE_SIZE = 2000
COMPLETED = "completed"


@dataclass(frozen=True)
class ReportedEntity(EntityApproval):
    """An authorized entity as AEF Table 5 reports it: its approval for one cooperative
    approach, with the entity's registry identifier, name and identification."""

    identifier: str = field(kw_only=True)
    name: str = field(kw_only=True)
    country_of_incorporation: str = field(kw_only=True)
    identification_number: str = field(kw_only=True)


@contextmanager
def reading(engine: Engine) -> Iterator[Connection]:
    """A read-only transaction that sees one consistent state for the whole report
    (REPEATABLE READ on PostgreSQL; a deferred read transaction on SQLite's WAL)."""
    if engine.dialect.name == "postgresql":
        with (
            engine.connect().execution_options(
                isolation_level="REPEATABLE READ", postgresql_readonly=True
            ) as connection,
            connection.begin(),
        ):
            yield connection
        return
    with unit_of_work(engine, read_only=True) as connection:
        yield connection


def keyset(
    connection: Connection,
    query: Select[Any],
    keys: Sequence[ColumnElement[Any]],
    names: Sequence[str],
    size: int = PAGE_SIZE,
) -> Iterator[Row[Any]]:
    """Every row of `query` in `keys` order, fetched `size` at a time after the last key seen;
    `names` are the row attributes holding the key values."""
    last: tuple[Any, ...] | None = None
    while True:
        page = query.order_by(*keys).limit(size)
        if last is not None:
            page = page.where(
                keys[0] > last[0] if len(keys) == 1 else tuple_(*keys) > tuple_(*last)
            )
        rows = connection.execute(page).all()
        yield from rows
        if len(rows) < size:
            return
        last = tuple(getattr(rows[-1], name) for name in names)


def stream(
    connection: Connection,
    query: Select[Any],
    keys: Sequence[ColumnElement[Any]],
    size: int = PAGE_SIZE,
) -> Iterator[Row[Any]]:
    """Every row of `query` in `keys` order from one cursor read `size` rows at a time
    (server-side on PostgreSQL): one sort instead of one per page, for the long scans whose
    keyset pages the planners cannot seek (row-value comparisons, joins). Rows are taken a
    page at a time (`partitions`), which costs far less per row than fetching them one by one."""
    result = connection.execute(
        query.order_by(*keys), execution_options={"stream_results": True, "yield_per": size}
    )
    try:
        for page in result.partitions():
            yield from page
    finally:
        result.close()


def party(connection: Connection, code: str) -> PartyWithSection | None:
    """The Party a report is about, with its section's registry identifier."""
    row = connection.execute(PARTIES_WITH_SECTIONS.where(parties.c.code == code)).first()
    return None if row is None else with_section(row)


def party_account_ids(connection: Connection, code: str) -> set[int]:
    return set(
        connection.execute(select(accounts.c.id).where(accounts.c.party_code == code)).scalars()
    )


def _party_accounts(code: str) -> Select[Any]:
    return select(accounts.c.id).where(accounts.c.party_code == code)


def action_ranges(
    connection: Connection, code: str, start: datetime, end: datetime, columns: Sequence[str]
) -> Iterator[Row[Any]]:
    """Moved ranges of the transactions completed in [start, end) that the Party initiated or
    that brought units into its accounts, whichever registry they came from or went to (an
    acquisition from another registry has only a destination account here, an external
    transfer only a source account), in completion order: the named `columns` only (of the
    moved range, and `transaction` (identifier), `kind`, `cancellation_purpose`, `party_code`,
    `acquiring_party`, `transferring_party`, `ndc_year`, `purpose`, `finished_at`,
    `source_party`, `destination_party`, `using_entity`), in that order."""
    source = accounts.alias("source")
    destination = accounts.alias("destination")
    named: dict[str, ColumnElement[Any]] = {
        **{column.name: column for column in transaction_blocks.c},
        "transaction": transactions.c.identifier,
        "kind": transactions.c.kind,
        "cancellation_purpose": transactions.c.cancellation_purpose,
        "party_code": transactions.c.party_code,
        "acquiring_party": transactions.c.acquiring_party,
        "ndc_year": transactions.c.ndc_year,
        "purpose": transactions.c.purpose,
        "finished_at": transactions.c.finished_at,
        "source_party": source.c.party_code,
        # who sent the units: the source account's Party, or for an acquisition from another
        # registry (no source account here) the Party its proposal named
        "transferring_party": func.coalesce(transactions.c.transferring_party, source.c.party_code),
        "destination_party": destination.c.party_code,
        "using_entity": authorized_entities.c.identifier,
    }
    query = (
        select(*(named[name].label(name) for name in columns))
        .select_from(
            transaction_blocks.join(transactions)
            .outerjoin(source, source.c.id == transactions.c.source_account_id)
            .outerjoin(destination, destination.c.id == transactions.c.destination_account_id)
            .outerjoin(
                authorized_entities, authorized_entities.c.id == transactions.c.using_entity_id
            )
        )
        .where(
            and_(
                transactions.c.status == COMPLETED,
                transactions.c.finished_at >= start,
                transactions.c.finished_at < end,
                or_(transactions.c.party_code == code, destination.c.party_code == code),
            )
        )
    )
    return stream(connection, query, [transaction_blocks.c.id])


def moves_touching(
    connection: Connection, code: str, until: datetime, columns: Sequence[str]
) -> Iterator[Row[Any]]:
    """Every range moved, up to and including `until`, by a completed transaction into or out of
    one of the Party's accounts, ordered by serial then by completion (the order the holdings
    reconstruction sweeps in): the named `columns` (of the moved range, and
    `destination_account_id`), in that order."""
    mine = _party_accounts(code)
    named: dict[str, ColumnElement[Any]] = {
        **{column.name: column for column in transaction_blocks.c},
        "destination_account_id": transactions.c.destination_account_id,
    }
    query = (
        select(*(named[name].label(name) for name in columns))
        .select_from(transaction_blocks.join(transactions))
        .where(
            and_(
                transactions.c.status == COMPLETED,
                transactions.c.finished_at <= until,
                or_(
                    transactions.c.source_account_id.in_(mine),
                    transactions.c.destination_account_id.in_(mine),
                ),
            )
        )
    )
    keys = [
        transaction_blocks.c.registry_id,
        transaction_blocks.c.serial_first,
        transaction_blocks.c.id,
    ]
    return stream(connection, query, keys)


def authorization_versions(
    connection: Connection, code: str, until: date
) -> Iterator[Authorization]:
    """Every version of the Party's authorizations dated on or before `until`. A version is
    reported in the year of its date of authorization (each version carries its own date),
    not the year the registry recorded it: an authorization of 2024 recorded in 2026 is in the
    2024 AEF, as its entities are in Table 5."""
    query = select(authorizations).where(
        and_(
            authorizations.c.party_code == code,
            authorizations.c.date_of_authorization <= until,
        )
    )
    for row in keyset(connection, query, [authorizations.c.id], ["id"]):
        yield to_authorization(row)


def entity_records(connection: Connection, code: str, until: date) -> Iterator[ReportedEntity]:
    """The Party's authorized entities, one row per cooperative approach they are authorized
    for, authorized on or before `until`."""
    query = (
        select(
            authorized_entities.c.identifier,
            authorized_entities.c.name,
            authorized_entities.c.country_of_incorporation,
            authorized_entities.c.identification_number,
            entity_authorizations,
        )
        .select_from(authorized_entities.join(entity_authorizations))
        .where(
            and_(
                authorized_entities.c.party_code == code,
                entity_authorizations.c.date_of_authorization <= until,
            )
        )
    )
    keys = [authorized_entities.c.identifier, entity_authorizations.c.cooperative_approach_id]
    for row in keyset(connection, query, keys, ["identifier", "cooperative_approach_id"]):
        values = row._mapping
        yield ReportedEntity(**{f.name: values[f.name] for f in fields(ReportedEntity)})


def first_reportable(connection: Connection, code: str) -> datetime | date | None:
    """When the Party's AEF first has something to report: its earliest completed transaction
    (initiated by it or into its accounts) or its earliest authorization, whichever is first."""
    destination = accounts.alias("destination")
    moved = connection.execute(
        select(func.min(transactions.c.finished_at))
        .select_from(
            transactions.outerjoin(
                destination, destination.c.id == transactions.c.destination_account_id
            )
        )
        .where(
            and_(
                transactions.c.status == COMPLETED,
                or_(transactions.c.party_code == code, destination.c.party_code == code),
            )
        )
    ).scalar_one()
    authorized = connection.execute(
        select(func.min(authorizations.c.date_of_authorization)).where(
            authorizations.c.party_code == code
        )
    ).scalar_one()
    found = [value for value in (moved, authorized) if value is not None]
    return min(found, key=lambda value: (value.year, value.month, value.day)) if found else None
