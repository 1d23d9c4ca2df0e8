"""The reports' repository: the ledger read for the AEF, statements, certificates and the public
report, and the frozen snapshots and submissions.

Everything long is read in pages of `PAGE_SIZE` rows, by keyset pagination (`keyset`) or, for
the long ordered scans, from one streamed cursor (`stream`), so a report of any size never holds
all its rows. Reports read completed transactions and
their moved ranges, never the live blocks (the public report's current totals excepted).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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

from article6.store.database import unit_of_work
from article6.store.reports_schema import (
    aef_submission_rows,
    aef_submissions,
    holdings_snapshot_rows,
    holdings_snapshots,
)
from article6.store.schema import (
    accounts,
    authorizations,
    authorized_entities,
    entity_authorizations,
    parties,
    party_sections,
    transaction_blocks,
    transactions,
    unit_blocks,
)

PAGE_SIZE = 2000
COMPLETED = "completed"


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


def party(connection: Connection, code: str) -> Row[Any] | None:
    return connection.execute(
        select(parties, party_sections.c.registry_id)
        .select_from(parties.outerjoin(party_sections))
        .where(parties.c.code == code)
    ).first()


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
    that brought units into its accounts, in completion order: the named `columns` only (of the
    moved range, and `transaction` (identifier), `kind`, `cancellation_purpose`, `party_code`,
    `acquiring_party`, `ndc_year`, `purpose`, `finished_at`, `source_party`,
    `destination_party`, `using_entity`), in that order."""
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


def snapshot(connection: Connection, code: str, year: int) -> Row[Any] | None:
    return connection.execute(
        select(holdings_snapshots).where(
            and_(holdings_snapshots.c.party_code == code, holdings_snapshots.c.year == year)
        )
    ).first()


def insert_snapshot(connection: Connection, **values: Any) -> None:
    connection.execute(holdings_snapshots.insert().values(**values))


def insert_snapshot_rows(connection: Connection, rows: list[dict[str, Any]]) -> None:
    if rows:
        connection.execute(holdings_snapshot_rows.insert(), rows)


def snapshot_rows(connection: Connection, code: str, year: int) -> Iterator[Row[Any]]:
    query = select(holdings_snapshot_rows).where(
        and_(holdings_snapshot_rows.c.party_code == code, holdings_snapshot_rows.c.year == year)
    )
    return stream(connection, query, [holdings_snapshot_rows.c.id])


def authorization_versions(
    connection: Connection, code: str, until: datetime
) -> Iterator[Row[Any]]:
    """Every version of the Party's authorizations recorded by `until`."""
    query = select(authorizations).where(
        and_(authorizations.c.party_code == code, authorizations.c.recorded_at <= until)
    )
    return keyset(connection, query, [authorizations.c.id], ["id"])


def entity_records(connection: Connection, code: str, until: date) -> Iterator[Row[Any]]:
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
    return keyset(connection, query, keys, ["identifier", "cooperative_approach_id"])


def submissions(connection: Connection, code: str, year: int) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(aef_submissions)
            .where(and_(aef_submissions.c.party_code == code, aef_submissions.c.year == year))
            .order_by(aef_submissions.c.major, aef_submissions.c.minor)
        )
    )


def insert_submission(connection: Connection, **values: Any) -> int:
    submission_id: int = connection.execute(
        aef_submissions.insert().values(**values).returning(aef_submissions.c.id)
    ).scalar_one()
    return submission_id


def insert_submission_rows(
    connection: Connection, key: tuple[str, int, str], table: int, rows: list[tuple[int, str]]
) -> None:
    """Store rows (number, JSON cells) of one table of the submission `key` (Party, year,
    version)."""
    code, year, version = key
    if rows:
        connection.execute(
            aef_submission_rows.insert(),
            [
                {
                    "party_code": code,
                    "year": year,
                    "version": version,
                    "table_number": table,
                    "row_number": number,
                    "cells": cells,
                }
                for number, cells in rows
            ],
        )


def submission_rows(
    connection: Connection, key: tuple[str, int, str], table: int
) -> Iterator[list[Any]]:
    code, year, version = key
    query = select(aef_submission_rows.c.row_number, aef_submission_rows.c.cells).where(
        and_(
            aef_submission_rows.c.party_code == code,
            aef_submission_rows.c.year == year,
            aef_submission_rows.c.version == version,
            aef_submission_rows.c.table_number == table,
        )
    )
    for row in stream(connection, query, [aef_submission_rows.c.row_number]):
        cells: list[Any] = json.loads(row.cells)
        yield cells


def account(connection: Connection, identifier: str) -> Row[Any] | None:
    return connection.execute(
        select(accounts, authorized_entities.c.name.label("entity_name"))
        .select_from(accounts.outerjoin(authorized_entities))
        .where(accounts.c.identifier == identifier)
    ).first()


