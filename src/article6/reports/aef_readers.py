"""Read any AEF file (ours or another registry's) table by table, as the validator sees it.

Reads an XLSX workbook (openpyxl, read-only, row by row) in the official template's layout or
our former one-heading-row layout, a directory of CSV files, or a JSON document. The contract:
`open_source(path).table(spec)` gives `(headings, numbered_rows)`, the headings by column
position (spacer columns as "", None if the table is missing) and each row with its sheet row
number; `placement(spec)` then says where each value sits, so a problem names its cell. CSV and
JSON rows are numbered as in a sheet with the headings on row 1.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from article6.reports.aef_spec import TableSpec
from article6.reports.aef_template import (
    HEADER_SCAN_ROWS,
    TEMPLATE,
    TemplateTable,
    column_letter,
)
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


@dataclass(frozen=True)
class Placement:
    """Where a table's fields sit in the file, so a problem names its cell. Horizontal: the
    field at position i of a row numbered n is in column i (0 = A) of sheet row n; headings on
    `heading_row`. Vertical (the official Table 1): field i is in `value_column`, row
    `first_row + i`, its label beside it. `layout` is the official layout when the sheet
    follows it (its headings are then expected in the template's columns)."""

    sheet: str
    heading_row: int = 1
    value_column: str | None = None
    label_column: str | None = None
    first_row: int = 1
    layout: TemplateTable | None = None

    def cell(self, index: int, row: int) -> tuple[str, int]:
        if self.value_column is not None:
            return self.value_column, self.first_row + index
        return column_letter(index), row

    def heading_cell(self, index: int) -> tuple[str, int]:
        if self.label_column is not None:
            return self.label_column, self.first_row + index
        return column_letter(index), self.heading_row


def plain(value: str) -> str:
    """Spaces as a reader sees them: the template's no-break spaces (U+00A0 around `CO2`) and
    runs of white space are one space."""
    return " ".join(value.replace("\u00a0", " ").split())


def _numbered(rows: Iterator[Any], first: int = 2) -> Iterator[tuple[int, list[Any]]]:
    for number, row in enumerate(rows, start=first):
        values = list(row)
        if any(text(v) for v in values):
            yield number, values


def _until_blank(rows: Iterator[Any], first: int) -> Iterator[tuple[int, list[Any]]]:
    """The official layout's data: from the row after the headings to the first blank row."""
    for number, row in enumerate(rows, start=first):
        values = list(row)
        if not any(text(v) for v in values):
            return
        yield number, values


def _trimmed(headings: list[Any]) -> list[str]:
    names = [text(h) for h in headings]
    while names and not names[-1]:
        names.pop()
    return names


def field_positions(spec: TableSpec, headings: list[str]) -> dict[str, int]:
    """Field key -> position of its heading among `headings` (as `table` gives them), reading
    a field's official heading, its former headings of ours and the template's spacing alike;
    the first position when a heading repeats. Fields without a heading are absent."""
    keys = {
        plain(heading).casefold(): rule.key
        for rule in spec.fields
        for heading in (rule.heading, *rule.former_headings)
    }
    positions: dict[str, int] = {}
    for index, heading in enumerate(headings):
        key = keys.get(plain(heading).casefold())
        if key is not None:
            positions.setdefault(key, index)
    return positions


def _known(spec: TableSpec) -> frozenset[str]:
    """The headings that name a field of the table, as `plain` and casefolded."""
    return frozenset(
        plain(heading).casefold()
        for rule in spec.fields
        for heading in (rule.heading, *rule.former_headings)
    )


class XlsxSource:
    """An AEF workbook in the official layout (`aef_template`: headings found on the row that
    names most fields within the first rows, Table 1 vertical) or in our former one (one
    heading row on row 1 from column A, Table 1 horizontal)."""

    def __init__(self, path: Path) -> None:
        import openpyxl

        self.workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        self.placements: dict[int, Placement] = {}

    def placement(self, spec: TableSpec) -> Placement:
        return self.placements.get(spec.number) or Placement(TEMPLATE[spec.number].sheet)

    def _sheet_name(self, spec: TableSpec) -> str | None:
        names = self.workbook.sheetnames
        for name in (TEMPLATE[spec.number].sheet, spec.sheet):
            if name in names:
                return name
        prefix = f"table {spec.number}"
        return next((n for n in names if plain(n).lower().startswith(prefix)), None)

    def table(self, spec: TableSpec) -> TableRows:
        name = self._sheet_name(spec)
        if name is None:
            return None, iter(())
        sheet = self.workbook[name]
        top = [list(r) for r in sheet.iter_rows(max_row=HEADER_SCAN_ROWS, values_only=True)]
        known = _known(spec)

        def hits(values: list[Any]) -> int:
            return sum(1 for v in values if isinstance(v, str) and plain(v).casefold() in known)

        row_hits = [hits(values) for values in top]
        best_row = max(range(len(row_hits)), key=lambda r: (row_hits[r], -r), default=0)
        width = max((len(values) for values in top), default=0)
        columns = [[values[c] if c < len(values) else None for values in top] for c in range(width)]
        column_hits = [hits(values) for values in columns]
        best_column = max(range(width), key=lambda c: (column_hits[c], -c), default=0)
        if spec.single_row and width and column_hits[best_column] > max(row_hits, default=0):
            return self._vertical(spec, name, top, best_column, known)
        heading_row = best_row + 1 if row_hits and row_hits[best_row] else 1
        headings = _trimmed(top[heading_row - 1] if top else [])
        rows = sheet.iter_rows(min_row=heading_row + 1, values_only=True)
        first_field = plain(headings[0]).casefold() if headings else ""
        if heading_row == 1 and first_field in known:  # our former layout
            self.placements[spec.number] = Placement(name)
            return headings, _numbered(rows)
        self.placements[spec.number] = Placement(
            name, heading_row=heading_row, layout=TEMPLATE[spec.number]
        )
        return headings, _until_blank(rows, heading_row + 1)

    def _vertical(
        self, spec: TableSpec, name: str, top: list[list[Any]], column: int, known: frozenset[str]
    ) -> TableRows:
        """Table 1 as the template lays it out: labels down a column, values beside them."""
        labels = [values[column] if column < len(values) else None for values in top]
        first = next(
            r for r, v in enumerate(labels) if isinstance(v, str) and plain(v).casefold() in known
        )
        end = first
        while end < len(labels) and end - first < len(spec.fields) + 5 and text(labels[end]):
            end += 1
        values = [
            top[r][column + 1] if column + 1 < len(top[r]) else None for r in range(first, end)
        ]
        self.placements[spec.number] = Placement(
            name,
            heading_row=first + 1,
            value_column=column_letter(column + 1),
            label_column=column_letter(column),
            first_row=first + 1,
            layout=TEMPLATE[spec.number],
        )
        row = [(first + 1, values)] if any(text(v) for v in values) else []
        return [text(v) for v in labels[first:end]], iter(row)

    def close(self) -> None:
        self.workbook.close()


class CsvSource:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.files: list[Any] = []

    def placement(self, spec: TableSpec) -> Placement:
        return Placement(spec.sheet)

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

    def placement(self, spec: TableSpec) -> Placement:
        return Placement(spec.sheet)

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
