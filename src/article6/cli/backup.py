"""`article6 backup --to DIR`: a consistent copy of the registry's database with a manifest;
`article6 backup verify DIR`: the copy proven by restoring it into a scratch database and
verifying the journal and every ledger invariant there."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from article6.cli.database import DATABASE


@click.group(invoke_without_command=True)
@DATABASE
@click.option(
    "--to",
    "destination",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="A new (or empty) directory to write the backup into.",
)
@click.pass_context
def backup(context: click.Context, database: str | None, destination: Path | None) -> None:
    """Copy the registry's database, consistently, with a manifest of what it holds."""
    if context.invoked_subcommand is not None:
        return
    if destination is None:
        raise click.UsageError("say where the backup goes: --to DIRECTORY")
    from article6.services.backups import take
    from article6.store.backup import BackupFailed
    from article6.store.database import database_url

    try:
        manifest = take(database_url(database), destination)
    except BackupFailed as failed:
        raise click.ClickException(str(failed)) from failed
    click.echo(
        f"backup of {manifest.source} written to {destination}: {manifest.kind}, schema "
        f"{manifest.revision}, journal head entry {manifest.journal_seq} "
        f"({manifest.journal_hash[:16]}…), {len(manifest.files)} file(s)"
    )


@backup.command("verify")
@click.argument("directory", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--scratch",
    default=None,
    metavar="URL",
    help="A PostgreSQL server to restore into (a scratch database is created there and "
    "dropped after); default: $ARTICLE6_DATABASE_URL.",
)
@click.option(
    "--checkpoints",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="A checkpoint file (or directory) the restored chain must pass through.",
)
@click.option("--public-key", "public_keys", multiple=True, help="The registry's public key.")
def backup_verify(
    directory: Path, scratch: str | None, checkpoints: Path | None, public_keys: tuple[str, ...]
) -> None:
    """Restore the backup into a scratch database and verify it there; exit 1 on any problem."""
    from article6.services.backups import verify

    server = scratch or os.environ.get("ARTICLE6_DATABASE_URL")
    outcome = verify(directory, server, checkpoints, list(public_keys) or None)
    for problem in outcome.problems:
        click.echo(f"FAIL {problem}", err=True)
    manifest = outcome.manifest
    if outcome.problems or manifest is None:
        sys.exit(1)
    click.echo(
        f"backup restored and verified: every file matches the manifest; journal chain intact "
        f"through entry {manifest.journal_seq} recorded at backup time; units conserved; "
        "history replayed"
    )
