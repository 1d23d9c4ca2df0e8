"""Each numbered check, triggered through a service: the command is refused with that code,
names the field or block concerned, and the database is left exactly as it was.

The small world (see small_world.py): XXA holds MOs 1-500, AMOs 501-700 under CORSIA and
701-1000 under the NDC authorization.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from small_world import (
    APPROACH,
    CORSIA,
    GREEN_GROUP_A,
    NDC,
    SECRETARIAT,
    XXA_ADMIN,
    XXA_AUDITOR,
    XXC_ADMIN,
    SmallWorld,
    build_small_world,
    record_authorization,
    selection,
    snapshot,
)

from article6.domain.accounts import AccountStatus, CancellationPurpose
from article6.domain.checks import CommandRefused
from article6.domain.nomenclature import (
    FirstTransferDefinition,
    Metric,
    MitigationType,
    Purpose,
    Sector,
    UnderlyingRegistry,
)
from article6.services import (
    accounts,
    approvals,
    authorized_entities,
    cooperative_approaches,
    issuance,
    mitigation_activities,
    parties,
    units,
)
from article6.services import commands as c
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.services.reads.ledger import verify_registry

MO_BLOCK = "units:XXA01-1-500"
CORSIA_BLOCK = "units:XXA01-501-700"
NDC_BLOCK = "units:XXA01-701-1000"


def refuses(registry: Registry, code: str, field: str, command: Callable[[], Any]) -> None:
    """The command fails `code` on `field` first, and nothing in the database changes."""
    before = snapshot(registry)
    with pytest.raises(CommandRefused) as raised:
        command()
    first = raised.value.refusals[0]
    assert (first.check.code, first.field) == (code, field), raised.value
    assert snapshot(registry) == before


def transfer(
    registry: Registry, world: SmallWorld, source: str, destination: str, units_: c.UnitSelection
) -> Any:
    return units.transfer_units(
        registry,
        XXA_ADMIN,
        c.TransferUnits(
            source_account=world[source], destination_account=world[destination], units=units_
        ),
    )


def international(
    registry: Registry, world: SmallWorld, destination: str, units_: c.UnitSelection
) -> Any:
    return units.transfer_internationally(
        registry,
        XXA_ADMIN,
        c.TransferInternationally(
            source_account=world["XXA Party amo_holding"],
            destination_account=world[destination],
            units=units_,
        ),
    )


def link(registry: Registry, world: SmallWorld, authorization: str, quantity: int) -> Any:
    return units.link_authorization(
        registry,
        XXA_ADMIN,
        c.LinkAuthorization(
            account=world["XXA Party mo_holding"],
            authorization_id=authorization,
            units=selection(quantity),
        ),
    )


def cancel(
    registry: Registry,
    world: SmallWorld,
    units_: c.UnitSelection,
    source: str = "XXA Party amo_holding",
    purpose: CancellationPurpose = CancellationPurpose.IMP,
    text: str | None = "CORSIA",
    actor: Any = XXA_ADMIN,
) -> Any:
    return units.cancel_units(
        registry,
        actor,
        c.CancelUnits(
            source_account=world[source], purpose=purpose, purpose_text=text, units=units_
        ),
    )


# Format and data (C1xxx)


def test_c1001_participating_party_must_be_registered(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C1001",
        "participating_parties[1]",
        lambda: cooperative_approaches.register_cooperative_approach(
            registry,
            SECRETARIAT,
            c.RegisterCooperativeApproach(
                id="CA0002", name="Other", participating_parties=["XXA", "ZZZ"]
            ),
        ),
    )


def test_c1002_cooperative_approach_must_be_registered(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C1002",
        "cooperative_approach",
        lambda: mitigation_activities.record_mitigation_activity(
            registry,
            XXA_ADMIN,
            c.RecordMitigationActivity(
                title="Wind",
                cooperative_approach="CA0009",
                sector=Sector.ENERGY_GENERATION,
                mitigation_type=MitigationType.EMISSION_REDUCTIONS,
            ),
        ),
    )


# The request models state these formats (the API refuses them before any service runs);
# the domain checks them again for every other caller: `model_construct` is such a caller.


def test_c1004_authorization_id_format(registry: Registry, world: SmallWorld):
    command = c.LinkAuthorization.model_construct(
        account=world["XXA Party mo_holding"], authorization_id="NDC\t1", units=selection(10)
    )
    refuses(
        registry,
        "C1004",
        "authorization_id",
        lambda: units.link_authorization(registry, XXA_ADMIN, command),
    )


def test_c1005_quantity_must_be_positive(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C1005",
        "units.quantity",
        lambda: transfer(
            registry,
            world,
            "XXA Party mo_holding",
            "XXA Green Group A mo_holding",
            c.UnitSelection.model_construct(quantity=0, ranges=None),
        ),
    )


def test_c1005_a_quantity_that_disagrees_with_its_ranges(registry: Registry, world: SmallWorld):
    disagreeing = c.UnitSelection(
        quantity=2, ranges=[c.SerialRange(registry="XXA01", first=1, last=1)]
    )
    refuses(
        registry,
        "C1005",
        "units.quantity",
        lambda: transfer(
            registry, world, "XXA Party mo_holding", "XXA Green Group A mo_holding", disagreeing
        ),
    )


def test_c1005_neither_quantity_nor_ranges(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C1005",
        "units",
        lambda: transfer(
            registry,
            world,
            "XXA Party mo_holding",
            "XXA Green Group A mo_holding",
            c.UnitSelection(),
        ),
    )


def test_c1006_vintage_before_2021(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C1006",
        "vintage",
        lambda: issuance.issue_units(
            registry,
            XXA_ADMIN,
            c.IssueUnits.model_construct(
                mitigation_activity=world.activity, vintage=2020, quantity=10
            ),
        ),
    )


def test_c1007_oimp_authorization_defines_its_first_transfer(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C1007",
        "first_transfer_definition",
        lambda: record_authorization(
            registry, authorization_id="XXA-OIMP-2", purposes=Purpose.OIMP, oimp_authorized="CORSIA"
        ),
    )


def test_c1008_non_ghg_activity_names_its_metric(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C1008",
        "non_ghg_metric",
        lambda: mitigation_activities.record_mitigation_activity(
            registry,
            XXA_ADMIN,
            c.RecordMitigationActivity(
                title="Renewable share",
                cooperative_approach=APPROACH,
                sector=Sector.ENERGY_GENERATION,
                mitigation_type=MitigationType.EMISSION_REDUCTIONS,
                metric=Metric.NON_GHG,
            ),
        ),
    )


def test_c1009_an_authorization_is_not_dated_after_the_registrys_today_nor_before_2021(
    registry: Registry, world: SmallWorld
):
    """Today is the registry's clock: 28/02/2042 and the day after the clock are refused, the
    clock's own day is accepted; 31/12/2020 is before decision 2/CMA.3 applied."""
    today = date(2026, 4, 10)
    clocked = Registry(registry.engine, clock=lambda: datetime(2026, 4, 10, 23, 0, tzinfo=UTC))
    for dated in (date(2042, 2, 28), today + timedelta(days=1), date(2020, 12, 31)):
        refuses(
            clocked,
            "C1009",
            "date_of_authorization",
            lambda dated=dated: record_authorization(
                clocked,
                authorization_id="XXA-DATED",
                purposes=Purpose.NDC,
                date_of_authorization=dated,
            ),
        )
    receipt = record_authorization(
        clocked, authorization_id="XXA-DATED", purposes=Purpose.NDC, date_of_authorization=today
    )
    assert receipt.record == "XXA-DATED v1"


