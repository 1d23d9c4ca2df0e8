"""Read any AEF file (ours or another registry's) table by table, as the validator sees it.

Reads an XLSX workbook (openpyxl, read-only, row by row), a directory of CSV files, or a JSON
document. Rows are numbered as in a sheet: the headings are row 1, the first data row is row 2
(also for CSV and JSON), so a problem points at the same cell whatever the file type.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from article6.reports.aef_spec import TableSpec
from article6.reports.csv_cells import restored


def text(value: Any) -> str:
    """A cell as the text the rules see, whatever the file type stored."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
        return value.strftime("%Y-%m-%dT%H:%M:%S.") + f"{value.microsecond // 1000:03d}Z"
    if isinstance(value, date):
        return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"
    return str(value).strip()


# Readers: per table, the headings (None if the table is missing) and numbered rows ------------

TableRows = tuple[list[str] | None, Iterator[tuple[int, list[Any]]]]


def _numbered(rows: Iterator[Any], first: int = 2) -> Iterator[tuple[int, list[Any]]]:
    for number, row in enumerate(rows, start=first):
        values = list(row)
        if any(text(v) for v in values):
            yield number, values


def _trimmed(headings: list[Any]) -> list[str]:
    names = [text(h) for h in headings]
    while names and not names[-1]:
        names.pop()
    return names


class XlsxSource:
    def __init__(self, path: Path) -> None:
        import openpyxl

        self.workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)

    def table(self, spec: TableSpec) -> TableRows:
        names = self.workbook.sheetnames
        name = spec.sheet if spec.sheet in names else None
        if name is None:
            prefix = f"table {spec.number}"
            name = next((n for n in names if n.lower().startswith(prefix)), None)
        if name is None:
            return None, iter(())
        rows = self.workbook[name].iter_rows(values_only=True)
        headings = next(rows, None)
        return _trimmed(list(headings or [])), _numbered(rows)

    def close(self) -> None:
        self.workbook.close()


class CsvSource:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.files: list[Any] = []

    def table(self, spec: TableSpec) -> TableRows:
        candidate = self.path / f"{spec.file_stem}.csv"
        if not candidate.exists():
            matches = sorted(self.path.glob(f"table{spec.number}*.csv"))
            if not matches:
                return None, iter(())
            candidate = matches[0]
        f = candidate.open(newline="", encoding="utf-8-sig")
        self.files.append(f)
        reader = ([restored(cell) for cell in row] for row in csv.reader(f))
        headings = next(reader, None)
        return _trimmed(list(headings or [])), _numbered(reader)

    def close(self) -> None:
        for f in self.files:
            f.close()


class JsonSource:
    def __init__(self, path: Path) -> None:
        with path.open(encoding="utf-8") as f:
            self.document = json.load(f)

    def table(self, spec: TableSpec) -> TableRows:
        tables = self.document.get("tables") if isinstance(self.document, dict) else None
        found = next(
            (t for t in tables or [] if isinstance(t, dict) and t.get("number") == spec.number),
            None,
        )
        if found is None:
            return None, iter(())
        headings = [text(h) for h in found.get("headings") or []]
        rows = found.get("rows") or []
        if not headings and rows and isinstance(rows[0], dict):
            headings = list(rows[0])
        listed = ([r.get(h) for h in headings] if isinstance(r, dict) else r for r in rows)
        return headings, _numbered(iter(listed))

    def close(self) -> None:
        return None


def open_source(path: Path) -> XlsxSource | CsvSource | JsonSource:
    if path.is_dir():
        return CsvSource(path)
    if path.suffix.lower() == ".json":
        return JsonSource(path)
    return XlsxSource(path)
