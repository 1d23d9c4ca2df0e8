"""The official AEF workbook both ways (RULES.md 11.1, 11.2): workbooks laid out by hand here,
cell by cell as the template `AEF_CMA6_second_iteration.xlsx` lays them out (not by our
writer), are read by `aef validate`; real problems are named by sheet, cell and field; our
export is that workbook and validates."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from openpyxl.cell.cell import MergedCell
from openpyxl.worksheet.worksheet import Worksheet
from scenario_world import Reported

from article6.domain.access import Actor, Role
from article6.reports.aef_readers import field_positions, open_source
from article6.reports.aef_spec import TABLE
from article6.reports.aef_validate import validate
from article6.reports.aef_writers import Format
from article6.services.aef_versions import export_aef

NBSP = "\u00a0"
INFORMATION_BY_CARP = "{Information in this field is populated by the CARP}"
LINK_BY_CARP = "{Link to be produced by the CARP}"
SHEETS = [
    "Index",
    "Summary information",
    "Table 1 Submission",
    "Table 2 Authorizations",
    "Table 3 Actions",
    "Table 4 Holdings",
    "Table 5 Auth. entities",
]
SUBMISSION_LABELS = [
    "Party",
    "Version",
    "Reported year",
    "Date of submission",
    "Review status of the initial report",
    "Result of the consistency check of this AEF submission",
    "First year of the NDC implementation period",
    "Last year of the NDC implementation period",
    "Reference to the Article 6 technical expert review report of the initial report",
]
# (sheet, title cell, title, heading row, {column: heading}) as RULES.md 11.1 lays them out
AUTHORIZATIONS = {
    "B": "Authorization ID",
    "C": "Date of authorization",
    "D": "Cooperative approach ID",
    "E": "Version of the authorization",
    "G": "Authorized quantity",
    "H": "Metric",
    "I": "Applicable GWP value(s)",
    "J": "Applicable non-GHG metric",
    "K": "Sector(s)",
    "L": "Activity type(s)",
    "M": "Purposes for authorization",
    "N": "Authorized Party(ies) ID",
    "O": "Authorized entity(ies) ID",
    "P": "OIMP authorized by the Party",
    "Q": "Authorized timeframe",
    "R": "Authorization terms and conditions",
    "S": "Authorization documentation",
    "T": "First transfer definition for OIMP",
    "U": "Additional explanatory information",
}
ACTIONS = {
    "B": "Action date",
    "C": "Action type",
    "D": "Action subtype",
    "E": "Cooperative approach ID",
    "F": "Authorization ID",
    "G": "First transferring participating Party ID",
    "H": "Party ITMO registry ID",
    "I": "First ID",
    "J": "Last ID",
    "L": "Underlying unit registry ID",
    "M": "First unit ID",
    "N": "Last unit ID",
    "P": "Metric",
    "Q": "Applicable GWP value(s)",
    "R": "Applicable non-GHG metric",
    "S": f"Quantity (t{NBSP}CO2{NBSP}eq)",
    "T": "Quantity (in non-GHG metric)",
    "V": "Mitigation type",
    "W": "Vintage",
    "Y": "Transferring participating Party ID",
    "Z": "Acquiring participating Party ID",
    "AB": "Purpose for which the ITMO has been used towards or cancelled for OIMP",
    "AC": "Using/cancelling participating Party ID",
    "AD": "Using/cancelling authorized entity ID",
    "AE": "Calendar year for which the ITMOs are used towards the Party's NDC",
    "AG": "Result of the consistency checks",
    "AH": "Additional explanatory information",
}
HOLDINGS = {
    "B": "Cooperative approach ID",
    "C": "Authorization ID",
    "D": "First transferring participating Party ID",
    "E": "Party ITMO registry ID",
    "F": "First ID",
    "G": "Last ID",
    "I": "Underlying unit registry ID",
    "J": "First unit ID",
    "K": "Last unit ID",
    "M": "Metric",
    "N": "Applicable GWP value(s)",
    "O": "Applicable non-GHG metric",
    "P": f"Quantity (t{NBSP}CO2{NBSP}eq)",
    "Q": "Quantity (in non-GHG metric)",
    "S": "Mitigation type",
    "T": "Vintage",
}
ENTITIES = {
    "C": "Date of the authorization",
    "D": "Name",
    "E": "Country of incorporation",
    "F": "Identification number",
    "G": "Cooperative approach ID",
    "H": "Conditions",
    "I": "Change and revocation conditions",
    "J": "Additional explanatory information",
}
HORIZONTAL = {
    "Table 2 Authorizations": ("B4", "Table 2: Authorizations", 7, AUTHORIZATIONS),
    "Table 3 Actions": ("B3", "Table 3: Actions", 8, ACTIONS),
    "Table 4 Holdings": ("B3", "Table 4: Holdings", 7, HOLDINGS),
    "Table 5 Auth. entities": ("C8", "Table 5: Authorized entities", 10, ENTITIES),
}

Row = dict[str, Any]


def submission(**changed: Any) -> list[Any]:
    """THA's 2024 AEF, version 1.0, submitted on 15/04/2025; the CARP fields keep the
    template's placeholders."""
    values: Row = {
        "party": "THA",
        "version": "1.0",
        "year": 2024,
        "submitted": date(2025, 4, 15),
        "review": INFORMATION_BY_CARP,
        "consistency": INFORMATION_BY_CARP,
        "ndc_first": 2021,
        "ndc_last": 2030,
        "ter": LINK_BY_CARP,
    }
    values.update(changed)
    return list(values.values())


