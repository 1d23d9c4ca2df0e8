"""`article6 checks`: the catalogue of numbered checks every refusal names."""

from __future__ import annotations

import click

from article6.domain.checks import catalogue_markdown


@click.command()
def checks() -> None:
    """Print the catalogue of numbered checks (the source of docs/checks.md)."""
    click.echo(catalogue_markdown(), nl=False)
