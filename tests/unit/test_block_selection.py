"""Unit blocks: which units a quantity or a list of ranges selects, how a block splits, and
when neighbours merge again."""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from article6.domain.accounts import UnitState
from article6.domain.blocks import (
    MAX_BLOCKS_PER_TRANSACTION,
    MAX_QUANTITY,
    Portion,
    UnitAttributes,
    UnitBlock,
    can_coalesce,
    piece,
    quantity,
    select_quantity,
    select_ranges,
    serial_range,
    split_plan,
)
from article6.domain.checks import CommandRefused, Refusal
from article6.domain.nomenclature import ActivityType, Metric, MitigationType, Sector

SOLAR_2024 = UnitAttributes(
    cooperative_approach="CA0001",
    registry="XXA01",
    first_transferring_party="XXA",
    vintage=2024,
    metric=Metric.GHG,
    mitigation_type=MitigationType.EMISSION_REDUCTIONS,
    sector=Sector.ENERGY_GENERATION,
    activity_type=ActivityType.SOLAR,
    mitigation_activity="XXA-SOLAR-1",
)

_block_ids = itertools.count(1)


def block(
    first: int,
    last: int,
    registry: str = "XXA01",
    *,
    underlying_first: int | None = None,
    **changes: object,
) -> UnitBlock:
    built = UnitBlock(
        id=next(_block_ids),
        first=first,
        last=last,
        attributes=replace(SOLAR_2024, registry=registry),
        state=UnitState.AMO,
        account_id=1,
        underlying_first=underlying_first,
    )
    return replace(built, **changes)


def spans(portions: list[Portion]) -> list[tuple[int, int]]:
    return [(p.first, p.last) for p in portions]


def refused_with(code: str, call, *args, **named) -> Refusal:
    """The one refusal `call` raises, after checking its code: the caller asserts its field."""
    with pytest.raises(CommandRefused) as refused:
        call(*args, **named)
    assert refused.value.codes == [code]
    [refusal] = refused.value.refusals
    return refusal


# select_quantity


def test_an_exact_size_block_is_taken_whole():
    blocks = [block(1, 100), block(101, 150), block(151, 400)]
    [portion] = select_quantity(blocks, 50)
    assert portion.whole and portion.block is blocks[1]


def test_otherwise_the_smallest_covering_block_splits_and_its_upper_serials_move():
    blocks = [block(1, 100), block(201, 260), block(301, 1000)]
    [portion] = select_quantity(blocks, 40)
    assert portion.block is blocks[1]
    assert spans([portion]) == [(221, 260)]


def test_of_two_largest_blocks_of_one_size_the_lower_serials_move_whole_first():
    lower, upper = block(1, 10), block(21, 30)
    selected = select_quantity([upper, lower], 15)
    assert spans(selected) == [(1, 10), (26, 30)]
    assert [p.block for p in selected] == [lower, upper]


def test_when_no_block_is_enough_the_largest_blocks_move_whole_first():
    small, large, middle = block(1, 10), block(11, 40), block(41, 60)
    selected = select_quantity([small, large, middle], 45)
    assert spans(selected) == [(11, 40), (46, 60)]
    assert [p.whole for p in selected] == [True, False]


def test_after_the_largest_blocks_an_exact_fit_is_taken_whole():
    blocks = [block(1, 30), block(31, 50), block(51, 60)]
    selected = select_quantity(blocks, 40)
    assert spans(selected) == [(1, 30), (51, 60)]
    assert all(p.whole for p in selected)


def test_all_available_units_can_be_selected():
    blocks = [block(1, 10), block(21, 30), block(41, 45)]
    assert sum(p.quantity for p in select_quantity(blocks, 25)) == 25


def test_blocks_of_several_registries_come_back_ordered_by_registry_and_serial():
    blocks = [block(1, 10, "XXB01"), block(1, 20, "XXA01")]
    selected = select_quantity(blocks, 30)
    assert [(p.block.attributes.registry, p.first) for p in selected] == [
        ("XXA01", 1),
        ("XXB01", 1),
    ]