def test_c1009_an_entity_is_not_authorized_in_the_future_nor_before_2021(
    registry: Registry, world: SmallWorld
):
    """Table 5's date of authorization follows the same rule as Table 2's."""
    clocked = Registry(registry.engine, clock=lambda: datetime(2026, 4, 10, 23, 0, tzinfo=UTC))
    for dated in (date(2042, 2, 28), date(2026, 4, 11), date(2020, 12, 31)):
        refuses(
            clocked,
            "C1009",
            "date_of_authorization",
            lambda dated=dated: authorized_entities.record_authorized_entity(
                clocked,
                XXA_ADMIN,
                c.RecordAuthorizedEntity(
                    name="Dated Group",
                    country_of_incorporation="XXA",
                    identification_number="XXA-9",
                    cooperative_approach=APPROACH,
                    date_of_authorization=dated,
                ),
            ),
        )


def test_c1009_ndc_period_first_year_not_after_last(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C1009",
        "ndc_last_year",
        lambda: parties.register_party(
            registry,
            SECRETARIAT,
            c.RegisterParty(code="XXD", name="Party XXD", ndc_first_year=2030, ndc_last_year=2021),
        ),
    )


def test_c1010_idempotency_key_reused_for_another_request(registry: Registry, world: SmallWorld):
    def issue(quantity: int) -> Any:
        return issuance.issue_units(
            registry,
            XXA_ADMIN,
            c.IssueUnits(mitigation_activity=world.activity, vintage=2024, quantity=quantity),
            idempotency_key="issue-1",
        )

    issue(10)
    refuses(registry, "C1010", "idempotency_key", lambda: issue(11))


