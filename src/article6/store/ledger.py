"""The ledger's repository: unit blocks, holdings and transactions with their moved ranges.

Locking discipline (PostgreSQL): a command first locks the holdings rows of every account it
touches, in ascending account id, then works on those accounts' blocks. All block changes of an
account happen under its holdings lock, so block reads after it are stable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, and_, bindparam, func, or_, select, union_all, update

from article6.domain.accounts import UnitState
from article6.domain.blocks import (
    MAX_BLOCKS_PER_TRANSACTION,
    Portion,
    Side,
    UnitAttributes,
    UnitBlock,
    can_coalesce,
    piece,
    split_plan,
)
from article6.domain.nomenclature import Metric, MitigationType
from article6.store.schema import accounts, holdings, transaction_blocks, transactions, unit_blocks

ATTRIBUTE_COLUMNS = (
    "cooperative_approach_id",
    "first_transferring_party",
    "vintage",
    "metric",
    "gwp_values",
    "non_ghg_metric",
    "non_ghg_per_unit",
    "mitigation_type",
    "sector",
    "activity_type",
    "underlying_registry",
    "authorization_id",
    "authorization_version",
)


def to_block(row: Row[Any]) -> UnitBlock:
    attributes = UnitAttributes(
        cooperative_approach=row.cooperative_approach_id,
        registry=row.registry_id,
        first_transferring_party=row.first_transferring_party,
        vintage=row.vintage,
        metric=Metric(row.metric),
        mitigation_type=MitigationType(row.mitigation_type),
        sector=row.sector,
        activity_type=row.activity_type,
        mitigation_activity=row.mitigation_activity,
        gwp_values=row.gwp_values,
        non_ghg_metric=row.non_ghg_metric,
        non_ghg_per_unit=row.non_ghg_per_unit,
        underlying_registry=row.underlying_registry,
        authorization_id=row.authorization_id,
        authorization_version=row.authorization_version,
    )
    return UnitBlock(
        id=row.id,
        first=row.serial_first,
        last=row.serial_last,
        attributes=attributes,
        state=UnitState(row.state),
        account_id=row.account_id,
        first_transferred=row.first_transferred,
        underlying_first=row.underlying_first,
        reserved_by=row.reserved_by,
    )


def block_values(block: UnitBlock) -> dict[str, Any]:
    a = block.attributes
    return {
        "registry_id": a.registry,
        "serial_first": block.first,
        "serial_last": block.last,
        "cooperative_approach_id": a.cooperative_approach,
        "first_transferring_party": a.first_transferring_party,
        "vintage": a.vintage,
        "metric": a.metric.value,
        "gwp_values": a.gwp_values,
        "non_ghg_metric": a.non_ghg_metric,
        "non_ghg_per_unit": a.non_ghg_per_unit,
        "mitigation_type": a.mitigation_type.value,
        "sector": a.sector,
        "activity_type": a.activity_type,
        "mitigation_activity": a.mitigation_activity,
        "underlying_registry": a.underlying_registry,
        "underlying_first": block.underlying_first,
        "authorization_id": a.authorization_id,
        "authorization_version": a.authorization_version,
        "state": block.state.value,
        "first_transferred": block.first_transferred,
        "account_id": block.account_id,
        "reserved_by": block.reserved_by,
    }


_LOCK_HOLDINGS = (
    select(holdings.c.account_id, holdings.c.quantity, holdings.c.reserved)
    .where(holdings.c.account_id.in_(bindparam("ids", expanding=True)))
    .order_by(holdings.c.account_id)
    .with_for_update()
)
_CHANGE_HOLDING = (
    update(holdings)
    .where(holdings.c.account_id == bindparam("account"))
    .values(
        quantity=holdings.c.quantity + bindparam("add_quantity"),
        reserved=holdings.c.reserved + bindparam("add_reserved"),
    )
)


def lock_holdings(connection: Connection, account_ids: Iterable[int]) -> dict[int, Any]:
    """Lock the accounts' holdings rows in ascending id order and return them with the account."""
    rows = connection.execute(_LOCK_HOLDINGS, {"ids": sorted(set(account_ids))}).all()
    return {row.account_id: row for row in rows}


def change_holding(
    connection: Connection, account_id: int, quantity: int = 0, reserved: int = 0
) -> None:
    change_holdings(connection, [(account_id, quantity, reserved)])


def change_holdings(connection: Connection, changes: list[tuple[int, int, int]]) -> None:
    """Add (quantity, reserved) to several holdings in one round trip (already locked)."""
    connection.execute(
        _CHANGE_HOLDING,
        [
            {"account": account, "add_quantity": quantity, "add_reserved": reserved}
            for account, quantity, reserved in changes
        ],
    )


