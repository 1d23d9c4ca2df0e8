"""A small two-Party world of AEFs, built as loaded tables (no database): AAA authorizes 1,000
units of CA0001 in 2024 and, in 2025, first transfers 100 to BBB and uses 50 for CORSIA; BBB
acquires the 100 and uses 40 towards its NDC. Every consistency check passes on it; each test
changes one cell and sees the one inconsistency it introduces."""

from __future__ import annotations

import copy
from typing import Any

from article6.reports.aef_consistency import LoadedAEF, check
from article6.reports.aef_consistency.loading import FIRST_ROW, SHEETS
from article6.reports.aef_consistency.model import Inconsistency
from article6.reports.aef_consistency.runner import ConsistencyResult
from article6.reports.aef_spec import TABLE

Tables = dict[int, list[dict[str, str]]]
World = dict[tuple[str, int], Tables]
YEAR = 2025


def unit(serial: int) -> str:
    return f"CA0001-AAA01-AAA-{serial}-2024"


def units(first: int, last: int) -> str:
    """How a finding names a range."""
    return f"{unit(first)} to {unit(last)}"


NOT_APPLICABLE = (
    "transferring_party",
    "acquiring_party",
    "purpose",
    "using_party",
    "using_entity",
    "ndc_year",
    "first_unit_id",
    "last_unit_id",
    "non_ghg_metric",
    "non_ghg_quantity",
)


def block(first: int, last: int, **fields: str) -> dict[str, str]:
    """The fields a Table 3 or 4 row of AAA's units shares."""
    row = {
        "cooperative_approach_id": "CA0001",
        "authorization_id": "A-1",
        "first_transferring_party": "AAA",
        "registry_id": "AAA01",
        "first_id": unit(first),
        "last_id": unit(last),
        "underlying_registry": "NA",
        "metric": "GHG",
        "quantity": str(last - first + 1),
        "mitigation_type": "Emission reductions",
        "vintage": "2024",
    }
    row.update({key: "NA" for key in NOT_APPLICABLE})
    row.update(fields)
    return row


def action(
    day: str, kind: str, first: int, last: int, subtype: str = "", **fields: str
) -> dict[str, str]:
    return block(first, last, action_date=day, action_type=kind, action_subtype=subtype, **fields)


def submission(party: str, year: int, version: str = "1.0") -> dict[str, str]:
    return {
        "party": party,
        "version": version,
        "reported_year": str(year),
        "date_of_submission": f"15/01/{year + 1}",
        "ndc_first_year": "2021",
        "ndc_last_year": "2030",
    }


AUTHORIZATION = {
    "authorization_id": "A-1",
    "date_of_authorization": "01/03/2024",
    "cooperative_approach_id": "CA0001",
    "version": "1",
    "authorized_quantity": "1000",
    "metric": "GHG",
    "non_ghg_metric": "NA",
    "sectors": "Energy generation",
    "activity_types": "Solar",
    "purposes": "NDC and OIMP",
    "authorized_parties": "BBB",
    "authorized_entities": "AAA-E1",
    "oimp_authorized": "CORSIA",
    "timeframe": "2021 - 2030",
    "first_transfer_definition": "Use or Cancellation",
}


def clean() -> World:
    """The consistent world (a fresh copy each call)."""
    corsia = {"purpose": "CORSIA", "using_party": "AAA", "using_entity": "AAA-E1"}
    world: World = {
        ("AAA", 2024): {
            1: [submission("AAA", 2024)],
            2: [dict(AUTHORIZATION)],
            4: [block(1, 1000)],
        },
        ("BBB", 2024): {1: [submission("BBB", 2024)]},
        ("AAA", YEAR): {
            1: [submission("AAA", YEAR)],
            3: [
                action(
                    "10/02/2025",
                    "First transfer",
                    1,
                    100,
                    "First transfer to another Party",
                    acquiring_party="BBB",
                ),
                action("11/02/2025", "First transfer", 101, 150, "Use or cancellation", **corsia),
                action("11/02/2025", "Use", 101, 150, **corsia),
            ],
            4: [block(151, 1000)],
        },
        ("BBB", YEAR): {
            1: [submission("BBB", YEAR)],
            3: [
                action("12/02/2025", "Acquisition", 1, 100, transferring_party="AAA"),
                action("01/03/2025", "Use", 1, 40, ndc_year="2025"),
            ],
            4: [block(41, 100)],
        },
    }
    return copy.deepcopy(world)


def loaded(world: World, source: str = "test") -> list[LoadedAEF]:
    aefs = []
    for (party, year), tables in world.items():
        version = tables[1][0]["version"]
        aef = LoadedAEF(party, year, version, source)
        for number in TABLE:
            for offset, values in enumerate(tables.get(number, [])):
                cells: dict[str, Any] = dict(values)
                aef.add(number, SHEETS[number], FIRST_ROW[number] + offset, cells)
        aefs.append(aef)
    return aefs


def run(world: World, year: int = YEAR) -> ConsistencyResult:
    return check(loaded(world), year)


def found(world: World, code: str) -> list[Inconsistency]:
    result = run(world)
    return [i for c in result.codes if c.code == code for i in c.inconsistencies]


def where(finding: Inconsistency) -> list[tuple[str, int, str, int, str | None]]:
    """(Party, year, sheet, row, units) of each row a finding names."""
    return [(r.party, r.year, r.sheet, r.row, r.units) for r in finding.rows]
