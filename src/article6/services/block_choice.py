"""Choosing the blocks a movement takes from its source: by quantity (the split-minimising
selection among a few candidates) or by explicit serial ranges, and, when too few units are
available, which check says why (C2001, C2002, C2007).

Marked units (C2010): a quantity asked without ranges takes unmarked units when the account has
enough of them, so a mark on some of its units does not stop the rest; when it has too few, the
choice stands and the movement's checks refuse it, naming the mark. Named ranges are taken as
named, and refused if marked."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import Connection

from article6.domain.blocks import Portion, quantity_agrees, select_quantity, select_ranges
from article6.domain.checks import Check, CommandRefused, refuse
from article6.domain.unit_marks import UnitMark, unmarked_portions
from article6.domain.wording import words
from article6.services.movement_requests import Movement
from article6.store import block_selection, unit_marks
from article6.store.block_selection import UnitCriteria


def _criteria(movement: Movement) -> UnitCriteria:
    selection = movement.selection
    approach = movement.source.cooperative_approach_key or (
        movement.authorization.cooperative_approach if movement.authorization else None
    )
    return UnitCriteria(
        cooperative_approach_id=approach or None,
        vintage=selection.vintage,
        authorization_id=selection.authorization_id,
    )


def choose(connection: Connection, movement: Movement) -> list[Portion]:
    """Pick the portions of blocks to move, by quantity or by explicit ranges."""
    portions, _marks = choose_with_marks(connection, movement)
    return portions


def choose_with_marks(
    connection: Connection,
    movement: Movement,
    ahead: Callable[[list[Portion]], None] | None = None,
) -> tuple[list[Portion], list[UnitMark]]:
    """The portions to move, and the marks in force over them (read once, for C2010).
    `ahead` is called with the portions chosen before the marks over them are read: what it
    sends with `store.batches` goes in the same round trip."""
    selection = movement.selection
    source = movement.source
    ranges = (
        [(r.registry, r.first, r.last) for r in selection.ranges]
        if selection.ranges is not None
        else None
    )
    quantity_agrees(selection.quantity, ranges)
    criteria = _criteria(movement)
    if ranges is not None:
        blocks = block_selection.blocks_covering(connection, source.id, ranges, criteria)
        portions = select_ranges(blocks, ranges, "units.ranges")
        if ahead is not None:
            ahead(portions)
        return portions, unit_marks.active_over(connection, _ranges(portions))
    wanted = selection.quantity or 0
    portions, marked = _by_quantity(connection, movement, wanted, criteria)
    if ahead is not None:
        ahead(portions)
    if not any(p.block.id in marked for p in portions):
        return portions, []  # no mark in force touches their blocks: none to read
    marks = unit_marks.active_over(connection, _ranges(portions))
    if not marks:
        return portions, marks
    blocks = block_selection.largest_available(connection, source.id, criteria)
    around = unit_marks.active_over(
        connection, [(b.attributes.registry, b.first, b.last) for b in blocks]
    )
    unmarked = unmarked_portions(blocks, around, wanted)
    return (unmarked, around) if unmarked else (portions, marks)


def _ranges(portions: list[Portion]) -> list[tuple[str, int, int]]:
    return [(p.block.attributes.registry, p.first, p.last) for p in portions]


def _by_quantity(
    connection: Connection, movement: Movement, wanted: int, criteria: UnitCriteria
) -> tuple[list[Portion], set[int]]:
    """The portions chosen, and which of the candidate blocks a mark in force touches."""
    source = movement.source
    candidates, sides, marked = block_selection.candidates_for_quantity(
        connection, source.id, max(wanted, 1), criteria, movement.destination.id
    )
    try:
        return select_quantity(candidates, wanted, "units.quantity", sides), marked
    except CommandRefused as refused:
        if refused.codes != [Check.C2001.code]:
            raise
        available = block_selection.account_total(connection, source.id, criteria)
        if available >= wanted:  # the candidates were capped by the block limit
            raise refuse(
                Check.C2007,
                "units.quantity",
                words(
                    "so many blocks would be needed that the transaction limit is passed; move "
                    "fewer units at a time"
                ),
            ) from None
        reserved = block_selection.reserved_total(connection, source.id, criteria)
        if available + reserved >= wanted:
            raise refuse(
                Check.C2002,
                "units.quantity",
                words(
                    "{reserved} of the units are reserved by pending transactions; {available} "
                    "are available",
                    reserved=reserved,
                    available=available,
                ),
            ) from None
        raise