def _available(account_id: int, filters: dict[str, Any]) -> Any:
    query = select(unit_blocks).where(
        and_(unit_blocks.c.account_id == account_id, unit_blocks.c.reserved_by.is_(None))
    )
    for column, value in filters.items():
        if value is not None:
            query = query.where(unit_blocks.c[column] == value)
    return query


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


def _candidate_statements(filters: dict[str, Any]) -> tuple[tuple[Any, Any], dict[str, Any]]:
    """The two selection queries for this shape of filters, built once and reused, so that
    SQLAlchemy's compiled cache (and psycopg's prepared statements) serve every call."""
    shape = tuple(column for column, value in filters.items() if value is not None)
    params = {f"filter_{column}": filters[column] for column in shape}
    statements = _CANDIDATES.get(shape)
    if statements is None:
        base = select(unit_blocks).where(
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
    filters: dict[str, Any],
    destination_id: int | None = None,
) -> tuple[list[UnitBlock], dict[int, Side]]:
    """The few blocks that the split-minimising selection can choose among, without loading the
    whole account, and, for those that border a block of the destination, the end that borders.

    One query finds: the covering block (among the few smallest blocks of at least `wanted`
    units, one serial-adjacent to an unreserved block of the destination first, then the
    smallest, first by serial, which is an exact-size block when there is one), and the largest
    blocks bordering the destination (moved whole, each merges there and leaves the source one
    block fewer). Without a covering block the largest blocks follow.
    """
    (candidates, largest), params = _candidate_statements(filters)
    params["account_id"] = account_id
    found: dict[int, UnitBlock] = {}
    sides: dict[int, Side] = {}
    covered = False
    for row in connection.execute(
        candidates, {**params, "wanted": wanted, "destination_id": destination_id}
    ):
        block = found.setdefault(row.id, to_block(row))
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
    return list(found.values()), sides