def test_c1011_idempotency_key_length(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C1011",
        "idempotency_key",
        lambda: issuance.issue_units(
            registry,
            XXA_ADMIN,
            c.IssueUnits(mitigation_activity=world.activity, vintage=2024, quantity=10),
            idempotency_key="k" * 201,
        ),
    )


def test_c1012_unknown_mitigation_activity(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C1012",
        "mitigation_activity",
        lambda: issuance.issue_units(
            registry,
            XXA_ADMIN,
            c.IssueUnits(mitigation_activity="XXA-MA-0099", vintage=2024, quantity=10),
        ),
    )


# Units and blocks (C2xxx)


def test_c2001_more_units_than_held(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C2001",
        "units.quantity",
        lambda: transfer(
            registry, world, "XXA Party mo_holding", "XXA Green Group A mo_holding", selection(501)
        ),
    )


def test_c2001_range_not_held_in_account(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C2001",
        "units.ranges[0]",
        lambda: transfer(
            registry,
            world,
            "XXA Party mo_holding",
            "XXA Green Group A mo_holding",
            selection(ranges=[(600, 610)]),
        ),
    )


def test_c2002_reserved_units_cannot_move(registry: Registry, world: SmallWorld):
    transfer(
        registry,
        world,
        "XXA Party amo_holding",
        "XXA Green Group A amo_holding",
        selection(100, CORSIA),
    )
    cancel(registry, world, selection(100), "XXA Green Group A amo_holding", actor=GREEN_GROUP_A)
    refuses(
        registry,
        "C2002",
        "units.quantity",
        lambda: cancel(
            registry, world, selection(50), "XXA Green Group A amo_holding", actor=GREEN_GROUP_A
        ),
    )


def test_c2003_overlapping_ranges(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C2003",
        "units.ranges",
        lambda: transfer(
            registry,
            world,
            "XXA Party mo_holding",
            "XXA Green Group A mo_holding",
            selection(ranges=[(1, 10), (5, 20)]),
        ),
    )


def test_c2003_issuance_beyond_the_underlying_units(registry: Registry, world: SmallWorld):
    activity = mitigation_activities.record_mitigation_activity(
        registry,
        XXA_ADMIN,
        c.RecordMitigationActivity(
            title="Certified solar",
            cooperative_approach=APPROACH,
            sector=Sector.ENERGY_GENERATION,
            mitigation_type=MitigationType.EMISSION_REDUCTIONS,
            underlying_registry=UnderlyingRegistry.GS,
            underlying_first=1,
            underlying_last=100,
        ),
    ).record
    issuance.issue_units(
        registry, XXA_ADMIN, c.IssueUnits(mitigation_activity=activity, vintage=2024, quantity=60)
    )
    refuses(
        registry,
        "C2003",
        "quantity",
        lambda: issuance.issue_units(
            registry,
            XXA_ADMIN,
            c.IssueUnits(mitigation_activity=activity, vintage=2024, quantity=41),
        ),
    )


