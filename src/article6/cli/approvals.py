"""`article6 expire`: pending transactions past their approval deadline give their units back."""

from __future__ import annotations

import click

from article6.cli.database import DATABASE, open_registry


@click.command()
@DATABASE
def expire(database: str | None) -> None:
    """Cancel pending transactions past their approval deadline, releasing their units, and
    return transfers the acquiring Party did not accept in time."""
    from article6.domain.access import Actor, Role
    from article6.services.acceptances import return_overdue
    from article6.services.approvals import expire_pending

    registry = open_registry(database)
    sweeper = Actor("registry", Role.SECRETARIAT)
    expired = expire_pending(registry, sweeper)
    returned = return_overdue(registry, sweeper)
    click.echo(f"{len(expired)} pending transaction(s) expired")
    click.echo(f"{len(returned)} transfer(s) not accepted in time returned")
