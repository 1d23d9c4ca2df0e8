"""Authorization records (AEF Table 2): the field rules, the rules for a new version, and what
an authorization admits."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from article6.domain.authorizations import MAX_TEXT, Authorization, validate, validate_change
from article6.domain.checks import CommandRefused
from article6.domain.nomenclature import FirstTransferDefinition, Metric, Purpose, Sector

TODAY = date(2026, 4, 10)
NDC_AUTHORIZATION = Authorization(
    party="XXA",
    authorization_id="XXA-AUTH-001",
    version=1,
    date_of_authorization=date(2025, 3, 1),
    cooperative_approach="CA0001",
    metric=Metric.GHG,
    sectors=(Sector.ENERGY_GENERATION,),
    purposes=Purpose.NDC,
)


def authorization(purposes: Purpose = Purpose.NDC, **changes) -> Authorization:
    """A valid authorization for `purposes`; OIMP purposes name CORSIA and a first transfer at
    Authorisation, as in the seed."""
    if purposes.covers_oimp:
        changes.setdefault("oimp_authorized", "CORSIA")
        changes.setdefault("first_transfer_definition", FirstTransferDefinition.AUTHORISATION)
    return replace(NDC_AUTHORIZATION, purposes=purposes, **changes)


def failures(record: Authorization) -> list[tuple[str, str]]:
    with pytest.raises(CommandRefused) as refused:
        validate(record, TODAY)
    return [(r.check.code, r.field) for r in refused.value.refusals]


@pytest.mark.parametrize("purposes", list(Purpose))
def test_a_complete_authorization_for_each_purpose_is_valid(purposes):
    validate(authorization(purposes), TODAY)


def test_a_complete_non_ghg_authorization_is_valid():
    validate(
        authorization(metric=Metric.NON_GHG, non_ghg_metric="MWh of renewable electricity"), TODAY
    )


@pytest.mark.parametrize(
    "identifier", ["1006.4/2810", "GUY 2024-CA1", "1001", "A6.2/THA-CHE (2024) #1", "x" * 64]
)
def test_the_authorization_ids_parties_use_are_valid(identifier):
    """Free text as in real AEFs (RULES.md 11.2), up to the column's 64 characters."""
    validate(authorization(authorization_id=identifier), TODAY)


@pytest.mark.parametrize("dated", [date(2021, 1, 1), TODAY])
def test_an_authorization_dated_from_2021_to_today_is_valid(dated):
    validate(authorization(date_of_authorization=dated), TODAY)


def test_texts_of_the_maximum_length_are_valid():
    validate(authorization(terms_and_conditions="x" * MAX_TEXT, timeframe=(2021, 2030)), TODAY)


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"authorization_id": "XXA\nAUTH-1"}, ("C1004", "authorization_id")),
        ({"authorization_id": "XXA\u0085AUTH-1"}, ("C1004", "authorization_id")),
        ({"authorization_id": " XXA-AUTH-1"}, ("C1004", "authorization_id")),
        ({"authorization_id": "XXA-AUTH-1 "}, ("C1004", "authorization_id")),
        ({"authorization_id": ""}, ("C1004", "authorization_id")),
        ({"authorization_id": "x" * 65}, ("C1004", "authorization_id")),
        ({"date_of_authorization": date(2042, 2, 28)}, ("C1009", "date_of_authorization")),
        ({"date_of_authorization": date(2026, 4, 11)}, ("C1009", "date_of_authorization")),
        ({"date_of_authorization": date(2020, 12, 31)}, ("C1009", "date_of_authorization")),
        ({"version": 0}, ("C1004", "version")),
        ({"cooperative_approach": "CA1"}, ("C1002", "cooperative_approach")),
        ({"party": "xxa"}, ("C1001", "party")),
        ({"authorized_quantity": 0}, ("C1005", "authorized_quantity")),
        ({"authorized_quantity": -5}, ("C1005", "authorized_quantity")),
        ({"metric": Metric.NON_GHG}, ("C1008", "non_ghg_metric")),
        ({"non_ghg_metric": "MWh"}, ("C1008", "non_ghg_metric")),
        ({"sectors": ()}, ("C1007", "sectors")),
        ({"timeframe": (2020, 2025)}, ("C1009", "timeframe")),
        ({"timeframe": (2026, 2024)}, ("C1009", "timeframe")),
        ({"timeframe": (2024, 2101)}, ("C1009", "timeframe")),
        ({"authorized_parties": ("XXC", "xx")}, ("C1001", "authorized_parties[1]")),
        ({"gwp_values": "x" * (MAX_TEXT + 1)}, ("C1011", "gwp_values")),
        ({"terms_and_conditions": "x" * (MAX_TEXT + 1)}, ("C1011", "terms_and_conditions")),
        ({"additional_information": "x" * (MAX_TEXT + 1)}, ("C1011", "additional_information")),
    ],
)
def test_each_field_rule_names_its_check_and_field(changes, expected):
    assert failures(authorization(**changes)) == [expected]