def blocks_covering(
    connection: Connection,
    account_id: int,
    ranges: list[tuple[str, int, int]],
    filters: dict[str, Any],
) -> list[UnitBlock]:
    """The available blocks of the account that contain the start of each named range."""
    found: dict[int, UnitBlock] = {}
    for registry, first, _last in ranges:
        row = connection.execute(
            _available(account_id, filters).where(
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


def block_at(connection: Connection, registry: str | None, serial: int) -> Row[Any] | None:
    """The block holding a serial. Blocks of one registry never overlap, so it is the last block
    starting at or before the serial, if it reaches that far: one step down the unique index
    on (registry, first serial), however many blocks there are."""
    if registry is not None:
        row = connection.execute(
            _LAST_STARTING_AT_OR_BEFORE, {"registry": registry, "serial": serial}
        ).first()
        return row if row is not None and row.serial_last >= serial else None
    query = select(unit_blocks).where(
        and_(unit_blocks.c.serial_first <= serial, unit_blocks.c.serial_last >= serial)
    )
    return connection.execute(query.order_by(unit_blocks.c.registry_id).limit(1)).first()


_INSERT_BLOCK = unit_blocks.insert().returning(unit_blocks.c.id)
_BLOCK_BY_ID = unit_blocks.c.id == bindparam("block_id")
_UPDATE_BLOCK = update(unit_blocks).where(_BLOCK_BY_ID)
_DELETE_BLOCKS = unit_blocks.delete().where(
    unit_blocks.c.id.in_(bindparam("block_ids", expanding=True))
)
_CURRENT = select(unit_blocks).where(
    and_(
        unit_blocks.c.registry_id == bindparam("registry"),
        unit_blocks.c.serial_first <= bindparam("first"),
        unit_blocks.c.serial_last >= bindparam("last"),
        unit_blocks.c.account_id == bindparam("account"),
    )
)
_NEIGHBOURS = select(unit_blocks).where(
    and_(
        unit_blocks.c.registry_id == bindparam("registry"),
        or_(
            unit_blocks.c.serial_last == bindparam("before"),
            unit_blocks.c.serial_first == bindparam("after"),
        ),
    )
)


def insert_block(connection: Connection, block: UnitBlock) -> int:
    block_id: int = connection.execute(_INSERT_BLOCK, block_values(block)).scalar_one()
    return block_id


def _update_block(connection: Connection, block_id: int, **values: Any) -> None:
    connection.execute(_UPDATE_BLOCK, {"block_id": block_id, **values})


def _current(connection: Connection, portion: Portion) -> UnitBlock:
    """The block as it is now: an earlier portion of the same command may have split it."""
    block = portion.block
    row = connection.execute(
        _CURRENT,
        {
            "registry": block.attributes.registry,
            "first": portion.first,
            "last": portion.last,
            "account": block.account_id,
        },
    ).first()
    if row is None:
        raise LookupError(
            f"block {block.attributes.registry} [{portion.first}, {portion.last}] vanished"
        )
    return to_block(row)


def carve(connection: Connection, portion: Portion) -> UnitBlock:
    """Split the portion out of its block; the remainders stay where they are.

    The original row shrinks first and the new rows follow, so no two rows ever overlap, even
    for an instant (the exclusion constraint checks each statement).
    """
    block = _current(connection, portion)
    portion = Portion(block, portion.first, portion.last)
    if portion.whole:
        return block
    stays, (first, last) = split_plan(portion)
    _shrink(connection, block, stays)
    moving = piece(block, first, last)
    moving = replace(moving, id=insert_block(connection, moving))
    for extra_first, extra_last in stays[1:]:
        insert_block(connection, piece(block, extra_first, extra_last))
    return moving


def _shrink(connection: Connection, block: UnitBlock, stays: list[tuple[int, int]]) -> None:
    """Keep the first remainder in the block's own row and add a row for any second one."""
    keep_first, keep_last = stays[0]
    _update_block(
        connection,
        block.id,
        serial_first=keep_first,
        serial_last=keep_last,
        underlying_first=block.underlying_at(keep_first),
    )


def rewrite(connection: Connection, block: UnitBlock) -> None:
    """Store a block's new account, state, flags and authorization version."""
    _update_block(
        connection,
        block.id,
        account_id=block.account_id,
        state=block.state.value,
        first_transferred=block.first_transferred,
        reserved_by=block.reserved_by,
        authorization_id=block.attributes.authorization_id,
        authorization_version=block.attributes.authorization_version,
    )


def place(
    connection: Connection,
    portion: Portion,
    moved: UnitBlock,
    *,
    current: bool,
    merge: bool,
) -> None:
    """Carve `portion` out of its block and store it as `moved` (the same serials with their new
    account, state, flags or reservation), merged with identical neighbours when `merge`.

    The same end state as `carve`, `rewrite` and `coalesce` in a row, in fewer round trips:
    the neighbours are looked up once, before any write, and a piece that merges is never
    inserted. `current` says the portion's block was read under this command's holdings lock
    and no earlier portion of the command touched it, so it need not be read again. Writes
    shrink before they grow, so no two rows overlap even for an instant.
    """
    block = portion.block if current else _current(connection, portion)
    portion = Portion(block, portion.first, portion.last)
    left: UnitBlock | None = None
    right: UnitBlock | None = None
    if merge:
        rows = connection.execute(
            _NEIGHBOURS,
            {
                "registry": moved.attributes.registry,
                "before": portion.first - 1,
                "after": portion.last + 1,
            },
        )
        for row in rows:
            neighbour = to_block(row)
            if neighbour.last == portion.first - 1 and can_coalesce(neighbour, moved):
                left = neighbour
            elif neighbour.first == portion.last + 1 and can_coalesce(moved, neighbour):
                right = neighbour
    gone: list[int] = []
    if portion.whole:
        if left is None and right is None:
            rewrite(connection, replace(moved, id=block.id))
            return
        gone.append(block.id)
    else:
        stays, _moving = split_plan(portion)
        _shrink(connection, block, stays)
        for extra_first, extra_last in stays[1:]:
            insert_block(connection, piece(block, extra_first, extra_last))
        if left is None and right is None:
            insert_block(connection, moved)
            return
    if left is not None and right is not None:
        gone.append(right.id)
    if gone:
        connection.execute(_DELETE_BLOCKS, {"block_ids": gone})
    if left is not None:
        _update_block(
            connection, left.id, serial_last=right.last if right is not None else moved.last
        )
    elif right is not None:
        _update_block(
            connection,
            right.id,
            serial_first=moved.first,
            underlying_first=moved.underlying_first,
        )


def coalesce(connection: Connection, block: UnitBlock) -> UnitBlock:
    """Merge the block with identical neighbours in its account (fragmentation control)."""
    left_row = connection.execute(
        select(unit_blocks).where(
            and_(
                unit_blocks.c.registry_id == block.attributes.registry,
                unit_blocks.c.serial_last == block.first - 1,
            )
        )
    ).first()
    if left_row is not None and can_coalesce(to_block(left_row), block):
        left = to_block(left_row)
        connection.execute(unit_blocks.delete().where(unit_blocks.c.id == block.id))
        connection.execute(
            update(unit_blocks).where(unit_blocks.c.id == left.id).values(serial_last=block.last)
        )
        block = replace(left, last=block.last)
    right_row = connection.execute(
        select(unit_blocks).where(
            and_(
                unit_blocks.c.registry_id == block.attributes.registry,
                unit_blocks.c.serial_first == block.last + 1,
            )
        )
    ).first()
    if right_row is not None and can_coalesce(block, to_block(right_row)):
        right = to_block(right_row)
        connection.execute(unit_blocks.delete().where(unit_blocks.c.id == right.id))
        connection.execute(
            update(unit_blocks).where(unit_blocks.c.id == block.id).values(serial_last=right.last)
        )
        block = replace(block, last=right.last)
    return block


def reserved_blocks(connection: Connection, transaction_id: int) -> list[UnitBlock]:
    rows = connection.execute(
        select(unit_blocks)
        .where(unit_blocks.c.reserved_by == transaction_id)
        .order_by(unit_blocks.c.registry_id, unit_blocks.c.serial_first)
    )
    return [to_block(row) for row in rows]


_INSERT_TRANSACTION = transactions.insert().returning(transactions.c.id)
_UPDATE_TRANSACTION = update(transactions).where(transactions.c.id == bindparam("transaction"))
_INSERT_RANGES = transaction_blocks.insert()


def insert_transaction(connection: Connection, **values: Any) -> int:
    transaction_id: int = connection.execute(_INSERT_TRANSACTION, values).scalar_one()
    return transaction_id


def update_transaction(connection: Connection, transaction_id: int, **values: Any) -> None:
    connection.execute(_UPDATE_TRANSACTION, {"transaction": transaction_id, **values})


def transaction(connection: Connection, identifier: str, lock: bool = False) -> Row[Any] | None:
    query = select(transactions).where(transactions.c.identifier == identifier)
    if lock:
        query = query.with_for_update()
    return connection.execute(query).first()


def record_ranges(
    connection: Connection,
    transaction_id: int,
    moves: list[tuple[UnitBlock, UnitState | None, str | None]],
) -> list[dict[str, Any]]:
    """Append the moved ranges with the attributes they had: (block after, from state, subtype).

    Returns the rows written, so a receipt can be built without reading them back."""
    if not moves:
        return []
    rows = []
    for block, from_state, subtype in moves:
        values = block_values(block)
        rows.append(
            {
                "transaction_id": transaction_id,
                "registry_id": values["registry_id"],
                "serial_first": block.first,
                "serial_last": block.last,
                **{column: values[column] for column in ATTRIBUTE_COLUMNS},
                "underlying_first": block.underlying_first,
                "from_state": from_state.value if from_state else None,
                "to_state": block.state.value,
                "first_transfer_subtype": subtype,
            }
        )
    connection.execute(_INSERT_RANGES, rows)
    return rows


def moved_ranges(connection: Connection, transaction_id: int) -> list[Row[Any]]:
    return list(
        connection.execute(
            select(transaction_blocks)
            .where(transaction_blocks.c.transaction_id == transaction_id)
            .order_by(transaction_blocks.c.id)
        )
    )


def moved_ranges_of(connection: Connection, transaction_ids: Iterable[int]) -> dict[int, list[Any]]:
    """The moved ranges of several transactions in one query, by transaction id."""
    found: dict[int, list[Any]] = {}
    wanted = sorted(set(transaction_ids))
    if not wanted:
        return found
    for row in connection.execute(
        select(transaction_blocks)
        .where(transaction_blocks.c.transaction_id.in_(wanted))
        .order_by(transaction_blocks.c.id)
    ):
        found.setdefault(row.transaction_id, []).append(row)
    return found


def account_total(connection: Connection, account_id: int, filters: dict[str, Any]) -> int:
    total = connection.execute(
        _available(account_id, filters).with_only_columns(
            func.coalesce(func.sum(unit_blocks.c.serial_last - unit_blocks.c.serial_first + 1), 0)
        )
    ).scalar_one()
    return int(total)


def expired_pending(connection: Connection, now: datetime) -> list[str]:
    return list(
        connection.execute(
            select(transactions.c.identifier)
            .where(
                and_(transactions.c.status == "awaiting_approval", transactions.c.expires_at < now)
            )
            .order_by(transactions.c.id)
        ).scalars()
    )


def account_rows(connection: Connection, ids: Iterable[int]) -> dict[int, Any]:
    return {
        row.id: row
        for row in connection.execute(select(accounts).where(accounts.c.id.in_(sorted(set(ids)))))
    }
