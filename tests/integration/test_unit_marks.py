"""Marks on unit ranges, the consequence of an inconsistency: marked units do not move (C2010)
until the secretariat lifts the mark, the rest of the account does; only the secretariat marks
and lifts; a mark names a CARP consistency check and a valid range (C2011); both are journaled.

The small world (see small_world.py): XXA holds MOs 1-500, AMOs 501-700 under CORSIA and
701-1000 under the NDC authorization, all of originating registry XXA01.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from small_world import (
    CORSIA,
    GREEN_GROUP_A,
    NDC,
    SECRETARIAT,
    XXA_ADMIN,
    XXA_AUDITOR,
    XXC_ADMIN,
    SmallWorld,
    holdings,
    journal_count,
    refused,
    selection,
)
from sqlalchemy import text

from article6.domain.accounts import CancellationPurpose
from article6.domain.checks import CommandRefused
from article6.domain.filters import BlockFilter
from article6.services import approvals, units
from article6.services import commands as c
from article6.services import unit_marks as marks
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.services.reads.ledger import verify_registry
from article6.services.views import Receipt


def mark(
    registry: Registry,
    first: int,
    last: int,
    code: str = "IPC01",
    registry_id: str = "XXA01",
    actor: Any = SECRETARIAT,
    key: str | None = None,
) -> marks.UnitMarkView:
    return marks.mark_units(
        registry,
        actor,
        marks.MarkUnits(
            registry_id=registry_id,
            serial_first=first,
            serial_last=last,
            inconsistency_code=code,
            reason="Table 4 of XXA and XXC disagree on these units",
        ),
        key,
    )


def lift(registry: Registry, mark_id: int, actor: Any = SECRETARIAT) -> marks.UnitMarkView:
    return marks.lift_mark(
        registry, actor, marks.LiftMark(mark=mark_id, reason="XXC resubmitted its AEF")
    )


def transfer(registry: Registry, world: SmallWorld, units_: c.UnitSelection) -> Receipt:
    return units.transfer_units(
        registry,
        XXA_ADMIN,
        c.TransferUnits(
            source_account=world["XXA Party amo_holding"],
            destination_account=world["XXA Green Group A amo_holding"],
            units=units_,
        ),
    )


def international(registry: Registry, world: SmallWorld, units_: c.UnitSelection) -> Receipt:
    return units.transfer_internationally(
        registry,
        XXA_ADMIN,
        c.TransferInternationally(
            source_account=world["XXA Party amo_holding"],
            destination_account=world["XXC Party itmo_holding"],
            units=units_,
        ),
    )


def moved(receipt: Receipt) -> list[tuple[int, int]]:
    assert receipt.transaction is not None
    return [(r.first, r.last) for r in receipt.transaction.ranges]


def totals(registry: Registry) -> int:
    return sum(quantity for quantity, _ in holdings(registry).values())


def actions(registry: Registry, world: SmallWorld) -> dict[str, Callable[[], Any]]:
    """Every way units leave an account, each asking for XXA01 850-859 (NDC AMOs) or, for the
    use, for XXC's ITMOs 950-959, which the test moved there before marking."""
    ndc = selection(ranges=[(850, 859)])
    return {
        "internal transfer": lambda: transfer(registry, world, ndc),
        "international transfer": lambda: international(registry, world, ndc),
        "use": lambda: units.use_towards_ndc(
            registry,
            XXC_ADMIN,
            c.UseTowardsNDC(
                source_account=world["XXC Party itmo_holding"],
                ndc_year=2025,
                units=selection(ranges=[(950, 959)]),
            ),
        ),
        "cancellation": lambda: units.cancel_units(
            registry,
            XXA_ADMIN,
            c.CancelUnits(
                source_account=world["XXA Party amo_holding"],
                purpose=CancellationPurpose.VOLUNTARY,
                units=ndc,
            ),
        ),
        "first-transfer record": lambda: units.record_first_transfer(
            registry,
            XXA_ADMIN,
            c.RecordFirstTransfer(
                account=world["XXA Party amo_holding"],
                reason="recorded by hand",
                units=selection(ranges=[(600, 609)]),
            ),
        ),
    }


