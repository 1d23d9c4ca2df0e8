"""The AEF of XXA and XXC after the seed's scenarios, row by row (RULES.md 4, docs/aef.md)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from scenario_world import DURING, Reported

from article6.demo import world as demo
from article6.domain.checks import CommandRefused
from article6.domain.nomenclature import Purpose, Sector
from article6.reports.aef import ActionDateTime
from article6.services import authorizations, authorized_entities, units
from article6.services import commands as c
from article6.services.aef_versions import open_aef
from article6.services.reads.ledger import verify_registry

NDC = demo.NDC_AUTHORIZATION
CORSIA = demo.CORSIA_AUTHORIZATION
ACTOR = {"XXA": demo.XXA_ADMIN, "XXC": demo.XXC_ADMIN}


def aef_tables(reported: Reported, party: str, year: int = 2025) -> dict[int, list[Any]]:
    with open_aef(reported.registry, ACTOR[party], party, year) as document:
        return {t.spec.number: [list(row) for row in t.rows] for t in document.tables}


def action(
    kind: str,
    subtype: str | None,
    authorization: str,
    registry: str,
    first: int,
    last: int,
    *,
    transferring: str = "NA",
    acquiring: str = "NA",
    purpose: str = "NA",
    using_party: str = "NA",
    entity: str = "NA",
    ndc_year: int | str = "NA",
    transaction: str,
) -> list[Any]:
    """A Table 3 row of the seed's units: CA0001, XXA's vintage 2024 GHG emission reductions
    from the solar park, whose Gold Standard units start at 500,001 for serial 1. First and Last
    ID are the units' full identifiers (issued in XXA01)."""
    return [
        ActionDateTime(DURING),
        kind,
        subtype,
        "CA0001",
        authorization,
        "XXA",
        registry,
        f"CA0001-XXA01-XXA-{first}-2024",
        f"CA0001-XXA01-XXA-{last}-2024",
        "GS",
        500_000 + first,
        500_000 + last,
        "GHG",
        None,
        "NA",
        last - first + 1,
        "NA",
        "Emission reductions",
        2024,
        transferring,
        acquiring,
        purpose,
        using_party,
        entity,
        ndc_year,
        None,
        f"Registry transaction {transaction}",
    ]


def test_xxa_reports_its_first_transfers_and_its_uses_for_corsia(reported: Reported) -> None:
    tables = aef_tables(reported, "XXA")

    assert tables[1] == [["XXA", "1.0", 2025, "15/01/2026", None, None, 2021, 2030, None]]
    assert tables[2] == [
        # NDC authorization: OIMP fields not applicable.
        [
            NDC,
            "01/04/2025",
            "CA0001",
            1,
            60000,
            "GHG",
            None,
            "NA",
            "Energy generation",
            "Solar",
            "NDC",
            "XXC",
            None,
            "NA",
            "2021 - 2030",
            None,
            None,
            "NA",
            None,
        ],
        [
            CORSIA,
            "01/04/2025",
            "CA0001",
            1,
            None,
            "GHG",
            None,
            "NA",
            "Energy generation",
            "Solar",
            "OIMP",
            None,
            None,
            "CORSIA",
            None,
            None,
            None,
            "Use or Cancellation",
            None,
        ],
    ]
    assert tables[3] == [
        # XXA links its CORSIA authorization to 20,000 MOs: an Authorization action.
        action(
            "Authorization", None, CORSIA, "XXA01", 80_001, 100_000, transaction="XXA01-00000002"
        ),
        # 1a: XXA cancels 10,000 for CORSIA: the first transfer, and a use for IMP.
        action(
            "First transfer",
            "Use or cancellation",
            CORSIA,
            "XXA01",
            90_001,
            100_000,
            purpose="CORSIA",
            using_party="XXA",
            transaction="XXA01-00000003",
        ),
        action(
            "Use",
            None,
            CORSIA,
            "XXA01",
            90_001,
            100_000,
            purpose="CORSIA",
            using_party="XXA",
            transaction="XXA01-00000003",
        ),
        # XXA links its NDC authorization to 30,000 MOs.
        action("Authorization", None, NDC, "XXA01", 50_001, 80_000, transaction="XXA01-00000004"),
        # 2a: the international transfer to XXC is the first transfer; no separate Transfer row.
        action(
            "First transfer",
            "First transfer to another Party",
            NDC,
            "XXA01",
            60_001,
            80_000,
            acquiring="XXC",
            transaction="XXA01-00000005",
        ),
        # 1b: Green Group A's cancellation for CORSIA names the entity.
        action(
            "First transfer",
            "Use or cancellation",
            CORSIA,
            "XXA01",
            85_001,
            90_000,
            purpose="CORSIA",
            using_party="XXA",
            entity="XXA-E0001",
            transaction="XXA01-00000007",
        ),
        action(
            "Use",
            None,
            CORSIA,
            "XXA01",
            85_001,
            90_000,
            purpose="CORSIA",
            using_party="XXA",
            entity="XXA-E0001",
            transaction="XXA01-00000007",
        ),
        # 2b: Green Group A's transfer to Green C Entity is the first transfer to XXC.
        action(
            "First transfer",
            "First transfer to another Party",
            NDC,
            "XXA01",
            52_001,
            60_000,
            acquiring="XXC",
            transaction="XXA01-00000009",
        ),
    ]
    # XXA holds, at the end of 2025, the authorized units it has neither first transferred nor
    # used: ITMOs from their authorization (2/CMA.3 annex para 1(f)); its MOs are not ITMOs.
    assert [(row[4], row[5], row[12]) for row in tables[4]] == [
        ("CA0001-XXA01-XXA-50001-2024", "CA0001-XXA01-XXA-52000-2024", 2_000),
        ("CA0001-XXA01-XXA-80001-2024", "CA0001-XXA01-XXA-85000-2024", 5_000),
    ]
    assert tables[5] == [
        [
            "01/03/2025",
            "Green Group A",
            "XXA",
            "A-1001",
            "CA0001",
            "Transfers and cancellations need XXA's approval.",
            None,
            "Registry ID XXA-E0001.",
        ]
    ]
    assert verify_registry(reported.registry) == []