@pytest.mark.parametrize("purposes", [p for p in Purpose if p.covers_oimp])
def test_an_oimp_authorization_must_define_its_first_transfer_c1007(purposes):
    record = authorization(purposes, first_transfer_definition=None)
    assert failures(record) == [("C1007", "first_transfer_definition")]


def test_an_ndc_only_authorization_has_no_first_transfer_definition_c1007():
    record = authorization(first_transfer_definition=FirstTransferDefinition.ISSUANCE)
    assert failures(record) == [("C1007", "first_transfer_definition")]


@pytest.mark.parametrize("purposes", [p for p in Purpose if p.covers_oimp])
def test_an_oimp_authorization_names_what_it_is_for_c5004(purposes):
    record = authorization(purposes, oimp_authorized=None)
    assert failures(record) == [("C5004", "oimp_authorized")]


def test_an_ndc_only_authorization_names_no_oimp_c5004():
    assert failures(authorization(oimp_authorized="CORSIA")) == [("C5004", "oimp_authorized")]


def test_an_oimp_text_over_the_limit_is_refused_c1011():
    record = authorization(Purpose.OIMP, oimp_authorized="x" * (MAX_TEXT + 1))
    assert failures(record) == [("C1011", "oimp_authorized")]


def test_all_failures_are_reported_together():
    record = authorization(party="xxa", version=0, sectors=(), authorized_quantity=0)
    assert failures(record) == [
        ("C1001", "party"),
        ("C1004", "version"),
        ("C1005", "authorized_quantity"),
        ("C1007", "sectors"),
    ]


# validate_change


def change_failures(previous: Authorization, proposed: Authorization, linked: int) -> list:
    with pytest.raises(CommandRefused) as refused:
        validate_change(previous, proposed, linked)
    return [(r.check.code, r.field) for r in refused.value.refusals]


def test_a_new_version_may_change_terms_purposes_and_quantity():
    previous = authorization(authorized_quantity=1000)
    proposed = authorization(
        Purpose.NDC_AND_OIMP, version=2, authorized_quantity=500, terms_and_conditions="new"
    )
    validate_change(previous, proposed, linked_quantity=500)


def test_a_new_version_cannot_move_to_another_cooperative_approach_c3009():
    proposed = authorization(version=2, cooperative_approach="CA0002")
    assert change_failures(authorization(), proposed, 0) == [("C3009", "cooperative_approach")]


def test_a_new_version_stays_with_the_authorizing_party_c3009():
    proposed = authorization(version=2, party="XXC")
    assert change_failures(authorization(), proposed, 0) == [("C3009", "party")]


def test_the_metric_cannot_change_once_units_are_linked_c3009():
    proposed = authorization(version=2, metric=Metric.NON_GHG, non_ghg_metric="MWh")
    assert change_failures(authorization(), proposed, 1) == [("C3009", "metric")]


