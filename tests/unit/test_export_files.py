"""The export files' writers: a workbook any spreadsheet reads (text kept as text, numbers as
numbers, characters XML cannot carry replaced), and a CSV whose formulas are neutralised."""

from __future__ import annotations

import io
from collections.abc import Iterator

import openpyxl

from article6.http.exports import column_letter, csv_chunks, xlsx_chunks
from article6.services.reads.exports import Cell, Sheet


def pages() -> Iterator[list[tuple[Cell, ...]]]:
    yield [("=SUM(A1:A2)", 1_000_000, None, "a & b <c>")]
    yield [("bell\x07", 2, "2026-12-02T10:00:00Z", " edge ")]


def test_a_workbook_keeps_text_as_text_and_numbers_as_numbers() -> None:
    written = b"".join(xlsx_chunks(Sheet("t", ("a", "b", "c", "d"), pages())))
    rows = list(openpyxl.load_workbook(io.BytesIO(written)).active.iter_rows(values_only=True))  # type: ignore[union-attr]
    assert rows == [
        ("a", "b", "c", "d"),
        ("=SUM(A1:A2)", 1_000_000, None, "a & b <c>"),
        ("bell\ufffd", 2, "2026-12-02T10:00:00Z", " edge "),
    ]


def test_a_csv_neutralises_formulas_and_groups_no_digits() -> None:
    written = b"".join(csv_chunks(Sheet("t", ("a", "b", "c", "d"), pages()))).decode()
    assert written.splitlines()[1] == "'=SUM(A1:A2),1000000,,a & b <c>"


def test_columns_are_lettered_as_spreadsheets_do() -> None:
    assert [column_letter(i) for i in (0, 25, 26, 701, 702)] == ["A", "Z", "AA", "ZZ", "AAA"]
