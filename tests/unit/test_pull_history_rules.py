"""The whole history of a page (protocol 1.4), without a database: the asking registry follows
a page's actions serial by serial (C6121) and takes only actions on the page's serials, once
(C6122). Written as small ledgers: an issuance, transfers, units that leave and come back, an
action that was proposed but moved nothing."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from article6.domain.messages import (
    A64ERAction,
    AttestedHoldings,
    HeldA64ER,
    MechanismHoldingsQuery,
    QueryBy,
)
from article6.domain.pull_history import history_refusals

AT = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
BY_SERIAL = MechanismHoldingsQuery(
    query_id="query-0001",
    requesting_registry="IR",
    by=QueryBy.SERIAL,
    first=1,
    last=100,
    limit=10,
    asked_at=AT,
)


def action(name: str, first: int, last: int, source: str | None, to: str | None, **more: Any):
    return A64ERAction(
        transaction_id=name,
        kind=more.pop("kind", "internal_transfer"),
        status=more.pop("status", "completed"),
        at=AT,
        first=first,
        last=last,
        from_state=more.pop("from_state", None if source is None else "AMO"),
        to_state=more.pop("to_state", "AMO"),
        source_account=source,
        destination_account=to,
    )


def held(first: int, last: int, account: str) -> HeldA64ER:
    return HeldA64ER(
        first=first,
        last=last,
        account=account,
        account_kind="amo_holding",
        party="XXD",
        host_party="XXD",
        state="AMO",
        vintage=2025,
        mitigation_activity="A64-XXD-0001",
        authorization_id="XXD-A64-NDC-1",
        first_transferred=False,
    )


def codes(history: list[A64ERAction], holdings: list[HeldA64ER], **more: Any) -> list[str]:
    page = AttestedHoldings(
        mechanism_registry="A64",
        addressee="IR",
        query=BY_SERIAL,
        answered_at=AT + timedelta(seconds=1),
        holdings=holdings,
        history=history,
        **more,
    )
    return [refusal.check.code for refusal in history_refusals(page, BY_SERIAL)]


ISSUED = action("T1", 1, 1000, None, "PENDING", kind="issuance")
SPLIT = [
    ISSUED,
    action("T2", 1, 60, "PENDING", "A"),
    action("T3", 61, 100, "PENDING", "B"),
    action("T4", 41, 60, "A", "B"),
]


def test_a_whole_history_leads_every_range_held_to_where_it_is_held():
    assert codes(SPLIT, [held(1, 40, "A"), held(41, 100, "B")]) == []


def test_an_action_left_out_breaks_the_chain_on_its_serials():
    assert codes([*SPLIT[:3]], [held(1, 40, "A"), held(41, 100, "B")]) == ["C6121"]
    assert codes(SPLIT[1:], [held(1, 40, "A"), held(41, 100, "B")]) == ["C6121"]  # no issuance


def test_actions_out_of_order_break_the_chain():
    swapped = [SPLIT[0], SPLIT[3], SPLIT[1], SPLIT[2]]
    assert codes(swapped, [held(1, 40, "A"), held(41, 100, "B")]) == ["C6121"]


def test_a_state_not_the_one_left_breaks_the_chain():
    wrong = [*SPLIT[:3], action("T4", 41, 60, "A", "B", from_state="MO")]
    assert codes(wrong, [held(1, 40, "A"), held(41, 100, "B")]) == ["C6121"]


def test_an_action_that_moved_nothing_is_listed_but_not_followed():
    refused = action("T5", 1, 40, "A", None, kind="external_transfer", status="rejected")
    assert codes([*SPLIT, refused], [held(1, 40, "A"), held(41, 100, "B")]) == []


def test_units_that_left_and_came_back_are_followed():
    left = action("T5", 1, 40, "A", None, kind="external_transfer")
    back = action("T6", 1, 40, None, "C", kind="acquisition")
    assert codes([*SPLIT, left], [held(41, 100, "B")]) == []
    assert codes([*SPLIT, left, back], [held(1, 40, "C"), held(41, 100, "B")]) == []
    assert codes([*SPLIT, left], [held(1, 40, "A"), held(41, 100, "B")]) == ["C6121"]


def test_an_action_not_on_the_page_or_listed_twice_is_refused():
    assert codes([*SPLIT, SPLIT[1]], [held(1, 40, "A"), held(41, 100, "B")]) == ["C6122"]
    beyond = action("T9", 500, 600, "PENDING", "A")
    assert codes([*SPLIT, beyond], [held(1, 40, "A"), held(41, 100, "B")]) == ["C6122"]


def test_a_page_saying_its_history_was_cut_short_is_not_followed():
    cut = codes(SPLIT[:1], [held(1, 40, "A")], history_truncated=True)
    assert cut == []
    assert codes([*SPLIT[:1], SPLIT[0]], [held(1, 40, "A")], history_truncated=True) == ["C6122"]
