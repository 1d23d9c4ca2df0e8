"""`article6 history import`: a Party's history from the AEFs it submitted before its section
here went live, and JSON lines for what the AEF lacks (docs/history-import.md). The command
line runs with database access, so as the secretariat (`--user` names who is journaled); the
Party's request is named with `--on-request-of`. Before recording, the hub this registry's
directory names is asked whether any unit is held in another registry (C7012)."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from article6.cli.database import DATABASE, open_registry
from article6.cli.unit_marks import CLI_SECRETARIAT_NAME, _refused, _secretariat
from article6.domain.checks import CommandRefused

if TYPE_CHECKING:
    from article6.services.history_import import HistoryView

BAR_WIDTH = 30


@click.group()
def history() -> None:
    """A Party's history from before its section here went live."""


def _bar(step: str, done: int, total: int) -> None:
    """The progress bar on stderr: one line, redrawn."""
    filled = BAR_WIDTH * done // total if total else BAR_WIDTH
    line = f"\r[{'#' * filled}{'.' * (BAR_WIDTH - filled)}] {done}/{total} {step:<24}"
    click.echo(line, err=True, nl=done >= total and step == "committing")


def _show(view: HistoryView) -> None:
    verb = "recorded" if view.recorded else "would record (dry run, nothing changed)"
    click.echo(f"{view.party}: {verb}, on request {view.on_request_of}")
    for year in view.years:
        rows = ", ".join(f"Table {n}: {count}" for n, count in year.rows.items())
        click.echo(f"  {year.year} version {year.version} from {year.source} ({rows})")
        for action, count in sorted(year.actions.items()):
            click.echo(f"      {action}: {count}")
        click.echo(f"      SHA-256 {year.sha256}")
    if view.authorizations:
        click.echo(f"  authorizations recorded: {', '.join(view.authorizations)}")
    if view.entities:
        click.echo(f"  authorized entities recorded: {'; '.join(view.entities)}")
    held = f"  holdings: {view.held_ranges} ranges, {view.held_units:,} units"
    click.echo(held + (f" (transaction {view.transaction})" if view.transaction else ""))
    if view.hub_check is not None:
        warning = "WARNING: " if view.hub_check.warning else ""
        click.echo(f"  hub check: {warning}{view.hub_check.said}")


@history.command("import")
@click.option("--party", required=True, help="The Party whose history it is.")
@click.option(
    "--on-request-of",
    "on_request_of",
    required=True,
    help="The reference of the Party's request (recorded with the import).",
)
@click.option("--dry-run", is_flag=True, help="Check everything and say what would be recorded.")
@click.option(
    "--without-hub-check",
    "without_hub_check",
    is_flag=True,
    help="Record without asking the hub whether the units are held in another registry "
    "(for a registry with no hub; the choice is journaled with the import).",
)
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--user", default=CLI_SECRETARIAT_NAME, show_default=True, help="Name journaled.")
@click.argument("files", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@DATABASE
def history_import(
    party: str,
    on_request_of: str,
    dry_run: bool,
    without_hub_check: bool,
    fmt: str,
    user: str,
    files: tuple[Path, ...],
    database: str | None,
) -> None:
    """Import AEF workbooks, CSV directories, JSON documents and JSON lines (.jsonl) of a
    Party's history: all checked first, then recorded whole or not at all."""
    from article6.interop.unit_locations import HubQuestion
    from article6.services.history_import import import_history

    registry = open_registry(database)
    try:
        view = import_history(
            registry,
            _secretariat(user),
            party,
            list(files),
            on_request_of,
            dry_run=dry_run,
            progress=_bar,
            ask_hub=HubQuestion(registry.engine, registry.now),
            without_hub_check=without_hub_check,
        )
    except CommandRefused as refused:
        click.echo("", err=True)
        _refused(refused)
        sys.exit(1)
    if fmt == "json":
        click.echo(view.model_dump_json(indent=2))
    else:
        _show(view)
