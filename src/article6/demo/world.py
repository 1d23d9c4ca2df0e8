"""The seed's world and its four scenarios (1a, 2a, 1b, 2b), run through the real services.

Each scenario step says what it expects; `run` compares the holdings the registry reports with
those expectations after every scenario, so the demo exits non-zero if anything is off.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from article6.domain.access import Actor, Role
from article6.domain.accounts import CancellationPurpose
from article6.domain.nomenclature import (
    ActivityType,
    FirstTransferDefinition,
    MitigationType,
    Purpose,
    Sector,
    UnderlyingRegistry,
)
from article6.services import (
    approvals,
    authorizations,
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
from article6.services.views import Receipt

SECRETARIAT = Actor("secretariat.admin", Role.SECRETARIAT)
XXA_ADMIN = Actor("xxa.admin", Role.ADMINISTRATOR, "XXA")
XXC_ADMIN = Actor("xxc.admin", Role.ADMINISTRATOR, "XXC")
GREEN_GROUP_A = Actor("green.group.a", Role.ENTITY, "XXA", "XXA-E0001")
GREEN_C_ENTITY = Actor("green.c.entity", Role.ENTITY, "XXC", "XXC-E0001")

APPROACH = "CA0001"
NDC_AUTHORIZATION = "XXA-NDC-2025-001"
CORSIA_AUTHORIZATION = "XXA-CORSIA-2025-001"
ISSUED = 100_000


@dataclass
class DemoWorld:
    """Account identifiers of the seed's world, by the names the scenarios use."""

    accounts: dict[str, str] = field(default_factory=dict)
    receipts: list[Receipt] = field(default_factory=list)

    def __getitem__(self, name: str) -> str:
        return self.accounts[name]


def _units(quantity: int, authorization: str | None = None) -> c.UnitSelection:
    return c.UnitSelection(quantity=quantity, authorization_id=authorization)


def build_world(registry: Registry) -> DemoWorld:
    """Parties XXA, XXC and XXB, one cooperative approach, two entities, a mitigation activity,
    an NDC and an OIMP (CORSIA) authorization, and 100,000 MOs issued to XXA."""
    for code, name, has_section in (
        ("XXA", "Party XXA", True),
        ("XXC", "Party XXC", True),
        ("XXB", "Party XXB", False),
    ):
        parties.register_party(
            registry,
            SECRETARIAT,
            c.RegisterParty(
                code=code,
                name=name,
                ndc_first_year=2021,
                ndc_last_year=2030,
                open_section=has_section,
            ),
        )
    cooperative_approaches.register_cooperative_approach(
        registry,
        SECRETARIAT,
        c.RegisterCooperativeApproach(
            id=APPROACH,
            name="XXA-XXC Clean Energy Cooperation",
            participating_parties=["XXA", "XXC", "XXB"],
            description="Fictional cooperative approach of the MVP demonstration.",
        ),
    )
    authorized_entities.record_authorized_entity(
        registry,
        XXA_ADMIN,
        c.RecordAuthorizedEntity(
            name="Green Group A",
            country_of_incorporation="XXA",
            identification_number="A-1001",
            cooperative_approach=APPROACH,
            date_of_authorization=date(2025, 3, 1),
            conditions="Transfers and cancellations need XXA's approval.",
        ),
    )
    authorized_entities.record_authorized_entity(
        registry,
        XXC_ADMIN,
        c.RecordAuthorizedEntity(
            name="Green C Entity",
            country_of_incorporation="XXC",
            identification_number="C-2002",
            cooperative_approach=APPROACH,
            date_of_authorization=date(2025, 3, 15),
        ),
    )
    activity = mitigation_activities.record_mitigation_activity(
        registry,
        XXA_ADMIN,
        c.RecordMitigationActivity(
            title="XXA Solar Park",
            cooperative_approach=APPROACH,
            sector=Sector.ENERGY_GENERATION,
            activity_type=ActivityType.SOLAR,
            mitigation_type=MitigationType.EMISSION_REDUCTIONS,
            underlying_registry=UnderlyingRegistry.GS,
            underlying_first=500_001,
            underlying_last=900_000,
        ),
    )
    authorizations.record_authorization(
        registry,
        XXA_ADMIN,
        c.RecordAuthorization(
            authorization_id=NDC_AUTHORIZATION,
            date_of_authorization=date(2025, 4, 1),
            cooperative_approach=APPROACH,
            sectors=[Sector.ENERGY_GENERATION],
            activity_types=[ActivityType.SOLAR],
            purposes=Purpose.NDC,
            authorized_parties=["XXC"],
            authorized_quantity=60_000,
            timeframe_first=2021,
            timeframe_last=2030,
        ),
    )
    authorizations.record_authorization(
        registry,
        XXA_ADMIN,
        c.RecordAuthorization(
            authorization_id=CORSIA_AUTHORIZATION,
            date_of_authorization=date(2025, 4, 1),
            cooperative_approach=APPROACH,
            sectors=[Sector.ENERGY_GENERATION],
            activity_types=[ActivityType.SOLAR],
            purposes=Purpose.OIMP,
            oimp_authorized="CORSIA",
            first_transfer_definition=FirstTransferDefinition.USE_OR_CANCELLATION,
        ),
    )
    world = DemoWorld()
    world.receipts.append(
        issuance.issue_units(
            registry,
            XXA_ADMIN,
            c.IssueUnits(mitigation_activity=activity.record, vintage=2024, quantity=ISSUED),
        )
    )
    for party, actor in (("XXA", XXA_ADMIN), ("XXC", XXC_ADMIN)):
        for account in ledger.accounts(registry, actor, party):
            holder = "Party" if account.holder == "PARTY" else account.entity_name
            world.accounts[f"{party} {holder} {account.kind}"] = account.identifier
    return world


