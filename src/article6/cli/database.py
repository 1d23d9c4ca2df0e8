"""The database a command runs on (the `--database` option every command takes), and the
`db` group that brings its schema up to date."""

from __future__ import annotations

import click

from article6.store.database import database_url, printable_url

DATABASE = click.option(
    "--database",
    "database",
    default=None,
    metavar="URL",
    help="Database URL (default: $ARTICLE6_DATABASE_URL or sqlite:///article6.db).",
)


@click.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@DATABASE
def db_upgrade(database: str | None) -> None:
    """Apply the migrations."""
    from article6.services.context import Registry

    Registry.open(database)
    click.echo(f"schema is current on {printable_url(database_url(database))}")