@pytest.mark.parametrize(
    "action",
    ["internal transfer", "international transfer", "use", "cancellation", "first-transfer record"],
)
def test_marked_units_are_neither_transferred_used_cancelled_nor_first_transferred(
    registry: Registry, world: SmallWorld, action: str
):
    international(registry, world, selection(ranges=[(950, 999)]))
    mark(registry, 800, 999, code="DR03")
    mark(registry, 600, 650, code="IP02")
    before = holdings(registry)

    checks = refused(registry, actions(registry, world)[action])

    assert checks[0][0] == "C2010"
    assert checks[0][1].startswith("units:XXA01-")
    assert holdings(registry) == before
    assert totals(registry) == 1000
    assert verify_registry(registry) == []


def test_the_refusal_names_the_consistency_check_the_mark_and_the_marked_units(
    registry: Registry, world: SmallWorld
):
    placed = mark(registry, 855, 870, code="IPC01")
    with pytest.raises(CommandRefused) as raised:
        transfer(registry, world, selection(ranges=[(850, 859)]))
    refusal = raised.value.refusals[0]
    assert (refusal.check.code, refusal.field) == ("C2010", "units:XXA01-850-859")
    assert refusal.detail == (
        f"units XXA01 855–859 are marked after consistency check IPC01 (mark {placed.id}); "
        "the secretariat must lift the mark first"
    )


def test_unmarked_units_of_the_same_account_still_move(registry: Registry, world: SmallWorld):
    mark(registry, 701, 800)
    receipt = transfer(registry, world, selection(ranges=[(801, 850)]))
    assert receipt.status == "completed"
    assert moved(receipt) == [(801, 850)]
    assert verify_registry(registry) == []


def test_a_quantity_without_ranges_takes_unmarked_units_when_there_are_enough(
    registry: Registry, world: SmallWorld
):
    """The plain choice would move the NDC block's upper serials, 901-1000; they are marked."""
    mark(registry, 901, 1000)
    receipt = transfer(registry, world, selection(150, NDC))
    assert receipt.status == "completed"
    assert sum(b - a + 1 for a, b in moved(receipt)) == 150
    assert all(last < 901 for _, last in moved(receipt))
    assert totals(registry) == 1000
    assert verify_registry(registry) == []


def test_a_quantity_is_refused_when_too_few_units_are_unmarked(
    registry: Registry, world: SmallWorld
):
    mark(registry, 720, 1000, code="STC02")
    checks = refused(registry, lambda: transfer(registry, world, selection(50, NDC)))
    assert checks == [("C2010", "units:XXA01-951-1000")]


def test_lifting_the_mark_lets_the_units_move_again(registry: Registry, world: SmallWorld):
    placed = mark(registry, 850, 859)
    refused(registry, lambda: transfer(registry, world, selection(ranges=[(850, 859)])))
    lifted = lift(registry, placed.id)
    assert (lifted.active, lifted.lifted_by, lifted.lift_reason) == (
        False,
        SECRETARIAT.name,
        "XXC resubmitted its AEF",
    )
    receipt = transfer(registry, world, selection(ranges=[(850, 859)]))
    assert moved(receipt) == [(850, 859)]


def test_a_request_awaiting_approval_is_not_approved_once_its_units_are_marked(
    registry: Registry, world: SmallWorld
):
    transfer(registry, world, selection(ranges=[(850, 899)]))
    request = units.cancel_units(
        registry,
        GREEN_GROUP_A,
        c.CancelUnits(
            source_account=world["XXA Green Group A amo_holding"],
            purpose=CancellationPurpose.VOLUNTARY,
            units=selection(ranges=[(860, 869)]),
        ),
    )
    assert request.status == "awaiting_approval"
    mark(registry, 865, 865, code="ISC03")
    checks = refused(
        registry,
        lambda: approvals.approve_transaction(
            registry, XXA_ADMIN, c.ApproveTransaction(transaction=request.record)
        ),
    )
    assert checks == [("C2010", "units:XXA01-860-869")]


