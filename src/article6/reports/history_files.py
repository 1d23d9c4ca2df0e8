"""The files of a Party's imported history (docs/history-import.md): AEF workbooks, CSV
directories and JSON documents as the Party submitted them, and JSON lines for what the AEF
does not say (the AEF itself, row by row, and the detail of held units).

Reading checks only what one file says on its own: it can be read (C7001) and every AEF in it
passes the AEF validation (C7002). Every refusal names the file and the sheet and cell, or the
line, so the secretariat can go back to the Party with it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

from article6.domain.checks import Check, Refusal
from article6.domain.wording import words
from article6.reports.aef_consistency.loading import SHEETS, UnreadableAEF, from_file
from article6.reports.aef_consistency.model import LoadedAEF
from article6.reports.aef_readers import JsonSource, Placement, TableRows
from article6.reports.aef_spec import TABLE, TableSpec
from article6.reports.aef_validate import Context, Problem, check_table, problems

LINES_SUFFIXES = (".jsonl", ".ndjson")
"""JSON lines: one record a line (docs/history-import.md)."""
MAX_REFUSALS = 50
"""Problems named at most per import: a broken file stays readable."""


@dataclass(frozen=True)
class HeldDetail:
    """What a held range needs beyond Table 4 to become blocks here: the account to hold it,
    the mitigation activity, sector and activity type (a `holding` line)."""

    first_id: str
    last_id: str
    line: int
    account: str | None = None
    mitigation_activity: str | None = None
    sector: str | None = None
    activity_type: str | None = None


@dataclass
class HistoryFile:
    """One file given: its name, SHA-256, the AEFs it holds (one per year) and the held units'
    detail; `lines` says whether rows are numbered by line (JSON lines) or by sheet row."""

    name: str
    sha256: str
    aefs: list[LoadedAEF] = field(default_factory=list)
    details: list[HeldDetail] = field(default_factory=list)
    lines: bool = False

    def where(self, sheet: str, row: int, column: str | None = None) -> str:
        """A row's place as the Party sees it: `file, sheet 'Table 3 Actions' row 9` or
        `file line 12`."""
        if self.lines:
            return f"{self.name} line {row}"
        cell = f" cell {column}{row}" if column else f" row {row}"
        return f"{self.name}, sheet '{sheet}'{cell}"


def digest(path: Path) -> str:
    """SHA-256 of a file, or of a CSV directory's files (names and bytes, sorted by name)."""
    sha = hashlib.sha256()
    if path.is_dir():
        for child in sorted(path.iterdir()):
            if child.is_file():
                sha.update(child.name.encode() + b"\0" + child.read_bytes())
        return sha.hexdigest()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            sha.update(chunk)
    return sha.hexdigest()


def _problem(file: HistoryFile, found: Problem) -> Refusal:
    if file.lines:
        place = f"{file.name} line {found.row}" if found.row else file.name
    else:
        cell = f"{found.letter or ''}{found.row or ''}"
        place = f"{file.name}, sheet '{found.sheet}'" + (f" cell {cell}" if cell else "")
    if found.column:
        detail = words(
            "[{rule}] {column}: {message}",
            rule=found.rule.value,
            column=found.column,
            message=found.message,
        )
    else:
        detail = words("[{rule}] {message}", rule=found.rule.value, message=found.message)
    return Refusal(Check.C7002, place, detail)


def read_file(path: Path) -> tuple[HistoryFile, list[Refusal]]:
    """One file given to the import, read whole, and every problem it has on its own."""
    name = path.name
    try:
        sha = digest(path)
    except OSError as error:
        return HistoryFile(name, ""), [
            Refusal(Check.C7001, name, words("cannot read: {error}", error=str(error)))
        ]
    if path.suffix.lower() in LINES_SUFFIXES:
        return _read_lines(path, HistoryFile(name, sha, lines=True))
    file = HistoryFile(name, sha)
    found = [_problem(file, p) for p in problems(path)]
    if found:
        return file, found[:MAX_REFUSALS]
    try:
        file.aefs.append(from_file(path))
    except (UnreadableAEF, ValueError, OSError) as error:
        return file, [Refusal(Check.C7001, name, str(error))]
    return file, []


# JSON lines -------------------------------------------------------------------------------


