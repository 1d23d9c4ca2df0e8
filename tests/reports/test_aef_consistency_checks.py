"""Each of the CARP's consistency checks (RULES.md 11.3), one inconsistency at a time: the
clean world passes every code, and one changed cell is reported by its code, naming the
Parties, the sheets and rows and the units."""

from __future__ import annotations

import pytest
from consistency_world import YEAR, action, clean, found, run, unit, units, where

from article6.reports.aef_consistency import CHECKS

T2, T3, T4 = "Table 2 Authorizations", "Table 3 Actions", "Table 4 Holdings"


@pytest.mark.parametrize("code", [entry.code for entry in CHECKS])
def test_the_clean_world_passes(code: str) -> None:
    assert found(clean(), code) == []


def test_every_code_of_the_secretariats_list_is_checked_in_its_order() -> None:
    assert [e.code for e in CHECKS] == [
        *(f"II0{n}" for n in range(1, 8)),
        *(f"STC0{n}" for n in range(1, 5)),
        *(f"ISC0{n}" for n in range(1, 5)),
        "IRC01",
        "IPC01",
        *(f"IP0{n}" for n in range(1, 5)),
        *(f"DR0{n}" for n in range(1, 5)),
    ]
    assert all(e.check.__doc__ and e.code in e.check.__doc__ for e in CHECKS)


def test_ii01_a_party_reporting_an_approach_it_is_not_authorized_for() -> None:
    world = clean()
    world[("AAA", 2024)][2][0]["authorized_parties"] = "CCC"
    [finding] = found(world, "II01")
    assert finding.parties == ("BBB",)
    assert where(finding) == [
        ("BBB", YEAR, T3, 9, units(1, 100)),
        ("BBB", YEAR, T3, 10, units(1, 40)),
        ("BBB", YEAR, T4, 8, units(41, 100)),
    ]
    assert "CA0001" in finding.message


def test_ii02_the_same_first_transfer_reported_twice() -> None:
    world = clean()
    again = dict(world[("AAA", YEAR)][3][0], action_date="15/02/2025")
    world[("AAA", YEAR)][3].append(again)
    [finding] = found(world, "II02")
    assert finding.parties == ("AAA",)
    assert where(finding) == [
        ("AAA", YEAR, T3, 9, units(1, 100)),
        ("AAA", YEAR, T3, 12, units(1, 100)),
    ]
    assert "First transfer" in finding.message


def test_ii03_a_unit_reported_under_an_authorization_of_another_sector() -> None:
    world = clean()
    other = dict(world[("AAA", 2024)][2][0], authorization_id="A-2", sectors="Waste management")
    world[("AAA", 2024)][2].append(other)
    world[("BBB", YEAR)][3][1]["authorization_id"] = "A-2"
    [finding] = found(world, "II03")
    assert finding.parties == ("AAA", "BBB")
    assert ("BBB", YEAR, T3, 10, units(1, 40)) in where(finding)
    assert ("AAA", YEAR, T3, 9, units(1, 100)) in where(finding)
    assert "Waste management" in finding.message


def test_ii04_a_holding_whose_metric_changed() -> None:
    world = clean()
    world[("BBB", YEAR)][4][0].update(metric="non-GHG")
    among_rows, against_authorization = found(world, "II04")
    assert among_rows.parties == ("AAA", "BBB")
    assert ("BBB", YEAR, T4, 8, units(41, 100)) in where(among_rows)
    assert ("BBB", YEAR, T3, 9, units(1, 100)) in where(among_rows)
    assert "GHG; non-GHG" in among_rows.message
    assert where(against_authorization) == [
        ("BBB", YEAR, T4, 8, units(41, 100)),
        ("AAA", 2024, T2, 8, None),
    ]


def test_ii05_an_acquisition_naming_underlying_units_the_first_transfer_did_not() -> None:
    world = clean()
    world[("BBB", YEAR)][3][0].update(
        underlying_registry="GS", first_unit_id="500001", last_unit_id="500100"
    )
    [finding] = found(world, "II05")
    assert finding.parties == ("AAA", "BBB")
    assert ("BBB", YEAR, T3, 9, units(1, 100)) in where(finding)
    assert ("AAA", YEAR, T3, 9, units(1, 100)) in where(finding)
    assert "GS" in finding.message


