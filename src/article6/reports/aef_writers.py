"""Write an AEF document as XLSX (one sheet per table), CSV (one file per table) or JSON (one
document), streaming: each row is written as it is produced, so memory does not grow with the
number of rows (a sheet's rows go through a temporary file, see `write_xlsx`).

Cells: integers are written as numbers, everything else as text (dates already `dd/mm/yyyy`,
non-GHG quantities as exact decimal text), empty values as empty cells. Table 3's action date
is an `ActionDateTime`: its text (`str`) is `dd/mm/yyyy` in the workbook and the CSV, and JSON
writes its ISO 8601 UTC time (`2026-12-02T07:13:05.123Z`).
"""

from __future__ import annotations

import io
import json
import re
import shutil
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from enum import StrEnum
from pathlib import Path
from typing import IO

from article6.reports import csv_cells
from article6.reports.aef import AEFDocument, Cells, json_cell
from article6.reports.aef_spec import TableSpec

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
    """One sheet per table. xlsxwriter writes the workbook around the rows (properties, styles,
    the headings, column widths, frozen heading row) as a template; the rows themselves are
    streamed into each sheet's XML here, in xlsxwriter's own cell form (numbers as `%.16G`,
    text as escaped inline strings), because its per-cell cost dominated large exports. Each
    sheet's rows go to a temporary file first: its `<dimension>` precedes them and needs their
    count."""
    template = _xlsx_template(document)
    counts: dict[int, int] = {}
    sheets = {
        f"xl/worksheets/sheet{index}.xml": table
        for index, table in enumerate(document.tables, start=1)
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
            head, tail = source.read(item).decode().split("</sheetData>")
            with tempfile.TemporaryFile() as rows:
                count, last_row, last_column = _sheet_rows(
                    table.rows, len(table.spec.headings), rows
                )
                counts[table.spec.number] = count
                dimension = f'<dimension ref="{_dimension(last_row, last_column)}"/>'
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


def _xlsx_template(document: AEFDocument) -> bytes:
    import xlsxwriter

    buffer = io.BytesIO()
    workbook = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
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
    workbook.close()
    return buffer.getvalue()


def _column_name(column: int) -> str:
    name = ""
    column += 1
    while column:
        column, remainder = divmod(column - 1, 26)
        name = chr(65 + remainder) + name
    return name


def _dimension(last_row: int, last_column: int) -> str:
    if last_row == 0 and last_column == 0:
        return "A1"
    return f"A1:{_column_name(last_column)}{last_row + 1}"


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


def _sheet_rows(rows: Iterable[Cells], width: int, sink: IO[bytes]) -> tuple[int, int, int]:
    """Write the data rows' XML (from sheet row 2) to `sink`; returns the number of rows and
    the last row and column holding a cell (0-based; the headings fill row 0). Empty values
    (None, "") are no cell. The XML of a value is cached (`INLINE_CACHE` values at most):
    most cells of a large table repeat a few values."""
    prefixes = [f'<c r="{_column_name(column)}' for column in range(width)]
    tails: dict[object, str] = {}
    chunk: list[str] = []
    count = last_row = 0
    last_column = width - 1
    for count, row in enumerate(rows, start=1):
        if count >= XLSX_ROWS:
            continue
        number = str(count + 1)
        parts = ['<row r="', number, '">']
        append = parts.append
        if len(row) > width:  # wider than the headings: not from our tables, but kept
            prefixes.extend(f'<c r="{_column_name(c)}' for c in range(len(prefixes), len(row)))
            filled = [c for c, v in enumerate(row) if c >= width and v is not None and v != ""]
            last_column = max([last_column, *filled])
        for prefix, value in zip(prefixes, row, strict=False):
            tail = tails.get(value)
            if tail is None or value.__class__ not in CACHED_TYPES:
                if value is None or value == "":
                    continue
                tail = _cell_tail(value)
                if value.__class__ in CACHED_TYPES:
                    if len(tails) >= INLINE_CACHE:
                        tails.clear()
                    tails[value] = tail
            append(prefix)
            append(number)
            append(tail)
        if len(parts) > 3:
            last_row = count
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
