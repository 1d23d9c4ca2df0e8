"""Loading AEFs into `LoadedAEF`: a document of this registry (rows ordered as the spec's
keys) or a file any registry wrote (headings mapped to field keys).

Rows of this registry get the official workbook's sheet names and row numbers (RULES.md 11.1),
so a finding points at the cell a Party sees in the workbook it uploads.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from article6.domain.wording import words
from article6.reports.aef import ActionDateTime, AEFDocument
from article6.reports.aef_consistency.model import LoadedAEF, normalised
from article6.reports.aef_readers import open_source, text
from article6.reports.aef_spec import TABLE, TableSpec

SHEETS = {
    1: "Table 1 Submission",
    2: "Table 2 Authorizations",
    3: "Table 3 Actions",
    4: "Table 4 Holdings",
    5: "Table 5 Auth. entities",
}
"""The official template's sheet names (RULES.md 11.1)."""
FIRST_ROW = {1: 4, 2: 8, 3: 9, 4: 8, 5: 11}
"""The sheet row of each table's first data row (Table 1 is vertical: its values are C4:C12)."""


class UnreadableAEF(ValueError):
    """A file that is not an AEF the checks can place (no Party, year or version)."""


def _text(value: object) -> str:
    """A cell as text; Table 3's action date keeps its UTC time (as the JSON export writes it),
    so the checks order two actions of one day as they happened."""
    return value.iso if isinstance(value, ActionDateTime) else text(value)


def from_document(document: AEFDocument, source: str) -> LoadedAEF:
    """One of this registry's AEFs (`open_aef`), consumed while its connection is open."""
    loaded = LoadedAEF(document.party, document.year, document.version, source)
    for table in document.tables:
        spec = table.spec
        first = FIRST_ROW[spec.number]
        for offset, cells in enumerate(table.rows):
            values = {key: _text(value) for key, value in zip(spec.keys, cells, strict=False)}
            loaded.add(spec.number, SHEETS[spec.number], first + offset, dict(values))
    return loaded


def heading_key(heading: str) -> str:
    return " ".join(heading.replace("\u00a0", " ").split()).lower()


def _keys(spec: TableSpec) -> dict[str, str]:
    found: dict[str, str] = {}
    for rule in spec.fields:
        for heading in (rule.heading, *rule.former_headings):
            found[heading_key(heading)] = rule.key
    return found


def columns(spec: TableSpec, headings: Iterable[str]) -> dict[int, str]:
    """Column index → field key for the headings a file gives (spacer columns and unknown
    headings are left out; the first of two equal headings wins)."""
    known = _keys(spec)
    mapped: dict[int, str] = {}
    for index, heading in enumerate(headings):
        key = known.get(heading_key(heading))
        if key is not None and key not in mapped.values():
            mapped[index] = key
    return mapped


def from_file(path: Path) -> LoadedAEF:
    """An AEF workbook, JSON document or CSV directory: Party, year and version from Table 1."""
    source = open_source(path)
    try:
        tables: dict[int, list[tuple[int, dict[str, object]]]] = {}
        for spec in TABLE.values():
            headings, numbered = source.table(spec)
            if headings is None:
                tables[spec.number] = []
                continue
            mapped = columns(spec, headings)
            tables[spec.number] = [
                (number, {key: text(cells[i]) for i, key in mapped.items() if i < len(cells)})
                for number, cells in numbered
            ]
    finally:
        source.close()
    submission = tables[1][0][1] if tables[1] else {}
    party = normalised(submission.get("party"))
    year = normalised(submission.get("reported_year")).replace(".0", "")
    version = normalised(submission.get("version"))
    if not party or not year.isdigit() or not version:
        raise UnreadableAEF(
            words(
                "{path}: Table 1 must give the Party, the reported year and the version"
                " (read: {party}, {year}, {version})",
                path=str(path),
                party=party or "-",
                year=year or "-",
                version=version or "-",
            )
        )
    loaded = LoadedAEF(party, int(year), version, path.name)
    for number, found in tables.items():
        for row_number, values in found:
            loaded.add(number, SHEETS[number], row_number, values)
    return loaded