def test_ii06_a_use_by_an_entity_the_authorization_does_not_name() -> None:
    world = clean()
    for row in world[("AAA", YEAR)][3][1:]:
        row["using_entity"] = "AAA-E9"
    findings = found(world, "II06")
    assert [where(f)[0] for f in findings] == [
        ("AAA", YEAR, T3, 10, units(101, 150)),
        ("AAA", YEAR, T3, 11, units(101, 150)),
    ]
    assert where(findings[1])[1] == ("AAA", 2024, T2, 8, None)
    assert "AAA-E9" in findings[1].message


def test_ii06_a_use_by_a_party_the_authorization_does_not_name() -> None:
    world = clean()
    world[("AAA", 2024)][2][0]["authorized_parties"] = "CCC"
    [finding] = found(world, "II06")
    assert finding.parties == ("AAA", "BBB")
    assert where(finding)[0] == ("BBB", YEAR, T3, 10, units(1, 40))


def test_ii07_a_row_whose_approach_is_not_its_identifiers() -> None:
    world = clean()
    world[("BBB", YEAR)][3][0]["cooperative_approach_id"] = "CA0002"
    findings = found(world, "II07")
    assert where(findings[0]) == [("BBB", YEAR, T3, 9, units(1, 100))]
    assert "CA0002" in findings[0].message and "CA0001" in findings[0].message
    assert findings[0].parties == ("BBB",)


def test_stc01_an_action_outside_the_reported_year() -> None:
    world = clean()
    world[("BBB", YEAR)][3][1]["action_date"] = "01/03/2024"
    [finding] = found(world, "STC01")
    assert finding.parties == ("BBB",)
    assert where(finding) == [("BBB", YEAR, T3, 10, units(1, 40))]
    assert "outside 2025" in finding.message


def test_stc02_a_use_for_corsia_under_an_authorization_for_the_ndc_only() -> None:
    world = clean()
    world[("AAA", 2024)][2][0]["purposes"] = "NDC"
    findings = found(world, "STC02")
    assert [where(f) for f in findings] == [
        [("AAA", YEAR, T3, 10, units(101, 150)), ("AAA", 2024, T2, 8, None)],
        [("AAA", YEAR, T3, 11, units(101, 150)), ("AAA", 2024, T2, 8, None)],
    ]
    assert "IMP" in findings[1].message


def test_stc03_a_use_towards_the_ndc_after_its_period() -> None:
    world = clean()
    world[("BBB", YEAR)][3][1]["ndc_year"] = "2035"
    [finding] = found(world, "STC03")
    assert finding.parties == ("BBB",)
    assert where(finding) == [("BBB", YEAR, T3, 10, units(1, 40))]
    assert "2021-2030" in finding.message


def test_stc04_a_first_transfer_at_issuance_the_authorization_does_not_define() -> None:
    world = clean()
    world[("AAA", YEAR)][3][1]["action_subtype"] = "Issuance"
    [finding] = found(world, "STC04")
    assert where(finding) == [
        ("AAA", YEAR, T3, 10, units(101, 150)),
        ("AAA", 2024, T2, 8, None),
    ]
    assert "Use or Cancellation" in finding.message


def test_stc04_reads_first_international_transfer_as_a_first_transfer_to_another_party() -> None:
    world = clean()
    world[("AAA", YEAR)][3][0]["action_subtype"] = "First international transfer"
    assert found(world, "STC04") == []
    assert found(world, "IPC01") == []


def test_isc01_holdings_that_leave_out_acquired_units() -> None:
    world = clean()
    world[("BBB", YEAR)][4][0].update(last_id="CA0001-AAA01-AAA-90-2024", quantity="50")
    [finding] = found(world, "ISC01")
    assert finding.parties == ("BBB",)
    assert where(finding) == [("BBB", YEAR, T3, 9, units(1, 100))]
    assert "serials 91-100 (10 units)" in finding.message