def test_the_metric_may_change_while_no_units_are_linked():
    proposed = authorization(version=2, metric=Metric.NON_GHG, non_ghg_metric="MWh")
    validate_change(authorization(), proposed, linked_quantity=0)


def test_the_quantity_cannot_fall_below_what_is_linked_c3009():
    proposed = authorization(version=2, authorized_quantity=499)
    assert change_failures(authorization(), proposed, 500) == [("C3009", "authorized_quantity")]


def test_dropping_the_quantity_limit_is_allowed():
    previous = authorization(authorized_quantity=1000)
    validate_change(previous, authorization(version=2), linked_quantity=1000)


def test_all_change_failures_are_reported_together():
    proposed = authorization(
        version=2, cooperative_approach="CA0002", metric=Metric.NON_GHG, authorized_quantity=1
    )
    assert [code for code, _ in change_failures(authorization(), proposed, 10)] == ["C3009"] * 3


# what an authorization admits


def test_an_authorization_naming_no_parties_admits_any():
    assert authorization().admits_party("XXC")


def test_an_authorization_naming_parties_admits_only_those():
    named = authorization(authorized_parties=("XXB", "XXC"))
    assert named.admits_party("XXC") and not named.admits_party("XXD")


def test_an_authorization_naming_no_entities_admits_any():
    assert authorization().admits_entity("Green Group A")


def test_an_authorization_naming_entities_admits_only_those():
    named = authorization(authorized_entities=("Green Group A",))
    assert named.admits_entity("Green Group A") and not named.admits_entity("Green Group B")


def test_an_authorization_without_timeframe_admits_every_vintage():
    assert authorization().admits_vintage(2021)


@pytest.mark.parametrize(("vintage", "admitted"), [(2022, False), (2023, True), (2025, True)])
def test_a_timeframe_admits_the_vintages_within_it_inclusive(vintage, admitted):
    assert authorization(timeframe=(2023, 2025)).admits_vintage(vintage) is admitted


def test_the_version_label_is_the_aef_x_y_form():
    assert authorization(version=3).version_label == "3.0"


# purposes (Table 16(b)): NDC use needs NDC; IMP use IMP or OIMP; OP cancellation OP or OIMP

PURPOSE_COVERAGE = {
    #                          ndc    imp    op     oimp
    Purpose.NDC: (True, False, False, False),
    Purpose.OIMP: (False, True, True, True),
    Purpose.IMP: (False, True, False, True),
    Purpose.OP: (False, False, True, True),
    Purpose.NDC_AND_OIMP: (True, True, True, True),
    Purpose.NDC_AND_IMP: (True, True, False, True),
    Purpose.NDC_AND_OP: (True, False, True, True),
}


def test_the_coverage_table_names_every_purpose():
    assert set(PURPOSE_COVERAGE) == set(Purpose)


@pytest.mark.parametrize(("purpose", "coverage"), PURPOSE_COVERAGE.items())
def test_what_each_purpose_covers(purpose, coverage):
    assert (purpose.covers_ndc, purpose.covers_imp, purpose.covers_op, purpose.covers_oimp) == (
        coverage
    )


# what each refusal says


def sentences(record: Authorization) -> list[tuple[str, str, str]]:
    with pytest.raises(CommandRefused) as refused:
        validate(record, TODAY)
    return [(r.check.code, r.field, r.detail) for r in refused.value.refusals]


