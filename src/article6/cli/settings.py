"""`article6 settings`: every `ARTICLE6_*` variable with its default and meaning."""

from __future__ import annotations

import click

from article6.settings import settings_markdown


@click.command("settings")
def settings() -> None:
    """Print the table of settings (the source of the table in docs/operations.md)."""
    click.echo(settings_markdown(), nl=False)
