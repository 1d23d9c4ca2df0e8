"""The validator accepts every file we export and rejects a seeded mistake of each rule kind,
naming the sheet, row, column and rule."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from scenario_world import Reported

from article6.domain.access import Actor, Role
from article6.reports.aef_readers import plain
from article6.reports.aef_spec import TABLE, Rule
from article6.reports.aef_template import SHEETS, TEMPLATE
from article6.reports.aef_validate import validate
from article6.reports.aef_writers import Format
from article6.services.aef_versions import export_aef

AUDITOR = Actor("auditor", Role.AUDITOR)


@pytest.fixture(scope="module")
def exported(reported_once: Reported, tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("aef")
    for party in ("XXA", "XXC"):
        for fmt in Format:
            export_aef(reported_once.registry, AUDITOR, party, 2025, fmt, folder / f"{party}.{fmt}")
    return folder


@pytest.mark.parametrize("party", ["XXA", "XXC"])
@pytest.mark.parametrize("fmt", list(Format))
def test_every_exported_file_is_valid(exported: Path, party: str, fmt: Format) -> None:
    assert validate(exported / f"{party}.{fmt}") == []


def test_the_workbook_is_the_official_template_with_the_aef_headings(exported: Path) -> None:
    workbook = openpyxl.load_workbook(exported / "XXA.xlsx")

    assert workbook.sheetnames == list(SHEETS)
    for number in range(2, 6):
        layout, sheet = TEMPLATE[number], workbook[TEMPLATE[number].sheet]
        found = [plain(sheet[f"{c}{layout.header_row}"].value) for c in layout.columns]
        assert found == list(TABLE[number].headings)
    submission = workbook["Table 1 Submission"]
    assert submission["B12"].value == (
        "Reference to the Article 6 technical expert review report of the initial report"
    )


Document = dict[str, Any]


def cell(table: int, row: int, field: int, value: Any) -> Callable[[Document], None]:
    """Set field `field` (1-based) of data row `row` (1-based) of a table."""

    def change(document: Document) -> None:
        document["tables"][table - 1]["rows"][row - 1][field - 1] = value

    return change


def drop_table(document: Document) -> None:
    del document["tables"][4]


def swap_headings(document: Document) -> None:
    headings = document["tables"][2]["headings"]
    headings[1], headings[2] = headings[2], headings[1]


def second_submission_row(document: Document) -> None:
    document["tables"][0]["rows"].append(list(document["tables"][0]["rows"][0]))


# (mistake, sheet, data row (None: the table), field heading, rule)
MISTAKES = [
    ("table", drop_table, "Table 5 Authorized entities", None, None, Rule.TABLE),
    ("heading", swap_headings, "Table 3 Actions", 1, "Action type", Rule.HEADING),
    (
        "required",
        cell(2, 1, 2, None),
        "Table 2 Authorizations",
        2,
        "Date of authorization",
        Rule.REQUIRED,
    ),
    (
        "conditional",
        cell(3, 5, 21, "NA"),  # XXA's first transfer to XXC
        "Table 3 Actions",
        6,
        "Acquiring participating Party ID",
        Rule.REQUIRED,
    ),
    ("type", cell(3, 1, 19, "2O24"), "Table 3 Actions", 2, "Vintage", Rule.TYPE),
    (
        "unit identifier",
        cell(3, 1, 8, "CA0001-XXA1-XXA-80001-2024"),
        "Table 3 Actions",
        2,
        "First ID",
        Rule.PATTERN,
    ),
    (
        "block of other units",
        cell(3, 1, 9, "CA0001-XXA01-XXA-100000-2023"),
        "Table 3 Actions",
        2,
        "Last ID",
        Rule.BLOCK,
    ),
    ("date", cell(1, 1, 4, "2026-01-15"), "Table 1 Submission", 2, "Date of submission", Rule.TYPE),
    (
        "vocabulary",
        cell(3, 2, 2, "Retirement"),
        "Table 3 Actions",
        3,
        "Action type",
        Rule.VOCABULARY,
    ),
    (
        "pattern",
        cell(2, 1, 3, "CA01"),
        "Table 2 Authorizations",
        2,
        "Cooperative approach ID",
        Rule.PATTERN,
    ),
    (
        "not applicable",
        cell(3, 3, 20, "XXB"),
        "Table 3 Actions",
        4,
        "Transferring participating Party ID",
        Rule.NOT_APPLICABLE,
    ),
    (
        "carp",
        cell(1, 1, 5, "Reviewed"),
        "Table 1 Submission",
        2,
        "Review status of the initial report",
        Rule.CARP,
    ),
    ("rows", second_submission_row, "Table 1 Submission", None, None, Rule.ROWS),
    ("block", cell(3, 3, 16, 19_999), "Table 3 Actions", 4, "Quantity (t CO2 eq)", Rule.BLOCK),
    (
        "reference",
        cell(3, 3, 5, "XXA-NDC-9"),
        "Table 3 Actions",
        4,
        "Authorization ID",
        Rule.REFERENCE,
    ),
    (
        "reported year",
        cell(3, 2, 1, "31/12/2024"),
        "Table 3 Actions",
        3,
        "Action date",
        Rule.REPORTED_YEAR,
    ),
]


@pytest.mark.parametrize(
    ("change", "sheet", "row", "column", "rule"),
    [m[1:] for m in MISTAKES],
    ids=[m[0] for m in MISTAKES],
)
def test_a_seeded_mistake_is_rejected_with_where_and_which_rule(
    exported: Path,
    tmp_path: Path,
    change: Callable[[Document], None],
    sheet: str,
    row: int | None,
    column: str | None,
    rule: Rule,
) -> None:
    document = json.loads((exported / "XXA.json").read_text(encoding="utf-8"))
    change(document)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document), encoding="utf-8")

    found = [(p.sheet, p.row, p.column, p.rule) for p in validate(broken)]

    assert (sheet, row, column, rule) in found
    assert len(found) == len(set(found))


def test_a_subtype_of_another_action_type_is_rejected(exported: Path, tmp_path: Path) -> None:
    document = json.loads((exported / "XXA.json").read_text(encoding="utf-8"))
    # A transfer to the Adaptation Fund is a subtype of Transfer, not of First transfer.
    cell(3, 2, 3, "Mandatory transfer to the Adaptation Fund (A6.4 ERs)")(document)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document), encoding="utf-8")

    problems = validate(broken)

    assert [(p.sheet, p.row, p.column, p.rule) for p in problems] == [
        ("Table 3 Actions", 3, "Action subtype", Rule.VOCABULARY)
    ]
    assert "for action type 'First transfer'" in problems[0].message


def test_a_mistake_in_a_workbook_is_located_by_sheet_and_cell(
    exported: Path, tmp_path: Path
) -> None:
    workbook = openpyxl.load_workbook(exported / "XXC.xlsx")
    workbook["Table 3 Actions"]["Y11"] = "XXA"  # a Transferring Party on XXC's use (row 3)
    broken = tmp_path / "broken.xlsx"
    workbook.save(broken)

    problems = validate(broken)

    assert [str(p) for p in problems] == [
        "Table 3 Actions!Y11 [not-applicable] Transferring participating Party ID: "
        "must be NA for this row, found 'XXA'"
    ]


def test_a_mistake_in_a_csv_file_is_located_by_file_row_and_column(
    exported: Path, tmp_path: Path
) -> None:
    folder = tmp_path / "csv"
    folder.mkdir()
    for source in (exported / "XXC.csv").iterdir():
        (folder / source.name).write_text(source.read_text(encoding="utf-8"), encoding="utf-8")
    holdings = folder / "table4_holdings.csv"
    holdings.write_text(
        holdings.read_text(encoding="utf-8").replace("XXC01", "XXC1"), encoding="utf-8"
    )

    problems = validate(folder)

    assert [(p.sheet, p.row, p.letter, p.rule) for p in problems] == [
        ("Table 4 Holdings", 2, "D", Rule.PATTERN)
    ]


@pytest.mark.parametrize(
    ("dated", "rule", "message"),
    [
        ("28/02/2042", Rule.DATE, "dated 28/02/2042, after the date of submission 15/01/2026"),
        (
            "10/01/2026",
            Rule.REPORTED_YEAR,
            "dated 10/01/2026, after the reported year 2025: it is reported in the AEF of 2026",
        ),
        ("31/12/2020", Rule.DATE, "dated 31/12/2020, before 2021"),
    ],
)
def test_a_date_of_authorization_after_the_submission_or_the_reported_year_or_before_2021(
    exported: Path, tmp_path: Path, dated: str, rule: Rule, message: str
) -> None:
    """A Party submits the 2025 AEF on 15/01/2026: an authorization dated after that had not
    happened; one dated in 2026 is reported in the 2026 AEF (RULES.md 1, para 20 timing)."""
    document = json.loads((exported / "XXA.json").read_text(encoding="utf-8"))
    cell(2, 1, 2, dated)(document)
    broken = tmp_path / "broken.json"
    broken.write_text(json.dumps(document), encoding="utf-8")

    found = [p for p in validate(broken) if p.sheet == "Table 2 Authorizations"]

    assert [(p.row, p.column, p.rule) for p in found] == [(2, "Date of authorization", rule)]
    assert found[0].message.startswith(message)
    assert str(found[0]).startswith("Table 2 Authorizations!B2 [")


def test_the_authorization_ids_parties_use_pass_the_validator(
    exported: Path, tmp_path: Path
) -> None:
    """Free text such as Thailand's `1006.4/2810` (RULES.md 11.2) is an authorization ID."""
    document = json.loads((exported / "XXA.json").read_text(encoding="utf-8"))
    for row in document["tables"][1]["rows"]:
        row[0] = "1006.4/2810"
    for row in document["tables"][2]["rows"]:
        row[4] = "1006.4/2810"
    for row in document["tables"][3]["rows"]:
        row[1] = "1006.4/2810"
    valid = tmp_path / "valid.json"
    valid.write_text(json.dumps(document), encoding="utf-8")

    assert validate(valid) == []
