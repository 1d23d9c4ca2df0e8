"""`article6 units mark | lift | marks`: the secretariat's marks on unit ranges named in an
inconsistency, from the command line (which runs with database access, so as the secretariat;
`--user` names who is journaled)."""

from __future__ import annotations

import csv
import io
import json
import sys
from pathlib import Path
from typing import Any

import click

from article6.cli.database import DATABASE, open_registry
from article6.domain.checks import CommandRefused

CLI_SECRETARIAT_NAME = "article6-cli"
FILE_COLUMNS = ("registry_id", "serial_first", "serial_last", "inconsistency_code", "reason")
MOST_FILE_BYTES = 4 * 1024 * 1024


@click.group()
def units() -> None:
    """Marks on unit ranges: marked units do not move until the mark is lifted (C2010)."""


def _secretariat(user: str) -> Any:
    from article6.domain.access import Actor, Role

    return Actor(user, Role.SECRETARIAT)


def _refused(refused: CommandRefused) -> None:
    for refusal in refused.refusals:
        click.echo(f"refused: {refusal.check.code} {refusal.field}: {refusal.detail}", err=True)
    sys.exit(1)


def _show(mark: Any) -> str:
    state = "in force" if mark.active else f"lifted by {mark.lifted_by}: {mark.lift_reason}"
    return (
        f"mark {mark.id}: {mark.registry_id} {mark.serial_first}-{mark.serial_last} "
        f"({mark.quantity} units) after {mark.inconsistency_code} [{mark.source}], "
        f"{state} - {mark.reason}"
    )


def _rows(path: Path) -> list[dict[str, Any]]:
    """The ranges of a CSV file (a header row naming FILE_COLUMNS, and optionally `source`) or
    of a JSON file (a list of objects with those keys, or {"marks": [...]})."""
    if path.stat().st_size > MOST_FILE_BYTES:
        raise click.ClickException(f"{path} is larger than {MOST_FILE_BYTES} bytes")
    text = path.read_text(encoding="utf-8-sig")
    if path.suffix.lower() == ".json":
        loaded = json.loads(text)
        rows = loaded.get("marks") if isinstance(loaded, dict) else loaded
        if not isinstance(rows, list) or not all(isinstance(r, dict) for r in rows):
            raise click.ClickException(f"{path}: a JSON list of ranges is expected")
        return [dict(r) for r in rows]
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in FILE_COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise click.ClickException(f"{path}: the header lacks {', '.join(missing)}")
    return [
        {key: value for key, value in row.items() if key is not None and value not in (None, "")}
        for row in reader
    ]


def _commands(path: Path) -> list[Any]:
    from pydantic import ValidationError

    from article6.services.unit_marks import MarkUnits

    commands, problems = [], []
    for line, row in enumerate(_rows(path), start=1):
        try:
            commands.append(MarkUnits.model_validate({"source": "file", **row}))
        except ValidationError as invalid:
            for error in invalid.errors():
                where = ".".join(str(p) for p in error["loc"])
                problems.append(f"range {line}: {where}: {error['msg']}")
    if problems:
        raise click.ClickException("nothing marked:\n" + "\n".join(problems[:20]))
    if not commands:
        raise click.ClickException(f"{path} names no range")
    return commands


@units.command("mark")
@DATABASE
@click.option("--registry", "registry_id", help="Originating registry, e.g. XXA01 or A64.")
@click.option("--first", type=int, help="First serial of the range.")
@click.option("--last", type=int, help="Last serial of the range.")
@click.option("--code", help="The consistency check, e.g. IPC01 or DR03.")
@click.option("--reason", help="Why the units are marked.")
@click.option(
    "--source", type=click.Choice(["check", "hub", "file"]), default="check", show_default=True
)
@click.option(
    "--file",
    "path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A CSV or JSON file of ranges (registry_id, serial_first, serial_last, "
    "inconsistency_code, reason): all are marked or none.",
)
@click.option("--user", default=CLI_SECRETARIAT_NAME, show_default=True, help="Name journaled.")
def units_mark(
    database: str | None,
    registry_id: str | None,
    first: int | None,
    last: int | None,
    code: str | None,
    reason: str | None,
    source: str,
    path: Path | None,
    user: str,
) -> None:
    """Mark units named in an inconsistency: they are not transferred, used or cancelled until
    the mark is lifted."""
    from pydantic import ValidationError

    from article6.domain.unit_marks import MarkSource
    from article6.services import unit_marks

    if path is not None:
        command: Any = unit_marks.MarkUnitRanges(marks=_commands(path))
    else:
        try:
            command = unit_marks.MarkUnits(
                registry_id=registry_id or "",
                serial_first=first or 0,
                serial_last=last or 0,
                inconsistency_code=code or "",
                reason=reason or "",
                source=MarkSource(source),
            )
        except ValidationError as invalid:
            fields = ", ".join(".".join(map(str, e["loc"])) for e in invalid.errors())
            raise click.ClickException(
                f"give --registry, --first, --last, --code and --reason, or --file ({fields})"
            ) from None
    registry = open_registry(database)
    try:
        if path is not None:
            recorded = unit_marks.mark_unit_ranges(registry, _secretariat(user), command).marks
        else:
            recorded = [unit_marks.mark_units(registry, _secretariat(user), command)]
    except CommandRefused as refused:
        _refused(refused)
    for mark in recorded:
        click.echo(_show(mark))


@units.command("lift")
@DATABASE
@click.argument("mark", type=int)
@click.option("--reason", required=True, help="Why the mark is lifted.")
@click.option("--user", default=CLI_SECRETARIAT_NAME, show_default=True, help="Name journaled.")
def units_lift(database: str | None, mark: int, reason: str, user: str) -> None:
    """Lift a mark: its units move again (unless another mark touches them)."""
    from pydantic import ValidationError

    from article6.services import unit_marks

    try:
        command = unit_marks.LiftMark(mark=mark, reason=reason)
    except ValidationError:
        raise click.ClickException("a mark is a number from 1, lifted with a reason") from None
    registry = open_registry(database)
    try:
        lifted = unit_marks.lift_mark(registry, _secretariat(user), command)
    except CommandRefused as refused:
        _refused(refused)
    click.echo(_show(lifted))


@units.command("marks")
@DATABASE
@click.option("--active/--all", default=False, help="Only the marks in force.")
@click.option("--after", type=int, default=0, help="List marks after this number.")
@click.option("--limit", type=click.IntRange(1, 500), default=100, show_default=True)
def units_marks(database: str | None, active: bool, after: int, limit: int) -> None:
    """List the marks by number, in force and lifted."""
    from article6.domain.access import Actor, Role
    from article6.services import unit_marks

    registry = open_registry(database)
    reader = Actor(CLI_SECRETARIAT_NAME, Role.AUDITOR)
    found = unit_marks.list_marks(registry, reader, after, limit, True if active else None)
    for mark in found:
        click.echo(_show(mark))
    click.echo(f"{len(found)} mark(s)", err=True)
