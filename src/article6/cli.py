"""`article6 …`: the command line of the registry."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from article6.domain.checks import CommandRefused, catalogue_markdown
from article6.store.database import database_url

DATABASE = click.option(
    "--database",
    "database",
    default=None,
    metavar="URL",
    help="Database URL (default: $ARTICLE6_DATABASE_URL or sqlite:///article6.db).",
)


@click.group()
def main() -> None:
    """The Article 6.2 International Registry and Additional Registry Services."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@DATABASE
def db_upgrade(database: str | None) -> None:
    """Apply the migrations."""
    from article6.services.context import Registry

    Registry.open(database)
    click.echo(f"schema is current on {_safe(database_url(database))}")


@main.group()
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


@main.command()
def checks() -> None:
    """Print the catalogue of numbered checks (the source of docs/checks.md)."""
    click.echo(catalogue_markdown(), nl=False)


@main.command()
@DATABASE
@click.option("--fresh", is_flag=True, help="Delete an existing SQLite database file first.")
def demo(database: str | None, fresh: bool) -> None:
    """Build the seed's world and run scenarios 1a, 2a, 1b and 2b end to end."""
    from article6 import demo as seed
    from article6.services.context import Registry
    from article6.services.queries import verify_registry

    url = database_url(database)
    if fresh and url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    registry = Registry.open(url)
    click.echo(f"Building the seed's world in {_safe(url)} …")
    try:
        world = seed.build_world(registry)
    except CommandRefused as refused:
        click.echo(f"could not build the world: {refused}", err=True)
        sys.exit(1)
    failures = 0
    total = len(seed.SCENARIOS)
    for index, (code, title, run, expected) in enumerate(seed.SCENARIOS, start=1):
        click.echo(f"\n[{index}/{total}] Scenario {code}: {title}")
        try:
            receipts = run(registry, world)
        except CommandRefused as refused:
            click.echo(f"  FAILED: {refused}", err=True)
            failures += 1
            continue
        for receipt in receipts:
            t = receipt.transaction
            flag = "  first transfer" if t and t.first_transfer else ""
            detail = f"{t.kind} of {t.quantity:,} units, {t.status}{flag}" if t else receipt.status
            click.echo(f"  {receipt.command:<24} {receipt.record:<16} {detail}")
        problems = seed.mismatches(registry, world, expected)
        _print_holdings(seed.holdings(registry, world))
        for problem in problems:
            click.echo(f"  MISMATCH {problem}", err=True)
        failures += len(problems)
    invariants = verify_registry(registry)
    for problem in invariants:
        click.echo(f"FAIL {problem}", err=True)
    failures += len(invariants)
    if failures:
        click.echo(f"\n{failures} problem(s)", err=True)
        sys.exit(1)
    click.echo("\nAll four scenarios did what they say; the journal and the ledger verify.")


def _print_holdings(holdings: dict[str, int]) -> None:
    click.echo("  Holdings:")
    for name, quantity in holdings.items():
        if quantity:
            click.echo(f"    {name:<40} {quantity:>12,}")


@main.command()
@DATABASE
def expire(database: str | None) -> None:
    """Cancel pending transactions past their approval deadline, releasing their units."""
    from article6.domain.access import Actor, Role
    from article6.services.context import Registry
    from article6.services.units import expire_pending

    registry = Registry.open(database)
    expired = expire_pending(registry, Actor("registry", Role.SECRETARIAT))
    click.echo(f"{len(expired)} pending transaction(s) expired")


@main.command()
@DATABASE
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
def serve(database: str | None, host: str, port: int, workers: int) -> None:
    """Serve the web interface and the API (applies migrations first)."""
    import os

    import uvicorn

    from article6.services.context import Registry

    url = database_url(database)
    Registry.open(url)
    os.environ["ARTICLE6_DATABASE_URL"] = url
    click.echo(f"article6 on http://{host}:{port} ({_safe(url)})")
    uvicorn.run(
        "article6.api.app:create_app",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
    )


def _safe(url: str) -> str:
    """A URL fit to print: without any password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the configured database"