def test_c2004_units_of_a_sector_the_authorization_does_not_cover(
    registry: Registry, world: SmallWorld
):
    record_authorization(
        registry, authorization_id="XXA-AGRI", purposes=Purpose.NDC, sectors=[Sector.AGRICULTURE]
    )
    refuses(registry, "C2004", MO_BLOCK, lambda: link(registry, world, "XXA-AGRI", 10))


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_c2007_too_many_blocks_for_one_transaction(registry: Registry):
    """Only on SQLite: the check is the same Python on both, and the setup is heavy."""
    world = build_small_world(registry, issued=2001, link=False)
    # Taking every even serial (1,000 ranges, the most one command may name) leaves 1,001
    # single-unit blocks behind.
    transfer(
        registry,
        world,
        "XXA Party mo_holding",
        "XXA Green Group A mo_holding",
        selection(ranges=[(s, s) for s in range(2, 2001, 2)]),
    )
    refuses(registry, "C2007", "units.quantity", lambda: link(registry, world, NDC, 1001))
    assert verify_registry(registry) == []


# Authorization (C3xxx)


def test_c3001_unauthorized_mos_cannot_leave_the_ars(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C3001",
        "source_account",
        lambda: cancel(registry, world, selection(10), "XXA Party mo_holding"),
    )


def test_c3002_unknown_authorization(registry: Registry, world: SmallWorld):
    refuses(registry, "C3002", "authorization_id", lambda: link(registry, world, "XXA-NONE", 10))


def test_c3002_revoked_authorization(registry: Registry, world: SmallWorld):
    record_authorization(
        registry,
        authorization_id=NDC,
        purposes=Purpose.NDC,
        authorized_parties=["XXC"],
        revoked=True,
    )
    refuses(
        registry,
        "C3002",
        NDC_BLOCK,
        lambda: international(registry, world, "XXC Party itmo_holding", selection(10, NDC)),
    )


def test_c3003_ndc_units_cannot_be_cancelled_for_imp(registry: Registry, world: SmallWorld):
    refuses(registry, "C3003", NDC_BLOCK, lambda: cancel(registry, world, selection(10, NDC)))


def test_c3004_acquiring_party_not_authorized(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C3004",
        NDC_BLOCK,
        lambda: international(registry, world, "XXB Party itmo_holding", selection(10, NDC)),
    )


def test_c3005_suspended_entity_cannot_receive(registry: Registry, world: SmallWorld):
    authorized_entities.set_entity_status(
        registry,
        XXA_ADMIN,
        c.SetEntityStatus(entity="XXA-E0001", cooperative_approach=APPROACH, status="suspended"),
    )
    refuses(
        registry,
        "C3005",
        CORSIA_BLOCK,
        lambda: transfer(
            registry,
            world,
            "XXA Party amo_holding",
            "XXA Green Group A amo_holding",
            selection(10, CORSIA),
        ),
    )


def test_c3005_authorization_does_not_name_the_entity(registry: Registry, world: SmallWorld):
    record_authorization(
        registry,
        authorization_id="XXA-NDC-NAMED",
        purposes=Purpose.NDC,
        authorized_entities=["XXC-E0001"],
    )
    link(registry, world, "XXA-NDC-NAMED", 10)
    refuses(
        registry,
        "C3005",
        "units:XXA01-491-500",
        lambda: transfer(
            registry,
            world,
            "XXA Party amo_holding",
            "XXA Green Group A amo_holding",
            selection(10, "XXA-NDC-NAMED"),
        ),
    )