class _LinesSource:
    """One year's AEF rows from JSON lines, as `aef_validate.check_table` reads a source: the
    spec's headings, each row numbered by its line."""

    def __init__(self, name: str, rows: dict[int, list[tuple[int, dict[str, Any]]]]) -> None:
        self.name = name
        self.rows = rows

    def placement(self, spec: TableSpec) -> Placement:
        return Placement(self.name)

    def table(self, spec: TableSpec) -> TableRows:
        listed = self.rows.get(spec.number, [])
        numbered = ((line, [row.get(key) for key in spec.keys]) for line, row in listed)
        return list(spec.headings), iter(numbered)


def _refuse(file: HistoryFile, line: int, detail: str) -> Refusal:
    return Refusal(Check.C7001, f"{file.name} line {line}", detail)


def _records(path: Path, file: HistoryFile) -> Iterator[tuple[int, dict[str, Any] | Refusal]]:
    with path.open(encoding="utf-8") as f:
        for line, text in enumerate(f, start=1):
            if not text.strip():
                continue
            try:
                record = json.loads(text)
            except ValueError as error:
                yield line, _refuse(file, line, words("not JSON: {error}", error=str(error)))
                continue
            if not isinstance(record, dict):
                yield line, _refuse(file, line, words("a line is one JSON object"))
                continue
            yield line, record


def _read_lines(path: Path, file: HistoryFile) -> tuple[HistoryFile, list[Refusal]]:
    """`aef` lines (a year, a table number and the row by field key) and `holding` lines."""
    refused: list[Refusal] = []
    years: dict[int, dict[int, list[tuple[int, dict[str, Any]]]]] = {}
    try:
        records = list(_records(path, file))
    except (OSError, UnicodeDecodeError) as error:
        return file, [
            Refusal(Check.C7001, file.name, words("cannot read: {error}", error=str(error)))
        ]
    for line, record in records:
        if isinstance(record, Refusal):
            refused.append(record)
            continue
        kind = record.get("record")
        if kind == "holding":
            known = set(HeldDetail.__dataclass_fields__) - {"line"}
            values = {k: record.get(k) for k in known}
            if not all(isinstance(v, str) or v is None for v in values.values()):
                refused.append(_refuse(file, line, words("holding fields are text")))
            elif not values["first_id"] or not values["last_id"]:
                refused.append(
                    _refuse(file, line, words("a holding names its first_id and last_id"))
                )
            else:
                file.details.append(
                    HeldDetail(
                        first_id=str(values["first_id"]),
                        last_id=str(values["last_id"]),
                        line=line,
                        account=values["account"],
                        mitigation_activity=values["mitigation_activity"],
                        sector=values["sector"],
                        activity_type=values["activity_type"],
                    )
                )
            continue
        if kind != "aef":
            refused.append(_refuse(file, line, words('record is "aef" or "holding"')))
            continue
        year, table, row = record.get("year"), record.get("table"), record.get("row")
        if not isinstance(year, int) or table not in TABLE or not isinstance(row, dict):
            refused.append(
                _refuse(file, line, words("an aef line gives year (integer), table (1-5) and row"))
            )
            continue
        unknown = sorted(set(row) - set(TABLE[table].keys))
        if unknown:
            refused.append(
                _refuse(
                    file,
                    line,
                    words(
                        "unknown fields of Table {table}: {unknown}",
                        table=table,
                        unknown=str(unknown),
                    ),
                )
            )
            continue
        years.setdefault(year, {}).setdefault(table, []).append((line, row))
    for year in sorted(years):
        # The validator reads any source with `table` and `placement`, as these lines give.
        source = cast(JsonSource, _LinesSource(file.name, years[year]))
        context = Context()
        for spec in TABLE.values():
            refused.extend(_problem(file, p) for p in check_table(spec, source, context))
        tables = years[year]
        submission = tables.get(1, [(0, {})])[0][1]
        loaded = LoadedAEF(
            str(submission.get("party") or ""),
            year,
            str(submission.get("version") or ""),
            file.name,
        )
        for number, listed in sorted(tables.items()):
            for line, row in listed:
                loaded.add(number, SHEETS[number], line, row)
        file.aefs.append(loaded)
    return file, refused[:MAX_REFUSALS]
