"""How the consistency checks read AEFs as Parties write them, file submissions (obsolete,
duplicate) and fill the CARP's fields from the result."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from consistency_world import YEAR, clean, loaded, unit, units, where

from article6.reports.aef_consistency import check, filled_document, filled_values, from_file
from article6.reports.aef_consistency.model import normalised
from article6.reports.aef_spec import TABLE
from article6.reports.aef_writers import Format, write
from article6.services.aef_consistency import view

AT = datetime(2026, 12, 2, 7, 13, 5, tzinfo=UTC)


def bare(world: dict, registry_of: dict[str, str]) -> None:
    """Serials as bare numbers (thousands separators, trailing spaces), NA spelled as Parties
    do, the registry in field H: the way AEFs are written before full identifiers."""
    for (party, _), tables in world.items():
        for number in (3, 4):
            for row in tables.get(number, []):
                for key in ("first_id", "last_id"):
                    row[key] = f"{int(row[key].split('-')[3]):,} "
                row["registry_id"] = registry_of[party]
                row.update({k: "N/A" for k, v in row.items() if v == "NA" and k != "purpose"})
                if row.get("purpose") == "NA":
                    row["purpose"] = "-"


def test_bare_serials_with_separators_and_na_spellings_read_as_the_same_units() -> None:
    world = clean()
    bare(world, {"AAA": "AAA01", "BBB": "BBB01"})
    assert world[("AAA", 2024)][4][0]["last_id"] == "1,000 "
    result = check(loaded(world), YEAR)
    assert [i.code for i in result.inconsistencies] == []
    aef = next(a for a in loaded(world) if (a.party, a.year) == ("BBB", YEAR))
    assert aef.rows(3)[0]["acquiring_party"] == "NA"


def test_a_bare_serial_takes_the_first_transferring_partys_registry() -> None:
    world = clean()
    bare(world, {"AAA": "AAA01", "BBB": "BBB01"})
    world[("BBB", YEAR)][4][0]["quantity"] = "61"
    [finding] = [i for i in check(loaded(world), YEAR).inconsistencies if i.code == "IRC01"]
    assert where(finding) == [("BBB", YEAR, "Table 4 Holdings", 8, units(41, 100))]


def test_not_applicable_spellings_and_spaces_are_normalised() -> None:
    written = ("N/A", " na ", "-", "Not applicable", "Quantity\u00a0 (t)")
    assert [normalised(v) for v in written] == ["NA", "NA", "NA", "NA", "Quantity (t)"]


def test_an_older_version_is_obsolete_and_a_second_copy_a_duplicate() -> None:
    world = clean()
    newer = clean()
    newer[("AAA", YEAR)][1][0]["version"] = "1.1"
    aefs = [*loaded(world), *loaded({("AAA", YEAR): newer[("AAA", YEAR)]}, source="v1.1")]
    aefs += loaded({("BBB", YEAR): world[("BBB", YEAR)]}, source="copy")
    result = check(aefs, YEAR, AT)
    filings = [(f.party, f.year, f.version, f.source, f.filing.value) for f in result.filed]
    assert ("AAA", YEAR, "1.0", "test", "obsolete") in filings
    assert ("AAA", YEAR, "1.1", "v1.1", "consistent") in filings
    assert ("BBB", YEAR, "1.0", "test", "consistent") in filings
    assert ("BBB", YEAR, "1.0", "copy", "duplicate") in filings
    assert result.consistent


def test_the_result_fills_table_1_and_each_table_3_row_it_names() -> None:
    world = clean()
    world[("BBB", YEAR)][3][1]["ndc_year"] = "2035"
    aefs = loaded(world)
    result = check(aefs, YEAR, AT)
    bbb = next(a for a in aefs if (a.party, a.year) == ("BBB", YEAR))
    aaa = next(a for a in aefs if (a.party, a.year) == ("AAA", YEAR))
    assert list(filled_values(bbb, result)) == [
        (1, 4, "consistency_check", "Consistency checks failed: 2026-12-02T07:13:05Z"),
        (3, 9, "consistency_check", ""),
        (3, 10, "consistency_check", "STC03, IP04"),
    ]
    assert next(filled_values(aaa, result)) == (
        1,
        4,
        "consistency_check",
        "Consistency checks passed: 2026-12-02T07:13:05Z",
    )
    document = filled_document(bbb, result)
    rows = {t.spec.number: list(t.rows) for t in document.tables}
    assert rows[3][1][TABLE[3].keys.index("consistency_check")] == "STC03, IP04"
    assert rows[3][1][TABLE[3].keys.index("first_id")] == unit(1)


def test_an_aef_written_to_a_file_reads_back_as_the_same_tables(tmp_path: Path) -> None:
    aefs = loaded(clean())
    result = check(aefs, YEAR, AT)
    for aef in aefs:
        write(filled_document(aef, result), Format.JSON, tmp_path / f"{aef.party}{aef.year}.json")
    document = json.loads((tmp_path / "BBB2025.json").read_text())
    assert document["tables"][0]["rows"][0][5].startswith("Consistency checks passed")
    reread = [from_file(path) for path in sorted(tmp_path.iterdir())]
    assert [(a.party, a.year, a.version, a.source) for a in reread] == [
        ("AAA", 2024, "1.0", "AAA2024.json"),
        ("AAA", YEAR, "1.0", "AAA2025.json"),
        ("BBB", 2024, "1.0", "BBB2024.json"),
        ("BBB", YEAR, "1.0", "BBB2025.json"),
    ]
    bbb = reread[3]
    assert bbb.rows(3)[1]["ndc_year"] == "2025"
    assert [r.number for r in bbb.rows(3)] == [2, 3]
    assert check(reread, YEAR, AT).consistent
    write(filled_document(aefs[3], result), Format.CSV, tmp_path / "csv")
    from_csv = from_file(tmp_path / "csv")
    assert (from_csv.party, from_csv.year, from_csv.source) == ("BBB", YEAR, "csv")
    assert [r.values for r in from_csv.rows(3)] == [r.values for r in bbb.rows(3)]
    write(filled_document(aefs[3], result), Format.XLSX, tmp_path / "bbb.xlsx")
    from_xlsx = from_file(tmp_path / "bbb.xlsx")
    assert (from_xlsx.party, from_xlsx.year, from_xlsx.version) == ("BBB", YEAR, "1.0")
    assert [r.values for r in from_xlsx.rows(3)] == [r.values for r in bbb.rows(3)]


def test_the_doors_list_a_bounded_number_of_findings_and_count_them_all() -> None:
    world = clean()
    world[("AAA", 2024)][2][0]["purposes"] = "NDC"
    shown = view(check(loaded(world), YEAR, AT), listed=1)
    [stc02] = [c for c in shown.codes if c.code == "STC02"]
    assert (stc02.passed, stc02.found, len(stc02.inconsistencies)) == (False, 2, 1)
    assert stc02.inconsistencies[0].rows[0].sheet == "Table 3 Actions"
    assert shown.checked_at == AT and shown.inconsistencies >= 2
