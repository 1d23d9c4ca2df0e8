"""`article6 journal verify`: the hash-chained journal and every ledger invariant, recomputed."""

from __future__ import annotations

import sys

import click

from article6.cli.database import DATABASE


@click.group()
def journal() -> None:
    """The hash-chained journal."""


@journal.command("verify")
@DATABASE
def journal_verify(database: str | None) -> None:
    """Recompute the journal's hash chain and every ledger invariant; exit 1 on any problem."""
    from article6.services.context import Registry
    from article6.services.queries import verify_registry

    registry = Registry.open(database, migrate=False)
    problems = verify_registry(registry)
    for problem in problems:
        click.echo(f"FAIL {problem}", err=True)
    if problems:
        sys.exit(1)
    click.echo(
        "journal chain intact; units conserved; no overlaps; holdings match blocks; "
        "no unit first transferred twice; reservations consistent"
    )