def authorization(**changed: Any) -> Row:
    row: Row = {
        "B": "THA-2024-1",
        "C": date(2024, 2, 29),
        "D": "CA0003",
        "E": 1,
        "G": 1_000_000,
        "H": "GHG",
        "I": "AR5",
        "J": "NA",
        "K": "Transportation",
        "L": None,
        "M": "NDC",
        "N": "CHE",
        "O": None,
        "P": "NA",
        "Q": "2021 - 2030",
        "R": None,
        "S": None,
        "T": "NA",
        "U": None,
    }
    row.update(changed)
    return row


def first_transfer(**changed: Any) -> Row:
    """The first transfer of 1,000 ITMOs to Switzerland, serials 16,829,005-16,830,004."""
    row: Row = {
        "B": date(2024, 1, 31),
        "C": "First transfer",
        "D": "First transfer to another Party",
        "E": "CA0003",
        "F": "THA-2024-1",
        "G": "THA",
        "H": "THA01",
        "I": 16_829_005,
        "J": 16_830_004,
        "L": "NA",
        "M": "NA",
        "N": "NA",
        "P": "GHG",
        "Q": "AR5",
        "R": "NA",
        "S": 1_000,
        "T": "NA",
        "V": "Emission reductions",
        "W": 2022,
        "Y": "NA",
        "Z": "CHE",
        "AB": "NA",
        "AC": "NA",
        "AD": "NA",
        "AE": "NA",
        "AG": None,
        "AH": None,
    }
    row.update(changed)
    return row


def holding(**changed: Any) -> Row:
    row: Row = {
        "B": "CA0003",
        "C": "THA-2024-1",
        "D": "THA",
        "E": "THA01",
        "F": 16_830_005,
        "G": 16_830_104,
        "I": "NA",
        "J": "NA",
        "K": "NA",
        "M": "GHG",
        "N": "AR5",
        "O": "NA",
        "P": 100,
        "Q": "NA",
        "S": "Emission reductions",
        "T": 2022,
    }
    row.update(changed)
    return row


def entity(**changed: Any) -> Row:
    row: Row = {
        "C": date(2024, 2, 29),
        "D": "Energy Absolute Public Company Limited",
        "E": "THA",
        "F": "0107551000134",
        "G": "CA0003",
        "H": None,
        "I": None,
        "J": None,
    }
    row.update(changed)
    return row


