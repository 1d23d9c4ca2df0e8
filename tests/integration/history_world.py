"""Three years of XXA's history (2027-2029) built through the services on a clock the test
moves, and exported with the registry's own AEF writer, as a Party would have submitted them;
plus the same history as JSON lines, and a workbook made by hand in the official template's
real-submission style (RULES.md 11.2).

2027: XXA issues 1000 MOs, authorizes 300 for NDC and 200 for CORSIA, and first transfers 100
      NDC units to XXC.
2028: XXA cancels 30 CORSIA units for CORSIA (first transfer at cancellation) and transfers 50
      NDC units to XXC.
2029: XXA authorizes 100 more for NDC and transfers 20 to XXC.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from small_world import CORSIA, NDC, SmallWorld, build_small_world, selection
from test_actions import cancel, international, link

from article6.demo.world import XXA_ADMIN, XXC_ADMIN
from article6.reports.aef_consistency import from_file
from article6.reports.aef_spec import TABLE
from article6.reports.aef_writers import Format
from article6.services.aef_versions import export_aef
from article6.services.context import Registry
from article6.store.database import make_engine

YEARS = (2027, 2028, 2029)
AFTER = datetime(2030, 2, 1, 9, tzinfo=UTC)
"""When the target registry imports the history: the imported years have ended."""


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def __call__(self) -> datetime:
        return self.moment


@dataclass(frozen=True)
class HistoryFiles:
    """XXA's and XXC's AEFs of 2027-2029, as files in each format."""

    directory: Path
    workbooks: dict[tuple[str, int], Path]
    json_documents: dict[tuple[str, int], Path]

    def xlsx(self, party: str = "XXA") -> list[Path]:
        return [self.workbooks[(party, year)] for year in YEARS]


def build_history(directory: Path, template: Path) -> HistoryFiles:
    """The source registry (a SQLite copy of the migrated template), its history, its files."""
    path = directory / "source.db"
    shutil.copy(template, path)
    engine = make_engine(f"sqlite:///{path}")
    clock = Clock(datetime(2027, 1, 10, 9, tzinfo=UTC))
    registry = Registry(engine, clock=clock)
    try:
        world = build_small_world(registry)
        clock.moment = datetime(2027, 6, 1, 9, tzinfo=UTC)
        international(registry, world, selection(100, NDC))
        clock.moment = datetime(2028, 3, 1, 9, tzinfo=UTC)
        cancel(registry, world, selection(30, CORSIA))
        clock.moment = datetime(2028, 9, 1, 9, tzinfo=UTC)
        international(registry, world, selection(50, NDC))
        clock.moment = datetime(2029, 4, 1, 9, tzinfo=UTC)
        link(registry, world, NDC, 100)
        clock.moment = datetime(2029, 10, 1, 9, tzinfo=UTC)
        international(registry, world, selection(20, NDC))
        clock.moment = AFTER
        workbooks, documents = {}, {}
        for party, actor in (("XXA", XXA_ADMIN), ("XXC", XXC_ADMIN)):
            for year in YEARS:
                stem = directory / f"{party.lower()}-{year}"
                workbooks[(party, year)] = stem.with_suffix(".xlsx")
                documents[(party, year)] = stem.with_suffix(".json")
                export_aef(registry, actor, party, year, Format.XLSX, stem.with_suffix(".xlsx"))
                export_aef(registry, actor, party, year, Format.JSON, stem.with_suffix(".json"))
    finally:
        engine.dispose()
    return HistoryFiles(directory, workbooks, documents)


def build_recent_history(directory: Path, template: Path) -> Path:
    """One ended year by the real clock (2025: XXA authorizes, first transfers 100 NDC units to
    XXC, cancels 30 CORSIA units), for the command line, which runs on the real clock."""
    path = directory / "recent.db"
    shutil.copy(template, path)
    engine = make_engine(f"sqlite:///{path}")
    clock = Clock(datetime(2025, 5, 1, 9, tzinfo=UTC))
    registry = Registry(engine, clock=clock)
    try:
        world = build_small_world(registry)
        clock.moment = datetime(2025, 6, 1, 9, tzinfo=UTC)
        international(registry, world, selection(100, NDC))
        clock.moment = datetime(2025, 7, 1, 9, tzinfo=UTC)
        cancel(registry, world, selection(30, CORSIA))
        clock.moment = datetime(2026, 1, 5, 9, tzinfo=UTC)
        output = directory / "xxa-2025.xlsx"
        export_aef(registry, XXA_ADMIN, "XXA", 2025, Format.XLSX, output)
    finally:
        engine.dispose()
    return output


def as_json_lines(files: list[Path], output: Path, holdings: list[dict] | None = None) -> Path:
    """The AEFs as `aef` lines (one row a line, by field key), then `holding` lines."""
    with output.open("w", encoding="utf-8") as f:
        for path in files:
            loaded = from_file(path)
            for number in TABLE:
                for row in loaded.rows(number):
                    values = {k: v for k, v in row.values.items() if v != ""}
                    line = {"record": "aef", "year": loaded.year, "table": number, "row": values}
                    f.write(json.dumps(line) + "\n")
        for holding in holdings or []:
            f.write(json.dumps({"record": "holding", **holding}) + "\n")
    return output


def fields_of(path: Path) -> dict[int, list[dict[str, str]]]:
    """Every table's rows as the checks read them (normalised text by field key)."""
    loaded = from_file(path)
    return {number: [dict(row.values) for row in loaded.rows(number)] for number in TABLE}


