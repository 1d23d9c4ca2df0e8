"""`article6 aef consistency`: the CARP's consistency checks over every Party section's AEF of
a year and any AEF files of Parties kept elsewhere; exit status 1 when anything is
inconsistent."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

import click

from article6.cli.database import DATABASE, open_registry
from article6.cli.reports import _reader, aef
from article6.domain.checks import CommandRefused

if TYPE_CHECKING:
    from article6.reports.aef_consistency import ConsistencyResult, LoadedAEF


@aef.command("consistency")
@click.option("--year", required=True, type=int, help="Reported year to check.")
@click.option(
    "--aef",
    "files",
    multiple=True,
    type=click.Path(exists=True, path_type=Path),
    help="An AEF workbook, JSON document or CSV directory of another registry's Party, or of an"
    " earlier year (repeatable).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option(
    "--fill",
    "fill",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Write JSON copies of the checked AEFs with their CARP fields filled.",
)
@click.option(
    "--marks",
    "marks",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Write the unit ranges the inconsistencies name as a JSON file for"
    " `article6 units mark --file` (the secretariat marks them there).",
)
@DATABASE
def aef_consistency(
    year: int,
    files: tuple[Path, ...],
    fmt: str,
    fill: Path | None,
    marks: Path | None,
    database: str | None,
) -> None:
    """Run every consistency check of RULES.md 11.3 (II01-II07, STC01-STC04, ISC01-ISC04,
    IRC01, IPC01, IP01-IP04, DR01-DR04) and file each AEF of the year."""
    from article6.services.aef_consistency import run_consistency, view

    registry = open_registry(database)
    started = time.monotonic()

    def progress(step: str) -> None:
        click.echo(f"[{time.monotonic() - started:6.1f}s] {step}", err=True)

    try:
        result, loaded = run_consistency(registry, _reader(), year, files, progress)
    except CommandRefused as refused:
        click.echo(f"refused: {refused}", err=True)
        sys.exit(2)
    shown = view(result)
    if fmt == "json":
        click.echo(shown.model_dump_json(indent=2))
    else:
        for code in shown.codes:
            state = "passed" if code.passed else f"FAILED ({len(code.inconsistencies)})"
            click.echo(f"{code.code:6} {state:12} {code.group}: {code.rule}")
        for finding in result.inconsistencies:
            click.echo(str(finding))
        for filed in shown.submissions:
            named = f" ({', '.join(filed.codes)})" if filed.codes else ""
            click.echo(
                f"{filed.party} {filed.year} v{filed.version} [{filed.source}]:"
                f" {filed.filing}{named}"
            )
        verdict = "consistent" if shown.consistent else f"{shown.inconsistencies} inconsistencies"
        click.echo(f"AEF {year}: {verdict}")
    if fill is not None:
        _fill(fill, result, loaded)
    if marks is not None:
        import json

        from article6.services.aef_consistency import marks_to_set

        ranges = marks_to_set(result)
        marks.write_text(json.dumps({"marks": ranges}, indent=2), encoding="utf-8")
        click.echo(f"-> {marks} ({len(ranges)} ranges to mark)", err=True)
    if not shown.consistent:
        sys.exit(1)


def _fill(directory: Path, result: ConsistencyResult, loaded: list[LoadedAEF]) -> None:
    """JSON copies of the year's checked AEFs, their CARP fields filled from the result."""
    from article6.reports.aef_consistency import filled_document
    from article6.reports.aef_writers import Format, write

    directory.mkdir(parents=True, exist_ok=True)
    checked = {
        (f.party, f.year, f.version, f.source)
        for f in result.filed
        if f.filing.value in ("consistent", "inconsistent")
    }
    for one in loaded:
        if (one.party, one.year, one.version, one.source) not in checked:
            continue
        target = directory / f"AEF-{one.party}-{one.year}-v{one.version}-checked.json"
        write(filled_document(one, result), Format.JSON, target)
        click.echo(f"-> {target}", err=True)
