"""The marks on unit ranges, as typed records: written by the secretariat's commands, read by
every movement (the overlap query), the units' history, the holdings view and the listing."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, and_, exists, func, insert, select, update

from article6.domain.unit_marks import MarkSource, UnitMark
from article6.store.database import aware
from article6.store.schema import accounts, unit_blocks, unit_marks


def to_mark(row: Any) -> UnitMark:
    return UnitMark(
        id=int(row.id),
        registry=row.registry_id,
        first=int(row.serial_first),
        last=int(row.serial_last),
        inconsistency_code=row.inconsistency_code,
        reason=row.reason,
        source=MarkSource(row.source),
        marked_by=row.marked_by,
        marked_at=aware(row.marked_at),
        lifted_by=row.lifted_by,
        lifted_at=aware(row.lifted_at),
        lift_reason=row.lift_reason,
    )


def insert_mark(
    connection: Connection,
    registry: str,
    first: int,
    last: int,
    code: str,
    reason: str,
    source: MarkSource,
    by: str,
    at: datetime,
) -> UnitMark:
    values = {
        "registry_id": registry,
        "serial_first": first,
        "serial_last": last,
        "inconsistency_code": code,
        "reason": reason,
        "source": source.value,
        "marked_by": by,
        "marked_at": at,
    }
    identifier = connection.execute(insert(unit_marks).values(**values)).inserted_primary_key
    if identifier is None:
        raise RuntimeError("the database gave the new mark no id")
    return UnitMark(
        id=int(identifier[0]),
        registry=registry,
        first=first,
        last=last,
        inconsistency_code=code,
        reason=reason,
        source=source,
        marked_by=by,
        marked_at=at,
    )


def mark(connection: Connection, mark_id: int, lock: bool = False) -> UnitMark | None:
    query = select(unit_marks).where(unit_marks.c.id == mark_id)
    if lock:
        query = query.with_for_update()
    row = connection.execute(query).first()
    return to_mark(row) if row is not None else None


def lift(connection: Connection, mark_id: int, by: str, at: datetime, reason: str) -> None:
    connection.execute(
        update(unit_marks)
        .where(and_(unit_marks.c.id == mark_id, unit_marks.c.lifted_at.is_(None)))
        .values(lifted_by=by, lifted_at=at, lift_reason=reason)
    )


def _overlapping(registry: str, first: int, last: int) -> Any:
    """Marks of one originating registry touching `first`-`last`: a range scan of the index on
    (registry, first serial) up to `last`."""
    return and_(
        unit_marks.c.registry_id == registry,
        unit_marks.c.serial_first <= last,
        unit_marks.c.serial_last >= first,
    )


def active_over(connection: Connection, ranges: Sequence[tuple[str, int, int]]) -> list[UnitMark]:
    """The marks in force touching any of the ranges: one query per originating registry, over
    the span from the lowest first to the highest last serial (marks are few; the exact
    overlap is then the domain's)."""
    spans: dict[str, tuple[int, int]] = {}
    for registry, first, last in ranges:
        low, high = spans.get(registry, (first, last))
        spans[registry] = (min(low, first), max(high, last))
    found: list[UnitMark] = []
    for registry, (first, last) in sorted(spans.items()):
        rows = connection.execute(
            select(unit_marks)
            .where(and_(_overlapping(registry, first, last), unit_marks.c.lifted_at.is_(None)))
            .order_by(unit_marks.c.serial_first, unit_marks.c.id)
        )
        found.extend(mark for mark in map(to_mark, rows) if any(mark.overlaps(*r) for r in ranges))
    return found


def over(connection: Connection, registry: str, first: int, last: int) -> list[UnitMark]:
    """Every mark, in force or lifted, that touched these units: their history."""
    rows = connection.execute(
        select(unit_marks)
        .where(_overlapping(registry, first, last))
        .order_by(unit_marks.c.marked_at, unit_marks.c.id)
    )
    return [to_mark(row) for row in rows]


MarkScope = tuple[str, str | None] | None
"""Whose holdings a reader sees marks over: None for the whole registry, else (Party, entity
or None)."""


def listing(
    connection: Connection,
    scope: MarkScope,
    after_id: int = 0,
    limit: int = 100,
    active: bool | None = None,
) -> list[UnitMark]:
    """Marks by id, keyset-paginated; for a Party section (or an entity) only the marks touching
    units held in its accounts."""
    query = select(unit_marks).where(unit_marks.c.id > after_id)
    if active is not None:
        query = query.where(
            unit_marks.c.lifted_at.is_(None) if active else unit_marks.c.lifted_at.is_not(None)
        )
    if scope is not None:
        party, entity = scope
        conditions = [
            accounts.c.party_code == party,
            unit_blocks.c.registry_id == unit_marks.c.registry_id,
            unit_blocks.c.serial_first <= unit_marks.c.serial_last,
            unit_blocks.c.serial_last >= unit_marks.c.serial_first,
        ]
        if entity is not None:
            conditions.append(accounts.c.holder == entity)
        held = (
            select(unit_blocks.c.id)
            .join(accounts, accounts.c.id == unit_blocks.c.account_id)
            .where(and_(*conditions))
        )
        query = query.where(exists(held))
    rows = connection.execute(query.order_by(unit_marks.c.id).limit(limit))
    return [to_mark(row) for row in rows]


def count_active(connection: Connection) -> int:
    return int(
        connection.execute(
            select(func.count()).select_from(unit_marks).where(unit_marks.c.lifted_at.is_(None))
        ).scalar_one()
    )