def balance_at(connection: Connection, account_id: int, moment: datetime) -> int:
    """Units in the account just after `moment`: what completed transactions brought in minus
    what they took out (the moved ranges, not the live blocks)."""
    size = transaction_blocks.c.serial_last - transaction_blocks.c.serial_first + 1

    def total(column: Any) -> int:
        value = connection.execute(
            select(func.coalesce(func.sum(size), 0))
            .select_from(transaction_blocks.join(transactions))
            .where(
                and_(
                    column == account_id,
                    transactions.c.status == COMPLETED,
                    transactions.c.finished_at <= moment,
                )
            )
        ).scalar_one()
        return int(value)

    return total(transactions.c.destination_account_id) - total(transactions.c.source_account_id)


def account_movements(
    connection: Connection, account_id: int, start: datetime, end: datetime
) -> Iterator[Row[Any]]:
    """The moved ranges into or out of the account completed in (start, end], in completion
    order, with the transaction and the counterpart account."""
    source = accounts.alias("source")
    destination = accounts.alias("destination")
    query = (
        select(
            transaction_blocks,
            transactions.c.identifier.label("transaction"),
            transactions.c.kind,
            transactions.c.cancellation_purpose,
            transactions.c.finished_at,
            transactions.c.source_account_id,
            transactions.c.destination_account_id,
            source.c.identifier.label("source_account"),
            destination.c.identifier.label("destination_account"),
        )
        .select_from(
            transaction_blocks.join(transactions)
            .outerjoin(source, source.c.id == transactions.c.source_account_id)
            .outerjoin(destination, destination.c.id == transactions.c.destination_account_id)
        )
        .where(
            and_(
                transactions.c.status == COMPLETED,
                transactions.c.finished_at > start,
                transactions.c.finished_at <= end,
                or_(
                    transactions.c.source_account_id == account_id,
                    transactions.c.destination_account_id == account_id,
                ),
            )
        )
    )
    return keyset(connection, query, [transaction_blocks.c.id], ["id"])


def transaction(connection: Connection, identifier: str) -> Row[Any] | None:
    source = accounts.alias("source")
    return connection.execute(
        select(
            transactions,
            source.c.identifier.label("source_account"),
            source.c.holder.label("source_holder"),
            authorized_entities.c.identifier.label("using_entity"),
            authorized_entities.c.name.label("using_entity_name"),
        )
        .select_from(
            transactions.outerjoin(
                source, source.c.id == transactions.c.source_account_id
            ).outerjoin(
                authorized_entities, authorized_entities.c.id == transactions.c.using_entity_id
            )
        )
        .where(transactions.c.identifier == identifier)
    ).first()


def transaction_ranges(connection: Connection, transaction_id: int) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(transaction_blocks)
            .where(transaction_blocks.c.transaction_id == transaction_id)
            .order_by(transaction_blocks.c.registry_id, transaction_blocks.c.serial_first)
        )
    )


def first_transfer_summary(connection: Connection, code: str) -> list[Row[Any]]:
    """The Party's first transfers: per transaction, cooperative approach, authorization,
    vintage and subtype, the quantity first transferred (no accounts, no entities)."""
    size = transaction_blocks.c.serial_last - transaction_blocks.c.serial_first + 1
    return list(
        connection.execute(
            select(
                transactions.c.identifier,
                transactions.c.finished_at,
                transactions.c.acquiring_party,
                transaction_blocks.c.cooperative_approach_id,
                transaction_blocks.c.authorization_id,
                transaction_blocks.c.vintage,
                transaction_blocks.c.first_transfer_subtype,
                func.sum(size).label("quantity"),
            )
            .select_from(transaction_blocks.join(transactions))
            .where(
                and_(
                    transactions.c.status == COMPLETED,
                    transaction_blocks.c.first_transferring_party == code,
                    transaction_blocks.c.first_transfer_subtype.is_not(None),
                )
            )
            .group_by(
                transactions.c.id,
                transactions.c.identifier,
                transactions.c.finished_at,
                transactions.c.acquiring_party,
                transaction_blocks.c.cooperative_approach_id,
                transaction_blocks.c.authorization_id,
                transaction_blocks.c.vintage,
                transaction_blocks.c.first_transfer_subtype,
            )
            .order_by(transactions.c.id, transaction_blocks.c.vintage)
            .limit(10_000)
        )
    )


def holdings_totals(connection: Connection, code: str) -> list[Row[Any]]:
    """Units now in the Party's accounts, per cooperative approach, vintage and state."""
    size = unit_blocks.c.serial_last - unit_blocks.c.serial_first + 1
    return list(
        connection.execute(
            select(
                unit_blocks.c.cooperative_approach_id,
                unit_blocks.c.vintage,
                unit_blocks.c.state,
                func.sum(size).label("quantity"),
            )
            .select_from(unit_blocks.join(accounts))
            .where(accounts.c.party_code == code)
            .group_by(
                unit_blocks.c.cooperative_approach_id, unit_blocks.c.vintage, unit_blocks.c.state
            )
            .order_by(
                unit_blocks.c.cooperative_approach_id, unit_blocks.c.vintage, unit_blocks.c.state
            )
        )
    )


def current_authorizations(connection: Connection, code: str) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(authorizations)
            .where(authorizations.c.party_code == code)
            .order_by(authorizations.c.authorization_id, authorizations.c.version)
            .limit(10_000)
        )
    )
