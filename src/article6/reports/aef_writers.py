"""Write an AEF document as XLSX (one sheet per table), CSV (one file per table) or JSON (one
document), streaming: each row is written as it is produced, so memory does not grow with the
number of rows (xlsxwriter's `constant_memory` mode flushes every row to disk).

Cells: integers are written as numbers, everything else as text (dates already `dd/mm/yyyy`,
non-GHG quantities as exact decimal text), empty values as empty cells.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from article6.reports.aef import AEFDocument, Cells
from article6.reports.aef_spec import TableSpec

JSON_FORMAT = "article6-aef"
JSON_FORMAT_VERSION = 1


class Format(StrEnum):
    XLSX = "xlsx"
    CSV = "csv"
    JSON = "json"


def write(document: AEFDocument, format: Format, output: Path) -> dict[int, int]:
    """Write the document; returns the number of rows written per table."""
    if format is Format.XLSX:
        return write_xlsx(document, output)
    if format is Format.CSV:
        return write_csv(document, output)
    return write_json(document, output)


def write_xlsx(document: AEFDocument, output: Path) -> dict[int, int]:
    import xlsxwriter

    counts: dict[int, int] = {}
    workbook = xlsxwriter.Workbook(
        str(output), {"constant_memory": True, "strings_to_numbers": False}
    )
    try:
        heading = workbook.add_format({"bold": True, "text_wrap": True, "valign": "top"})
        workbook.set_properties(
            {
                "title": f"AEF {document.party} {document.year} version {document.version}",
                "subject": "Agreed Electronic Format (4/CMA.6 annex II)",
                "author": "article6",
            }
        )
        for table in document.tables:
            sheet = workbook.add_worksheet(table.spec.sheet)
            for column, title in enumerate(table.spec.headings):
                sheet.set_column(column, column, max(12, min(40, len(title) + 2)))
            sheet.freeze_panes(1, 0)
            for column, title in enumerate(table.spec.headings):
                sheet.write_string(0, column, title, heading)
            counts[table.spec.number] = _write_rows(sheet, table.rows)
    finally:
        workbook.close()
    return counts


def _write_rows(sheet: Any, rows: Iterable[Cells]) -> int:
    count = 0
    for count, row in enumerate(rows, start=1):
        for column, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, int) and not isinstance(value, bool):
                sheet.write_number(count, column, value)
            else:
                sheet.write_string(count, column, str(value))
    return count


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def write_csv(document: AEFDocument, output: Path) -> dict[int, int]:
    """One UTF-8 file per table in the directory `output`, named by `TableSpec.file_stem`."""
    output.mkdir(parents=True, exist_ok=True)
    counts: dict[int, int] = {}
    for table in document.tables:
        with (output / f"{table.spec.file_stem}.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv.writer(f)
            writer.writerow(table.spec.headings)
            count = 0
            for row in table.rows:
                writer.writerow([_text(v) for v in row])
                count += 1
            counts[table.spec.number] = count
    return counts


def write_json(document: AEFDocument, output: Path) -> dict[int, int]:
    with output.open("w", encoding="utf-8") as f:
        return stream_json(document, f)


def stream_json(document: AEFDocument, f: IO[str]) -> dict[int, int]:
    """{"format", "format_version", "party", "reported_year", "version", "tables": [{"number",
    "name", "sheet", "headings", "rows": [[cell, ...], ...]}, ...]}, one row per line."""
    counts: dict[int, int] = {}
    head = {
        "format": JSON_FORMAT,
        "format_version": JSON_FORMAT_VERSION,
        "party": document.party,
        "reported_year": document.year,
        "version": document.version,
    }
    f.write(json.dumps(head, ensure_ascii=False)[:-1] + ', "tables": [\n')
    for index, table in enumerate(document.tables):
        f.write(_table_head(table.spec))
        count = 0
        for count, row in enumerate(table.rows, start=1):
            f.write(("\n" if count == 1 else ",\n") + json.dumps(list(row), ensure_ascii=False))
        f.write("\n]}" + ("," if index < len(document.tables) - 1 else "") + "\n")
        counts[table.spec.number] = count
    f.write("]}\n")
    return counts


def _table_head(spec: TableSpec) -> str:
    head = {
        "number": spec.number,
        "name": spec.name,
        "sheet": spec.sheet,
        "headings": list(spec.headings),
    }
    return json.dumps(head, ensure_ascii=False)[:-1] + ', "rows": ['