def test_isc02_earlier_holdings_that_vanish() -> None:
    world = clean()
    world[("AAA", YEAR)][4][0].update(last_id="CA0001-AAA01-AAA-899-2024", quantity="749")
    [finding] = found(world, "ISC02")
    assert finding.parties == ("AAA",)
    assert where(finding) == [("AAA", 2024, T4, 8, units(1, 1000))]
    assert "serials 900-1000 (101 units)" in finding.message
    filed = {(f.party, f.year): (f.filing.value, f.codes) for f in run(world).filed}
    assert filed[("AAA", YEAR)] == ("inconsistent", ("ISC02", "ISC03", "DR01", "DR02"))
    assert filed[("BBB", YEAR)] == ("consistent", ())


def test_isc03_holdings_from_nowhere() -> None:
    world = clean()
    world[("BBB", YEAR)][4][0].update(last_id="CA0001-AAA01-AAA-120-2024", quantity="80")
    [finding] = found(world, "ISC03")
    assert finding.parties == ("BBB",)
    assert where(finding) == [("BBB", YEAR, T4, 8, units(41, 120))]
    assert "holds AAA01 serials 101-120 (20 units)" in finding.message


def test_isc04_a_use_of_units_never_held() -> None:
    world = clean()
    world[("BBB", YEAR)][3][1].update(
        first_id="CA0001-AAA01-AAA-141-2024", last_id="CA0001-AAA01-AAA-150-2024", quantity="10"
    )
    world[("BBB", YEAR)][4][0].update(first_id="CA0001-AAA01-AAA-1-2024", quantity="100")
    [finding] = found(world, "ISC04")
    assert finding.parties == ("BBB",)
    assert where(finding) == [("BBB", YEAR, T3, 10, units(141, 150))]
    assert "did not hold" in finding.message


def test_irc01_a_quantity_that_is_not_the_ranges_size() -> None:
    world = clean()
    world[("BBB", YEAR)][4][0]["quantity"] = "61"
    [finding] = found(world, "IRC01")
    assert where(finding) == [("BBB", YEAR, T4, 8, units(41, 100))]
    assert finding.message == "quantity 61 is not the range's 60 units"


def test_irc01_a_row_whose_identifiers_name_no_range() -> None:
    world = clean()
    world[("BBB", YEAR)][3][0]["last_id"] = "CA0001-BBB01-AAA-100-2024"
    [finding] = found(world, "IRC01")
    assert where(finding) == [("BBB", YEAR, T3, 9, None)]
    assert "are not one range" in finding.message


def test_ipc01_a_first_transfer_only_partly_acquired() -> None:
    world = clean()
    world[("BBB", YEAR)][3][0].update(last_id="CA0001-AAA01-AAA-90-2024", quantity="90")
    [finding] = found(world, "IPC01")
    assert finding.parties == ("AAA", "BBB")
    assert where(finding) == [("AAA", YEAR, T3, 9, units(1, 100))]
    assert "BBB reports no acquisition" in finding.message


def test_ipc01_an_acquisition_the_other_party_did_not_transfer() -> None:
    world = clean()
    world[("BBB", YEAR)][3][0]["transferring_party"] = "CCC"
    world[("CCC", YEAR)] = {1: [{**world[("BBB", YEAR)][1][0], "party": "CCC"}]}
    findings = found(world, "IPC01")
    assert [f.parties for f in findings] == [("AAA", "BBB"), ("BBB", "CCC")]
    assert where(findings[1]) == [("BBB", YEAR, T3, 9, units(1, 100))]
    assert "CCC reports no transfer" in findings[1].message


def test_ip01_a_first_transfer_before_its_authorization() -> None:
    world = clean()
    world[("AAA", 2024)][2][0]["date_of_authorization"] = "01/03/2025"
    [finding] = found(world, "IP01")
    assert where(finding) == [("AAA", YEAR, T3, 9, units(1, 100)), ("AAA", 2024, T2, 8, None)]
    assert "before its authorization of 01/03/2025" in finding.message


def test_ip02_a_use_before_the_units_were_acquired() -> None:
    world = clean()
    world[("BBB", YEAR)][3][1]["action_date"] = "11/02/2025"
    [finding] = found(world, "IP02")
    assert finding.parties == ("BBB",)
    assert where(finding) == [("BBB", YEAR, T3, 10, units(1, 40))]
    assert "had not acquired" in finding.message