def test_more_than_is_available_is_refused_c2001():
    refusal = refused_with("C2001", select_quantity, [block(1, 60), block(61, 100)], 101)
    assert refusal.field == "quantity"
    assert refusal.detail == "101 units requested but only 100 are available"


def test_a_refused_selection_names_the_field_the_caller_gave():
    short = refused_with("C2001", select_quantity, [block(1, 10)], 11, field="units.quantity")
    assert short.field == "units.quantity"
    invalid = refused_with("C1005", select_quantity, [block(1, 10)], 0, field="units.quantity")
    assert invalid.field == "units.quantity"


def test_nothing_available_is_refused_c2001():
    refused_with("C2001", select_quantity, [], 1)


@pytest.mark.parametrize("wanted", [0, -1, True, 2.5, MAX_QUANTITY + 1])
def test_a_quantity_that_is_not_a_positive_whole_number_within_the_limit_is_refused_c1005(
    wanted,
):
    refusal = refused_with("C1005", select_quantity, [block(1, 100)], wanted)
    assert refusal.field == "quantity"
    assert refusal.detail == f"the quantity is a whole number of units from 1 to {MAX_QUANTITY:,}"


def test_a_quantity_is_refused_on_the_quantity_field_unless_another_is_named():
    assert refused_with("C1005", quantity, 0).field == "quantity"
    assert refused_with("C1005", quantity, 0, "units.quantity").field == "units.quantity"
    assert quantity(MAX_QUANTITY) == MAX_QUANTITY


def test_the_quantity_limit_itself_is_accepted():
    [portion] = select_quantity([block(1, MAX_QUANTITY)], MAX_QUANTITY)
    assert portion.whole


def test_more_blocks_than_a_transaction_may_move_is_refused_c2007():
    count = MAX_BLOCKS_PER_TRANSACTION + 1
    singles = [block(2 * n + 1, 2 * n + 1) for n in range(count)]
    refusal = refused_with("C2007", select_quantity, singles, count, field="units")
    assert refusal.field == "units"
    assert refusal.detail == f"{count} blocks exceed the limit of {MAX_BLOCKS_PER_TRANSACTION}"


def test_exactly_the_block_limit_is_accepted():
    count = MAX_BLOCKS_PER_TRANSACTION
    singles = [block(2 * n + 1, 2 * n + 1) for n in range(count + 1)]
    assert len(select_quantity(singles, count)) == count


@st.composite
def holdings_and_quantity(draw: st.DrawFn) -> tuple[list[UnitBlock], int]:
    sizes = draw(st.lists(st.integers(1, 10**9), min_size=1, max_size=12))
    gaps = draw(st.lists(st.integers(0, 1_000), min_size=len(sizes), max_size=len(sizes)))
    blocks, serial = [], 1
    for size, gap in zip(sizes, gaps, strict=True):
        serial += gap
        blocks.append(block(serial, serial + size - 1))
        serial += size
    order = draw(st.permutations(blocks))
    return list(order), draw(st.integers(1, sum(sizes)))


@settings(max_examples=200, deadline=None)
@given(holdings_and_quantity())
def test_a_selection_is_exactly_the_quantity_from_distinct_blocks_with_at_most_one_split(case):
    blocks, wanted = case
    selected = select_quantity(blocks, wanted)
    assert sum(p.quantity for p in selected) == wanted
    assert all(p.block.first <= p.first <= p.last <= p.block.last for p in selected)
    assert len({p.block.id for p in selected}) == len(selected)
    partial = [p for p in selected if not p.whole]
    assert len(partial) <= 1
    assert all(p.last == p.block.last for p in partial), "the upper serials move"


# serial_range


