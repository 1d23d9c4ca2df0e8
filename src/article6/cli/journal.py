"""`article6 journal verify`: the hash-chained journal and every ledger invariant, recomputed,
the history replayed against the live tables, and (with `--checkpoints`) the chain checked
against the signed checkpoints kept outside the database. `article6 journal checkpoint` signs
the journal's head (for cron)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from article6.cli.database import DATABASE, open_registry

CHECKPOINTS = click.Path(path_type=Path)


@click.group()
def journal() -> None:
    """The hash-chained journal."""


@journal.command("verify")
@DATABASE
@click.option(
    "--checkpoints",
    type=click.Path(exists=True, path_type=Path),
    default=None,
    help="A checkpoint file (or directory) to check the chain against.",
)
@click.option(
    "--public-key",
    "public_keys",
    multiple=True,
    help="The registry's public key (base64), from outside the database; by default the keys "
    "the database names.",
)
def journal_verify(
    database: str | None, checkpoints: Path | None, public_keys: tuple[str, ...]
) -> None:
    """Recompute the journal's hash chain and every ledger invariant, replay the history
    against the live blocks and holdings; exit 1 on any problem."""
    from article6.services.checkpoints import verify_checkpoints
    from article6.services.reads.ledger import verify_registry

    registry = open_registry(database, migrate=False)
    problems = verify_registry(registry)
    if checkpoints is not None:
        problems += verify_checkpoints(registry, checkpoints, list(public_keys) or None)
    for problem in problems:
        click.echo(f"FAIL {problem}", err=True)
    if problems:
        sys.exit(1)
    click.echo(
        "journal chain intact; units conserved; no overlaps; holdings match blocks; "
        "no unit first transferred twice; reservations consistent; history replayed and "
        "witnessed by the journal; users, creators and roles as the journal records them"
        + ("; chain passes through every checkpoint" if checkpoints is not None else "")
    )


@journal.command("checkpoint")
@DATABASE
@click.option(
    "--to",
    "destination",
    type=CHECKPOINTS,
    default=None,
    help="The checkpoint file or directory (default: $ARTICLE6_CHECKPOINT_PATH).",
)
def journal_checkpoint(database: str | None, destination: Path | None) -> None:
    """Sign the journal's head, append it to the checkpoint file and send it to the hub."""
    from article6.services.checkpoints import take_checkpoint
    from article6.settings import Settings

    if destination is None:
        configured = Settings.from_env().checkpoint_path
        destination = Path(configured) if configured else None
    registry = open_registry(database, migrate=False)
    checkpoint = take_checkpoint(registry, destination)
    if checkpoint is None:
        click.echo("the journal is empty: nothing to checkpoint")
        return
    click.echo(
        f"checkpoint {checkpoint.seq} {checkpoint.hash} at {checkpoint.at} "
        f"(key {checkpoint.fingerprint})" + (f" appended to {destination}" if destination else "")
    )