def test_ip03_a_first_transfer_reported_as_a_transfer() -> None:
    world = clean()
    world[("AAA", YEAR)][3][0].update(action_type="Transfer", action_subtype="")
    [finding] = found(world, "IP03")
    assert where(finding) == [("AAA", YEAR, T3, 9, units(1, 100))]
    assert "as a Transfer" in finding.message


def test_ip03_a_use_for_corsia_without_its_first_transfer() -> None:
    world = clean()
    del world[("AAA", YEAR)][3][1]
    [finding] = found(world, "IP03")
    assert where(finding)[0] == ("AAA", YEAR, T3, 10, units(101, 150))


def test_ip04_a_use_after_the_authorized_timeframe() -> None:
    world = clean()
    world[("AAA", 2024)][2][0]["timeframe"] = "Use: from 01/10/2021 to 31/12/2024"
    findings = found(world, "IP04")
    assert [where(f)[0] for f in findings] == [
        ("AAA", YEAR, T3, 11, units(101, 150)),
        ("BBB", YEAR, T3, 10, units(1, 40)),
    ]
    assert "timeframe 2021-2024" in findings[0].message


def test_ip04_more_used_than_the_authorized_quantity() -> None:
    world = clean()
    world[("AAA", 2024)][2][0]["authorized_quantity"] = "80"
    [finding] = found(world, "IP04")
    assert where(finding)[0] == ("AAA", 2024, T2, 8, None)
    assert "90 units used or cancelled under authorization A-1, more than the 80" in (
        finding.message
    )


def test_dr01_a_partys_balance_per_metric_and_sector() -> None:
    world = clean()
    world[("AAA", YEAR)][4][0].update(last_id="CA0001-AAA01-AAA-899-2024", quantity="749")
    [finding] = found(world, "DR01")
    assert finding.parties == ("AAA",)
    assert ("AAA", 2024, T4, 8, units(1, 1000)) in where(finding)
    assert "GHG / Energy generation / Solar" in finding.message
    assert "= 1000 but transferred + used + cancelled + held = 899" in finding.message


def test_dr02_a_partys_balance_per_approach() -> None:
    world = clean()
    world[("BBB", YEAR)][4][0].update(last_id="CA0001-AAA01-AAA-120-2024", quantity="80")
    [finding] = found(world, "DR02")
    assert finding.parties == ("BBB",)
    assert where(finding) == [("BBB", YEAR, T4, 8, units(41, 120))]
    assert "approach CA0001" in finding.message and "= 100 but" in finding.message


def test_dr03_transferred_is_not_acquired_between_a_pair_of_parties() -> None:
    world = clean()
    world[("BBB", YEAR)][3][0].update(last_id="CA0001-AAA01-AAA-90-2024", quantity="90")
    [finding] = found(world, "DR03")
    assert finding.parties == ("AAA", "BBB")
    assert where(finding) == [
        ("AAA", YEAR, T3, 9, units(1, 100)),
        ("BBB", YEAR, T3, 9, units(1, 90)),
    ]
    assert "AAA transferred 100 to BBB" in finding.message and "acquired 90" in finding.message


def test_dr04_units_used_that_were_never_first_transferred() -> None:
    world = clean()
    world[("AAA", YEAR)][3].append(action("01/04/2025", "Use", 200, 210, ndc_year="2025"))
    world[("AAA", YEAR)][4] = [
        dict(world[("AAA", YEAR)][4][0], last_id=unit(199), quantity="49"),
        dict(world[("AAA", YEAR)][4][0], first_id=unit(211), quantity="790"),
    ]
    [finding] = found(world, "DR04")
    assert finding.parties == ("AAA",)
    assert where(finding) == [("AAA", YEAR, T3, 12, units(200, 210))]
    assert "101 units used or cancelled, 90 of them first transferred" in finding.message


def test_a_result_lists_every_code_and_files_the_years_submissions() -> None:
    result = run(clean())
    assert result.consistent
    assert [(f.party, f.year, f.filing.value) for f in result.filed] == [
        ("AAA", 2024, "reference"),
        ("BBB", 2024, "reference"),
        ("AAA", YEAR, "consistent"),
        ("BBB", YEAR, "consistent"),
    ]
