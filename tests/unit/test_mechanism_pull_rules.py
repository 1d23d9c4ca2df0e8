"""The rules of pull and view, without a database: what a query must name, who may pull and
view (C5005), and when an answer whose signature holds is still refused: for another registry
or query (C6009), too old or from before its request (C6113), larger than asked (C6114)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from article6.domain.access import Actor, Role, may_pull_mechanism, may_view_mechanism
from article6.domain.mechanism_pulls import (
    ANSWER_VALIDITY,
    FRESH_FOR,
    answer_refusals,
    is_cached,
    selector_refusals,
)
from article6.domain.messages import AttestedHoldings, MechanismHoldingsQuery, QueryBy
from article6.domain.protocol import CLOCK_SKEW

ASKED = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)
QUERY = MechanismHoldingsQuery(
    query_id="query-0001",
    requesting_registry="IR",
    party="XXD",
    by=QueryBy.AUTHORIZATION,
    authorization_id="XXD-A64-NDC-1",
    limit=10,
    asked_at=ASKED,
)


def attested(**changes: object) -> AttestedHoldings:
    fields: dict[str, object] = {
        "mechanism_registry": "A64",
        "addressee": "IR",
        "query": QUERY,
        "answered_at": ASKED + timedelta(seconds=1),
        "holdings": [],
        "history": [],
    }
    return AttestedHoldings.model_validate(fields | changes)


def codes(answer: AttestedHoldings, now: datetime, size: int = 1000) -> list[str]:
    return [r.check.code for r in answer_refusals(answer, QUERY, ASKED, "IR", size, now)]


def test_an_answer_to_this_query_made_after_it_and_recent_passes():
    assert codes(attested(), ASKED + timedelta(seconds=2)) == []
    assert codes(attested(), ASKED + ANSWER_VALIDITY) == []


def test_an_answer_for_another_registry_or_another_query_is_refused():
    assert codes(attested(addressee="XXB01"), ASKED) == ["C6009"]
    wider = QUERY.model_copy(update={"party": None})
    refusal = answer_refusals(attested(query=wider), QUERY, ASKED, "IR", 10, ASKED)[0]
    assert (refusal.check.code, refusal.field) == ("C6009", "attested.query")
    assert "party" in refusal.detail


@pytest.mark.parametrize(
    "answered, now",
    [
        (ASKED - CLOCK_SKEW - timedelta(seconds=1), ASKED),  # made before it was asked
        (ASKED + timedelta(seconds=1), ASKED + ANSWER_VALIDITY + timedelta(seconds=2)),  # old
        (ASKED + CLOCK_SKEW + timedelta(minutes=1), ASKED),  # from the future
    ],
)
def test_a_stale_or_untimely_answer_is_refused(answered, now):
    assert codes(attested(answered_at=answered), now) == ["C6113"]


def test_an_answer_larger_than_asked_is_refused():
    assert codes(attested(), ASKED, size=5 * 1024 * 1024) == ["C6114"]


def test_a_query_names_what_it_selects_by():
    for by, field in ((QueryBy.ACCOUNT, "account"), (QueryBy.SERIAL, "first")):
        (refusal,) = selector_refusals(QUERY.model_copy(update={"by": by}))
        assert refusal.field == field
    reversed_range = QUERY.model_copy(update={"by": QueryBy.SERIAL, "first": 9, "last": 3})
    assert [r.check.code for r in selector_refusals(reversed_range)] == ["C1005"]


def test_the_secretariat_pulls_registry_wide_and_a_party_for_itself_only():
    secretariat = Actor("sec", Role.SECRETARIAT)
    xxa_user = Actor("u", Role.PARTY_USER, "XXA")
    assert may_pull_mechanism(secretariat, None) is None
    assert may_pull_mechanism(xxa_user, "XXA") is None
    for actor, party in (
        (xxa_user, "XXD"),
        (xxa_user, None),
        (Actor("a", Role.AUDITOR, "XXA"), "XXA"),
        (Actor("e", Role.ENTITY, "XXA", "XXA-E0001"), "XXA"),
    ):
        refusal = may_pull_mechanism(actor, party)
        assert refusal is not None and refusal.check.code == "C5005", (actor, party)
    assert may_view_mechanism(Actor("a", Role.AUDITOR, "XXA"), "XXA") is None
    assert may_view_mechanism(Actor("a", Role.AUDITOR), None) is None  # registry-wide auditor
    assert may_view_mechanism(Actor("e", Role.ENTITY, "XXA", "XXA-E0001"), "XXA") is not None


def test_an_answer_shown_after_a_while_is_the_cached_copy():
    assert not is_cached(ASKED, ASKED + FRESH_FOR)
    assert is_cached(ASKED, ASKED + FRESH_FOR + timedelta(seconds=1))