def _dated(cell: Any, value: Any) -> None:
    cell.value = value
    if isinstance(value, date | datetime):
        cell.number_format = "dd/mm/yyyy"


def _table(sheet: Worksheet, heading_row: int, columns: dict[str, str], rows: list[Row]) -> None:
    for letter, heading in columns.items():
        sheet[f"{letter}{heading_row}"] = heading
    for offset, row in enumerate(rows, start=1):
        for letter, value in row.items():
            _dated(sheet[f"{letter}{heading_row + offset}"], value)


def official_workbook(
    path: Path,
    *,
    table1: list[Any] | None = None,
    tables: dict[str, list[Row]] | None = None,
    omit: tuple[str, ...] = (),
) -> Path:
    """A workbook laid out as the template: the seven sheets in order, Table 1 vertical in
    B3:C12, Tables 2-5 under their titles with a grouped heading row (merged) above the field
    headings, spacer columns left empty, dates as date cells formatted dd/mm/yyyy."""
    rows = {
        "Table 2 Authorizations": [authorization()],
        "Table 3 Actions": [first_transfer()],
        "Table 4 Holdings": [holding()],
        "Table 5 Auth. entities": [entity()],
        **(tables or {}),
    }
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for name in SHEETS:
        if name in omit:
            continue
        sheet = book.create_sheet(name)
        if name == "Index":
            sheet["B2"] = "Index"
            for n, title in enumerate(
                ["Submission", "Authorizations", "Actions", "Holdings", "Authorized entities"], 1
            ):
                sheet[f"B{n + 3}"], sheet[f"C{n + 3}"] = f"Table {n}", title
        elif name == "Summary information":
            sheet["B2"], sheet["B3"], sheet["C3"] = "Table 1: submission", "Party", "Footnote"
        elif name == "Table 1 Submission":
            sheet["B3"] = "Table 1: Submission"
            values = submission() if table1 is None else table1
            for row, (label, value) in enumerate(zip(SUBMISSION_LABELS, values, strict=True), 4):
                sheet[f"B{row}"] = label
                _dated(sheet[f"C{row}"], value)
        else:
            title_cell, title, heading_row, columns = HORIZONTAL[name]
            sheet[title_cell] = title
            first = next(iter(columns))
            sheet[f"{first}{heading_row - 1}"] = "Grouped heading"
            sheet.merge_cells(f"{first}{heading_row - 1}:{list(columns)[2]}{heading_row - 1}")
            _table(sheet, heading_row, columns, rows[name])
    book.save(path)
    return path


def test_a_clean_workbook_in_the_template_layout_has_no_problem(tmp_path: Path) -> None:
    assert validate(official_workbook(tmp_path / "THA-2024.xlsx")) == []


def test_the_reader_gives_headings_by_column_and_rows_by_sheet_row(tmp_path: Path) -> None:
    """The contract other code reads AEFs through: spacer columns are "", rows carry their
    sheet row number, Table 1 comes back as its labels and one row of values."""
    path = official_workbook(
        tmp_path / "THA-2024.xlsx",
        tables={"Table 3 Actions": [first_transfer(), first_transfer(I=1, J=1_000)]},
    )
    source = open_source(path)
    try:
        headings, rows = source.table(TABLE[3])
        numbered = list(rows)
        labels, submitted = source.table(TABLE[1])
        values = list(submitted)
    finally:
        source.close()

    assert headings is not None and headings[:3] == ["", "Action date", "Action type"]
    assert headings[10] == "" and headings[18] == f"Quantity (t{NBSP}CO2{NBSP}eq)"
    positions = field_positions(TABLE[3], headings)
    assert (positions["action_date"], positions["quantity"], positions["last_id"]) == (1, 18, 9)
    assert [number for number, _ in numbered] == [9, 10]
    assert numbered[1][1][8:10] == [1, 1_000]
    assert labels == SUBMISSION_LABELS
    assert [(number, row[:3]) for number, row in values] == [(4, ["THA", "1.0", 2024])]


