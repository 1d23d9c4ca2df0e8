"""`article6 checks`: the catalogue of numbered checks every refusal names."""

from __future__ import annotations

import click

from article6.domain.checks import catalogue_markdown
from article6.web import refusal_reach


@click.command()
def checks() -> None:
    """Print the catalogue of numbered checks (the source of docs/checks.md), with the checks
    no page can trip and why."""
    click.echo(catalogue_markdown() + refusal_reach.markdown(), nl=False)
