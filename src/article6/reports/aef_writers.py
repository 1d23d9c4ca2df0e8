"""Write an AEF document as XLSX (the official workbook, `aef_template`), CSV (one file per
table) or JSON (one document), streaming: each row is written as it is produced, so memory does
not grow with the number of rows (a sheet's rows go through a temporary file, see `write_xlsx`).

Cells: integers are written as numbers; in the workbook, dates (dd/mm/yyyy text, a date, a
datetime, or Table 3's `ActionDateTime`) are date cells formatted dd/mm/yyyy of their UTC day;
everything else is text (non-GHG quantities as exact decimal text); empty values are empty
cells. JSON writes an `ActionDateTime` as its ISO 8601 UTC time (`2026-12-02T07:13:05.123Z`).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import IO, Any

from article6.reports import csv_cells
from article6.reports.aef import ActionDateTime, AEFDocument, AEFTable, Cells, json_cell
from article6.reports.aef_spec import TABLE, Kind, TableSpec
from article6.reports.aef_template import (
    DATE_FORMAT,
    INDEX_SHEET,
    SHEETS,
    SUMMARY_SHEET,
    TEMPLATE,
    TemplateTable,
    column_index,
    column_letter,
    index_rows,
    official_heading,
    summary_rows,
)

JSON_FORMAT = "article6-aef"
JSON_FORMAT_VERSION = 1
_json_row = json.JSONEncoder(ensure_ascii=False, default=json_cell).encode
"""`json.dumps(list(row), ensure_ascii=False)` without building an encoder per row; Table 3's
action date (`ActionDateTime`) is written as its ISO 8601 UTC time."""


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
    """The official workbook (`aef_template`): Index, Summary information, Table 1 vertical
    with the CARP's placeholders, Tables 2-5 under their titles, grouped headings and field
    headings, dates as date cells formatted dd/mm/yyyy.

    xlsxwriter writes the workbook around the rows (properties, styles, the Index and Summary
    sheets, Table 1, the headings, column widths, frozen panes) as a template; the rows of
    Tables 2-5 are streamed into each sheet's XML here, in xlsxwriter's own cell form (numbers
    as `%.16G`, text as escaped inline strings), because its per-cell cost dominated large
    exports. Each sheet's rows go to a temporary file first: its `<dimension>` precedes them
    and needs their count."""
    counts: dict[int, int] = {}
    template, date_style = _xlsx_template(document, counts)
    sheets = {
        f"xl/worksheets/sheet{SHEETS.index(TEMPLATE[table.spec.number].sheet) + 1}.xml": table
        for table in document.tables
        if not TEMPLATE[table.spec.number].vertical
    }
    with (
        zipfile.ZipFile(io.BytesIO(template)) as source,
        zipfile.ZipFile(output, "w", zipfile.ZIP_DEFLATED, compresslevel=XLSX_COMPRESSION) as zf,
    ):
        for item in source.infolist():
            table = sheets.get(item.filename)
            if table is None:
                zf.writestr(item, source.read(item))
                continue
            layout = TEMPLATE[table.spec.number]
            head, tail = source.read(item).decode().split("</sheetData>")
            with tempfile.TemporaryFile() as rows:
                count, last_row, last_column = _sheet_rows(
                    table.rows, layout, _date_columns(table.spec), date_style, rows
                )
                counts[table.spec.number] = count
                dimension = f'<dimension ref="A1:{column_letter(last_column)}{last_row}"/>'
                head_bytes = DIMENSION.sub(dimension, head, count=1).encode()
                tail_bytes = ("</sheetData>" + tail).encode()
                size = len(head_bytes) + rows.tell() + len(tail_bytes)
                rows.seek(0)
                large = size * 1.05 > zipfile.ZIP64_LIMIT
                with zf.open(item.filename, "w", force_zip64=large) as sheet:
                    sheet.write(head_bytes)
                    shutil.copyfileobj(rows, sheet, 1 << 20)
                    sheet.write(tail_bytes)
    return counts


XLSX_COMPRESSION = 1
"""zlib level of the workbook's parts: the fastest; the sheets' XML still shrinks about
tenfold."""
XLSX_ROWS = 1_048_576
"""Excel's last row: xlsxwriter ignored cells beyond it, and so do we."""
DIMENSION = re.compile(r'<dimension ref="[^"]*"/>')
CONTROL_ESCAPE = re.compile(r"(_x[0-9a-fA-F]{4}_)")
CONTROL_CHARACTER = re.compile(r"([\x00-\x08\x0b-\x1f])")
EDGE_SPACE = re.compile(r"^\s|\s$")
NEEDS_ESCAPING = re.compile(r"[&<>\x00-\x08\x0b-\x1f\ufffe\uffff]|_x[0-9a-fA-F]{4}_|^\s|\s$")
STRING_LIMIT = 32_767
"""Excel's longest cell text, in UTF-16 units; xlsxwriter truncated longer text."""
INLINE_CACHE = 20_000
PRINTED_DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
UTC_TIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
EXCEL_EPOCH = date(1899, 12, 30)
"""Day 0 of Excel's date serials (1900 system; the days before March 1900 never occur here)."""
DATE_KINDS = frozenset({Kind.DATE, Kind.ACTION_DATE})


