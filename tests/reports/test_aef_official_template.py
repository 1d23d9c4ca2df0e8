"""The validator reads the official template's headings and the spellings real submissions use
for "not applicable" (RULES.md 11.1, 11.2). The cells are typed here from the template, not
written by our writer, so a heading of ours that drifts from the template is caught."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import openpyxl
import pytest

from article6.reports.aef_validate import validate

NBSP = "\u00a0"
TER = "Reference to the Article 6 technical expert review report of the initial report"
HEADINGS: dict[str, list[str]] = {
    "Table 1 Submission": [
        "Party",
        "Version",
        "Reported year",
        "Date of submission",
        "Review status of the initial report",
        "Result of the consistency check of this AEF submission",
        "First year of the NDC implementation period",
        "Last year of the NDC implementation period",
        TER,
    ],
    "Table 2 Authorizations": [
        "Authorization ID",
        "Date of authorization",
        "Cooperative approach ID",
        "Version of the authorization",
        "Authorized quantity",
        "Metric",
        "Applicable GWP value(s)",
        "Applicable non-GHG metric",
        "Sector(s)",
        "Activity type(s)",
        "Purposes for authorization",
        "Authorized Party(ies) ID",
        "Authorized entity(ies) ID",
        "OIMP authorized by the Party",
        "Authorized timeframe",
        "Authorization terms and conditions",
        "Authorization documentation",
        "First transfer definition for OIMP",
        "Additional explanatory information",
    ],
    "Table 3 Actions": [
        "Action date",
        "Action type",
        "Action subtype",
        "Cooperative approach ID",
        "Authorization ID",
        "First transferring participating Party ID",
        "Party ITMO registry ID",
        "First ID",
        "Last ID",
        "Underlying unit registry ID",
        "First unit ID",
        "Last unit ID",
        "Metric",
        "Applicable GWP value(s)",
        "Applicable non-GHG metric",
        f"Quantity (t{NBSP}CO2{NBSP}eq)",
        "Quantity (in non-GHG metric)",
        "Mitigation type",
        "Vintage",
        "Transferring participating Party ID",
        "Acquiring participating Party ID",
        "Purpose for which the ITMO has been used towards or cancelled for OIMP",
        "Using/cancelling participating Party ID",
        "Using/cancelling authorized entity ID",
        "Calendar year for which the ITMOs are used towards the Party's NDC",
        "Result of the consistency checks",
        "Additional explanatory information",
    ],
    "Table 4 Holdings": [
        "Cooperative approach ID",
        "Authorization ID",
        "First transferring participating Party ID",
        "Party ITMO registry ID",
        "First ID",
        "Last ID",
        "Underlying unit registry ID",
        "First unit ID",
        "Last unit ID",
        "Metric",
        "Applicable GWP value(s)",
        "Applicable non-GHG metric",
        f"Quantity (t{NBSP}CO2{NBSP}eq)",
        "Quantity (in non-GHG metric)",
        "Mitigation type",
        "Vintage",
    ],
    "Table 5 Authorized entities": [
        "Date of the authorization",
        "Name",
        "Country of incorporation",
        "Identification number",
        "Cooperative approach ID",
        "Conditions",
        "Change and revocation conditions",
        "Additional explanatory information",
    ],
}
SUBMISSION = ["XXC", "1.0", 2025, "15/01/2026", None, None, 2021, 2030, None]


def holding(not_applicable: str, **changed: Any) -> list[Any]:
    """XXC's holding of 100 GHG units first transferred by XXA: no underlying units, so fields
    7-9, 12 and 14 are not applicable."""
    row: dict[str, Any] = {
        "approach": "CA0001",
        "authorization": "XXA-2025-1",
        "first_transferring": "XXA",
        "registry": "XXC01",
        "first": 1,
        "last": 100,
        "underlying": not_applicable,
        "first_unit": not_applicable,
        "last_unit": not_applicable,
        "metric": "GHG",
        "gwp": "AR5",
        "non_ghg_metric": not_applicable,
        "quantity": 100,
        "non_ghg_quantity": not_applicable,
        "mitigation": "Emission reductions",
        "vintage": 2025,
    }
    row.update(changed)
    return list(row.values())


def workbook(path: Path, holdings: list[list[Any]], ter: str = TER) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)  # type: ignore[arg-type]
    for name, headings in HEADINGS.items():
        sheet = book.create_sheet(name)
        sheet.append([ter if h == TER else h for h in headings])
        if name == "Table 1 Submission":
            sheet.append(SUBMISSION)
        if name == "Table 4 Holdings":
            for row in holdings:
                sheet.append(row)
    book.save(path)
    return path


@pytest.mark.parametrize(
    "spelling", ["NA", "N/A", "n/a", "-", "Not applicable", "not applicable ", "NOT APPLICABLE"]
)
def test_the_official_headings_and_every_spelling_of_not_applicable_pass(
    tmp_path: Path, spelling: str
) -> None:
    assert validate(workbook(tmp_path / "official.xlsx", [holding(spelling)])) == []


def test_the_former_abbreviated_heading_of_field_9_is_still_read(tmp_path: Path) -> None:
    former = "Reference to the Article 6 TER report of the initial report"
    assert validate(workbook(tmp_path / "former.xlsx", [holding("NA")], ter=former)) == []


def test_a_real_problem_is_still_named_by_sheet_cell_and_field(tmp_path: Path) -> None:
    path = workbook(
        tmp_path / "wrong.xlsx",
        [
            holding("Not applicable", quantity="N/A"),  # a quantity is required
            holding("-", metric="non-GHG"),  # then the non-GHG metric is required
        ],
    )

    assert [str(p) for p in validate(path)] == [
        "Table 4 Holdings!M2 [type] Quantity (t CO2 eq): 'N/A' is not a number",
        "Table 4 Holdings!L3 [required] Applicable non-GHG metric: NA is not allowed",
        "Table 4 Holdings!N3 [required] Quantity (in non-GHG metric): NA is not allowed",
    ]


def test_an_unknown_heading_is_still_reported(tmp_path: Path) -> None:
    path = workbook(tmp_path / "renamed.xlsx", [holding("NA")], ter="Reference to the TER")

    assert [str(p) for p in validate(path)] == [
        f"Table 1 Submission!1 [heading] {TER}: missing heading (field 9)",
        "Table 1 Submission!I1 [heading] Reference to the TER: unexpected heading",
    ]