def test_a_workbook_filled_as_parties_fill_it_has_no_problem(tmp_path: Path) -> None:
    """NA spellings, empty optional cells, trailing spaces, thousands separators, the former
    subtype `First international transfer`, a free-text authorization ID and timeframe, the
    version typed as a number, the CARP's placeholders kept (RULES.md 11.2)."""
    path = official_workbook(
        tmp_path / "THA-2024.xlsx",
        table1=submission(version=1.0, party="THA "),
        tables={
            "Table 2 Authorizations": [
                authorization(
                    B="1006.4/2810",
                    G="7,144,362",
                    J="N/A",
                    P="Not applicable",
                    Q="Use: from 01/10/2022 to 31/12/2030",
                    T="-",
                    K="Transportation ",
                )
            ],
            "Table 3 Actions": [
                first_transfer(
                    D="First international transfer",
                    F="1006.4/2810",
                    I="16,829,005",
                    J="16,830,004",
                    L="N/A",
                    M="-",
                    N="Not applicable",
                    R="n/a",
                    S="1,000",
                    T="N/A",
                    V="Emission reductions ",
                    Y="Not applicable",
                    AB="-",
                    AC="N/A",
                    AD="NA",
                    AE="Not applicable",
                    AG=INFORMATION_BY_CARP,
                )
            ],
            "Table 4 Holdings": [holding(C="1006.4/2810", I="-", J="N/A", K="N/A", P="100 ")],
        },
    )

    assert validate(path) == []


def test_each_real_problem_is_named_by_sheet_cell_and_field(tmp_path: Path) -> None:
    path = official_workbook(
        tmp_path / "THA-2024.xlsx",
        table1=submission(year="2024 (calendar)", review="Reviewed"),
        tables={
            "Table 2 Authorizations": [authorization(C="31/02/2024", K="Aviation")],
            "Table 3 Actions": [
                first_transfer(),
                first_transfer(D="First transfer to the Moon", I=1, J=100, S=99),
                first_transfer(S="about a thousand"),
            ],
            "Table 4 Holdings": [holding(M="GHG", O="MWh")],
            "Table 5 Auth. entities": [entity(G="CA3")],
        },
    )

    assert [str(p) for p in validate(path)] == [
        "Table 1 Submission!C6 [type] Reported year: '2024 (calendar)' is not a whole number",
        "Table 1 Submission!C8 [carp] Review status of the initial report: populated by the CARP; "
        "leave it empty or as the template's placeholder",
        "Table 2 Authorizations!C8 [type] Date of authorization: '31/02/2024' is not a date "
        "dd/mm/yyyy",
        "Table 2 Authorizations!K8 [vocabulary] Sector(s): 'Aviation' is not in the controlled "
        "list",
        "Table 3 Actions!D10 [vocabulary] Action subtype: 'First transfer to the Moon' is not in "
        "the controlled list",
        "Table 3 Actions!S10 [block] Quantity (t CO2 eq): quantity 99 is not the block's size 100",
        "Table 3 Actions!S11 [type] Quantity (t CO2 eq): 'about a thousand' is not a number",
        "Table 4 Holdings!O8 [not-applicable] Applicable non-GHG metric: must be NA for this "
        "row, found 'MWh'",
        "Table 5 Auth. entities!G11 [pattern] Cooperative approach ID: 'CA3' does not match "
        "^CA\\d{4}$",
    ]


def test_a_moved_or_renamed_heading_is_named_by_its_cell(tmp_path: Path) -> None:
    path = official_workbook(tmp_path / "THA-2024.xlsx")
    book = openpyxl.load_workbook(path)
    actions = book["Table 3 Actions"]
    actions["K8"], actions["J8"] = actions["J8"].value, None  # Last ID moved into the spacer
    book["Table 1 Submission"]["B6"] = "Year"
    book.save(path)

    assert [str(p) for p in validate(path)] == [
        "Table 1 Submission!B6 [heading] Reported year: missing heading (field 3)",
        "Table 1 Submission!B6 [heading] Year: unexpected heading",
        "Table 3 Actions!K8 [heading] Last ID: heading in column K, expected in column J",
        "Table 3 Actions!K9 [required] Last ID: a value is required",  # read where it says
    ]


