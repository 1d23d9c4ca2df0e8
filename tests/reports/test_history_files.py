"""Reading a history's files on their own (docs/history-import.md): a broken JSON line, an
unknown record or field, or an AEF row that breaks the AEF's rules is refused with the file and
the line, and the check (C7001 readable, C7002 valid); nothing needs a database."""

from __future__ import annotations

import json
from pathlib import Path

from article6.domain.wording import Words
from article6.reports.history_files import read_file


def lines(path: Path, *records: object) -> Path:
    path.write_text("\n".join(r if isinstance(r, str) else json.dumps(r) for r in records) + "\n")
    return path


def test_a_line_that_is_not_a_record_is_named_by_its_line(tmp_path: Path) -> None:
    path = lines(
        tmp_path / "history.jsonl",
        {"record": "holding", "first_id": "CA0001-XXA01-XXA-1-2024", "last_id": "x"},
        "{not json",
        {"record": "transfer"},
        {"record": "aef", "year": 2027, "table": 3, "row": {"colour": "blue"}},
        {"record": "holding", "first_id": "CA0001-XXA01-XXA-1-2024"},
    )
    file, refused = read_file(path)
    assert [(r.check.code, r.field) for r in refused] == [
        ("C7001", "history.jsonl line 2"),
        ("C7001", "history.jsonl line 3"),
        ("C7001", "history.jsonl line 4"),
        ("C7001", "history.jsonl line 5"),
    ]
    assert "unknown fields of Table 3: ['colour']" in refused[2].detail
    assert all(isinstance(r.detail, Words) for r in refused)  # said in the reader's language
    assert refused[2].detail.template == "unknown fields of Table {table}: {unknown}"
    assert len(file.details) == 1 and file.details[0].line == 1
    assert len(file.sha256) == 64


def test_an_aef_row_that_breaks_the_aef_rules_names_its_line_and_field(tmp_path: Path) -> None:
    path = lines(
        tmp_path / "history.jsonl",
        {
            "record": "aef",
            "year": 2027,
            "table": 1,
            "row": {
                "party": "XXA",
                "version": "1.0",
                "reported_year": "2027",
                "date_of_submission": "31/02/2028",
                "ndc_first_year": "2021",
                "ndc_last_year": "2030",
            },
        },
    )
    _, refused = read_file(path)
    named = [(r.check.code, r.field) for r in refused]
    assert ("C7002", "history.jsonl line 1") in named
    assert any("Date of submission" in r.detail for r in refused)


def test_an_unreadable_workbook_is_refused_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "xxa-2027.xlsx"
    path.write_bytes(b"not a workbook")
    _, refused = read_file(path)
    assert refused and refused[0].check.code in ("C7001", "C7002")
    assert refused[0].field.startswith("xxa-2027.xlsx")
