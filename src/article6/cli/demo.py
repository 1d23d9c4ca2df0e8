"""`article6 demo`: the seed's world and its scenarios, run end to end and verified."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from article6.cli.database import DATABASE
from article6.domain.checks import CommandRefused
from article6.store.database import database_url, printable_url


@click.command()
@DATABASE
@click.option("--fresh", is_flag=True, help="Delete an existing SQLite database file first.")
def demo(database: str | None, fresh: bool) -> None:
    """Build the seed's world and run scenarios 1a, 2a, 1b and 2b end to end."""
    from article6.demo import world as seed
    from article6.services.context import Registry
    from article6.services.reads.ledger import verify_registry

    url = database_url(database)
    if fresh and url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    registry = Registry.open(url)
    click.echo(f"Building the seed's world in {printable_url(url)} …")
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
        _print_holdings(seed.account_holdings(registry))
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
    from article6.demo.users import create_demo_users, sign_in_instructions

    click.echo("")
    click.echo(sign_in_instructions(create_demo_users(registry)), nl=False)


def _print_holdings(holdings: list[tuple[str, str, int]]) -> None:
    click.echo("  Holdings:")
    for identifier, name, quantity in holdings:
        if quantity:
            click.echo(f"    {identifier:<14} {name:<46} {quantity:>12,}")
