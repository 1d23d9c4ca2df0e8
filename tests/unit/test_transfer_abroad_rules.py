"""A transfer to another registry's rules: the units leave this registry, so only the source
account, the Parties' participation, the choice of units and the verdict on each portion are
judged here, in the catalogue's order; its approval judges the hold in its place."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from test_movement_rules import NDC, NOW, PARTY_AMO, amo, first_refusal

from article6.domain.checks import Check, Refusal
from article6.domain.first_transfer import Action
from article6.domain.movements import (
    EXTERNAL_APPROVAL_RULES,
    EXTERNAL_PROPOSAL_RULES,
    MovementContext,
    judge_all,
)
from article6.domain.reconciliation import ReconciliationHold


def abroad(**changes: object) -> MovementContext:
    """500 of XXA's AMOs leaving for XXC's registry: the movement's destination is its source."""
    context = MovementContext(
        action=Action.INTERNATIONAL_TRANSFER,
        source=PARTY_AMO,
        destination=PARTY_AMO,
        now=NOW,
        acquiring_party="XXC",
        portions=(amo(1, 500),),
        governing=(NDC,),
        participants=("XXA", "XXC"),
        participation={"XXA": "active", "XXC": "active"},
    )
    return replace(context, **changes)


def test_units_leaving_for_another_registry_pass_without_a_destination_here():
    assert first_refusal(abroad(), EXTERNAL_PROPOSAL_RULES) is None
    [judged] = judge_all(abroad())
    assert (judged.verdict.state.value, judged.verdict.first_transfer is not None) == (
        "ITMO",
        True,
    )


def test_a_closed_source_comes_before_the_parties_and_the_units():
    too_few = Refusal(Check.C2001, "units.quantity", "only 10 available")
    refusal = first_refusal(
        abroad(
            source=replace(PARTY_AMO, status="closed"),
            participation={"XXA": "active", "XXC": "suspended"},
            portions=(),
            selection_refused=(too_few,),
        ),
        EXTERNAL_PROPOSAL_RULES,
    )
    assert refusal == Refusal(Check.C4001, "source_account", "account XXA-1 is closed")


def test_a_refused_choice_of_units_is_reported_after_the_parties_participation():
    too_few = Refusal(Check.C2001, "units.quantity", "only 10 available")
    suspended = abroad(
        participation={"XXA": "active", "XXC": "suspended"},
        portions=(),
        selection_refused=(too_few,),
    )
    assert first_refusal(suspended, EXTERNAL_PROPOSAL_RULES) == Refusal(
        Check.C4004, "destination_account", "XXC does not participate actively in CA0001"
    )
    assert (
        first_refusal(
            replace(suspended, participation={"XXA": "active", "XXC": "active"}),
            EXTERNAL_PROPOSAL_RULES,
        )
        == too_few
    )


def test_an_approval_is_refused_while_a_reconciliation_holds_the_registry_at_its_time():
    hold = ReconciliationHold("R-1", NOW + timedelta(minutes=30))
    refusal = first_refusal(abroad(hold=hold), EXTERNAL_APPROVAL_RULES)
    assert refusal is not None
    assert (refusal.check, refusal.field) == (Check.C2006, "reconciliation")
    assert (
        first_refusal(abroad(hold=hold, now=NOW + timedelta(hours=1)), EXTERNAL_APPROVAL_RULES)
        is None
    )
