"""`article6 demo`: the seed's world and its scenarios, run end to end and verified."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from article6.cli.database import DATABASE, open_registry, sqlite_file
from article6.domain.checks import CommandRefused
from article6.store.database import database_url, printable_url

if TYPE_CHECKING:
    from article6.services.views import Receipt

WHO = {
    "xxa.admin": "XXA (its administrator xxa.admin)",
    "xxc.admin": "XXC (its administrator xxc.admin)",
    "green.group.a": "the authorized entity Green Group A, XXA-E0001 (its representative "
    "green.group.a)",
    "green.c.entity": "the authorized entity Green C Entity, XXC-E0001 (its representative "
    "green.c.entity)",
}
"""Who acts in the scenarios, so the output says which Party or entity took each step."""


@click.command()
@DATABASE
@click.option("--fresh", is_flag=True, help="Delete an existing SQLite database file first.")
@click.option(
    "--if-new",
    is_flag=True,
    help="Build only if the database holds no registry yet; otherwise keep it as it is.",
)
def demo(database: str | None, fresh: bool, if_new: bool) -> None:
    """Build the seed's world and run scenarios 1a, 2a, 1b and 2b end to end."""
    from article6.demo import world as seed
    from article6.services.directory import parties_list
    from article6.services.reads.ledger import verify_registry

    url = database_url(database)
    path = sqlite_file(url)
    if fresh and path is not None:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
    registry = open_registry(url, create=True)
    if if_new and parties_list(registry, seed.SECRETARIAT):
        click.echo(
            f"The registry in {printable_url(url)} is kept as it is, with its data and users "
            "(their passwords were printed when it was built). To start afresh: make demo"
        )
        return
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
            _print_step(receipt)
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


def _print_step(receipt: Receipt) -> None:
    """One step: the command, its record, what it did and who did it."""
    t = receipt.transaction
    if t is None:
        click.echo(f"  {receipt.command:<24} {receipt.record:<16} {receipt.status}")
        return
    flag = ", first transfer" if t.first_transfer else ""
    kind = t.kind.replace("_", " ")
    status = t.status.replace("_", " ")
    acting = (t.approver if receipt.command == "ApproveTransaction" else t.initiator) or ""
    name = acting.split(" (")[0]  # the view reads "green.group.a (entity, XXA/XXA-E0001)"
    click.echo(
        f"  {receipt.command:<24} {receipt.record:<16} {kind} of {t.quantity:,} units, "
        f"{status}{flag}, by {WHO.get(name, acting)}"
    )


def _print_holdings(holdings: list[tuple[str, str, int]]) -> None:
    click.echo("  Holdings:")
    for identifier, name, quantity in holdings:
        if quantity:
            click.echo(f"    {identifier:<14} {name:<46} {quantity:>12,}")
