"""`article6 mechanism pull | pulls`: pull and view of the Article 6.4 mechanism registry from
the command line (which runs with database access, so as the secretariat; `--user` names who
is journaled). The answer arrives through the hub; `pulls` shows its verification state."""

from __future__ import annotations

import sys
from typing import Any

import click

from article6.cli.database import DATABASE, open_registry
from article6.domain.checks import CommandRefused

CLI_SECRETARIAT_NAME = "article6-cli"
SELECTORS = ("authorization", "account", "serial")


@click.group()
def mechanism() -> None:
    """Pull and view of the Article 6.4 mechanism registry's authorized A6.4ERs (C5005)."""


def _secretariat(user: str) -> Any:
    from article6.domain.access import Actor, Role

    return Actor(user, Role.SECRETARIAT)


def _refused(refused: CommandRefused) -> None:
    for refusal in refused.refusals:
        click.echo(f"refused: {refusal.check.code} {refusal.field}: {refusal.detail}", err=True)
    sys.exit(1)


def _show(pull: Any) -> str:
    query = pull.query
    selector = {
        "authorization": f"authorization {query.authorization_id}",
        "account": f"account {query.account}",
        "serial": f"serials {query.first}-{query.last}",
    }[query.by.value]
    state = pull.status
    if pull.overdue:
        state += " (overdue)"
    if pull.answer is not None:
        held = sum(h.last - h.first + 1 for h in pull.answer.holdings)
        cached = ", cached" if pull.cached else ""
        state += f": {held:,} units in {len(pull.answer.holdings)} holding(s){cached}"
    elif pull.checks:
        state += f": {pull.checks}"
    return (
        f"pull {pull.query_id}: {pull.party or 'registry-wide'} by {selector}, asked by "
        f"{pull.requested_by} at {pull.requested_at.isoformat()}, {state}"
    )


@mechanism.command("pull")
@DATABASE
@click.option("--party", help="Whose authorizations (none: the whole registry).")
@click.option("--by", "by", type=click.Choice(SELECTORS), required=True, help="What to ask for.")
@click.option(
    "--authorization", "authorization_id", help="The authorization ID (--by authorization)."
)
@click.option("--account", help="The account at the 6.4 registry (--by account).")
@click.option("--first", type=int, help="First serial of the range (--by serial).")
@click.option("--last", type=int, help="Last serial of the range (--by serial).")
@click.option("--user", default=CLI_SECRETARIAT_NAME, show_default=True, help="Name journaled.")
def mechanism_pull(
    database: str | None,
    party: str | None,
    by: str,
    authorization_id: str | None,
    account: str | None,
    first: int | None,
    last: int | None,
    user: str,
) -> None:
    """Ask the 6.4 registry, through the hub, for authorized A6.4ERs (journaled); the answer is
    checked on arrival and shown by `article6 mechanism pulls`."""
    from pydantic import ValidationError

    from article6.services import mechanism_pulls

    try:
        command = mechanism_pulls.PullA64ERs.model_validate(
            {
                "party": party,
                "by": by,
                "authorization_id": authorization_id,
                "account": account,
                "first": first,
                "last": last,
            }
        )
    except ValidationError as invalid:
        names = {"authorization_id": "--authorization"}
        for error in invalid.errors():
            field = ".".join(map(str, error["loc"]))
            click.echo(f"refused: --{names.get(field, field)}: {error['msg']}", err=True)
        sys.exit(1)
    registry = open_registry(database)
    try:
        asked = mechanism_pulls.request_pull(registry, _secretariat(user), command)
    except CommandRefused as refused:
        _refused(refused)
    click.echo(_show(asked))


@mechanism.command("pulls")
@DATABASE
@click.option("--query", "query_id", help="Show this pull only.")
@click.option("--limit", type=click.IntRange(1, 100), default=100, show_default=True)
def mechanism_pulls_list(database: str | None, query_id: str | None, limit: int) -> None:
    """List the pulls, newest first, with each one's state: requested (waiting), verified
    (with what the answer holds) or refused (with the checks)."""
    from article6.services import mechanism_pulls

    registry = open_registry(database)
    reader = _secretariat(CLI_SECRETARIAT_NAME)
    try:
        found = (
            [mechanism_pulls.view_pull(registry, reader, query_id)]
            if query_id
            else mechanism_pulls.list_pulls(registry, reader, limit)
        )
    except CommandRefused as refused:
        _refused(refused)
    for pull in found:
        click.echo(_show(pull))
    click.echo(f"{len(found)} pull(s)", err=True)
