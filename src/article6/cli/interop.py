"""Interoperability: the hub (`article6 hub`) and the demonstration network (`article6
network`)."""

from __future__ import annotations

import sys

import click

from article6.cli.database import DATABASE
from article6.store.database import database_url, printable_url


@click.command()
@DATABASE
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8100, show_default=True, type=int)
def hub(database: str | None, host: str, port: int) -> None:
    """Serve the Interoperability Hub (its own database; applies migrations first)."""
    import os

    import uvicorn

    from article6.services.context import Registry

    url = database_url(database)
    Registry.open(url)
    os.environ["ARTICLE6_DATABASE_URL"] = url
    click.echo(f"article6 hub on http://{host}:{port} ({printable_url(url)})")
    uvicorn.run(
        "article6.interop.app:hub_app_from_environment",
        factory=True,
        host=host,
        port=port,
        log_level="warning",
    )


@click.command()
@click.option("--keep", is_flag=True, help="Keep the temporary directory with the databases.")
def network(keep: bool) -> None:
    """Start the hub, the IR, XXB's registry and the 6.4 registry on loopback, transfer units
    between them, reconcile, and exit 0 only if there is no discrepancy."""
    from article6.interop.demonstration import run

    sys.exit(run(keep=keep, echo=click.echo))
