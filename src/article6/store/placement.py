"""Writing blocks: carve a portion out of its block, place it in its new account, state or
reservation, coalesce identical neighbours (fragmentation control), and read back the blocks a
pending transaction reserved. Writes shrink before they grow, so the serial ranges of a registry
never overlap, even for an instant."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import Connection, and_, bindparam, or_, select, update

from article6.domain.blocks import Portion, UnitBlock, can_coalesce, piece, split_plan
from article6.store import batches
from article6.store.block_rows import block_values, to_block
from article6.store.schema import unit_blocks

_INSERT_BLOCK = unit_blocks.insert().returning(unit_blocks.c.id)
_ADD_BLOCK = unit_blocks.insert().inline()  # no implicit RETURNING: nothing waits for it
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


def _add_block(connection: Connection, block: UnitBlock) -> None:
    """Insert a block whose id nothing reads, with the command's next round trip."""
    batches.later(connection, _ADD_BLOCK, block_values(block))


def _update_block(connection: Connection, block_id: int, **values: Any) -> None:
    batches.later(connection, _UPDATE_BLOCK, {"block_id": block_id, **values})


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


class Neighbours:
    """The blocks serial-adjacent to a portion, read ahead with another statement (`place`)."""

    def __init__(self, answer: batches.Answer, serials: tuple[str, int, int]) -> None:
        self._answer = answer
        self.serials = serials

    def blocks(self) -> list[UnitBlock]:
        return [to_block(row) for row in self._answer.all()]


def neighbours_later(connection: Connection, portion: Portion) -> Neighbours:
    """The portion's neighbours, sent with the command's next statement: valid for `place` of
    that portion while no other write of the command has touched its serials' surroundings.
    (Only a neighbour in the destination, whose holdings the command has locked, can merge.)"""
    registry = portion.block.attributes.registry
    return Neighbours(
        batches.read_later(
            connection,
            _NEIGHBOURS,
            {"registry": registry, "before": portion.first - 1, "after": portion.last + 1},
        ),
        (registry, portion.first, portion.last),
    )


def place(
    connection: Connection,
    portion: Portion,
    moved: UnitBlock,
    *,
    current: bool,
    merge: bool,
    around: Neighbours | None = None,
) -> None:
    """Carve `portion` out of its block and store it as `moved` (the same serials with their new
    account, state, flags or reservation), merged with identical neighbours when `merge`.

    The same end state as `carve`, `rewrite` and `coalesce` in a row, in fewer round trips:
    the neighbours are looked up once, before any write, a piece that merges is never inserted,
    and the writes go with the command's next round trip (`store.batches`). `current` says the
    portion's block was read under this command's holdings lock and no earlier portion of the
    command touched it, so it need not be read again; `around`, its neighbours read ahead
    (`neighbours_later`). Writes shrink before they grow, so no two rows overlap even for an
    instant.
    """
    block = portion.block if current else _current(connection, portion)
    portion = Portion(block, portion.first, portion.last)
    left: UnitBlock | None = None
    right: UnitBlock | None = None
    if merge:
        neighbours = (
            around.blocks()
            if around is not None
            and around.serials == (moved.attributes.registry, portion.first, portion.last)
            else [
                to_block(row)
                for row in connection.execute(
                    _NEIGHBOURS,
                    {
                        "registry": moved.attributes.registry,
                        "before": portion.first - 1,
                        "after": portion.last + 1,
                    },
                )
            ]
        )
        for neighbour in neighbours:
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
            _add_block(connection, piece(block, extra_first, extra_last))
        if left is None and right is None:
            _add_block(connection, moved)
            return
    if left is not None and right is not None:
        gone.append(right.id)
    if gone:
        batches.later(connection, _DELETE_BLOCKS, {"block_ids": gone})
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