def target_world(
    registry: Registry, start: datetime = datetime(2027, 1, 10, 9, tzinfo=UTC)
) -> SmallWorld:
    """The registry the history is imported into: the same Parties, approach, entities and
    authorizations, no unit issued and no transaction yet, set up on `start`."""
    clock = Clock(start)
    built = build_small_world(Registry(registry.engine, clock=clock), issued=0, link=False)
    return built


REAL_SPELLINGS = ("N/A", "Not applicable", "-")
"""How real submissions write "not applicable" (RULES.md 11.2), used in turn."""


def hand_made_workbook(source: Path, output: Path) -> Path:
    """An AEF written cell by cell with openpyxl as a Party fills the official template: seven
    sheets, Table 1 down column C with the CARP's placeholders, headings with no-break spaces,
    spacer columns, real date cells, "not applicable" spelt three ways, trailing spaces, and
    the subtype real submissions use ("First international transfer")."""
    from openpyxl import Workbook

    from article6.reports.aef_spec import NA
    from article6.reports.aef_template import TEMPLATE, column_index, official_heading

    loaded = from_file(source)
    book = Workbook()
    index = book.active
    index.title = "Index"
    for number in TABLE:
        index.cell(row=3 + number, column=2, value=f"Table {number}")
    book.create_sheet("Summary information")
    spelling = iter(REAL_SPELLINGS * 1000)

    def cell_value(rule: Any, value: str) -> Any:
        if value == NA:
            return next(spelling)
        if value == "First transfer to another Party":
            return "First international transfer"
        if rule.kind.name in ("DATE", "ACTION_DATE") and value:
            found = day_of(value)
            return found if found is not None else value
        if rule.kind.name == "INTEGER" and value.isdigit():
            return int(value)
        return f"{value} " if value and rule.kind.name == "TEXT" else value or None

    for number, spec in TABLE.items():
        layout = TEMPLATE[number]
        sheet = book.create_sheet(layout.sheet)
        sheet[layout.title_cell] = layout.title
        rows = [row.values for row in loaded.rows(number)]
        if layout.vertical:
            label = column_index(layout.label_column or "B") + 1
            value_column = column_index(layout.value_column or "C") + 1
            values = rows[0] if rows else {}
            for offset, rule in enumerate(spec.fields):
                at = layout.header_row + offset
                sheet.cell(row=at, column=label, value=official_heading(rule.heading))
                given = values.get(rule.key, "")
                placed = cell_value(rule, given) if given else layout.placeholder(rule.key)
                written = sheet.cell(row=at, column=value_column, value=placed)
                if isinstance(placed, datetime):
                    written.number_format = "dd/mm/yyyy"
            continue
        for rule, letter in zip(spec.fields, layout.columns, strict=True):
            column = column_index(letter) + 1
            sheet.cell(row=layout.header_row, column=column, value=official_heading(rule.heading))
            for offset, values in enumerate(rows):
                placed = cell_value(rule, values.get(rule.key, ""))
                written = sheet.cell(row=layout.data_row + offset, column=column, value=placed)
                if isinstance(placed, datetime):
                    written.number_format = "dd/mm/yyyy"
    book.save(output)
    return output


def day_of(text: str) -> datetime | None:
    """A dd/mm/yyyy (or ISO) date as the datetime a date cell holds."""
    from article6.reports.aef_consistency.model import day

    found = day(text)
    return None if found is None else datetime(found.year, found.month, found.day)
