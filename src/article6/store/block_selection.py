"""Choosing blocks: the few candidates for a quantity (so a transfer never loads the whole
account), the blocks covering named ranges, an account's available and reserved totals, the
block holding a serial. Reads of an account's blocks are stable under its holdings lock
(`store.holdings`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import Connection, and_, bindparam, exists, func, or_, select, union_all

from article6.domain.blocks import MAX_BLOCKS_PER_TRANSACTION, Side, UnitBlock
from article6.store import batches
from article6.store.block_rows import to_block
from article6.store.schema import unit_blocks, unit_marks


@dataclass(frozen=True)
class UnitCriteria:
    """What the units a movement takes must be, where it says: of this cooperative approach,
    vintage or authorization (`None`: any)."""

    cooperative_approach_id: str | None = None
    vintage: int | None = None
    authorization_id: str | None = None

    def columns(self) -> dict[str, str | int]:
        """The block columns to match, with the values they must hold."""
        return {name: value for name, value in asdict(self).items() if value is not None}


def _available(account_id: int, criteria: UnitCriteria) -> Any:
    query = select(unit_blocks).where(
        and_(unit_blocks.c.account_id == account_id, unit_blocks.c.reserved_by.is_(None))
    )
    for column, value in criteria.columns().items():
        query = query.where(unit_blocks.c[column] == value)
    return query


_MARKED = (
    exists()
    .where(
        and_(
            unit_marks.c.registry_id == unit_blocks.c.registry_id,
            unit_marks.c.serial_first <= unit_blocks.c.serial_last,
            unit_marks.c.serial_last >= unit_blocks.c.serial_first,
            unit_marks.c.lifted_at.is_(None),
        )
    )
    .label("marked")
)
"""A mark in force touches the block: when none touches a candidate, no mark touches what is
chosen from them, and the marks need no read of their own (C2010)."""
_CANDIDATES: dict[tuple[str, ...], tuple[Any, Any]] = {}
ADJACENT_LOOKAHEAD = 32
"""How many of the smallest covering blocks are looked at for one that borders the destination."""
BORDERING_LIMIT = 64
"""How many blocks bordering the destination are offered to move whole (largest first)."""


def _bordering(neighbour: Any, block: Any) -> Any:
    """`neighbour` is an unreserved block of the destination serial-adjacent to `block`."""
    return and_(
        neighbour.c.registry_id == block.c.registry_id,
        neighbour.c.account_id == bindparam("destination_id"),
        neighbour.c.reserved_by.is_(None),
        or_(
            neighbour.c.serial_last == block.c.serial_first - 1,
            neighbour.c.serial_first == block.c.serial_last + 1,
        ),
    )


def _candidate_statements(criteria: UnitCriteria) -> tuple[tuple[Any, Any], dict[str, Any]]:
    """The two selection queries for this shape of filters, built once and reused, so that
    SQLAlchemy's compiled cache (and psycopg's prepared statements) serve every call."""
    columns = criteria.columns()
    shape = tuple(columns)
    params: dict[str, Any] = {f"filter_{column}": columns[column] for column in shape}
    statements = _CANDIDATES.get(shape)
    if statements is None:
        base = select(unit_blocks, _MARKED).where(
            and_(
                unit_blocks.c.account_id == bindparam("account_id"),
                unit_blocks.c.reserved_by.is_(None),
            )
        )
        for column in shape:
            base = base.where(unit_blocks.c[column] == bindparam(f"filter_{column}"))
        size = unit_blocks.c.serial_last - unit_blocks.c.serial_first + 1
        covering = (
            base.where(size >= bindparam("wanted"))
            .order_by(size, unit_blocks.c.serial_first)
            .limit(ADJACENT_LOOKAHEAD)
            .subquery("covering")
        )
        neighbour = unit_blocks.alias("neighbour")
        smallest_covering = (
            select(
                covering,
                neighbour.c.serial_first.label("neighbour_first"),
                neighbour.c.serial_last.label("neighbour_last"),
            )
            .select_from(covering.outerjoin(neighbour, _bordering(neighbour, covering)))
            .order_by(
                neighbour.c.id.is_(None),
                covering.c.serial_last - covering.c.serial_first,
                covering.c.serial_first,
            )
            .limit(1)
            .subquery("smallest_covering")
        )
        bordered = unit_blocks.alias("bordered")
        bordering = (
            base.add_columns(
                bordered.c.serial_first.label("neighbour_first"),
                bordered.c.serial_last.label("neighbour_last"),
            )
            .join(bordered, _bordering(bordered, unit_blocks))
            .order_by(size.desc(), unit_blocks.c.serial_first)
            .limit(BORDERING_LIMIT)
            .subquery("bordering")
        )
        candidates = union_all(select(smallest_covering), select(bordering))
        largest = base.order_by(size.desc(), unit_blocks.c.serial_first).limit(
            MAX_BLOCKS_PER_TRANSACTION + 1
        )
        statements = _CANDIDATES[shape] = (candidates, largest)
    return statements, params


def candidates_for_quantity(
    connection: Connection,
    account_id: int,
    wanted: int,
    criteria: UnitCriteria,
    destination_id: int | None = None,
) -> tuple[list[UnitBlock], dict[int, Side], set[int]]:
    """The few blocks that the split-minimising selection can choose among, without loading the
    whole account, and, for those that border a block of the destination, the end that borders.

    One query finds: the covering block (among the few smallest blocks of at least `wanted`
    units, one serial-adjacent to an unreserved block of the destination first, then the
    smallest, first by serial, which is an exact-size block when there is one), and the largest
    blocks bordering the destination (moved whole, each merges there and leaves the source one
    block fewer). Without a covering block the largest blocks follow. Last, the ids of those a
    mark in force touches (C2010: only then are the marks read).
    """
    (either, largest), params = _candidate_statements(criteria)
    params["account_id"] = account_id
    found: dict[int, UnitBlock] = {}
    sides: dict[int, Side] = {}
    marked: set[int] = set()
    covered = False
    # Through `batches` (PostgreSQL: compiled once, straight to the driver): read at every
    # transfer by quantity.
    for row in batches.read_later(
        connection, either, {**params, "wanted": wanted, "destination_id": destination_id}
    ).all():
        block = found.setdefault(row.id, to_block(row))
        if row.marked:
            marked.add(row.id)
        covered = covered or block.quantity >= wanted
        if row.neighbour_last is not None and row.neighbour_last == block.first - 1:
            sides.setdefault(block.id, "lower")
        elif row.neighbour_first is not None:
            sides.setdefault(block.id, "upper")
    if not covered:
        total = sum(block.quantity for block in found.values())
        for row in connection.execute(largest, params):
            if total >= wanted:
                break
            if row.id not in found:
                found[row.id] = to_block(row)
                total += found[row.id].quantity
                if row.marked:
                    marked.add(row.id)
    return list(found.values()), sides, marked


def blocks_covering(
    connection: Connection,
    account_id: int,
    ranges: list[tuple[str, int, int]],
    criteria: UnitCriteria,
) -> list[UnitBlock]:
    """The available blocks of the account that contain the start of each named range."""
    found: dict[int, UnitBlock] = {}
    for registry, first, _last in ranges:
        row = connection.execute(
            _available(account_id, criteria).where(
                and_(
                    unit_blocks.c.registry_id == registry,
                    unit_blocks.c.serial_first <= first,
                    unit_blocks.c.serial_last >= first,
                )
            )
        ).first()
        if row is not None:
            found[row.id] = to_block(row)
    return list(found.values())


_LAST_STARTING_AT_OR_BEFORE = (
    select(unit_blocks)
    .where(
        and_(
            unit_blocks.c.registry_id == bindparam("registry"),
            unit_blocks.c.serial_first <= bindparam("serial"),
        )
    )
    .order_by(unit_blocks.c.serial_first.desc())
    .limit(1)
)


def block_at(connection: Connection, registry: str | None, serial: int) -> UnitBlock | None:
    """The block holding a serial. Blocks of one registry never overlap, so it is the last block
    starting at or before the serial, if it reaches that far: one step down the unique index
    on (registry, first serial), however many blocks there are."""
    if registry is not None:
        row = connection.execute(
            _LAST_STARTING_AT_OR_BEFORE, {"registry": registry, "serial": serial}
        ).first()
        return to_block(row) if row is not None and row.serial_last >= serial else None
    query = select(unit_blocks).where(
        and_(unit_blocks.c.serial_first <= serial, unit_blocks.c.serial_last >= serial)
    )
    row = connection.execute(query.order_by(unit_blocks.c.registry_id).limit(1)).first()
    return to_block(row) if row is not None else None


MARK_AVOIDING_LIMIT = 5000
"""How many of an account's largest blocks a quantity looks through for unmarked units."""