def _date_columns(spec: TableSpec) -> frozenset[int]:
    return frozenset(i for i, rule in enumerate(spec.fields) if rule.kind in DATE_KINDS)


def excel_day(value: object) -> int | None:
    """The date serial of a date, a datetime or Table 3's `ActionDateTime` (its UTC day; naive
    is UTC), a `dd/mm/yyyy` text
    or a `yyyy-mm-ddThh:mm:ss.sssZ` text; None for anything else (written as text)."""
    day: date | None = None
    if isinstance(value, ActionDateTime):
        value = value.at
    if isinstance(value, datetime):
        if value.tzinfo is not None and value.utcoffset():
            value = value.astimezone(UTC)
        day = value.date()
    elif isinstance(value, date):
        day = value
    elif isinstance(value, str):
        try:
            if match := PRINTED_DATE.match(value):
                day = date(int(match[3]), int(match[2]), int(match[1]))
            elif UTC_TIME.match(value):
                day = datetime.fromisoformat(value.replace("Z", "+00:00")).date()
        except ValueError:
            return None
    return None if day is None else (day - EXCEL_EPOCH).days


def _xlsx_template(document: AEFDocument, counts: dict[int, int]) -> tuple[bytes, int]:
    """The workbook without the rows of Tables 2-5 (their sheets end at the headings), and
    the style index of the date cells. Table 1's one row is written here (counted in
    `counts`)."""
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    formats = {
        "title": workbook.add_format({"bold": True, "font_size": 12}),
        "group": workbook.add_format(
            {
                "bold": True,
                "align": "center",
                "valign": "vcenter",
                "border": 1,
                "bg_color": "#D9E1F2",
            }
        ),
        "heading": workbook.add_format(
            {"bold": True, "text_wrap": True, "valign": "top", "border": 1, "bg_color": "#F2F2F2"}
        ),
        "wrap": workbook.add_format({"text_wrap": True, "valign": "top"}),
        "date": workbook.add_format({"num_format": DATE_FORMAT}),
        "placeholder": workbook.add_format({"italic": True, "font_color": "#7F7F7F"}),
    }
    workbook.set_properties(
        {
            "title": f"AEF {document.party} {document.year} version {document.version}",
            "subject": "Agreed Electronic Format (4/CMA.6 annex II)",
            "author": "article6",
        }
    )
    _index_sheet(workbook.add_worksheet(INDEX_SHEET), formats)
    _summary_sheet(workbook.add_worksheet(SUMMARY_SHEET), formats)
    tables = {table.spec.number: table for table in document.tables}
    for number in range(1, 6):
        layout = TEMPLATE[number]
        sheet = workbook.add_worksheet(layout.sheet)
        sheet.write_string(layout.title_cell, layout.title, formats["title"])
        table = tables.get(number)
        if layout.vertical:
            counts[number] = _submission_sheet(sheet, layout, table, formats)
        else:
            _table_headings(sheet, layout, TABLE[number], formats)
    workbook.close()
    return buffer.getvalue(), formats["date"].xf_index


XlsxFormats = dict[str, Any]


