"""`article6 expire`: pending transactions past their approval deadline give their units back."""

from __future__ import annotations

import click

from article6.cli.database import DATABASE, open_registry


@click.command()
@DATABASE
def expire(database: str | None) -> None:
    """Cancel pending transactions past their approval deadline, releasing their units."""
    from article6.domain.access import Actor, Role
    from article6.services.approvals import expire_pending

    registry = open_registry(database)
    expired = expire_pending(registry, Actor("registry", Role.SECRETARIAT))
    click.echo(f"{len(expired)} pending transaction(s) expired")