def largest_available(
    connection: Connection, account_id: int, criteria: UnitCriteria
) -> list[UnitBlock]:
    """The account's available blocks, largest first (a bounded number): where a quantity
    looks for units no mark touches."""
    size = unit_blocks.c.serial_last - unit_blocks.c.serial_first + 1
    rows = connection.execute(
        _available(account_id, criteria)
        .order_by(size.desc(), unit_blocks.c.serial_first)
        .limit(MARK_AVOIDING_LIMIT)
    )
    return [to_block(row) for row in rows]


def account_total(connection: Connection, account_id: int, criteria: UnitCriteria) -> int:
    total = connection.execute(
        _available(account_id, criteria).with_only_columns(
            func.coalesce(func.sum(unit_blocks.c.serial_last - unit_blocks.c.serial_first + 1), 0)
        )
    ).scalar_one()
    return int(total)


def reserved_total(connection: Connection, account_id: int, criteria: UnitCriteria) -> int:
    """The units of the account that pending transactions reserved (why too few are free)."""
    query = select(
        func.coalesce(func.sum(unit_blocks.c.serial_last - unit_blocks.c.serial_first + 1), 0)
    ).where(and_(unit_blocks.c.account_id == account_id, unit_blocks.c.reserved_by.is_not(None)))
    for column, value in criteria.columns().items():
        query = query.where(unit_blocks.c[column] == value)
    return int(connection.execute(query).scalar_one())
