"""Unit blocks: serial ranges with the attributes that define their units.

A block is the unit of storage: moving 10^9 units moves one block (or splits one). The
attributes that make up a unit's identity never change on a block; a partial move splits it,
and identical neighbours in one account coalesce again.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Literal

from article6.domain.accounts import UnitState
from article6.domain.checks import Check, CommandRefused, Refusal, refuse
from article6.domain.nomenclature import Metric, MitigationType
from article6.domain.wording import words

MAX_BLOCKS_PER_TRANSACTION = 1000
MAX_QUANTITY = 10**15

Side = Literal["lower", "upper"]
"""Which end of a split block moves: its lower or its upper serials."""


@dataclass(frozen=True)
class UnitAttributes:
    """What defines a unit besides its serial; equal attributes are a condition to coalesce."""

    cooperative_approach: str
    registry: str
    first_transferring_party: str
    vintage: int
    metric: Metric
    mitigation_type: MitigationType
    sector: str
    activity_type: str | None
    mitigation_activity: str
    gwp_values: str | None = None
    non_ghg_metric: str | None = None
    non_ghg_per_unit: str | None = None
    underlying_registry: str | None = None
    authorization_id: str | None = None
    authorization_version: int | None = None


@dataclass(frozen=True)
class UnitBlock:
    """A contiguous serial range `[first, last]` held in one account, in one state."""

    id: int
    first: int
    last: int
    attributes: UnitAttributes
    state: UnitState
    account_id: int
    first_transferred: bool = False
    underlying_first: int | None = None
    reserved_by: int | None = None

    @property
    def quantity(self) -> int:
        return self.last - self.first + 1

    @property
    def underlying_last(self) -> int | None:
        if self.underlying_first is None:
            return None
        return self.underlying_first + self.quantity - 1

    def underlying_at(self, serial: int) -> int | None:
        if self.underlying_first is None:
            return None
        return self.underlying_first + (serial - self.first)

    def contains(self, serial: int) -> bool:
        return self.first <= serial <= self.last


@dataclass(frozen=True)
class Portion:
    """Part of a block chosen to move: `[first, last]` of block `block`."""

    block: UnitBlock
    first: int
    last: int

    @property
    def quantity(self) -> int:
        return self.last - self.first + 1

    @property
    def whole(self) -> bool:
        return self.first == self.block.first and self.last == self.block.last


def quantity(value: int, field: str = "quantity") -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0 or value > MAX_QUANTITY:
        raise refuse(
            Check.C1005,
            field,
            words(
                "the quantity is a whole number of units from 1 to {max_quantity:,}",
                max_quantity=MAX_QUANTITY,
            ),
        )
    return value


def serial_range(first: int, last: int, field: str = "range") -> tuple[int, int]:
    if (
        not isinstance(first, int)
        or not isinstance(last, int)
        or isinstance(first, bool)
        or isinstance(last, bool)
        or first < 1
        or last < first
        or last - first + 1 > MAX_QUANTITY
    ):
        raise refuse(Check.C1005, field, _range_fault(first, last))
    return first, last


def _range_fault(first: object, last: object) -> str:
    """What is wrong with a serial range, in words: which end, and what it must be."""
    if (
        not isinstance(first, int)
        or not isinstance(last, int)
        or isinstance(first, bool)
        or isinstance(last, bool)
    ):
        return words("the first and last serial numbers are whole numbers")
    if first < 1:
        return words("serial numbers start at 1; the range starts at {first:,}", first=first)
    if last < first:
        return words(
            "the range {first:,}-{last:,} ends before it starts: write the lower "
            "serial number first",
            first=first,
            last=last,
        )
    return words(
        "the range {first:,}-{last:,} holds more than {max_quantity:,} units",
        first=first,
        last=last,
        max_quantity=MAX_QUANTITY,
    )


def quantity_agrees(quantity: int | None, ranges: list[tuple[str, int, int]] | None) -> None:
    """Which units a movement takes is said once: by a quantity, by serial ranges, or by both
    when they agree. A quantity that disagrees with its ranges is refused under both fields
    (C1005) rather than one of them silently winning: 500 units asked as 80001-80010 move none."""
    if quantity is None and ranges is None:
        raise refuse(Check.C1005, "units", words("give a quantity or serial ranges"))
    if quantity is None or ranges is None:
        return
    for index, (_registry, first, last) in enumerate(ranges):
        serial_range(first, last, f"units.ranges[{index}]")
    held = sum(last - first + 1 for _registry, first, last in ranges)
    if held == quantity:
        return
    named = ", ".join(f"{first:,}-{last:,}" for _registry, first, last in ranges[:3])
    more = " …" if len(ranges) > 3 else ""
    raise CommandRefused(
        [
            Refusal(
                Check.C1005,
                "units.quantity",
                words(
                    "the quantity ({quantity:,}) is not the number of units in the serial "
                    "ranges ({held:,}); give the quantity the ranges hold, or leave the "
                    "quantity empty",
                    quantity=quantity,
                    held=held,
                ),
            ),
            Refusal(
                Check.C1005,
                "units.ranges",
                words(
                    "the serial ranges ({named}{more}) hold {held:,} units, not the quantity "
                    "{quantity:,}",
                    named=named,
                    more=more,
                    held=held,
                    quantity=quantity,
                ),
            ),
        ]
    )


def select_quantity(
    blocks: list[UnitBlock],
    wanted: int,
    field: str = "quantity",
    sides: Mapping[int, Side] | None = None,
) -> list[Portion]:
    """Choose `wanted` units from available blocks, touching as few blocks as possible.

    An exact-size block is taken whole; otherwise the smallest block that covers the rest is
    split; when no single block is enough, the largest blocks are taken whole first. At most one
    block is ever split.

    `sides` names, by block id, the blocks that border a block of the destination and the end
    that borders it. They come first, so that fragmentation stays flat: a bordering block that
    covers the rest is split at that end (the moved part merges there and the holder keeps one
    contiguous remainder), and smaller bordering blocks move whole (each merges there, and the
    holder has one block fewer). Otherwise the holder keeps the lower serials and the upper
    ones move.
    """
    sides = sides or {}
    quantity(wanted, field)
    available = sum(b.quantity for b in blocks)
    if available < wanted:
        raise refuse(
            Check.C2001,
            field,
            words(
                "{wanted} units requested but only {available} are available",
                wanted=wanted,
                available=available,
            ),
        )
    ordered = sorted(blocks, key=lambda b: (b.first, b.attributes.registry))
    chosen: list[Portion] = []
    remaining = wanted
    pool = list(ordered)
    while remaining > 0:
        exact = min(
            (b for b in pool if b.quantity == remaining),
            key=lambda b: (b.id not in sides, b.first),
            default=None,
        )
        if exact is not None:
            chosen.append(Portion(exact, exact.first, exact.last))
            break
        covering = [b for b in pool if b.quantity > remaining]
        bordering = [b for b in pool if b.id in sides and b.quantity < remaining]
        if bordering and not any(b.id in sides for b in covering):
            block = max(bordering, key=lambda b: (b.quantity, -b.first))
            pool.remove(block)
            chosen.append(Portion(block, block.first, block.last))
            remaining -= block.quantity
            continue
        if covering:
            block = min(covering, key=lambda b: (b.id not in sides, b.quantity, b.first))
            if sides.get(block.id) == "lower":
                chosen.append(Portion(block, block.first, block.first + remaining - 1))
            else:
                chosen.append(Portion(block, block.last - remaining + 1, block.last))
            break
        block = max(pool, key=lambda b: (b.quantity, -b.first))
        pool.remove(block)
        chosen.append(Portion(block, block.first, block.last))
        remaining -= block.quantity
    if len(chosen) > MAX_BLOCKS_PER_TRANSACTION:
        raise refuse(
            Check.C2007,
            field,
            words(
                "{count} blocks exceed the limit of {max_blocks_per_transaction}",
                count=len(chosen),
                max_blocks_per_transaction=MAX_BLOCKS_PER_TRANSACTION,
            ),
        )
    return sorted(chosen, key=lambda p: (p.block.attributes.registry, p.first))


def select_ranges(
    blocks: list[UnitBlock], ranges: list[tuple[str, int, int]], field: str = "ranges"
) -> list[Portion]:
    """Choose exactly the named serial ranges; each must lie inside one available block."""
    if len(ranges) > MAX_BLOCKS_PER_TRANSACTION:
        raise refuse(
            Check.C2007,
            field,
            words(
                "at most {max_blocks_per_transaction} ranges",
                max_blocks_per_transaction=MAX_BLOCKS_PER_TRANSACTION,
            ),
        )
    chosen: list[Portion] = []
    for index, (registry, first, last) in enumerate(ranges):
        serial_range(first, last, f"{field}[{index}]")
        block = next(
            (
                b
                for b in blocks
                if b.attributes.registry == registry and b.first <= first and last <= b.last
            ),
            None,
        )
        if block is None:
            raise refuse(
                Check.C2001,
                f"{field}[{index}]",
                words(
                    "units {first:,}-{last:,} of registry {registry} are not in this "
                    "account, or a pending transaction reserves them",
                    first=first,
                    last=last,
                    registry=registry,
                ),
            )
        chosen.append(Portion(block, first, last))
    chosen.sort(key=lambda p: (p.block.attributes.registry, p.first))
    for before, after in itertools.pairwise(chosen):
        if (
            before.block.attributes.registry == after.block.attributes.registry
            and after.first <= before.last
        ):
            raise refuse(
                Check.C2003, field, words("ranges overlap at serial {first}", first=after.first)
            )
    return chosen


def split_plan(portion: Portion) -> tuple[list[tuple[int, int]], tuple[int, int]]:
    """The pieces a block splits into: the remainders that stay, and the part that moves."""
    block = portion.block
    stays = []
    if portion.first > block.first:
        stays.append((block.first, portion.first - 1))
    if portion.last < block.last:
        stays.append((portion.last + 1, block.last))
    return stays, (portion.first, portion.last)


def can_coalesce(left: UnitBlock, right: UnitBlock) -> bool:
    """Adjacent blocks in one account with identical attributes and state merge into one."""
    if left.last + 1 != right.first:
        return False
    if left.underlying_first is None or right.underlying_first is None:
        underlying_ok = left.underlying_first is None and right.underlying_first is None
    else:
        underlying_ok = left.underlying_first + left.quantity == right.underlying_first
    return (
        underlying_ok
        and left.attributes == right.attributes
        and left.state == right.state
        and left.account_id == right.account_id
        and left.first_transferred == right.first_transferred
        and left.reserved_by is None
        and right.reserved_by is None
    )


def piece(block: UnitBlock, first: int, last: int) -> UnitBlock:
    """The sub-block `[first, last]` of `block`, with the underlying range shifted to match."""
    return replace(block, first=first, last=last, underlying_first=block.underlying_at(first))