def test_a_formula_without_a_value_and_a_merged_cell_are_read_as_empty(tmp_path: Path) -> None:
    """A formula is read as the value Excel last computed (none when no spreadsheet program
    computed it); a merged range holds its value in its first cell only."""
    path = official_workbook(tmp_path / "THA-2024.xlsx")
    book = openpyxl.load_workbook(path)
    actions = book["Table 3 Actions"]
    actions["S9"] = "=J9-I9+1"
    actions.merge_cells("E9:F9")
    book.save(path)

    assert [str(p) for p in validate(path)] == [
        "Table 3 Actions!F9 [required] Authorization ID: a value is required",
        "Table 3 Actions!S9 [required] Quantity (t CO2 eq): a value is required",
    ]


def test_a_missing_sheet_is_named_and_extra_sheets_are_ignored(tmp_path: Path) -> None:
    path = official_workbook(tmp_path / "THA-2024.xlsx", omit=("Table 5 Auth. entities",))
    book = openpyxl.load_workbook(path)
    book.create_sheet("Notes")["A1"] = "Prepared by the DNA"
    book.save(path)

    assert [str(p) for p in validate(path)] == ["Table 5 Auth. entities [table] Table 5 is missing"]


def test_data_ends_at_the_first_blank_row_however_many_blank_rows_follow(
    tmp_path: Path,
) -> None:
    """A sheet formatted down to row 100,010: the reader stops at the first blank row."""
    path = official_workbook(tmp_path / "THA-2024.xlsx")
    book = openpyxl.load_workbook(path)
    actions = book["Table 3 Actions"]
    for row in range(10, 100_010):
        actions.cell(row, 2).number_format = "dd/mm/yyyy"  # a styled, empty cell
    book.save(path)

    assert validate(path) == []


# Our export --------------------------------------------------------------------------------

AUDITOR = Actor("auditor", Role.AUDITOR)