def test_a_serial_range_runs_from_serial_1_and_may_hold_one_unit_or_the_quantity_limit():
    assert serial_range(1, 1) == (1, 1)
    assert serial_range(1, MAX_QUANTITY) == (1, MAX_QUANTITY)
    assert serial_range(2, MAX_QUANTITY + 1) == (2, MAX_QUANTITY + 1)


@pytest.mark.parametrize(
    ("first", "last"),
    [
        pytest.param(0, 10, id="serial 0"),
        pytest.param(-5, 10, id="negative first"),
        pytest.param(11, 10, id="first after last"),
        pytest.param(1, MAX_QUANTITY + 1, id="one unit more than the limit"),
        pytest.param(True, 10, id="first is a boolean"),
        pytest.param(1, True, id="last is a boolean"),
        pytest.param(1.5, 10, id="first is not whole"),
        pytest.param(1, 2.5, id="last is not whole"),
        pytest.param("1", 10, id="first is text"),
    ],
)
def test_a_serial_range_outside_the_rules_is_refused_c1005_on_its_field(first, last):
    refusal = refused_with("C1005", serial_range, first, last)
    assert refusal.field == "range"
    assert "serial" in refusal.detail or "range" in refusal.detail
    assert f"[{first}, {last}]" not in refusal.detail, "no Python list in the words"
    named = refused_with("C1005", serial_range, first, last, "units.ranges[0]")
    assert named.field == "units.ranges[0]"


def test_a_block_contains_its_first_and_last_serials_and_nothing_beyond():
    held = block(101, 200)
    assert held.contains(101) and held.contains(150) and held.contains(200)
    assert not held.contains(100) and not held.contains(201)


# select_ranges


def test_named_ranges_are_taken_exactly():
    blocks = [block(1, 100, "XXA01"), block(1, 50, "XXB01")]
    selected = select_ranges(blocks, [("XXB01", 5, 5), ("XXA01", 10, 20)])
    assert [(p.block.attributes.registry, p.first, p.last) for p in selected] == [
        ("XXA01", 10, 20),
        ("XXB01", 5, 5),
    ]


@pytest.mark.parametrize(
    "wanted",
    [
        ("XXA01", 90, 110),  # spans two blocks
        ("XXA01", 201, 210),  # beyond every block
        ("XXB01", 10, 20),  # same serials, another registry
    ],
)
def test_a_range_not_inside_one_available_block_is_refused_c2001(wanted):
    refusal = refused_with(
        "C2001", select_ranges, [block(1, 100), block(101, 200)], [("XXA01", 1, 1), wanted]
    )
    registry, first, last = wanted
    assert refusal.field == "ranges[1]", "the range refused is named by its place in the list"
    assert refusal.detail == (
        f"units {first:,}-{last:,} of registry {registry} are not in this account, or a "
        "pending transaction reserves them"
    )


def test_a_range_may_reach_both_ends_of_its_block():
    held = block(101, 200)
    [portion] = select_ranges([block(1, 100), held], [("XXA01", 101, 200)])
    assert portion.block is held and portion.whole


def test_exactly_the_range_limit_is_accepted():
    ranges = [("XXA01", 2 * n + 1, 2 * n + 1) for n in range(MAX_BLOCKS_PER_TRANSACTION)]
    assert len(select_ranges([block(1, 10_000)], ranges)) == MAX_BLOCKS_PER_TRANSACTION


def test_the_same_serials_of_two_registries_do_not_overlap():
    blocks = [block(1, 100, "XXA01"), block(1, 100, "XXB01")]
    selected = select_ranges(blocks, [("XXA01", 10, 20), ("XXB01", 10, 20)])
    assert [p.block.attributes.registry for p in selected] == ["XXA01", "XXB01"]


def test_adjacent_requested_ranges_do_not_overlap():
    selected = select_ranges([block(1, 100)], [("XXA01", 21, 30), ("XXA01", 10, 20)])
    assert spans(selected) == [(10, 20), (21, 30)]


