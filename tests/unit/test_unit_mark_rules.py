"""The rules of marks on unit ranges, without a database: what a mark must name (C2011), which
units a mark stops (C2010), and which unmarked units a quantity takes instead."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from hypothesis import given
from hypothesis import strategies as st

from article6.domain.accounts import UnitState
from article6.domain.blocks import UnitAttributes, UnitBlock
from article6.domain.nomenclature import ActivityType, Metric, MitigationType, Sector
from article6.domain.unit_marks import (
    CONSISTENCY_CODES,
    MarkSource,
    UnitMark,
    check_lift,
    check_mark,
    notice_range,
    refuse_marked,
    unmarked_pieces,
    unmarked_portions,
)

NOW = datetime(2026, 12, 2, tzinfo=UTC)
XXA01 = UnitAttributes(
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


def marked(first: int, last: int, mark_id: int = 1, lifted: bool = False) -> UnitMark:
    return UnitMark(
        id=mark_id,
        registry="XXA01",
        first=first,
        last=last,
        inconsistency_code="IPC01",
        reason="r",
        source=MarkSource.CHECK,
        marked_by="secretariat.admin",
        marked_at=NOW,
        lifted_by="secretariat.admin" if lifted else None,
        lifted_at=NOW if lifted else None,
        lift_reason="done" if lifted else None,
    )


def block(first: int, last: int, block_id: int = 1) -> UnitBlock:
    return UnitBlock(block_id, first, last, XXA01, UnitState.AMO, account_id=1)


def test_the_carp_s_twenty_five_consistency_checks_are_the_codes_a_mark_names():
    assert len(CONSISTENCY_CODES) == 25
    assert {"II01", "II07", "STC04", "ISC04", "IRC01", "IPC01", "IP04", "DR04"} <= CONSISTENCY_CODES
    assert not {"II08", "IPC02", "IRC02", "DR05", "ipc01"} & CONSISTENCY_CODES


def test_a_mark_names_a_known_check_an_originating_registry_and_an_ordered_range():
    assert check_mark("XXA01", 1, 10, "IPC01", "why", "check") == []
    assert check_mark("A64", 781, 930, "DR02", "why", "hub") == []
    fields = [(r.check.code, r.field) for r in check_mark("XA01", 10, 1, "XX01", " ", "rumour")]
    assert fields == [
        ("C2011", "inconsistency_code"),
        ("C2011", "registry_id"),
        ("C2011", "serial_last"),
        ("C2011", "source"),
        ("C1011", "reason"),
    ]
    assert [r.field for r in check_mark("XXA01", 0, 2**63, "IPC01", "r", "file")] == [
        "serial_first",
        "serial_last",
    ]


def test_only_a_mark_in_force_is_lifted():
    assert check_lift(marked(1, 5), 1, "resolved") == []
    assert [r.field for r in check_lift(None, 7, "resolved")] == ["mark"]
    assert [r.field for r in check_lift(marked(1, 5, lifted=True), 1, "again")] == ["mark"]
    assert [(r.check.code, r.field) for r in check_lift(marked(1, 5), 1, "")] == [
        ("C1011", "reason")
    ]


def test_a_movement_touching_a_mark_in_force_is_refused_naming_the_check_and_the_units():
    refusal = refuse_marked("units", "XXA01", 1, 100, [marked(90, 120, mark_id=3)])
    assert refusal is not None
    assert (refusal.check.code, refusal.field) == ("C2010", "units")
    assert refusal.detail.startswith("units XXA01 90–100 are marked after consistency check IPC01")
    assert refuse_marked("units", "XXA01", 1, 89, [marked(90, 120)]) is None
    assert refuse_marked("units", "XXB01", 90, 100, [marked(90, 120)]) is None
    assert refuse_marked("units", "XXA01", 90, 100, [marked(90, 120, lifted=True)]) is None


def test_the_unmarked_pieces_of_a_range_lie_between_the_marks():
    marks = [marked(10, 19), marked(15, 30), marked(50, 50), marked(60, 70, lifted=True)]
    assert unmarked_pieces("XXA01", 1, 100, marks) == [(1, 9), (31, 49), (51, 100)]
    assert unmarked_pieces("XXA01", 10, 30, marks) == []
    assert unmarked_pieces("XXB01", 10, 30, marks) == [(10, 30)]


@given(
    st.lists(st.tuples(st.integers(1, 200), st.integers(0, 40)), max_size=6),
    st.integers(1, 200),
)
def test_a_quantity_takes_only_unmarked_units_and_exactly_as_many(spans, wanted):
    marks = [marked(first, first + length, mark_id=n) for n, (first, length) in enumerate(spans)]
    blocks = [block(1, 100, 1), block(151, 250, 2)]
    free = sum(
        last - first + 1
        for b in blocks
        for first, last in unmarked_pieces("XXA01", b.first, b.last, marks)
    )
    chosen = unmarked_portions(blocks, marks, wanted)
    if free < wanted:
        assert chosen is None
        return
    assert chosen is not None
    assert sum(p.quantity for p in chosen) == wanted
    for portion in chosen:
        assert portion.block.first <= portion.first <= portion.last <= portion.block.last
        assert refuse_marked("units", "XXA01", portion.first, portion.last, marks) is None


def test_a_quantity_prefers_one_unmarked_piece_that_covers_it():
    """Unmarked: 1-30 and 61-100. 35 units lie whole in the second; 70 need both."""
    chosen = unmarked_portions([block(1, 100)], [marked(31, 60)], 35)
    assert chosen is not None
    assert [(p.first, p.last) for p in chosen] == [(61, 95)]
    both = unmarked_portions([block(1, 100)], [marked(31, 60)], 70)
    assert both is not None
    assert [(p.first, p.last) for p in both] == [(1, 30), (61, 100)]


def test_a_hub_notice_names_each_range_as_check_registry_first_last():
    assert notice_range("IPC01:XXA01-1000-1099") == ("IPC01", "XXA01", 1000, 1099)
    assert notice_range("DR03:A64-781-930") == ("DR03", "A64", 781, 930)
    assert notice_range("XXA01-1000-1099") is None
    assert notice_range("IPC01:XXA01-1000") is None
    assert notice_range("IPC01:XXA01-1000-1099 ") is None


def said(refusals) -> list[tuple[str, str, str]]:
    return [(r.check.code, r.field, r.detail) for r in refusals]


def test_each_mark_rule_says_what_it_asks():
    assert said(check_mark("XA01", 10, 1, "XX01", " ", "rumour")) == [
        ("C2011", "inconsistency_code", "“XX01” is not a code of the CARP's consistency checks"),
        ("C2011", "registry_id", "“XA01” is not an originating registry (e.g. XXA01 or A64)"),
        ("C2011", "serial_last", "the range 10–1 ends before it starts"),
        ("C2011", "source", "“rumour” is not one of check, hub or file"),
        ("C1011", "reason", "a mark gives its reason (1 to 2000)"),
    ]
    assert said(check_mark("XXA01", 0, 5, "IPC01", "r", "file")) == [
        ("C2011", "serial_first", f"0 is not a serial (1 to {2**62})")
    ]


def test_a_mark_s_limits_are_its_own_values():
    assert check_mark("XXA01", 1, 2**62, "IPC01", "r" * 2000, "file") == []
    assert check_mark("XXA01", 7, 7, "IPC01", "one unit", "check") == []
    assert [r.field for r in check_mark("XXA01", 1, 5, "IPC01", "r" * 2001, "file")] == ["reason"]


def test_each_lift_rule_says_what_it_asks():
    assert said(check_lift(None, 7, "resolved")) == [("C2011", "mark", "there is no mark 7")]
    assert said(check_lift(marked(1, 5, mark_id=3, lifted=True), 3, "")) == [
        ("C2011", "mark", "mark 3 was lifted already by secretariat.admin at 2026-12-02 00:00 UTC"),
        ("C1011", "reason", "a lift gives its reason (1 to 2000)"),
    ]
    assert check_lift(marked(1, 5), 1, "r" * 2000) == []
    assert [r.field for r in check_lift(marked(1, 5), 1, "r" * 2001)] == ["reason"]


def test_a_mark_touches_units_at_either_of_its_ends():
    mark = marked(90, 120)
    assert mark.overlaps("XXA01", 1, 90) and mark.overlaps("XXA01", 120, 200)
    assert not mark.overlaps("XXA01", 1, 89) and not mark.overlaps("XXA01", 121, 200)


def test_a_notice_range_that_is_not_text_is_none():
    assert notice_range(None) is None  # type: ignore[arg-type]
    assert notice_range("IPC01:XXA01-1000-1099") == ("IPC01", "XXA01", 1000, 1099)


def test_a_refused_movement_is_told_who_lifts_the_mark():
    refusal = refuse_marked("units", "XXA01", 1, 100, [marked(90, 120, mark_id=3)])
    assert refusal is not None
    assert refusal.detail == (
        "units XXA01 90–100 are marked after consistency check IPC01 (mark 3); the secretariat "
        "must lift the mark first"
    )


def test_a_piece_of_one_unit_after_the_last_mark_is_unmarked():
    assert unmarked_pieces("XXA01", 1, 100, [marked(1, 99)]) == [(100, 100)]


def test_of_two_largest_unmarked_pieces_the_lower_serials_move_whole_first():
    blocks = [block(1, 10, block_id=1), block(21, 30, block_id=2)]
    chosen = unmarked_portions(blocks, [], 15)
    assert chosen is not None
    assert [(p.first, p.last) for p in chosen] == [(1, 10), (21, 25)]


def test_of_two_exact_unmarked_pieces_the_first_registry_s_is_taken():
    other = UnitBlock(2, 1, 10, replace(XXA01, registry="XXB01"), UnitState.AMO, account_id=1)
    chosen = unmarked_portions([other, block(21, 30)], [], 10)
    assert chosen is not None
    assert [(p.block.attributes.registry, p.first) for p in chosen] == [("XXA01", 21)]


def test_exactly_the_block_limit_of_unmarked_portions_is_accepted():
    singles = [block(2 * n + 1, 2 * n + 1, block_id=n) for n in range(1001)]
    chosen = unmarked_portions(singles, [], 1000)
    assert chosen is not None and len(chosen) == 1000
    assert unmarked_portions(singles, [], 1001) is None
