"""A movement's rules over what its command loaded: pure functions, run in the catalogue's
order, the first that refuses deciding the outcome; and what approving it changes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from article6.domain.accounts import Account, AccountKind, AccountStatus, UnitState
from article6.domain.authorizations import Authorization
from article6.domain.blocks import Portion, UnitAttributes, UnitBlock
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.first_transfer import Action
from article6.domain.movements import (
    APPROVAL_RULES,
    PROPOSAL_RULES,
    MovementContext,
    judge_all,
)
from article6.domain.nomenclature import (
    ActionSubtype,
    ActivityType,
    FirstTransferDefinition,
    Metric,
    MitigationType,
    Purpose,
    Sector,
)
from article6.domain.reconciliation import ReconciliationHold
from article6.domain.unit_marks import MarkSource, UnitMark

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

SOLAR = UnitAttributes(
    cooperative_approach="CA0001",
    registry="XXA01",
    first_transferring_party="XXA",
    vintage=2024,
    metric=Metric.GHG,
    mitigation_type=MitigationType.EMISSION_REDUCTIONS,
    sector=Sector.ENERGY_GENERATION,
    activity_type=ActivityType.SOLAR,
    mitigation_activity="XXA-SOLAR-1",
    authorization_id="XXA-AUTH-001",
    authorization_version=1,
)
NDC = Authorization(
    party="XXA",
    authorization_id="XXA-AUTH-001",
    version=1,
    date_of_authorization=date(2025, 3, 1),
    cooperative_approach="CA0001",
    metric=Metric.GHG,
    sectors=(Sector.ENERGY_GENERATION,),
    purposes=Purpose.NDC,
)


def account(
    account_id: int,
    kind: AccountKind,
    party: str = "XXA",
    holder: str = "PARTY",
    entity_id: int | None = None,
    status: AccountStatus = AccountStatus.OPEN,
) -> Account:
    return Account(
        id=account_id,
        identifier=f"{party}-{account_id}",
        party_code=party,
        entity_id=entity_id,
        holder=holder,
        kind=kind.value,
        cooperative_approach_key="CA0001",
        status=status.value,
    )


PARTY_AMO = account(1, AccountKind.AMO_HOLDING)
ENTITY_AMO = account(2, AccountKind.AMO_HOLDING, holder="XXA-E-0001", entity_id=7)
XXC_ITMO = account(3, AccountKind.ITMO_HOLDING, party="XXC")


def amo(first: int = 1, last: int = 1000) -> Portion:
    return Portion(UnitBlock(1, 1, 1000, SOLAR, UnitState.AMO, account_id=1), first, last)


def transfer(**changes: object) -> MovementContext:
    """500 AMOs of XXA's AMO holding account to an entity's, everything in order."""
    context = MovementContext(
        action=Action.INTERNAL_TRANSFER,
        source=PARTY_AMO,
        destination=ENTITY_AMO,
        now=NOW,
        portions=(amo(1, 500),),
        governing=(NDC,),
        entity_status={(7, "CA0001"): "active"},
    )
    return replace(context, **changes)


def first_refusal(context: MovementContext, rules=PROPOSAL_RULES) -> Refusal | None:
    for rule in rules:
        refusals = rule(context)
        if refusals:
            return refusals[0]
    return None


def test_a_transfer_that_breaks_no_rule_passes_them_all():
    assert first_refusal(transfer()) is None


def test_a_closed_source_is_refused_before_anything_about_the_units():
    refusal = first_refusal(
        transfer(
            source=replace(PARTY_AMO, status="closed"),
            selection_refused=(Refusal(Check.C2001, "units.quantity", "too few"),),
        )
    )
    assert refusal == Refusal(Check.C4001, "source_account", "account XXA-1 is closed")


def test_moving_to_the_same_account_is_refused_on_the_destination():
    refusal = first_refusal(transfer(destination=PARTY_AMO))
    assert refusal is not None
    assert (refusal.check, refusal.field) == (Check.C4001, "destination_account")


def test_a_refused_choice_of_blocks_is_reported_in_its_place_among_the_rules():
    too_few = Refusal(Check.C2001, "units.quantity", "only 10 available")
    assert first_refusal(transfer(portions=(), selection_refused=(too_few,))) == too_few


def test_an_international_transfer_needs_both_parties_active_in_the_approach():
    abroad = transfer(
        action=Action.INTERNATIONAL_TRANSFER,
        destination=XXC_ITMO,
        acquiring_party="XXC",
        participants=("XXA", "XXC"),
        participation={"XXA": "active", "XXC": "suspended"},
    )
    refusal = first_refusal(abroad)
    assert refusal == Refusal(
        Check.C4004, "destination_account", "XXC does not participate actively in CA0001"
    )


def test_marked_units_are_refused_before_the_verdict_on_them():
    mark = UnitMark(
        id=4,
        registry="XXA01",
        first=100,
        last=120,
        inconsistency_code="IPC01",
        reason="r",
        source=MarkSource.CHECK,
        marked_by="secretariat.admin",
        marked_at=NOW,
    )
    refusal = first_refusal(transfer(marks=(mark,)))
    assert refusal is not None
    assert (refusal.check, refusal.field) == (Check.C2010, "units:XXA01-1-500")
    assert "100–120" in refusal.detail and "IPC01" in refusal.detail


def test_an_entity_not_active_for_the_approach_is_refused_naming_the_units():
    refusal = first_refusal(transfer(entity_status={(7, "CA0001"): "suspended"}))
    assert refusal == Refusal(
        Check.C3005, "units:XXA01-1-1000", "entity XXA-E-0001 is suspended for CA0001"
    )


def test_units_the_destination_cannot_hold_are_refused_on_the_destination():
    to_itmo = transfer(destination=account(9, AccountKind.ITMO_HOLDING), entity_status={})
    refusal = first_refusal(to_itmo)
    assert refusal is not None
    assert (refusal.check, refusal.field) == (Check.C4001, "destination_account")
    assert "become AMO" in refusal.detail


def test_linking_past_the_authorized_quantity_is_refused_with_the_count():
    capped = replace(NDC, authorized_quantity=1000)
    mos = Portion(
        UnitBlock(1, 1, 1000, replace(SOLAR, authorization_id=None), UnitState.MO, 1), 1, 500
    )
    link = transfer(
        action=Action.AUTHORIZATION,
        source=account(5, AccountKind.MO_HOLDING),
        destination=PARTY_AMO,
        authorization=capped,
        portions=(mos,),
        governing=(None,),
        linked=600,
    )
    assert first_refusal(link) == Refusal(
        Check.C3007,
        "units",
        "600 units are linked already; 500 more would pass the authorized quantity of 1,000",
    )
    assert first_refusal(replace(link, linked=500)) is None


def test_an_approval_is_refused_while_a_reconciliation_holds_the_registry():
    held = ReconciliationHold("R-1", NOW + timedelta(minutes=5))
    refusal = first_refusal(transfer(hold=held), APPROVAL_RULES)
    assert refusal is not None and refusal.check is Check.C2006
    assert first_refusal(transfer(hold=replace(held, until=NOW)), APPROVAL_RULES) is None


def test_the_verdicts_of_a_context_that_passed_say_what_each_portion_becomes():
    oimp = replace(
        NDC,
        purposes=Purpose.OIMP,
        oimp_authorized="CORSIA",
        first_transfer_definition=FirstTransferDefinition.USE_OR_CANCELLATION,
    )
    cancel = transfer(
        action=Action.CANCELLATION_VOLUNTARY,
        destination=account(6, AccountKind.VOLUNTARY_CANCELLATION),
        governing=(oimp,),
        entity_status={},
    )
    assert first_refusal(cancel) is None
    [judged] = judge_all(cancel)
    assert judged.verdict.state is UnitState.CANCELLED
    assert judged.verdict.first_transfer is ActionSubtype.USE_OR_CANCELLATION
    assert judged.authorization is oimp


def test_judging_a_context_that_did_not_pass_raises_its_refusal():
    with pytest.raises(CommandRefused) as refused:
        judge_all(transfer(entity_status={}))
    assert refused.value.codes == [Check.C3005.code]