def test_overlapping_requested_ranges_are_refused_c2003():
    refusal = refused_with(
        "C2003", select_ranges, [block(1, 100)], [("XXA01", 20, 30), ("XXA01", 10, 20)]
    )
    assert refusal.field == "ranges"
    assert refusal.detail == "ranges overlap at serial 20"


def test_a_range_with_first_after_last_is_refused_c1005():
    refusal = refused_with(
        "C1005", select_ranges, [block(1, 100)], [("XXA01", 1, 1), ("XXA01", 20, 10)]
    )
    assert refusal.field == "ranges[1]"
    assert refusal.detail == (
        "the range 20-10 ends before it starts: write the lower serial number first"
    )


def test_more_ranges_than_a_transaction_may_move_is_refused_c2007():
    ranges = [("XXA01", n, n) for n in range(1, MAX_BLOCKS_PER_TRANSACTION + 2)]
    refusal = refused_with("C2007", select_ranges, [block(1, 10_000)], ranges, field="units")
    assert refusal.field == "units"
    assert refusal.detail == f"at most {MAX_BLOCKS_PER_TRANSACTION} ranges"


# split_plan and piece


def test_moving_the_upper_part_leaves_the_lower_part():
    whole = block(1, 100)
    assert split_plan(Portion(whole, 61, 100)) == ([(1, 60)], (61, 100))


def test_moving_the_lower_part_leaves_the_upper_part():
    whole = block(1, 100)
    assert split_plan(Portion(whole, 1, 40)) == ([(41, 100)], (1, 40))


def test_moving_a_middle_part_leaves_both_ends():
    whole = block(1, 100)
    assert split_plan(Portion(whole, 41, 60)) == ([(1, 40), (61, 100)], (41, 60))


def test_moving_a_whole_block_leaves_nothing():
    whole = block(1, 100)
    assert split_plan(Portion(whole, 1, 100)) == ([], (1, 100))


def test_a_piece_shifts_its_underlying_units_with_its_serials():
    whole = block(1001, 2000, underlying_first=5001)
    part = piece(whole, 1501, 1600)
    assert (part.first, part.last) == (1501, 1600)
    assert (part.underlying_first, part.underlying_last) == (5501, 5600)
    assert (part.attributes, part.state, part.account_id) == (
        whole.attributes,
        whole.state,
        whole.account_id,
    )


def test_a_piece_of_a_block_without_underlying_units_has_none():
    assert piece(block(1, 100), 50, 60).underlying_first is None


# can_coalesce


def test_adjacent_identical_blocks_coalesce():
    assert can_coalesce(block(1, 100), block(101, 200))


def test_blocks_with_contiguous_underlying_ranges_coalesce():
    left = block(1, 100, underlying_first=501)
    assert can_coalesce(left, block(101, 200, underlying_first=601))


@pytest.mark.parametrize(
    ("left", "right"),
    [
        pytest.param(block(1, 100), block(102, 200), id="gap"),
        pytest.param(block(101, 200), block(1, 100), id="wrong order"),
        pytest.param(block(1, 100), block(101, 200, "XXB01"), id="other registry"),
        pytest.param(
            block(1, 100),
            block(101, 200, attributes=replace(SOLAR_2024, vintage=2025)),
            id="other vintage",
        ),
        pytest.param(block(1, 100), block(101, 200, state=UnitState.ITMO), id="other state"),
        pytest.param(block(1, 100), block(101, 200, account_id=2), id="other account"),
        pytest.param(
            block(1, 100), block(101, 200, first_transferred=True), id="first transferred"
        ),
        pytest.param(block(1, 100, reserved_by=7), block(101, 200), id="left reserved"),
        pytest.param(block(1, 100), block(101, 200, reserved_by=7), id="right reserved"),
        pytest.param(
            block(1, 100, underlying_first=501),
            block(101, 200, underlying_first=700),
            id="underlying not contiguous",
        ),
        pytest.param(
            block(1, 100, underlying_first=501), block(101, 200), id="underlying on one side"
        ),
        pytest.param(
            block(1, 100), block(101, 200, underlying_first=601), id="underlying on the other side"
        ),
    ],
)
def test_blocks_that_differ_do_not_coalesce(left, right):
    assert not can_coalesce(left, right)