@pytest.mark.parametrize(
    ("record", "said"),
    [
        (
            authorization(version=0),
            ("C1004", "version", "the version is a positive integer"),
        ),
        (
            authorization(authorized_quantity=0),
            ("C1005", "authorized_quantity", "an authorized quantity, when given, is positive"),
        ),
        (
            authorization(metric=Metric.NON_GHG),
            (
                "C1008",
                "non_ghg_metric",
                "a non-GHG metric is named if and only if the metric is non-GHG",
            ),
        ),
        (
            authorization(sectors=()),
            ("C1007", "sectors", "at least one sector is named"),
        ),
        (
            authorization(Purpose.OIMP, first_transfer_definition=None),
            (
                "C1007",
                "first_transfer_definition",
                "an authorization for OIMP defines its first transfer: Authorisation, Issuance "
                "or Use or Cancellation",
            ),
        ),
        (
            authorization(first_transfer_definition=FirstTransferDefinition.ISSUANCE),
            (
                "C1007",
                "first_transfer_definition",
                "a first-transfer definition applies only to OIMP",
            ),
        ),
        (
            authorization(Purpose.OIMP, oimp_authorized=None),
            (
                "C5004",
                "oimp_authorized",
                "an authorization for OIMP names the purpose (for example CORSIA)",
            ),
        ),
        (
            authorization(oimp_authorized="CORSIA"),
            (
                "C5004",
                "oimp_authorized",
                "OIMP authorized by the Party applies only when the purposes cover OIMP",
            ),
        ),
        (
            authorization(timeframe=(2020, 2025)),
            ("C1009", "timeframe", "timeframe 2020 - 2025 is not a period from 2021 on"),
        ),
        (
            authorization(authorized_parties=("xx",)),
            ("C1001", "authorized_parties[0]", "“xx” is not a Party code"),
        ),
        (
            authorization(metric=Metric.NON_GHG, non_ghg_metric="x" * (MAX_TEXT + 1)),
            ("C1011", "non_ghg_metric", f"at most {MAX_TEXT} characters"),
        ),
    ],
    ids=lambda value: "" if isinstance(value, Authorization) else value[1],
)
def test_each_field_rule_says_what_it_asks(record, said):
    assert sentences(record) == [said]


def test_a_date_outside_2021_to_today_says_the_period():
    assert sentences(authorization(date_of_authorization=date(2020, 12, 31))) == [
        (
            "C1009",
            "date_of_authorization",
            "2020-12-31 is not a date from 2021-01-01 (decision 2/CMA.3 applies from 2021) to "
            "today (2026-04-10)",
        )
    ]


def test_the_limits_of_each_rule_are_valid():
    validate(authorization(authorized_quantity=1), TODAY)
    validate(authorization(timeframe=(2024, 2024)), TODAY)
    validate(authorization(timeframe=(2021, 2100)), TODAY)


def change_sentences(previous: Authorization, proposed: Authorization, linked: int) -> list:
    with pytest.raises(CommandRefused) as refused:
        validate_change(previous, proposed, linked)
    return [(r.check.code, r.field, r.detail) for r in refused.value.refusals]


def test_each_rule_of_a_new_version_says_what_it_keeps():
    previous = authorization(date_of_authorization=date(2025, 3, 1))
    proposed = authorization(
        version=2,
        party="XXC",
        cooperative_approach="CA0002",
        metric=Metric.NON_GHG,
        date_of_authorization=date(2025, 2, 28),
        authorized_quantity=9,
    )
    assert change_sentences(previous, proposed, 10) == [
        ("C3009", "party", "a new version stays with the authorizing Party"),
        (
            "C3009",
            "cooperative_approach",
            "a new version cannot move the authorization to another cooperative approach",
        ),
        ("C3009", "metric", "the metric cannot change once units are linked"),
        (
            "C3009",
            "date_of_authorization",
            "a new version is dated on or after the version it changes (2025-03-01)",
        ),
        (
            "C3009",
            "authorized_quantity",
            "10 units are already linked; the authorized quantity cannot be lower",
        ),
    ]


def test_a_new_version_may_be_dated_the_same_day_and_authorize_exactly_what_is_linked():
    previous = authorization(authorized_quantity=20)
    validate_change(previous, authorization(version=2, authorized_quantity=10), 10)
