"""`article6 aef adjustments`: the corresponding adjustment inputs of a Party and year."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import click

from article6.cli.database import DATABASE, open_registry
from article6.cli.reports import CLI_READER_NAME
from article6.domain.checks import CommandRefused
from article6.reports.adjustment_writers import Rendering


@click.command("adjustments")
@click.option("--party", required=True, help="Reporting Party (alpha-3).")
@click.option("--year", required=True, type=int, help="Reported year.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice([r.value for r in Rendering]),
    default=Rendering.TEXT.value,
    show_default=True,
)
@click.option("--output", type=click.Path(path_type=Path), default=None, help="File to write.")
@click.option("--version", "version", default=None, help="A submitted version (default: draft).")
@DATABASE
def adjustments(
    party: str,
    year: int,
    fmt: str,
    output: Path | None,
    version: str | None,
    database: str | None,
) -> None:
    """First transferred, acquired, used and cancelled quantities per cooperative approach,
    metric and vintage, summed from Table 3 of the Party's AEF, with the rows and arithmetic
    behind each: inputs for its corresponding adjustments, not a submission."""
    from article6.domain.access import Actor, Role
    from article6.reports.adjustment_writers import as_json, as_text, write_csv
    from article6.services.corresponding_adjustments import adjustment_inputs

    # Like the other AEF commands: a registry-wide auditor, since it runs with database access.
    reader = Actor(CLI_READER_NAME, Role.AUDITOR)
    registry = open_registry(database)
    try:
        inputs = adjustment_inputs(registry, reader, party, year, version)
    except CommandRefused as refused:
        click.echo(f"refused: {refused}", err=True)
        sys.exit(1)
    rendering = Rendering(fmt)
    if rendering is Rendering.CSV:
        buffer = io.StringIO(newline="")
        write_csv(inputs, buffer)
        content = buffer.getvalue()
    elif rendering is Rendering.JSON:
        content = json.dumps(as_json(inputs), ensure_ascii=False, indent=2) + "\n"
    else:
        content = as_text(inputs) + "\n"
    if output is None:
        click.echo(content, nl=False)
        return
    output.write_text(content, encoding="utf-8", newline="")
    click.echo(f"-> {output}", err=True)