def test_c3006_vintage_outside_the_timeframe(registry: Registry, world: SmallWorld):
    record_authorization(
        registry,
        authorization_id="XXA-NDC-EARLY",
        purposes=Purpose.NDC,
        timeframe_first=2021,
        timeframe_last=2022,
    )
    refuses(registry, "C3006", MO_BLOCK, lambda: link(registry, world, "XXA-NDC-EARLY", 10))


def test_c3007_authorized_quantity(registry: Registry, world: SmallWorld):
    record_authorization(
        registry, authorization_id="XXA-NDC-CAP", purposes=Purpose.NDC, authorized_quantity=50
    )
    link(registry, world, "XXA-NDC-CAP", 40)
    refuses(registry, "C3007", "units", lambda: link(registry, world, "XXA-NDC-CAP", 11))


def test_c3008_oimp_units_are_not_first_transferred_by_an_international_transfer(
    registry: Registry, world: SmallWorld
):
    refuses(
        registry,
        "C3008",
        CORSIA_BLOCK,
        lambda: international(registry, world, "XXC Party itmo_holding", selection(10, CORSIA)),
    )


def test_c3009_new_version_cannot_authorize_less_than_linked(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C3009",
        "authorized_quantity",
        lambda: record_authorization(
            registry, authorization_id=NDC, purposes=Purpose.NDC, authorized_quantity=299
        ),
    )


def test_c3009_new_version_is_not_dated_before_the_version_it_changes(
    registry: Registry, world: SmallWorld
):
    """The NDC authorization of the small world is dated 01/04/2025."""
    refuses(
        registry,
        "C3009",
        "date_of_authorization",
        lambda: record_authorization(
            registry,
            authorization_id=NDC,
            purposes=Purpose.NDC,
            authorized_quantity=5000,
            date_of_authorization=date(2025, 3, 31),
        ),
    )


def test_c3009_new_version_keeps_the_cooperative_approach(registry: Registry, world: SmallWorld):
    cooperative_approaches.register_cooperative_approach(
        registry,
        SECRETARIAT,
        c.RegisterCooperativeApproach(id="CA0002", name="Other", participating_parties=["XXA"]),
    )
    refuses(
        registry,
        "C3009",
        "cooperative_approach",
        lambda: record_authorization(
            registry,
            authorization_id=CORSIA,
            cooperative_approach="CA0002",
            purposes=Purpose.OIMP,
            oimp_authorized="CORSIA",
            first_transfer_definition=FirstTransferDefinition.USE_OR_CANCELLATION,
        ),
    )


# Accounts and actors (C4xxx)


def test_c4001_blocked_destination_account(registry: Registry, world: SmallWorld):
    accounts.set_account_status(
        registry,
        XXA_ADMIN,
        c.SetAccountStatus(
            account=world["XXA Green Group A amo_holding"], status=AccountStatus.BLOCKED
        ),
    )
    refuses(
        registry,
        "C4001",
        "destination_account",
        lambda: transfer(
            registry,
            world,
            "XXA Party amo_holding",
            "XXA Green Group A amo_holding",
            selection(10, CORSIA),
        ),
    )


def test_c4001_internal_transfer_between_account_kinds(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C4001",
        "destination_account",
        lambda: transfer(
            registry, world, "XXA Party mo_holding", "XXA Party amo_holding", selection(10)
        ),
    )


def test_c4002_auditor_cannot_move_units(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C4002",
        "actor",
        lambda: units.transfer_units(
            registry,
            XXA_AUDITOR,
            c.TransferUnits(
                source_account=world["XXA Party mo_holding"],
                destination_account=world["XXA Green Group A mo_holding"],
                units=selection(10),
            ),
        ),
    )


def test_c4002_entity_acts_only_on_its_own_accounts(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C4002",
        "source_account",
        lambda: cancel(registry, world, selection(10, CORSIA), actor=GREEN_GROUP_A),
    )


def test_c4003_only_the_party_uses_towards_its_ndc(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C4003",
        "source_account",
        lambda: units.use_towards_ndc(
            registry,
            XXA_ADMIN,
            c.UseTowardsNDC(
                source_account=world["XXA Green Group A itmo_holding"],
                ndc_year=2025,
                units=selection(10),
            ),
        ),
    )


