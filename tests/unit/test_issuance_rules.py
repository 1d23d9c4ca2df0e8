"""An issuance's rules over what its command loaded, in the catalogue's order: the vintage, the
quantity, the non-GHG measure, the underlying units left, the authorization named and its
authorized quantity, the account."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime
from decimal import Decimal

from article6.domain.accounts import Account, AccountKind, UnitState
from article6.domain.authorizations import Authorization
from article6.domain.checks import Check, Refusal
from article6.domain.issuance import (
    ISSUANCE_RULES,
    Activity,
    IssuanceContext,
    attributes_of,
    verdict_of,
)
from article6.domain.nomenclature import (
    ActionSubtype,
    FirstTransferDefinition,
    Metric,
    MitigationType,
    Purpose,
    Sector,
)

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

SOLAR = Activity(
    id=1,
    identifier="XXA-SOLAR-1",
    host_party="XXA",
    cooperative_approach_id="CA0001",
    sector=Sector.ENERGY_GENERATION.value,
    activity_type=None,
    mitigation_type=MitigationType.EMISSION_REDUCTIONS.value,
    metric=Metric.GHG.value,
    gwp_values=None,
    non_ghg_metric=None,
    underlying_registry=None,
    underlying_next=None,
    underlying_last=None,
)
MO_HOLDING = Account(1, "XXA-1", "XXA", None, "PARTY", AccountKind.MO_HOLDING.value, "", "open")
AT_ISSUANCE = Authorization(
    party="XXA",
    authorization_id="XXA-AUTH-002",
    version=3,
    date_of_authorization=date(2025, 3, 1),
    cooperative_approach="CA0001",
    metric=Metric.GHG,
    sectors=(Sector.ENERGY_GENERATION,),
    purposes=Purpose.OIMP,
    oimp_authorized="CORSIA",
    first_transfer_definition=FirstTransferDefinition.ISSUANCE,
)


def issuance(**changes: object) -> IssuanceContext:
    """1,000 units of vintage 2025 of XXA's solar activity into its MO holding account."""
    context = IssuanceContext(
        party="XXA",
        registry_id="XXA01",
        activity=SOLAR,
        vintage=2025,
        quantity=1000,
        now=NOW,
        account=MO_HOLDING,
    )
    return replace(context, **changes)


def first_refusal(context: IssuanceContext) -> Refusal | None:
    for rule in ISSUANCE_RULES:
        refusals = rule(context)
        if refusals:
            return refusals[0]
    return None


def test_an_issuance_that_breaks_no_rule_issues_mos():
    context = issuance()
    assert first_refusal(context) is None
    assert verdict_of(context) is None
    assert attributes_of(context).authorization_id is None


def test_a_vintage_after_the_registry_s_year_is_refused_before_the_quantity():
    refusal = first_refusal(issuance(vintage=2027, quantity=0))
    assert refusal is not None and (refusal.check, refusal.field) == (Check.C1006, "vintage")


def test_a_ghg_activity_takes_no_non_ghg_quantity():
    assert first_refusal(issuance(non_ghg_quantity=Decimal(5))) == Refusal(
        Check.C1008, "non_ghg_quantity", "the activity is measured in GHG"
    )


def test_a_non_ghg_activity_records_its_measure_per_unit():
    hectares = replace(SOLAR, metric=Metric.NON_GHG.value, non_ghg_metric="ha")
    context = issuance(activity=hectares, non_ghg_quantity=Decimal(250))
    assert first_refusal(context) is None
    assert attributes_of(context).non_ghg_per_unit == "0.25"
    refusal = first_refusal(issuance(activity=hectares))
    assert refusal == Refusal(Check.C1008, "non_ghg_quantity", "give the quantity in ha")


def test_no_more_units_than_underlying_ids_are_left():
    underlying = replace(
        SOLAR, underlying_registry="Verra", underlying_next=901, underlying_last=1800
    )
    assert first_refusal(issuance(activity=underlying, quantity=900)) is None
    assert first_refusal(issuance(activity=underlying, quantity=901)) == Refusal(
        Check.C2003, "quantity", "only 900 underlying Verra units remain"
    )


def test_an_authorization_that_is_not_the_party_s_is_refused_by_its_id():
    refusal = first_refusal(issuance(authorization_id="XXA-NONE"))
    assert refusal == Refusal(
        Check.C3002, "authorization_id", "XXA-NONE is not an authorization of XXA"
    )


def test_issuing_under_an_authorization_first_transferred_at_issuance_gives_itmos():
    context = issuance(authorization_id="XXA-AUTH-002", authorization=AT_ISSUANCE)
    assert first_refusal(context) is None
    verdict = verdict_of(context)
    assert verdict is not None
    assert (verdict.state, verdict.first_transfer) == (UnitState.ITMO, ActionSubtype.ISSUANCE)
    attributes = attributes_of(context)
    assert (attributes.authorization_id, attributes.authorization_version) == ("XXA-AUTH-002", 3)


def test_issuing_past_the_authorized_quantity_is_refused_with_the_count():
    capped = replace(AT_ISSUANCE, authorized_quantity=1500)
    context = issuance(authorization_id="XXA-AUTH-002", authorization=capped, linked=600)
    assert first_refusal(context) == Refusal(
        Check.C3007,
        "quantity",
        "600 units are issued under the authorization already; 1000 more would pass 1500",
    )
    assert first_refusal(replace(context, linked=500)) is None


def test_a_missing_account_is_reported_after_every_rule_about_the_units():
    no_account = Refusal(Check.C4001, "account", "XXA has no MO Holding account for None")
    context = issuance(account=None, account_refused=(no_account,))
    assert first_refusal(context) == no_account
    assert first_refusal(replace(context, vintage=2020)).check is Check.C1006
