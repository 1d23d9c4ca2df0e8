"""Files for machines, streamed: an export's rows written as CSV or XLSX as its pages are read
(`services.reads.exports`), so the answer starts at once and memory stays flat whatever the
size. Both doors answer with `download`.

The XLSX is written by hand, one worksheet of inline strings and plain numbers in a ZIP
written forward only (each part's sizes follow it in a data descriptor): a workbook library
would hold the sheet, or a temporary file of it, until the end."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from enum import StrEnum
from xml.sax.saxutils import escape

from fastapi.responses import StreamingResponse

from article6.reports.csv_cells import neutralised
from article6.services.reads.exports import Cell, Sheet


class FileFormat(StrEnum):
    CSV = "csv"
    XLSX = "xlsx"


MEDIA_TYPES = {
    FileFormat.CSV: "text/csv; charset=utf-8",
    FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def csv_chunks(sheet: Sheet) -> Iterator[bytes]:
    """The headings, then one chunk per page read. Text a spreadsheet would take for a formula
    is neutralised (`reports.csv_cells`)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(sheet.headings)
    for rows in sheet.pages:
        writer.writerows([neutralised(cell) for cell in row] for row in rows)
        yield buffer.getvalue().encode()
        buffer.seek(0)
        buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue().encode()


class _Outflow(io.RawIOBase):
    """A forward-only file the ZIP writer writes into; what it holds is taken out as chunks."""

    def __init__(self) -> None:
        super().__init__()
        self._chunks: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, b: bytes | bytearray | memoryview) -> int:  # type: ignore[override]
        self._chunks.append(bytes(b))
        return len(b)

    def take(self) -> bytes:
        taken = b"".join(self._chunks)
        self._chunks.clear()
        return taken


def column_letter(index: int) -> str:
    """A, B, … Z, AA … for the 0-based column `index`."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


NOT_IN_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
"""Characters XML 1.0 cannot carry: one typed into a text would make the workbook unreadable."""


def _cell(reference: str, value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, int) and not isinstance(value, bool):
        return f'<c r="{reference}"><v>{value}</v></c>'
    text = escape(NOT_IN_XML.sub("\ufffd", str(value)[:32_767]))
    return f'<c r="{reference}" t="inlineStr"><is><t xml:space="preserve">{text}</t></is></c>'


def _row(number: int, cells: tuple[Cell, ...] | tuple[str, ...]) -> str:
    inner = "".join(_cell(f"{column_letter(i)}{number}", v) for i, v in enumerate(cells))
    return f'<row r="{number}">{inner}</row>'


_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" '
        'ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        "</Types>"
    ),
    "_rels/.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/>'
        "</Relationships>"
    ),
    "xl/_rels/workbook.xml.rels": (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        "</Relationships>"
    ),
}
_WORKBOOK = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
    'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
    '<sheets><sheet name="{name}" sheetId="1" r:id="rId1"/></sheets></workbook>'
)
_SHEET_HEAD = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
    '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" '
    'activePane="bottomLeft" state="frozen"/></sheetView></sheetViews><sheetData>'
)
_SHEET_TAIL = "</sheetData></worksheet>"


def xlsx_chunks(sheet: Sheet) -> Iterator[bytes]:
    """The workbook's small parts, then the worksheet a page at a time (deflated as it goes),
    then the ZIP's directory."""
    outflow = _Outflow()
    with zipfile.ZipFile(outflow, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as archive:
        for name, text in _PARTS.items():
            archive.writestr(name, text)
        archive.writestr("xl/workbook.xml", _WORKBOOK.format(name=escape(sheet.name[:31])))
        yield outflow.take()
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as part:
            part.write((_SHEET_HEAD + _row(1, sheet.headings)).encode())
            number = 1
            for rows in sheet.pages:
                lines = []
                for row in rows:
                    number += 1
                    lines.append(_row(number, row))
                part.write("".join(lines).encode())
                yield outflow.take()
            part.write(_SHEET_TAIL.encode())
    yield outflow.take()


def download(sheet: Sheet, file_format: FileFormat) -> StreamingResponse:
    """The sheet as a file attachment, streamed."""
    chunks = csv_chunks(sheet) if file_format is FileFormat.CSV else xlsx_chunks(sheet)
    return StreamingResponse(
        chunks,
        media_type=MEDIA_TYPES[file_format],
        headers={
            "Content-Disposition": f'attachment; filename="{sheet.name}.{file_format.value}"',
            "Cache-Control": "no-store",
        },
    )