def test_linking_an_authorization_to_marked_mos_is_no_transfer_and_stays_possible(
    registry: Registry, world: SmallWorld
):
    """NDC authorization: the first transfer is the international transfer, not the link."""
    mark(registry, 1, 100)
    receipt = units.link_authorization(
        registry,
        XXA_ADMIN,
        c.LinkAuthorization(
            account=world["XXA Party mo_holding"],
            authorization_id=NDC,
            units=selection(ranges=[(1, 10)]),
        ),
    )
    assert receipt.status == "completed"
    checks = refused(registry, lambda: international(registry, world, selection(ranges=[(1, 10)])))
    assert checks[0][0] == "C2010"


@pytest.mark.parametrize("actor", [XXA_ADMIN, GREEN_GROUP_A, XXA_AUDITOR, XXC_ADMIN])
def test_only_the_secretariat_marks_and_lifts(registry: Registry, world: SmallWorld, actor: Any):
    assert refused(registry, lambda: mark(registry, 850, 859, actor=actor)) == [("C4002", "actor")]
    placed = mark(registry, 850, 859)
    assert refused(registry, lambda: lift(registry, placed.id, actor=actor)) == [("C4002", "actor")]


def test_a_mark_names_a_consistency_check_of_the_carp_and_a_valid_range(
    registry: Registry, world: SmallWorld
):
    def bad(**fields: Any) -> list[tuple[str, str]]:
        values = {
            "registry_id": "XXA01",
            "serial_first": 1,
            "serial_last": 10,
            "inconsistency_code": "IPC01",
            "reason": "why",
            **fields,
        }
        return refused(
            registry, lambda: marks.mark_units(registry, SECRETARIAT, marks.MarkUnits(**values))
        )

    assert bad(inconsistency_code="IPC02") == [("C2011", "inconsistency_code")]
    assert bad(inconsistency_code="II08") == [("C2011", "inconsistency_code")]
    assert bad(registry_id="XXA1") == [("C2011", "registry_id")]
    assert bad(registry_id="A65") == [("C2011", "registry_id")]
    assert bad(serial_first=11) == [("C2011", "serial_last")]
    assert bad(reason="  ") == [("C1011", "reason")]
    for code in ("II07", "STC04", "ISC01", "IRC01", "IP04", "DR01"):
        assert mark(registry, 1, 10, code=code).inconsistency_code == code
    a64 = mark(registry, 781, 930, registry_id="A64", code="DR02")
    assert (a64.registry_id, a64.quantity, a64.source) == ("A64", 150, "check")


def test_a_mark_is_lifted_once_and_only_a_mark_that_exists(registry: Registry, world: SmallWorld):
    placed = mark(registry, 850, 859)
    lift(registry, placed.id)
    assert refused(registry, lambda: lift(registry, placed.id)) == [("C2011", "mark")]
    assert refused(registry, lambda: lift(registry, placed.id + 100)) == [("C2011", "mark")]


def test_a_list_of_ranges_is_marked_whole_or_not_at_all(registry: Registry, world: SmallWorld):
    good = marks.MarkUnits(
        registry_id="XXA01", serial_first=1, serial_last=5, inconsistency_code="DR01", reason="r"
    )
    wrong = good.model_copy(update={"serial_first": 9, "serial_last": 2})
    checks = refused(
        registry,
        lambda: marks.mark_unit_ranges(
            registry, SECRETARIAT, marks.MarkUnitRanges(marks=[good, wrong])
        ),
    )
    assert checks == [("C2011", "marks.2.serial_last")]
    recorded = marks.mark_unit_ranges(
        registry, SECRETARIAT, marks.MarkUnitRanges(marks=[good, good])
    )
    assert [m.serial_first for m in recorded.marks] == [1, 1]


def test_a_mark_with_an_idempotency_key_is_recorded_once(registry: Registry, world: SmallWorld):
    first = mark(registry, 850, 859, key="mark-1")
    again = mark(registry, 850, 859, key="mark-1")
    assert again == first
    assert [m.id for m in marks.list_marks(registry, SECRETARIAT)] == [first.id]