def scenario_1a(registry: Registry, world: DemoWorld) -> list[Receipt]:
    """1a: XXA links its CORSIA authorization to MOs and cancels ITMOs for OIMP (CORSIA);
    the cancellation is the first transfer."""
    return [
        units.link_authorization(
            registry,
            XXA_ADMIN,
            c.LinkAuthorization(
                account=world["XXA Party mo_holding"],
                authorization_id=CORSIA_AUTHORIZATION,
                units=_units(20_000),
            ),
        ),
        units.cancel_units(
            registry,
            XXA_ADMIN,
            c.CancelUnits(
                source_account=world["XXA Party amo_holding"],
                purpose=CancellationPurpose.IMP,
                purpose_text="CORSIA",
                units=_units(10_000, CORSIA_AUTHORIZATION),
            ),
        ),
    ]


def scenario_2a(registry: Registry, world: DemoWorld) -> list[Receipt]:
    """2a: XXA links its NDC authorization and transfers ITMOs to XXC: the first transfer."""
    return [
        units.link_authorization(
            registry,
            XXA_ADMIN,
            c.LinkAuthorization(
                account=world["XXA Party mo_holding"],
                authorization_id=NDC_AUTHORIZATION,
                units=_units(30_000),
            ),
        ),
        units.transfer_internationally(
            registry,
            XXA_ADMIN,
            c.TransferInternationally(
                source_account=world["XXA Party amo_holding"],
                destination_account=world["XXC Party itmo_holding"],
                units=_units(20_000, NDC_AUTHORIZATION),
            ),
        ),
    ]


def scenario_1b(registry: Registry, world: DemoWorld) -> list[Receipt]:
    """1b: XXA moves CORSIA-authorized MOs to Green Group A, which asks to cancel them for
    CORSIA; XXA approves, and the cancellation is the first transfer."""
    transfer = units.transfer_units(
        registry,
        XXA_ADMIN,
        c.TransferUnits(
            source_account=world["XXA Party amo_holding"],
            destination_account=world["XXA Green Group A amo_holding"],
            units=_units(5_000, CORSIA_AUTHORIZATION),
        ),
    )
    request = units.cancel_units(
        registry,
        GREEN_GROUP_A,
        c.CancelUnits(
            source_account=world["XXA Green Group A amo_holding"],
            purpose=CancellationPurpose.IMP,
            purpose_text="CORSIA",
            units=_units(5_000),
        ),
    )
    approval = approvals.approve_transaction(
        registry, XXA_ADMIN, c.ApproveTransaction(transaction=request.record)
    )
    return [transfer, request, approval]