def test_c4004_acquiring_party_does_not_participate(registry: Registry, world: SmallWorld):
    parties.register_party(
        registry,
        SECRETARIAT,
        c.RegisterParty(code="XXD", name="Party XXD", ndc_first_year=2021, ndc_last_year=2030),
    )
    cooperative_approaches.register_cooperative_approach(
        registry,
        SECRETARIAT,
        c.RegisterCooperativeApproach(
            id="CA0002", name="Other", participating_parties=["XXA", "XXD"]
        ),
    )
    xxd_itmo = next(
        a.identifier
        for a in ledger.accounts(registry, SECRETARIAT, "XXD")
        if a.kind == "itmo_holding"
    )
    refuses(
        registry,
        "C4004",
        "destination_account",
        lambda: units.transfer_internationally(
            registry,
            XXA_ADMIN,
            c.TransferInternationally(
                source_account=world["XXA Party amo_holding"],
                destination_account=xxd_itmo,
                units=selection(10, NDC),
            ),
        ),
    )


def test_c4006_party_acts_only_in_its_own_section(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C4006",
        "actor",
        lambda: units.transfer_units(
            registry,
            XXC_ADMIN,
            c.TransferUnits(
                source_account=world["XXA Party mo_holding"],
                destination_account=world["XXA Green Group A mo_holding"],
                units=selection(10),
            ),
        ),
    )


def test_c4007_completed_transaction_cannot_be_approved(registry: Registry, world: SmallWorld):
    done = transfer(
        registry, world, "XXA Party mo_holding", "XXA Green Group A mo_holding", selection(10)
    )
    refuses(
        registry,
        "C4007",
        "transaction",
        lambda: approvals.approve_transaction(
            registry, XXA_ADMIN, c.ApproveTransaction(transaction=done.record)
        ),
    )


def test_c4008_approval_after_the_deadline(registry: Registry, world: SmallWorld):
    now = [datetime.now(UTC)]
    clocked = Registry(registry.engine, clock=lambda: now[0])
    transfer(
        clocked,
        world,
        "XXA Party amo_holding",
        "XXA Green Group A amo_holding",
        selection(10, CORSIA),
    )
    request = cancel(
        clocked, world, selection(10), "XXA Green Group A amo_holding", actor=GREEN_GROUP_A
    )
    now[0] += timedelta(days=8)
    refuses(
        clocked,
        "C4008",
        "transaction",
        lambda: approvals.approve_transaction(
            clocked, XXA_ADMIN, c.ApproveTransaction(transaction=request.record)
        ),
    )


# Action-specific (C5xxx)


def test_c5001_ndc_year_outside_the_implementation_period(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C5001",
        "ndc_year",
        lambda: units.use_towards_ndc(
            registry,
            XXC_ADMIN,
            c.UseTowardsNDC(
                source_account=world["XXC Party itmo_holding"], ndc_year=2031, units=selection(10)
            ),
        ),
    )


def test_c5002_nothing_leaves_a_cancellation_account(registry: Registry, world: SmallWorld):
    cancel(registry, world, selection(10, CORSIA))
    refuses(
        registry,
        "C5002",
        "source_account",
        lambda: cancel(registry, world, selection(10), "XXA Party imp_cancellation"),
    )


def test_c5004_imp_cancellation_names_its_purpose(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C5004",
        "purpose_text",
        lambda: cancel(registry, world, selection(10, CORSIA), text="  "),
    )


def test_c5004_oimp_authorization_names_its_purpose(registry: Registry, world: SmallWorld):
    refuses(
        registry,
        "C5004",
        "oimp_authorized",
        lambda: record_authorization(
            registry,
            authorization_id="XXA-OIMP-3",
            purposes=Purpose.OIMP,
            first_transfer_definition=FirstTransferDefinition.ISSUANCE,
            date_of_authorization=date(2025, 5, 1),
        ),
    )
