"""The replay's interval map agrees, serial for serial, with a plain dictionary after any
sequence of assignments and removals, and never leaves two adjacent ranges with the same lot."""

from __future__ import annotations

from itertools import pairwise

from hypothesis import given, settings
from hypothesis import strategies as st

from article6.store.replay import Lot, SerialMap

LOTS = [Lot(account, "MO", False, None, ("CA0001",), None) for account in (1, 2, 3)]
actions = st.lists(
    st.tuples(
        st.integers(1, 60),
        st.integers(0, 12),
        st.one_of(st.none(), st.sampled_from(LOTS)),
    ),
    max_size=60,
)


@settings(max_examples=300, deadline=None)
@given(actions)
def test_the_map_agrees_with_every_serial(steps: list[tuple[int, int, Lot | None]]) -> None:
    serials = SerialMap()
    model: dict[int, Lot] = {}
    for first, length, lot in steps:
        last = first + length
        serials.assign(first, last, lot)
        for serial in range(first, last + 1):
            if lot is None:
                model.pop(serial, None)
            else:
                model[serial] = lot
        walked = list(serials.walk())
        assert {s: held for a, b, held in walked for s in range(a, b + 1)} == model
        assert serials.starts == sorted(serials.ranges)
        for (_, end, lot_a), (start, _, lot_b) in pairwise(walked):
            assert end < start
            assert not (end + 1 == start and lot_a == lot_b)
