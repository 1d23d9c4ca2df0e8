"""Interoperability: the hub (`article6 hub`), its operators' signed requests (`article6
hub-operator`) and the demonstration network (`article6 network`)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from article6.cli.database import open_registry
from article6.store.database import database_url, printable_url

HUB_DATABASE_URL = "sqlite:///article6-hub.db"


def hub_database_url(explicit: str | None) -> str:
    """The hub's own database: never, by default, the registry's (`article6.db`)."""
    import os

    return explicit or os.environ.get("ARTICLE6_HUB_DATABASE_URL") or HUB_DATABASE_URL


@click.command()
@click.option(
    "--database",
    "database",
    default=None,
    metavar="URL",
    help=f"The hub's own database URL (default: $ARTICLE6_HUB_DATABASE_URL or {HUB_DATABASE_URL}).",
)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8100, show_default=True, type=int)
@click.option(
    "--operator",
    "operators",
    multiple=True,
    metavar="NAME=PUBLIC_KEY",
    help="A hub operator whose signed requests the administrative endpoints answer "
    "(repeatable; added to $ARTICLE6_HUB_OPERATORS).",
)
def hub(database: str | None, host: str, port: int, operators: tuple[str, ...]) -> None:
    """Serve the Interoperability Hub (its own database; applies migrations first)."""
    import os

    import uvicorn

    from article6.interop.operators import parse_operators

    url = hub_database_url(database)
    if url == database_url(None):
        raise click.ClickException(
            f"the hub keeps its own database, and {printable_url(url)} is the registry's: "
            "name another with --database or $ARTICLE6_HUB_DATABASE_URL"
        )
    open_registry(url, create=True)
    os.environ["ARTICLE6_DATABASE_URL"] = url
    known = ",".join(filter(None, [os.environ.get("ARTICLE6_HUB_OPERATORS", ""), *operators]))
    try:
        names = sorted(parse_operators(known))
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--operator") from None
    os.environ["ARTICLE6_HUB_OPERATORS"] = known
    click.echo(f"article6 hub on http://{host}:{port} ({printable_url(url)})")
    if not names:
        click.echo("No hub operator is configured: the administrative endpoints refuse all.")
    else:
        click.echo(f"Hub operators: {', '.join(names)}")
    uvicorn.run(
        "article6.app:hub_app_from_environment",
        factory=True,
        host=host,
        port=port,
        log_level="warning",
    )


@click.group("hub-operator")
def hub_operator() -> None:
    """A hub operator's key and signed administrative requests to the hub."""


@hub_operator.command("key")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
def operator_key(path: Path) -> None:
    """Create an operator's private key at PATH (readable by its owner only) unless it exists,
    and print its public key, for the hub's `--operator NAME=PUBLIC_KEY`."""
    from article6.interop.envelope import load_or_create

    click.echo(load_or_create(path).public_text)


@hub_operator.command("call")
@click.option("--hub", "hub_url", required=True, help="The hub's base URL.")
@click.option("--key", "key_path", required=True, type=click.Path(exists=True, dir_okay=False))
@click.option("--name", required=True, help="The operator's name, as the hub knows it.")
@click.option(
    "--body",
    "body_path",
    default=None,
    type=click.Path(exists=True, dir_okay=False),
    help="A JSON file sent as the request's body (e.g. a notice for POST /interop/v1/notices).",
)
@click.argument("method", type=click.Choice(["GET", "POST"], case_sensitive=False))
@click.argument("target")
def operator_call(
    hub_url: str, key_path: str, name: str, body_path: str | None, method: str, target: str
) -> None:
    """Send one signed request, e.g. `POST /interop/v1/reconciliations` or
    `GET /interop/v1/transactions`, and print the answer."""
    from article6.domain.keys import KeyPair
    from article6.interop.operator_client import OperatorClient

    key = KeyPair.from_text(Path(key_path).read_text())
    body = Path(body_path).read_bytes() if body_path else b""
    response = OperatorClient(hub_url, name, key).request(method.upper(), target, body)
    try:
        click.echo(json.dumps(response.json(), indent=2))
    except ValueError:
        click.echo(response.text)
    if response.status_code >= 400:
        sys.exit(1)


@click.command()
@click.option("--keep", is_flag=True, help="Keep the temporary directory with the databases.")
@click.option(
    "--first-port",
    type=int,
    default=None,
    help="Serve the hub and the three registries on this port and the three after it "
    "(default: free ports).",
)
def network(keep: bool, first_port: int | None) -> None:
    """Start the hub, the IR, XXB's registry and the 6.4 registry on loopback, transfer units
    between them, reconcile, pull and view the 6.4 registry's A6.4ERs from the IR, and exit 0
    only if there is no discrepancy and the answer is verified."""
    from article6.demo.demonstration import run

    sys.exit(run(keep=keep, echo=click.echo, first_port=first_port))