def test_marking_and_lifting_are_journaled_and_the_journal_verifies(
    registry: Registry, world: SmallWorld
):
    count = journal_count(registry)
    placed = mark(registry, 850, 859, code="IP03")
    lift(registry, placed.id)
    assert journal_count(registry) == count + 2
    entries = ledger.journal(registry, SECRETARIAT, None, limit=500).items
    marked, lifted = entries[-2:]
    assert (marked.event, marked.subject, marked.party) == (
        "UnitsMarked",
        f"mark:{placed.id}",
        "XXA",
    )
    assert '"inconsistency_code":"IP03"' in marked.body
    assert (lifted.event, lifted.subject) == ("UnitMarkLifted", f"mark:{placed.id}")
    assert verify_registry(registry) == []


def test_a_mark_edited_in_the_database_fails_verification(registry: Registry, world: SmallWorld):
    placed = mark(registry, 850, 859)
    with registry.engine.begin() as connection:
        connection.execute(
            text("UPDATE unit_marks SET lifted_at = marked_at, lifted_by = 'x' WHERE id = :id"),
            {"id": placed.id},
        )
    problems = verify_registry(registry)
    assert any(f"mark {placed.id}" in problem for problem in problems), problems


def test_the_units_history_shows_their_marks_in_force_and_lifted(
    registry: Registry, world: SmallWorld
):
    first = mark(registry, 850, 859, code="IPC01")
    lift(registry, first.id)
    second = mark(registry, 855, 900, code="DR04")
    history = ledger.unit(registry, XXA_ADMIN, "XXA", "XXA01-856")
    assert [(m.id, m.inconsistency_code, m.active) for m in history.marks] == [
        (first.id, "IPC01", False),
        (second.id, "DR04", True),
    ]
    assert ledger.unit(registry, XXA_ADMIN, "XXA", "XXA01-10").marks == []


def test_a_party_sees_the_marks_touching_its_holdings_the_secretariat_all(
    registry: Registry, world: SmallWorld
):
    on_xxa = mark(registry, 850, 859)
    elsewhere = mark(registry, 5000, 5100, registry_id="XXB01")
    assert [m.id for m in marks.list_marks(registry, SECRETARIAT)] == [on_xxa.id, elsewhere.id]
    assert [m.id for m in marks.list_marks(registry, XXA_AUDITOR)] == [on_xxa.id]
    assert marks.list_marks(registry, XXC_ADMIN) == []
    assert marks.list_marks(registry, GREEN_GROUP_A) == []
    transfer(registry, world, selection(ranges=[(800, 849)]))
    mark(registry, 849, 849, code="II01")
    assert [m.serial_first for m in marks.list_marks(registry, GREEN_GROUP_A)] == [849]
    assert [m.id for m in marks.list_marks(registry, SECRETARIAT, active=True, limit=1)] == [
        on_xxa.id
    ]


def test_corsia_units_follow_the_same_rule(registry: Registry, world: SmallWorld):
    mark(registry, 501, 700, code="II05")
    checks = refused(
        registry,
        lambda: units.cancel_units(
            registry,
            XXA_ADMIN,
            c.CancelUnits(
                source_account=world["XXA Party amo_holding"],
                purpose=CancellationPurpose.IMP,
                purpose_text="CORSIA",
                units=selection(10, CORSIA),
            ),
        ),
    )
    assert checks[0][0] == "C2010"


def test_an_account_s_blocks_carry_the_marks_in_force_that_touch_them(
    registry: Registry, world: SmallWorld
):
    transfer(registry, world, selection(ranges=[(701, 750)]))
    placed = mark(registry, 740, 760, code="STC01")
    gone = mark(registry, 1, 1000, code="II02")
    lift(registry, gone.id)
    only = BlockFilter(account=world["XXA Party amo_holding"])
    blocks = ledger.blocks(registry, XXA_ADMIN, "XXA", only).items
    shown = {(b.first, b.last): [m.id for m in b.marks] for b in blocks}
    assert shown == {(501, 700): [], (751, 1000): [placed.id]}
    only = BlockFilter(account=world["XXA Green Group A amo_holding"])
    theirs = ledger.blocks(registry, XXA_ADMIN, "XXA", only).items
    assert [(b.first, b.last, [m.inconsistency_code for m in b.marks]) for b in theirs] == [
        (701, 750, ["STC01"])
    ]
