"""Which units a movement takes is said once: a quantity, serial ranges, or both when they agree
(C1005). A quantity that disagrees with its ranges is refused under both fields."""

from __future__ import annotations

import pytest

from article6.domain.blocks import quantity_agrees
from article6.domain.checks import CommandRefused


def test_a_quantity_alone_or_ranges_alone_say_which_units():
    quantity_agrees(500, None)
    quantity_agrees(None, [("XXA01", 80_001, 80_010)])


def test_a_quantity_equal_to_the_units_in_its_ranges_agrees():
    quantity_agrees(15, [("XXA01", 80_001, 80_010), ("XXA01", 90_001, 90_005)])


def test_quantity_500_with_range_80001_to_80010_is_refused_under_both_fields():
    with pytest.raises(CommandRefused) as refused:
        quantity_agrees(500, [("XXA01", 80_001, 80_010)])
    assert refused.value.codes == ["C1005", "C1005"]
    quantity, ranges = refused.value.refusals
    assert quantity.field == "units.quantity"
    assert "(500)" in quantity.detail and "(10)" in quantity.detail
    assert ranges.field == "units.ranges"
    assert ranges.detail == "the serial ranges (80,001-80,010) hold 10 units, not the quantity 500"


def test_neither_quantity_nor_ranges_is_refused():
    with pytest.raises(CommandRefused) as refused:
        quantity_agrees(None, None)
    assert refused.value.codes == ["C1005"]
    assert refused.value.refusals[0].field == "units"


def test_a_backwards_range_is_named_before_the_sum_is_compared():
    with pytest.raises(CommandRefused) as refused:
        quantity_agrees(3, [("XXA01", 10, 12), ("XXA01", 52_000, 50_001)])
    assert refused.value.codes == ["C1005"]
    assert refused.value.refusals[0].field == "units.ranges[1]"