@pytest.fixture(scope="module")
def exported(reported_once: Reported, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("official")
    for party in ("XXA", "XXC"):
        export_aef(
            reported_once.registry, AUDITOR, party, 2025, Format.XLSX, folder / f"{party}.xlsx"
        )
    return folder


def test_our_export_is_the_official_workbook(exported: Path) -> None:
    book = openpyxl.load_workbook(exported / "XXA.xlsx")
    submission_sheet = book["Table 1 Submission"]

    assert book.sheetnames == SHEETS
    assert [book["Index"][f"C{n}"].value for n in range(4, 9)] == [
        "Submission",
        "Authorizations",
        "Actions",
        "Holdings",
        "Authorized entities",
    ]
    summary = [c.value for c in book["Summary information"]["B"]]
    assert "Table 3: actions" in summary and f"Quantity (t{NBSP}CO2{NBSP}eq)" in summary
    assert submission_sheet["B3"].value == "Table 1: Submission"
    assert [submission_sheet[f"B{r}"].value for r in range(4, 13)] == SUBMISSION_LABELS
    assert submission_sheet["C4"].value == "XXA"
    assert submission_sheet["C7"].value == datetime(2026, 1, 15)
    assert submission_sheet["C7"].number_format == "dd/mm/yyyy"
    assert [submission_sheet[c].value for c in ("C8", "C9", "C12")] == [
        INFORMATION_BY_CARP,
        INFORMATION_BY_CARP,
        LINK_BY_CARP,
    ]
    for name, (title_cell, title, heading_row, columns) in HORIZONTAL.items():
        sheet = book[name]
        assert sheet[title_cell].value == title
        assert {c: sheet[f"{c}{heading_row}"].value for c in columns} == columns
        spacers = [c.value for c in sheet[heading_row] if c.column_letter not in columns]
        assert set(spacers) <= {None}
    actions = book["Table 3 Actions"]
    assert isinstance(actions["B9"].value, datetime)
    assert actions["B9"].number_format == "dd/mm/yyyy"
    assert actions["C9"].value == "Authorization"
    assert "First transfer" in [
        c.value for (c,) in actions.iter_rows(min_row=9, min_col=3, max_col=3)
    ]
    assert book["Table 2 Authorizations"]["C8"].number_format == "dd/mm/yyyy"


@pytest.mark.parametrize("party", ["XXA", "XXC"])
def test_our_export_of_each_party_of_the_scenarios_validates(exported: Path, party: str) -> None:
    assert validate(exported / f"{party}.xlsx") == []


def test_a_mistake_typed_into_our_export_is_named_by_its_cell(
    exported: Path, tmp_path: Path
) -> None:
    book = openpyxl.load_workbook(exported / "XXC.xlsx")
    book["Table 1 Submission"]["C5"] = "one"
    book["Table 4 Holdings"]["P8"] = 7
    broken = tmp_path / "broken.xlsx"
    book.save(broken)

    problems = [str(p) for p in validate(broken)]

    assert problems[0] == (
        "Table 1 Submission!C5 [pattern] Version: 'one' does not match ^[1-9]\\d*\\.\\d+$"
    )
    assert problems[1].startswith(
        "Table 4 Holdings!P8 [block] Quantity (t CO2 eq): quantity 7 is not the block's size"
    )
    assert len(problems) == 2


# Whatever the workbook holds, the validator answers with problems, never a traceback ---------

FUZZ_VALUES: list[Any] = [
    "NA",
    "",
    " ",
    "-",
    "=1/0",
    "=SUM(B9:B12)",
    "7,144,362",
    "1,2,3",
    "31/02/2024",
    "2024-13-45T99:99:99Z",
    "Table 3: Actions",
    "Action date",
    "Quantity (t CO2 eq)",
    INFORMATION_BY_CARP,
    "x" * 40_000,
    "Ünïcödé ✓ 𝔘",
    0,
    -1,
    10**30,
    1.5,
    float("inf"),
    True,
    date(1900, 1, 1),
    datetime(2024, 2, 29, 13, 45),
]


def _fuzzed(path: Path, seed: int) -> Path:
    import random

    chance = random.Random(seed)
    book = openpyxl.load_workbook(official_workbook(path))
    for _ in range(chance.randint(1, 60)):
        sheet = book[chance.choice(book.sheetnames)]
        row, column = chance.randint(1, 14), chance.randint(1, 36)
        move = chance.random()
        if move < 0.75:
            cell = sheet.cell(row, column)
            if not isinstance(cell, MergedCell):
                cell.value = chance.choice(FUZZ_VALUES)
        elif move < 0.85:
            sheet.merge_cells(
                start_row=row,
                start_column=column,
                end_row=row + chance.randint(0, 3),
                end_column=column + chance.randint(0, 3),
            )
        elif move < 0.9 and len(book.sheetnames) > 1:
            book.remove(sheet)
        elif move < 0.95:
            book.create_sheet(chance.choice(["Notes", "Table 3 Actions (2)", "table 4 old"]))
        else:
            sheet.title = f"Sheet {chance.randint(1, 9)}"
    book.save(path)
    return path


@pytest.mark.parametrize("seed", range(25))
def test_a_workbook_scrambled_at_random_gives_problems_never_a_crash(
    tmp_path: Path, seed: int
) -> None:
    problems = validate(_fuzzed(tmp_path / f"fuzz-{seed}.xlsx", seed))

    assert all(isinstance(str(p), str) and p.sheet for p in problems)
    assert not [p for p in problems if p.message.startswith("cannot read")]


def test_a_file_that_is_no_workbook_is_one_problem(tmp_path: Path) -> None:
    path = tmp_path / "aef.xlsx"
    path.write_bytes(b"PK\x03\x04 not a zip")

    problems = validate(path)

    assert len(problems) == 1 and problems[0].message.startswith("cannot read the file")