def _index_sheet(sheet: Any, formats: XlsxFormats) -> None:
    sheet.set_column(1, 1, 10)
    sheet.set_column(2, 2, 30)
    sheet.write_string(
        "B2", "Agreed electronic format (decision 4/CMA.6, annex II)", formats["title"]
    )
    for row, (table, name, sheet_name) in enumerate(index_rows(), start=3):
        sheet.write_url(row, 1, f"internal:'{sheet_name}'!A1", string=table)
        sheet.write_string(row, 2, name)


def _summary_sheet(sheet: Any, formats: XlsxFormats) -> None:
    sheet.set_column(1, 1, 60)
    sheet.set_column(2, 2, 100)
    row = 1
    for name, note in summary_rows():
        if note is None:
            row += 1
            sheet.write_string(row, 1, name, formats["title"])
        else:
            sheet.write_string(row, 1, name, formats["wrap"])
            sheet.write_string(row, 2, note, formats["wrap"])
        row += 1


def _submission_sheet(
    sheet: Any, layout: TemplateTable, table: AEFTable | None, formats: XlsxFormats
) -> int:
    """Table 1, vertical: labels down the label column, values beside them; a CARP field left
    empty keeps the template's placeholder. Returns the number of rows the table had."""
    label = column_index(layout.label_column or "B")
    value_column = column_index(layout.value_column or "C")
    sheet.set_column(label, label, 70)
    sheet.set_column(value_column, value_column, 40)
    rows = list(table.rows) if table is not None else []
    values = rows[0] if rows else ()
    for index, rule in enumerate(TABLE[1].fields):
        row = layout.header_row - 1 + index
        sheet.write_string(row, label, rule.heading, formats["heading"])
        value = values[index] if index < len(values) else None
        day = excel_day(value) if rule.kind in DATE_KINDS else None
        placeholder = layout.placeholder(rule.key)
        if day is not None:
            sheet.write_number(row, value_column, day, formats["date"])
        elif isinstance(value, int) and not isinstance(value, bool):
            sheet.write_number(row, value_column, value)
        elif value is not None and value != "":
            sheet.write_string(row, value_column, str(value))
        elif placeholder is not None:
            sheet.write_string(row, value_column, placeholder, formats["placeholder"])
    return len(rows)


def _table_headings(
    sheet: Any, layout: TemplateTable, spec: TableSpec, formats: XlsxFormats
) -> None:
    """A horizontal table's grouped headings, field headings, column widths and frozen panes;
    date columns carry the date format, spacer columns are narrow."""
    for rule, letter in zip(spec.fields, layout.columns, strict=True):
        column = column_index(letter)
        style = formats["date"] if rule.kind in DATE_KINDS else None
        sheet.set_column(column, column, max(12, min(40, len(rule.heading) + 2)), style)
        heading = official_heading(rule.heading)
        sheet.write_string(layout.header_row - 1, column, heading, formats["heading"])
    for letter in layout.spacers:
        sheet.set_column(column_index(letter), column_index(letter), 2)
    for group in layout.groups:
        first, last = column_index(group.first), column_index(group.last)
        if first == last:
            sheet.write_string(layout.group_row - 1, first, group.title, formats["group"])
        else:
            sheet.merge_range(
                layout.group_row - 1,
                first,
                layout.group_row - 1,
                last,
                group.title,
                formats["group"],
            )
    sheet.freeze_panes(layout.header_row, 0)


def _inline_string(text: str) -> str:
    """`<is><t>text</t></is>` exactly as xlsxwriter writes it in constant-memory mode."""
    if len(text) > STRING_LIMIT // 2 and len(text.encode("utf-16-le", "surrogatepass")) > (
        2 * STRING_LIMIT
    ):
        length = 0
        for index, character in enumerate(text):
            length += 2 if ord(character) > 0xFFFF else 1
            if length > STRING_LIMIT:
                text = text[:index]
                break
    if not NEEDS_ESCAPING.search(text):
        return f"<is><t>{text}</t></is>"
    text = CONTROL_ESCAPE.sub(r"_x005F\1", text)
    text = CONTROL_CHARACTER.sub(lambda match: f"_x{ord(match.group(1)):04X}_", text)
    text = text.replace("\ufffe", "_xFFFE_").replace("\uffff", "_xFFFF_")
    preserve = ' xml:space="preserve"' if EDGE_SPACE.search(text) else ""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return f"<is><t{preserve}>{text}</t></is>"