# select_quantity: the end of a split block that borders the destination moves


def test_a_block_bordering_the_destination_below_moves_its_lower_serials():
    bordering = block(201, 260)
    [portion] = select_quantity([bordering], 40, sides={bordering.id: "lower"})
    assert spans([portion]) == [(201, 240)]
    assert split_plan(portion) == ([(241, 260)], (201, 240))


def test_a_block_bordering_the_destination_above_moves_its_upper_serials():
    bordering = block(201, 260)
    [portion] = select_quantity([bordering], 40, sides={bordering.id: "upper"})
    assert spans([portion]) == [(221, 260)]


def test_a_covering_block_bordering_the_destination_is_preferred_to_a_smaller_one():
    smaller, bordering = block(1, 60), block(101, 1000)
    [portion] = select_quantity([smaller, bordering], 40, sides={bordering.id: "lower"})
    assert portion.block is bordering
    assert spans([portion]) == [(101, 140)]


def test_an_exact_size_block_is_still_taken_whole_before_a_bordering_one():
    exact, bordering = block(1, 40), block(101, 1000)
    [portion] = select_quantity([exact, bordering], 40, sides={bordering.id: "lower"})
    assert portion.whole and portion.block is exact


@settings(max_examples=50, deadline=None)
@given(
    size=st.integers(min_value=2, max_value=1000),
    wanted=st.integers(min_value=1, max_value=999),
    side=st.sampled_from(["lower", "upper"]),
)
def test_a_split_on_either_side_leaves_one_contiguous_remainder(size: int, wanted: int, side):
    wanted = min(wanted, size - 1)
    whole = block(1, size)
    [portion] = select_quantity([whole], wanted, sides={whole.id: side})
    stays, moves = split_plan(portion)
    assert portion.quantity == wanted
    assert len(stays) == 1
    assert sum(last - first + 1 for first, last in stays) + wanted == size
    assert (moves[0] == 1) == (side == "lower")


def test_smaller_blocks_bordering_the_destination_move_whole_before_another_splits():
    far, bordering = block(1, 1000), block(2001, 2030)
    selected = select_quantity([far, bordering], 50, sides={bordering.id: "upper"})
    assert spans(selected) == [(981, 1000), (2001, 2030)]
    assert [p.whole for p in selected] == [False, True]


def test_without_bordering_blocks_the_selection_is_unchanged():
    blocks = [block(1, 100), block(201, 260), block(301, 1000)]
    assert select_quantity(blocks, 40, sides={}) == select_quantity(blocks, 40)


def test_of_two_exact_size_blocks_the_one_bordering_the_destination_moves():
    plain, bordering = block(1, 40), block(101, 140)
    [portion] = select_quantity([plain, bordering], 40, sides={bordering.id: "upper"})
    assert portion.whole and portion.block is bordering


def test_the_largest_smaller_bordering_block_moves_first_and_the_next_one_splits():
    smaller, larger, far = block(1, 10), block(21, 50), block(1001, 2000)
    sides = {smaller.id: "upper", larger.id: "upper"}
    selected = select_quantity([smaller, larger, far], 35, sides=sides)
    assert spans(selected) == [(6, 10), (21, 50)]
    assert [p.whole for p in selected] == [False, True]


def test_of_two_bordering_blocks_of_one_size_the_lower_serials_move_whole_first():
    lower, upper, far = block(1, 10), block(21, 30), block(1001, 2000)
    sides = {lower.id: "upper", upper.id: "lower"}
    selected = select_quantity([far, upper, lower], 15, sides=sides)
    assert spans(selected) == [(1, 10), (21, 25)]
    assert [p.whole for p in selected] == [True, False]