def test_xxc_reports_its_acquisitions_its_use_and_its_year_end_holdings(
    reported: Reported,
) -> None:
    tables = aef_tables(reported, "XXC")

    assert tables[1] == [["XXC", "1.0", 2025, "15/01/2026", None, None, 2021, 2030, None]]
    assert tables[2] == []  # XXC authorized nothing
    assert tables[3] == [
        action(
            "Acquisition",
            None,
            NDC,
            "XXC01",
            60_001,
            80_000,
            transferring="XXA",
            transaction="XXA01-00000005",
        ),
        action(
            "Acquisition",
            None,
            NDC,
            "XXC01",
            52_001,
            60_000,
            transferring="XXA",
            transaction="XXA01-00000009",
        ),
        # The hand-over from Green C Entity to XXC is internal: not reported.
        action(
            "Use", None, NDC, "XXC01", 77_001, 80_000, ndc_year=2025, transaction="XXC01-00000002"
        ),
    ]
    # 5,000 with Green C Entity (52,001-57,000) and 20,000 with XXC (57,001-77,000): contiguous
    # and alike, so one row.
    assert tables[4] == [
        [
            "CA0001",
            NDC,
            "XXA",
            "XXC01",
            "CA0001-XXA01-XXA-52001-2024",
            "CA0001-XXA01-XXA-77000-2024",
            "GS",
            552001,
            577000,
            "GHG",
            None,
            "NA",
            25000,
            "NA",
            "Emission reductions",
            2024,
        ]
    ]
    assert tables[5] == [
        [
            "15/03/2025",
            "Green C Entity",
            "XXC",
            "C-2002",
            "CA0001",
            None,
            None,
            "Registry ID XXC-E0001.",
        ]
    ]
    assert verify_registry(reported.registry) == []


def test_the_year_end_holdings_stay_frozen_when_units_move_in_the_next_year(
    reported: Reported,
) -> None:
    before = aef_tables(reported, "XXC")[4]
    units.use_towards_ndc(
        reported.registry,
        demo.XXC_ADMIN,
        c.UseTowardsNDC(
            source_account=reported.world["XXC Party itmo_holding"],
            ndc_year=2026,
            units=c.UnitSelection(quantity=1_000),
        ),
    )

    assert aef_tables(reported, "XXC")[4] == before
    assert [row[1] for row in aef_tables(reported, "XXC", 2026)[3]] == ["Use"]
    assert verify_registry(reported.registry) == []


def test_an_entity_does_not_read_the_aef_and_a_party_reads_only_its_own(
    reported: Reported,
) -> None:
    with pytest.raises(CommandRefused) as entity:
        aef_tables_for(reported, demo.GREEN_GROUP_A, "XXA")
    with pytest.raises(CommandRefused) as other:
        aef_tables_for(reported, demo.XXC_ADMIN, "XXA")

    assert entity.value.codes == ["C4002"]
    assert other.value.codes == ["C4006"]


def aef_tables_for(reported: Reported, actor: Any, party: str) -> None:
    with open_aef(reported.registry, actor, party, 2025) as document:
        for table in document.tables:
            list(table.rows)


def test_an_authorization_recorded_late_is_reported_in_the_year_of_its_date(
    reported: Reported,
) -> None:
    """Table 2 follows the date of authorization (of each version), as Table 5 does, not the
    day the registry recorded it: GH-TCA-1 of 29/02/2024 recorded in 2026 is in the 2024 AEF."""
    authorized_entities.record_authorized_entity(
        reported.registry,
        demo.XXA_ADMIN,
        c.RecordAuthorizedEntity(
            name="Early Entity",
            country_of_incorporation="XXA",
            identification_number="A-2024",
            cooperative_approach="CA0001",
            date_of_authorization=date(2024, 2, 29),
        ),
    )
    for version_date in (date(2024, 2, 29), date(2025, 7, 1)):
        authorizations.record_authorization(
            reported.registry,
            demo.XXA_ADMIN,
            c.RecordAuthorization(
                authorization_id="GH-TCA-1",
                date_of_authorization=version_date,
                cooperative_approach="CA0001",
                sectors=[Sector.ENERGY_GENERATION],
                purposes=Purpose.NDC,
            ),
        )

    def versions(year: int) -> list[tuple[str, str, Any]]:
        rows = aef_tables(reported, "XXA", year)[2]
        return [(row[0], row[1], row[3]) for row in rows if row[0] == "GH-TCA-1"]

    def entities(year: int) -> list[str]:
        return [row[1] for row in aef_tables(reported, "XXA", year)[5]]

    assert versions(2023) == []
    assert versions(2024) == [("GH-TCA-1", "29/02/2024", 1)]
    assert versions(2025) == [("GH-TCA-1", "29/02/2024", 1), ("GH-TCA-1", "01/07/2025", 2)]
    assert entities(2023) == []
    assert entities(2024) == ["Early Entity"]
