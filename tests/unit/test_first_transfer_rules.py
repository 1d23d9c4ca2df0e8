"""First transfer (2/CMA.3 annex para 2) and what each action does to a block's state.

Para 2(a): MOs authorized for NDC use are first transferred at their first international
transfer. Para 2(b): MOs authorized for OIMP are first transferred at the authorization,
issuance, or use or cancellation, as the first transferring Party specified. With both,
whichever comes first; a unit is first transferred once.
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import date

import pytest

from article6.domain.accounts import UnitState
from article6.domain.authorizations import Authorization
from article6.domain.blocks import UnitAttributes, UnitBlock
from article6.domain.checks import CommandRefused, Refusal
from article6.domain.first_transfer import (
    Action,
    Verdict,
    first_transfer_at,
    judge,
    judge_issuance,
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

AUTHORISATION = FirstTransferDefinition.AUTHORISATION
ISSUANCE = FirstTransferDefinition.ISSUANCE
USE_OR_CANCELLATION = FirstTransferDefinition.USE_OR_CANCELLATION

SOLAR_2024 = UnitAttributes(
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

_block_ids = itertools.count(1)


def block(state: UnitState = UnitState.AMO, first_transferred: bool = False, **attributes):
    return UnitBlock(
        id=next(_block_ids),
        first=1,
        last=1000,
        attributes=replace(SOLAR_2024, **attributes),
        state=state,
        account_id=1,
        first_transferred=first_transferred,
    )


def itmo(**attributes) -> UnitBlock:
    """Units already first transferred."""
    return block(UnitState.ITMO, first_transferred=True, **attributes)


def authorization(
    purposes: Purpose = Purpose.NDC,
    definition: FirstTransferDefinition | None = None,
    **changes,
) -> Authorization:
    return Authorization(
        party="XXA",
        authorization_id="XXA-AUTH-001",
        version=1,
        date_of_authorization=date(2025, 3, 1),
        cooperative_approach="CA0001",
        metric=Metric.GHG,
        sectors=(Sector.ENERGY_GENERATION,),
        purposes=purposes,
        oimp_authorized="CORSIA" if purposes.covers_oimp else None,
        first_transfer_definition=definition,
        **changes,
    )


def refused(action: Action, units: UnitBlock, auth: Authorization | None, party=None) -> str:
    """The code of the one refusal, which names the block it concerns."""
    return refusal_of(action, units, auth, party).check.code


def refusal_of(action: Action, units: UnitBlock, auth: Authorization | None, party=None) -> Refusal:
    with pytest.raises(CommandRefused) as refusal:
        judge(action, units, auth, party)
    [found] = refusal.value.refusals
    assert found.field == f"units:XXA01-{units.first}-{units.last}"
    return found


CANCELLATIONS = (
    Action.CANCELLATION_IMP,
    Action.CANCELLATION_OP,
    Action.CANCELLATION_OMGE,
    Action.CANCELLATION_VOLUNTARY,
)

# first_transfer_at, table-driven over every purpose x definition x action

NDC_PURPOSES = {Purpose.NDC, Purpose.NDC_AND_OIMP, Purpose.NDC_AND_IMP, Purpose.NDC_AND_OP}
OIMP_PURPOSES = set(Purpose) - {Purpose.NDC}

NDC_EVENT = {Action.INTERNATIONAL_TRANSFER: ActionSubtype.FIRST_TRANSFER_TO_ANOTHER_PARTY}
OIMP_EVENT: dict[FirstTransferDefinition | None, dict[Action, ActionSubtype]] = {
    None: {},
    AUTHORISATION: {Action.AUTHORIZATION: ActionSubtype.AUTHORIZATION},
    ISSUANCE: {Action.ISSUANCE: ActionSubtype.ISSUANCE},
    USE_OR_CANCELLATION: dict.fromkeys(CANCELLATIONS, ActionSubtype.USE_OR_CANCELLATION),
}


def para_2(purposes: Purpose, definition: FirstTransferDefinition | None) -> dict:
    """The events that are a first transfer: NDC's, OIMP's, or both (whichever comes first)."""
    events: dict[Action, ActionSubtype] = {}
    if purposes in NDC_PURPOSES:
        events |= NDC_EVENT
    if purposes in OIMP_PURPOSES:
        events |= OIMP_EVENT[definition]
    return events


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("definition", [None, *FirstTransferDefinition])
@pytest.mark.parametrize("purposes", list(Purpose))
def test_first_transfer_happens_at_the_event_of_para_2(purposes, definition, action):
    expected = para_2(purposes, definition).get(action)
    assert first_transfer_at(authorization(purposes, definition), action) is expected


def test_ndc_and_oimp_units_first_transferred_at_issuance_are_not_first_transferred_again():
    auth = authorization(Purpose.NDC_AND_OIMP, ISSUANCE)
    issued = judge_issuance(SOLAR_2024, auth)
    assert issued == Verdict(UnitState.ITMO, ActionSubtype.ISSUANCE)
    assert judge(Action.INTERNATIONAL_TRANSFER, itmo(), auth) == Verdict(UnitState.ITMO)


def test_ndc_and_oimp_units_transferred_abroad_before_cancellation_are_first_transferred_then():
    auth = authorization(Purpose.NDC_AND_OIMP, USE_OR_CANCELLATION)
    abroad = judge(Action.INTERNATIONAL_TRANSFER, block(), auth)
    assert abroad == Verdict(UnitState.ITMO, ActionSubtype.FIRST_TRANSFER_TO_ANOTHER_PARTY)
    assert judge(Action.CANCELLATION_OP, itmo(), auth) == Verdict(UnitState.CANCELLED)


def test_ndc_and_oimp_units_cancelled_before_any_transfer_are_first_transferred_at_cancellation():
    auth = authorization(Purpose.NDC_AND_OIMP, USE_OR_CANCELLATION)
    cancelled = judge(Action.CANCELLATION_OP, block(), auth)
    assert cancelled == Verdict(UnitState.CANCELLED, ActionSubtype.USE_OR_CANCELLATION)


# judge: terminal states, missing or revoked authorizations


@pytest.mark.parametrize("action", list(Action))
@pytest.mark.parametrize("state", [UnitState.USED, UnitState.CANCELLED])
def test_used_or_cancelled_units_never_move_again_c5002(state, action):
    assert refused(action, block(state, first_transferred=True), authorization()) == "C5002"


@pytest.mark.parametrize("state", [UnitState.MO, UnitState.AMO, UnitState.ITMO])
def test_an_internal_transfer_keeps_the_state_and_needs_no_authorization(state):
    assert judge(Action.INTERNAL_TRANSFER, block(state), None) == Verdict(state)


LEAVING_THE_ARS = [
    Action.INTERNATIONAL_TRANSFER,
    Action.USE,
    *CANCELLATIONS,
    Action.FIRST_TRANSFER_RECORD,
]


@pytest.mark.parametrize("action", LEAVING_THE_ARS)
def test_mos_without_authorization_cannot_leave_the_ars_c3001(action):
    assert refused(action, block(UnitState.MO), None) == "C3001"


@pytest.mark.parametrize("action", LEAVING_THE_ARS)
def test_mos_not_yet_linked_cannot_leave_the_ars_even_if_an_authorization_is_named_c3001(action):
    auth = authorization(Purpose.NDC_AND_OIMP, USE_OR_CANCELLATION)
    assert refused(action, block(UnitState.MO), auth) == "C3001"


@pytest.mark.parametrize("action", [*LEAVING_THE_ARS, Action.AUTHORIZATION])
def test_units_under_a_revoked_authorization_do_not_move_c3002(action):
    auth = authorization(Purpose.NDC_AND_OIMP, USE_OR_CANCELLATION, revoked=True)
    units = block(UnitState.MO) if action is Action.AUTHORIZATION else block()
    assert refused(action, units, auth) == "C3002"


# international transfer


def test_the_first_international_transfer_of_ndc_units_is_their_first_transfer():
    verdict = judge(Action.INTERNATIONAL_TRANSFER, block(), authorization(), "XXC")
    assert verdict == Verdict(UnitState.ITMO, ActionSubtype.FIRST_TRANSFER_TO_ANOTHER_PARTY)


def test_a_later_international_transfer_is_no_first_transfer():
    verdict = judge(Action.INTERNATIONAL_TRANSFER, itmo(), authorization(), "XXC")
    assert verdict == Verdict(UnitState.ITMO)


@pytest.mark.parametrize("definition", list(FirstTransferDefinition))
@pytest.mark.parametrize("purposes", [Purpose.OIMP, Purpose.IMP, Purpose.OP])
def test_oimp_only_units_not_first_transferred_cannot_go_abroad_c3008(purposes, definition):
    auth = authorization(purposes, definition)
    assert refused(Action.INTERNATIONAL_TRANSFER, block(), auth, "XXC") == "C3008"


def test_oimp_only_units_already_first_transferred_may_go_abroad():
    auth = authorization(Purpose.OIMP, AUTHORISATION)
    assert judge(Action.INTERNATIONAL_TRANSFER, itmo(), auth, "XXC") == Verdict(UnitState.ITMO)


@pytest.mark.parametrize("units", [block(), itmo()], ids=["first transfer", "later transfer"])
def test_the_acquiring_party_must_be_one_the_authorization_names_c3004(units):
    auth = authorization(authorized_parties=("XXB",))
    assert refused(Action.INTERNATIONAL_TRANSFER, units, auth, "XXC") == "C3004"


def test_a_named_acquiring_party_is_admitted():
    auth = authorization(authorized_parties=("XXB", "XXC"))
    assert judge(Action.INTERNATIONAL_TRANSFER, itmo(), auth, "XXC") == Verdict(UnitState.ITMO)


# use towards an NDC


def test_first_transferred_ndc_units_can_be_used_towards_an_ndc():
    assert judge(Action.USE, itmo(), authorization()) == Verdict(UnitState.USED)


@pytest.mark.parametrize("purposes", [Purpose.OIMP, Purpose.IMP, Purpose.OP])
def test_ndc_use_needs_an_ndc_purpose_c3003(purposes):
    assert refused(Action.USE, itmo(), authorization(purposes, AUTHORISATION)) == "C3003"


def test_ndc_use_needs_units_already_first_transferred_c3008():
    assert refused(Action.USE, block(), authorization()) == "C3008"


# cancellations for IMP and OP

IMP_PURPOSES = {Purpose.OIMP, Purpose.IMP, Purpose.NDC_AND_OIMP, Purpose.NDC_AND_IMP}
OP_PURPOSES = {Purpose.OIMP, Purpose.OP, Purpose.NDC_AND_OIMP, Purpose.NDC_AND_OP}


@pytest.mark.parametrize("purposes", list(Purpose))
def test_use_for_imp_needs_an_imp_or_oimp_purpose_c3003(purposes):
    auth = authorization(purposes, AUTHORISATION if purposes.covers_oimp else None)
    if purposes in IMP_PURPOSES:
        assert judge(Action.CANCELLATION_IMP, itmo(), auth) == Verdict(UnitState.CANCELLED)
    else:
        assert refused(Action.CANCELLATION_IMP, itmo(), auth) == "C3003"


@pytest.mark.parametrize("purposes", list(Purpose))
def test_cancellation_for_op_needs_an_op_or_oimp_purpose_c3003(purposes):
    auth = authorization(purposes, AUTHORISATION if purposes.covers_oimp else None)
    if purposes in OP_PURPOSES:
        assert judge(Action.CANCELLATION_OP, itmo(), auth) == Verdict(UnitState.CANCELLED)
    else:
        assert refused(Action.CANCELLATION_OP, itmo(), auth) == "C3003"


@pytest.mark.parametrize("definition", [AUTHORISATION, ISSUANCE])
@pytest.mark.parametrize("action", [Action.CANCELLATION_IMP, Action.CANCELLATION_OP])
def test_oimp_cancellation_of_units_not_first_transferred_at_another_event_is_refused_c3008(
    action, definition
):
    assert refused(action, block(), authorization(Purpose.OIMP, definition)) == "C3008"


@pytest.mark.parametrize("action", [Action.CANCELLATION_IMP, Action.CANCELLATION_OP])
def test_oimp_cancellation_is_the_first_transfer_when_the_definition_is_use_or_cancellation(
    action,
):
    verdict = judge(action, block(), authorization(Purpose.OIMP, USE_OR_CANCELLATION))
    assert verdict == Verdict(UnitState.CANCELLED, ActionSubtype.USE_OR_CANCELLATION)


# OMGE and voluntary cancellations


@pytest.mark.parametrize("action", [Action.CANCELLATION_OMGE, Action.CANCELLATION_VOLUNTARY])
@pytest.mark.parametrize(
    "auth",
    [
        authorization(),
        authorization(Purpose.OIMP, AUTHORISATION),
        authorization(Purpose.OIMP, ISSUANCE),
    ],
    ids=["NDC", "OIMP at Authorisation", "OIMP at Issuance"],
)
def test_voluntary_cancellation_of_amos_needs_no_first_transfer(action, auth):
    assert judge(action, block(), auth) == Verdict(UnitState.CANCELLED)


@pytest.mark.parametrize("action", [Action.CANCELLATION_OMGE, Action.CANCELLATION_VOLUNTARY])
def test_voluntary_cancellation_is_the_first_transfer_when_the_definition_is_use_or_cancellation(
    action,
):
    verdict = judge(action, block(), authorization(Purpose.OIMP, USE_OR_CANCELLATION))
    assert verdict == Verdict(UnitState.CANCELLED, ActionSubtype.USE_OR_CANCELLATION)


@pytest.mark.parametrize("action", CANCELLATIONS)
def test_cancelling_first_transferred_units_is_no_first_transfer(action):
    auth = authorization(Purpose.NDC_AND_OIMP, USE_OR_CANCELLATION)
    assert judge(action, itmo(), auth) == Verdict(UnitState.CANCELLED)


# linking an authorization to MOs


def link(units: UnitBlock, auth: Authorization | None) -> Verdict:
    return judge(Action.AUTHORIZATION, units, auth)


@pytest.mark.parametrize(
    ("purposes", "definition"),
    [
        (Purpose.NDC, None),
        (Purpose.NDC_AND_IMP, ISSUANCE),
        (Purpose.OIMP, USE_OR_CANCELLATION),
        (Purpose.NDC_AND_OP, USE_OR_CANCELLATION),
    ],
)
def test_linking_an_authorization_makes_mos_amos(purposes, definition):
    assert link(block(UnitState.MO), authorization(purposes, definition)) == Verdict(UnitState.AMO)


@pytest.mark.parametrize("purposes", [p for p in Purpose if p.covers_oimp])
def test_linking_is_the_first_transfer_when_the_definition_is_authorisation(purposes):
    verdict = link(block(UnitState.MO), authorization(purposes, AUTHORISATION))
    assert verdict == Verdict(UnitState.ITMO, ActionSubtype.AUTHORIZATION)


@pytest.mark.parametrize("purposes", [Purpose.OIMP, Purpose.IMP, Purpose.OP])
def test_oimp_only_authorizations_at_issuance_are_not_linked_to_existing_mos_c3008(purposes):
    auth = authorization(purposes, ISSUANCE)
    assert refused(Action.AUTHORIZATION, block(UnitState.MO), auth) == "C3008"


def test_linking_needs_an_authorization_c3002():
    assert refused(Action.AUTHORIZATION, block(UnitState.MO), None) == "C3002"


@pytest.mark.parametrize("state", [UnitState.AMO, UnitState.ITMO])
def test_only_mos_not_yet_authorized_can_be_linked_c2004(state):
    assert refused(Action.AUTHORIZATION, block(state), authorization()) == "C2004"


@pytest.mark.parametrize(
    ("attributes", "code"),
    [
        ({"cooperative_approach": "CA0002"}, "C2004"),
        ({"metric": Metric.NON_GHG}, "C2004"),
        ({"sector": Sector.FORESTRY}, "C2004"),
        ({"first_transferring_party": "XXB"}, "C3002"),
    ],
    ids=["other cooperative approach", "other metric", "other sector", "other Party"],
)
def test_units_of_another_kind_cannot_take_the_authorization(attributes, code):
    assert refused(Action.AUTHORIZATION, block(UnitState.MO, **attributes), authorization()) == (
        code
    )


@pytest.mark.parametrize(("vintage", "linked"), [(2022, False), (2023, True), (2025, True)])
def test_linking_respects_the_authorized_timeframe_c3006(vintage, linked):
    auth = authorization(timeframe=(2023, 2025))
    units = block(UnitState.MO, vintage=vintage)
    if linked:
        assert link(units, auth) == Verdict(UnitState.AMO)
    else:
        assert refused(Action.AUTHORIZATION, units, auth) == "C3006"


# recording a first transfer by hand


@pytest.mark.parametrize(
    ("definition", "subtype"),
    [(AUTHORISATION, ActionSubtype.AUTHORIZATION), (ISSUANCE, ActionSubtype.ISSUANCE)],
)
def test_a_first_transfer_at_authorisation_or_issuance_can_be_recorded_by_hand(definition, subtype):
    verdict = judge(Action.FIRST_TRANSFER_RECORD, block(), authorization(Purpose.OIMP, definition))
    assert verdict == Verdict(UnitState.ITMO, subtype)


def test_units_already_first_transferred_cannot_be_first_transferred_again_c3008():
    auth = authorization(Purpose.OIMP, AUTHORISATION)
    assert refused(Action.FIRST_TRANSFER_RECORD, itmo(), auth) == "C3008"


@pytest.mark.parametrize(
    "auth",
    [authorization(), authorization(Purpose.OIMP, USE_OR_CANCELLATION)],
    ids=["NDC: first international transfer", "OIMP at use or cancellation"],
)
def test_first_transfers_the_registry_records_itself_cannot_be_recorded_by_hand_c3008(auth):
    assert refused(Action.FIRST_TRANSFER_RECORD, block(), auth) == "C3008"


# issuing directly under an authorization


@pytest.mark.parametrize("purposes", [p for p in Purpose if p.covers_oimp])
def test_issuance_under_an_authorization_at_issuance_is_the_first_transfer(purposes):
    verdict = judge_issuance(SOLAR_2024, authorization(purposes, ISSUANCE))
    assert verdict == Verdict(UnitState.ITMO, ActionSubtype.ISSUANCE)


@pytest.mark.parametrize(
    "auth",
    [
        authorization(),
        authorization(Purpose.OIMP, AUTHORISATION),
        authorization(Purpose.OIMP, USE_OR_CANCELLATION),
    ],
    ids=["NDC", "OIMP at Authorisation", "OIMP at Use or Cancellation"],
)
def test_other_authorizations_are_linked_after_issuance_not_issued_under_c3008(auth):
    with pytest.raises(CommandRefused) as refusal:
        judge_issuance(SOLAR_2024, auth)
    assert refusal.value.codes == ["C3008"]


@pytest.mark.parametrize(
    ("attributes", "changes", "code"),
    [
        (replace(SOLAR_2024, cooperative_approach="CA0002"), {}, "C2004"),
        (replace(SOLAR_2024, vintage=2021), {"timeframe": (2023, 2025)}, "C3006"),
        (SOLAR_2024, {"revoked": True}, "C3002"),
    ],
    ids=["other cooperative approach", "outside the timeframe", "revoked"],
)
def test_issuance_under_an_authorization_checks_the_units_match_it(attributes, changes, code):
    with pytest.raises(CommandRefused) as refusal:
        judge_issuance(attributes, authorization(Purpose.OIMP, ISSUANCE, **changes))
    assert refusal.value.codes == [code]


# what each refusal says


def sentence(action: Action, units: UnitBlock, auth: Authorization | None, party=None):
    found = refusal_of(action, units, auth, party)
    return found.check.code, found.detail


def test_a_transfer_to_a_party_the_authorization_does_not_name_names_both():
    auth = authorization(authorized_parties=("XXB",))
    assert sentence(Action.INTERNATIONAL_TRANSFER, itmo(), auth, "XXC") == (
        "C3004",
        "authorization XXA-AUTH-001 does not name XXC among its authorized Parties",
    )


def test_used_or_cancelled_units_are_told_they_never_move_again():
    assert sentence(Action.USE, block(UnitState.USED), authorization()) == (
        "C5002",
        "used or cancelled units never move again",
    )


def test_mos_without_an_authorization_are_told_they_cannot_leave_the_ars():
    assert sentence(Action.INTERNATIONAL_TRANSFER, block(UnitState.MO), None) == (
        "C3001",
        "these MOs have no linked authorization; they cannot leave the ARS",
    )


def test_a_revoked_authorization_is_named():
    revoked = authorization(revoked=True)
    assert sentence(Action.INTERNATIONAL_TRANSFER, block(), revoked) == (
        "C3002",
        "authorization XXA-AUTH-001 is revoked",
    )
    assert sentence(Action.AUTHORIZATION, block(UnitState.MO), revoked) == (
        "C3002",
        "authorization XXA-AUTH-001 is revoked",
    )


def test_an_international_transfer_that_cannot_be_the_first_says_when_it_is():
    auth = authorization(Purpose.OIMP, AUTHORISATION)
    assert sentence(Action.INTERNATIONAL_TRANSFER, block(), auth) == (
        "C3008",
        "the authorization does not cover NDC use, so an international transfer cannot be "
        "these units' first transfer; it happens at Authorisation",
    )


def test_use_towards_an_ndc_names_the_purposes_or_the_missing_first_transfer():
    oimp = authorization(Purpose.OIMP, AUTHORISATION)
    assert sentence(Action.USE, itmo(), oimp) == ("C3003", "purposes OIMP do not include NDC")
    assert sentence(Action.USE, block(), authorization()) == (
        "C3008",
        "only ITMOs already first transferred can be used towards an NDC",
    )


def test_a_cancellation_for_a_purpose_not_authorized_names_the_purposes():
    assert sentence(Action.CANCELLATION_IMP, itmo(), authorization(Purpose.NDC_AND_OP)) == (
        "C3003",
        "purposes NDC and OP do not include IMP or OIMP",
    )
    assert sentence(Action.CANCELLATION_OP, itmo(), authorization(Purpose.NDC_AND_IMP)) == (
        "C3003",
        "purposes NDC and IMP do not include OP or OIMP",
    )


def test_a_cancellation_that_cannot_be_the_first_transfer_says_when_it_is():
    auth = authorization(Purpose.OIMP, ISSUANCE)
    assert sentence(Action.CANCELLATION_IMP, block(), auth) == (
        "C3008",
        "these units are not first transferred and the authorization's first transfer is "
        "Issuance, not at use or cancellation",
    )


def test_linking_says_what_is_missing_or_wrong():
    mo = block(UnitState.MO)
    assert sentence(Action.AUTHORIZATION, mo, None) == ("C3002", "no authorization given")
    assert sentence(Action.AUTHORIZATION, block(), authorization()) == (
        "C2004",
        "only MOs not yet authorized can be linked",
    )
    assert sentence(Action.AUTHORIZATION, mo, authorization(Purpose.OIMP, ISSUANCE)) == (
        "C3008",
        "this authorization's first transfer is at Issuance: issue the units directly under it "
        "instead of linking existing MOs",
    )


@pytest.mark.parametrize(
    ("attributes", "changes", "said"),
    [
        (
            {"cooperative_approach": "CA0002"},
            {},
            ("C2004", "units of CA0002 cannot take an authorization of CA0001"),
        ),
        (
            {"first_transferring_party": "XXC"},
            {},
            ("C3002", "only the Party where the MOs occurred authorizes them"),
        ),
        (
            {"metric": Metric.NON_GHG},
            {},
            ("C2004", "units measured in non-GHG cannot take an authorization in GHG"),
        ),
        (
            {"sector": Sector.AGRICULTURE},
            {},
            ("C2004", "sector Agriculture is not authorized"),
        ),
        (
            {"vintage": 2021},
            {"timeframe": (2023, 2025)},
            ("C3006", "vintage 2021 is outside the authorized timeframe 2023-2025"),
        ),
    ],
    ids=["approach", "party", "metric", "sector", "vintage"],
)
def test_units_that_do_not_match_the_authorization_are_told_how(attributes, changes, said):
    units = block(UnitState.MO, **attributes)
    assert sentence(Action.AUTHORIZATION, units, authorization(**changes)) == said


def test_a_first_transfer_record_says_why_it_is_not_needed():
    at_authorisation = authorization(Purpose.OIMP, AUTHORISATION)
    assert sentence(Action.FIRST_TRANSFER_RECORD, itmo(), at_authorisation) == (
        "C3008",
        "these units were already first transferred",
    )
    assert sentence(Action.FIRST_TRANSFER_RECORD, block(), authorization()) == (
        "C3008",
        "for NDC purposes the first transfer is the first international transfer, which the "
        "registry records itself",
    )
    at_use = authorization(Purpose.OIMP, USE_OR_CANCELLATION)
    assert sentence(Action.FIRST_TRANSFER_RECORD, block(), at_use) == (
        "C3008",
        "the first transfer is at use or cancellation, which the registry records itself",
    )


def test_a_first_transfer_definition_on_an_ndc_only_authorization_records_nothing():
    ndc_with_definition = authorization(Purpose.NDC, AUTHORISATION)
    assert sentence(Action.FIRST_TRANSFER_RECORD, block(), ndc_with_definition)[0] == "C3008"


def test_issuing_under_an_authorization_not_at_issuance_is_refused_on_its_id():
    with pytest.raises(CommandRefused) as refusal:
        judge_issuance(SOLAR_2024, authorization(Purpose.OIMP, AUTHORISATION))
    [found] = refusal.value.refusals
    assert (found.check.code, found.field) == ("C3008", "authorization_id")
    assert found.detail == (
        "this authorization's first transfer is not at Issuance: issue MOs and link the "
        "authorization to them"
    )
    with pytest.raises(CommandRefused) as refusal:
        judge_issuance(SOLAR_2024, authorization(revoked=True), where="authorization")
    [found] = refusal.value.refusals
    assert (found.check.code, found.field) == ("C3002", "authorization")
    assert found.detail == "authorization XXA-AUTH-001 is revoked"


def test_units_issued_under_an_authorization_they_do_not_match_are_refused_on_its_id():
    with pytest.raises(CommandRefused) as refusal:
        judge_issuance(replace(SOLAR_2024, sector=Sector.AGRICULTURE), authorization())
    [found] = refusal.value.refusals
    assert (found.check.code, found.field) == ("C2004", "authorization_id")


def test_the_refused_block_is_named_on_the_field_given():
    with pytest.raises(CommandRefused) as refusal:
        judge(Action.USE, block(UnitState.USED), authorization(), field="ranges[2]")
    assert refusal.value.refusals[0].field == "ranges[2]:XXA01-1-1000"