CACHED_TYPES = frozenset({str, int})
"""Cell values whose XML is cached by value: a bool, float or Decimal can equal an int (and hash
like it) yet is written differently, so only exact `str` and `int` values are looked up."""


def _cell_tail(value: object) -> str:
    """A cell's XML after its reference: numbers as xlsxwriter's `write_number`, anything
    else as its `write_string` of `str(value)` in constant-memory mode."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f'"><v>{value:.16G}</v></c>'
    return f'" t="inlineStr">{_inline_string(str(value))}</c>'


def _date_tail(style: int) -> Callable[[object], str]:
    """A date column's cell: a date serial in the date style, or text if it is no date."""

    def tail(value: object) -> str:
        day = excel_day(value)
        return _cell_tail(value) if day is None else f'" s="{style}"><v>{day}</v></c>'

    return tail


def _sheet_rows(
    rows: Iterable[Cells],
    layout: TemplateTable,
    date_columns: frozenset[int],
    date_style: int,
    sink: IO[bytes],
) -> tuple[int, int, int]:
    """Write the data rows' XML (from the layout's first data row, field n in its column) to
    `sink`; returns the number of rows, the last sheet row (1-based, at least the heading
    row) and the index of the last column holding a cell. Empty values (None, "") are no
    cell. The XML of a value is cached per kind of column (`INLINE_CACHE` values at most):
    most cells of a large table repeat a few values."""
    letters = list(layout.columns)
    width = len(letters)
    text_tails: dict[object, str] = {}
    date_tails: dict[object, str] = {}
    date_tail = _date_tail(date_style)
    columns = [
        (
            f'<c r="{letter}',
            date_tails if i in date_columns else text_tails,
            date_tail if i in date_columns else _cell_tail,
        )
        for i, letter in enumerate(letters)
    ]
    first = layout.data_row
    chunk: list[str] = []
    count = 0
    last_row = layout.header_row
    last_column = layout.last_column
    for count, row in enumerate(rows, start=1):
        number_of_row = first + count - 1
        if number_of_row > XLSX_ROWS:
            continue
        number = str(number_of_row)
        parts = ['<row r="', number, '">']
        append = parts.append
        if len(row) > width:  # wider than the fields: not from our tables, but kept
            while len(columns) < len(row):
                letter = column_letter(layout.last_column + 1 + len(columns) - width)
                columns.append((f'<c r="{letter}', text_tails, _cell_tail))
            filled = [c for c, v in enumerate(row) if c >= width and v is not None and v != ""]
            if filled:
                last_column = max(last_column, layout.last_column + 1 + max(filled) - width)
        for (prefix, tails, make), value in zip(columns, row, strict=False):
            tail = tails.get(value)
            if tail is None or value.__class__ not in CACHED_TYPES:
                if value is None or value == "":
                    continue
                tail = make(value)
                if value.__class__ in CACHED_TYPES:
                    if len(tails) >= INLINE_CACHE:
                        tails.clear()
                    tails[value] = tail
            append(prefix)
            append(number)
            append(tail)
        if len(parts) > 3:
            last_row = number_of_row
            append("</row>")
            chunk.append("".join(parts))
        if len(chunk) >= 1000:
            sink.write("".join(chunk).encode())
            chunk = []
    sink.write("".join(chunk).encode())
    return count, last_row, last_column


def _counted(rows: Iterable[Cells], counts: dict[int, int], number: int) -> Iterator[Cells]:
    count = 0
    for count, row in enumerate(rows, start=1):  # noqa: B007
        yield row
    counts[number] = count


def write_csv(document: AEFDocument, output: Path) -> dict[int, int]:
    """One UTF-8 file per table in the directory `output`, named by `TableSpec.file_stem`.
        The csv module writes None as an empty field and other values as `str` would; text a
    spreadsheet would take for a formula is neutralised (`csv_cells`)."""
    output.mkdir(parents=True, exist_ok=True)
    counts: dict[int, int] = {}
    for table in document.tables:
        with (output / f"{table.spec.file_stem}.csv").open("w", newline="", encoding="utf-8") as f:
            writer = csv_cells.writer(f)
            writer.writerow(table.spec.headings)
            writer.writerows(_counted(table.rows, counts, table.spec.number))
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
            f.write(("\n" if count == 1 else ",\n") + _json_row(row))
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
