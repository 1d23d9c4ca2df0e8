"""The history import reads what Parties really upload and is driven from the command line:
a workbook filled by hand in the official template's real-submission style (RULES.md 11.2),
the registry's CSV exports, and `article6 history import` with its dry run and progress bar."""

from __future__ import annotations

from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import pytest
from click.testing import CliRunner
from history_world import (
    AFTER,
    YEARS,
    Clock,
    HistoryFiles,
    build_history,
    build_recent_history,
    fields_of,
    hand_made_workbook,
    target_world,
)
from small_world import block_rows, journal_count

from article6.cli import main
from article6.demo.world import SECRETARIAT, XXA_ADMIN
from article6.reports.aef_writers import Format
from article6.services.aef_versions import export_aef
from article6.services.context import Registry
from article6.services.history_import import import_history

REQUEST = "XXA letter 2030/14"

import_unasked = partial(import_history, without_hub_check=True)
"""These tests are not about the hub (tests/interop/test_history_hub_check.py is): each records
without asking it, as the secretariat may choose explicitly."""


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> HistoryFiles:
    return build_history(tmp_path_factory.mktemp("history"), sqlite_template)


@pytest.fixture
def target(registry: Registry) -> Registry:
    target_world(registry)
    return Registry(registry.engine, clock=Clock(AFTER))


def test_hand_made_workbooks_in_the_real_submission_style_come_back_field_by_field(
    target: Registry, history: HistoryFiles, tmp_path: Path
) -> None:
    made = [
        hand_made_workbook(history.json_documents[("XXA", y)], tmp_path / f"XXA_AEF_{y}.xlsx")
        for y in YEARS
    ]
    from openpyxl import load_workbook

    sheet = load_workbook(made[0])["Table 3 Actions"]
    assert {sheet["Y9"].value, sheet["Y10"].value} <= {"N/A", "Not applicable", "-"}
    view = import_unasked(target, SECRETARIAT, "XXA", made, REQUEST)
    assert view.held_units == 400
    for year, given in zip(YEARS, made, strict=True):
        again = tmp_path / f"again-{year}.xlsx"
        export_aef(target, XXA_ADMIN, "XXA", year, Format.XLSX, again, version="1.0")
        assert fields_of(again) == fields_of(given), year
    actions = fields_of(made[1])[3]
    assert "First international transfer" in {row["action_subtype"] for row in actions}


def test_csv_exports_import_as_workbooks_do(
    target: Registry, history: HistoryFiles, tmp_path: Path
) -> None:
    directories = []
    for year, workbook in zip(YEARS, history.xlsx(), strict=True):
        directory = tmp_path / f"xxa-{year}"
        directory.mkdir()
        # The CSV form of the same AEF: re-read from the workbook, written by the writer.
        from article6.reports.aef_consistency import from_file
        from article6.reports.aef_spec import TABLE

        loaded = from_file(workbook)
        for number, spec in TABLE.items():
            lines = [",".join(f'"{h}"' for h in spec.headings)]
            for row in loaded.rows(number):
                lines.append(",".join(f'"{row.values.get(k, "")}"' for k in spec.keys))
            (directory / f"{spec.file_stem}.csv").write_text("\n".join(lines) + "\n")
        directories.append(directory)
    view = import_unasked(target, SECRETARIAT, "XXA", directories, REQUEST)
    assert [y.source for y in view.years] == [f"xxa-{y}" for y in YEARS]
    assert view.held_units == 400


def test_the_command_line_dry_run_then_import(
    registry: Registry, database_url: str, tmp_path: Path, sqlite_template: Path
) -> None:
    """The command line runs on the real clock: a history of 2025, which has ended."""
    workbook = build_recent_history(tmp_path, sqlite_template)
    target_world(registry, start=datetime(2025, 5, 1, 9, tzinfo=UTC))
    runner = CliRunner()
    before = block_rows(registry), journal_count(registry)
    common = ["history", "import", "--party", "XXA", "--on-request-of", REQUEST]
    given = [str(workbook), "--database", database_url]
    dry = runner.invoke(main, [*common, "--dry-run", *given])
    assert dry.exit_code == 0, dry.output
    assert "XXA: would record (dry run, nothing changed)" in dry.stdout
    assert "2025 version 1.0 from xxa-2025.xlsx" in dry.stdout
    assert "holdings: 2 ranges, 370 units" in dry.stdout
    # No hub is configured here: the dry run warns, the import is refused unless told.
    assert (
        "hub check: WARNING: the hub could not be asked whether the units are held in another "
        "registry (no hub is configured for this registry)"
    ) in dry.stdout
    assert (block_rows(registry), journal_count(registry)) == before
    unasked = runner.invoke(main, [*common, *given])
    assert unasked.exit_code == 1
    assert "refused: C7012 hub: the hub could not be asked" in unasked.stderr
    assert (block_rows(registry), journal_count(registry)) == before
    done = runner.invoke(main, [*common, "--without-hub-check", *given])
    assert done.exit_code == 0, done.output
    assert "hub check: WARNING: the hub was not asked" in done.stdout
    assert "XXA: recorded, on request XXA letter 2030/14" in done.stdout
    assert "[##############################] 2/2 committing" in done.stderr
    again = runner.invoke(main, [*common, *given])
    assert again.exit_code == 1
    assert "refused: C7004 xxa-2025.xlsx: the AEF of 2025 is already submitted" in again.stderr
    assert "refused: C7004 party: XXA's history is already imported" in again.stderr