def scenario_2b(registry: Registry, world: DemoWorld) -> list[Receipt]:
    """2b: Green Group A transfers NDC-authorized units to Green C Entity (approved by XXA:
    the first transfer); Green C Entity passes some to XXC (approved by XXC), which uses them
    towards its NDC."""
    steps = [
        units.transfer_units(
            registry,
            XXA_ADMIN,
            c.TransferUnits(
                source_account=world["XXA Party amo_holding"],
                destination_account=world["XXA Green Group A amo_holding"],
                units=_units(8_000, NDC_AUTHORIZATION),
            ),
        )
    ]
    request = units.transfer_internationally(
        registry,
        GREEN_GROUP_A,
        c.TransferInternationally(
            source_account=world["XXA Green Group A amo_holding"],
            destination_account=world["XXC Green C Entity itmo_holding"],
            units=_units(8_000),
        ),
    )
    steps += [
        request,
        approvals.approve_transaction(
            registry, XXA_ADMIN, c.ApproveTransaction(transaction=request.record)
        ),
    ]
    handover = units.transfer_units(
        registry,
        GREEN_C_ENTITY,
        c.TransferUnits(
            source_account=world["XXC Green C Entity itmo_holding"],
            destination_account=world["XXC Party itmo_holding"],
            units=_units(3_000),
        ),
    )
    steps += [
        handover,
        approvals.approve_transaction(
            registry, XXC_ADMIN, c.ApproveTransaction(transaction=handover.record)
        ),
    ]
    steps.append(
        units.use_towards_ndc(
            registry,
            XXC_ADMIN,
            c.UseTowardsNDC(
                source_account=world["XXC Party itmo_holding"], ndc_year=2025, units=_units(3_000)
            ),
        )
    )
    return steps


Scenario = Callable[[Registry, DemoWorld], list[Receipt]]

SCENARIOS: list[tuple[str, str, Scenario, dict[str, int]]] = [
    (
        "1a",
        "Cancellation of ITMOs by Party XXA for use towards OIMP (CORSIA)",
        scenario_1a,
        {
            "XXA Party mo_holding": 80_000,
            "XXA Party amo_holding": 10_000,
            "XXA Party imp_cancellation": 10_000,
        },
    ),
    (
        "2a",
        "International transfer of ITMOs from Party XXA to Party XXC",
        scenario_2a,
        {
            "XXA Party mo_holding": 50_000,
            "XXA Party amo_holding": 20_000,
            "XXC Party itmo_holding": 20_000,
            "XXA Party imp_cancellation": 10_000,
        },
    ),
    (
        "1b",
        "Cancellation of ITMOs by Party XXA's authorized entity for use towards OIMP (CORSIA)",
        scenario_1b,
        {
            "XXA Party amo_holding": 15_000,
            "XXA Green Group A amo_holding": 0,
            "XXA Party imp_cancellation": 15_000,
        },
    ),
    (
        "2b",
        "International transfer of ITMOs between Parties XXA and XXC involving authorized entities",
        scenario_2b,
        {
            "XXA Party mo_holding": 50_000,
            "XXA Party amo_holding": 7_000,
            "XXA Green Group A amo_holding": 0,
            "XXC Green C Entity itmo_holding": 5_000,
            "XXC Party itmo_holding": 20_000,
            "XXC Party ndc_use": 3_000,
            "XXA Party imp_cancellation": 15_000,
        },
    ),
]
"""Each scenario with the holdings (by account name) it must leave behind."""


def holdings(registry: Registry, world: DemoWorld) -> dict[str, int]:
    found: dict[str, int] = {}
    for party, actor in (("XXA", XXA_ADMIN), ("XXC", XXC_ADMIN)):
        for account in ledger.accounts(registry, actor, party):
            holder = "Party" if account.holder == "PARTY" else account.entity_name
            found[f"{party} {holder} {account.kind}"] = account.quantity
    return found


def account_holdings(registry: Registry) -> list[tuple[str, str, int]]:
    """(identifier, the seed-style account name, units) of every account of XXA and XXC."""
    return [
        (account.identifier, account.name, account.quantity)
        for party, actor in (("XXA", XXA_ADMIN), ("XXC", XXC_ADMIN))
        for account in ledger.accounts(registry, actor, party)
    ]


def mismatches(registry: Registry, world: DemoWorld, expected: dict[str, int]) -> list[str]:
    actual = holdings(registry, world)
    return [
        f"{name}: expected {quantity}, found {actual.get(name)}"
        for name, quantity in expected.items()
        if actual.get(name) != quantity
    ]
