"""`article6 mechanism pull | pulls`: the secretariat asks the 6.4 registry from the command
line (journaled, sent through the outbox), lists the pulls with their state, and a mistake is
named by its option or its check, with nothing asked."""

from __future__ import annotations

from click.testing import CliRunner, Result
from small_world import SmallWorld
from sqlalchemy import select

from article6.cli import main
from article6.domain.protocol import Role as NodeRole
from article6.interop import directory
from article6.services.context import Registry
from article6.store.database import unit_of_work
from article6.store.interop_schema import outbox


def run(database_url: str, *arguments: str) -> Result:
    return CliRunner().invoke(main, [*arguments, "--database", database_url])


def sent(registry: Registry) -> list[str]:
    with unit_of_work(registry.engine, read_only=True) as connection:
        return [row[0] for row in connection.execute(select(outbox.c.message_type))]


def test_a_pull_is_asked_and_listed_with_its_state(
    registry: Registry, world: SmallWorld, database_url: str
):
    directory.establish(registry.engine, "IR", NodeRole.INTERNATIONAL, registry.now())
    asked = run(
        database_url,
        *("mechanism", "pull", "--party", "XXA", "--by", "serial"),
        *("--first", "1", "--last", "100", "--user", "secretariat.admin"),
    )
    assert asked.exit_code == 0, asked.output
    assert "XXA by serials 1-100, asked by secretariat.admin" in asked.output
    assert asked.output.rstrip().endswith("requested")
    assert sent(registry) == ["MechanismHoldingsQuery"]
    query_id = asked.output.split()[1].rstrip(":")

    listed = run(database_url, "mechanism", "pulls")
    assert listed.exit_code == 0 and f"pull {query_id}: XXA by serials 1-100" in listed.output
    one = run(database_url, "mechanism", "pulls", "--query", query_id)
    assert one.exit_code == 0 and query_id in one.output
    unknown = run(database_url, "mechanism", "pulls", "--query", "no-such-pull")
    assert unknown.exit_code == 1 and "refused: C5005 query_id" in unknown.output


def test_mistakes_are_named_and_nothing_is_asked(
    registry: Registry, world: SmallWorld, database_url: str
):
    off_hub = run(
        database_url, "mechanism", "pull", "--by", "authorization", "--authorization", "XXA-NDC-1"
    )
    assert off_hub.exit_code == 1 and "refused: C4005 registry" in off_hub.output
    directory.establish(registry.engine, "IR", NodeRole.INTERNATIONAL, registry.now())
    party = run(
        database_url, "mechanism", "pull", "--party", "xx", "--by", "account", "--account", "A"
    )
    assert party.exit_code == 1 and "refused: --party" in party.output
    backwards = run(
        database_url, "mechanism", "pull", "--by", "serial", "--first", "9", "--last", "1"
    )
    assert backwards.exit_code == 1 and "refused: C1005" in backwards.output, backwards.output
    missing = run(database_url, "mechanism", "pull", "--by", "sideways")
    assert missing.exit_code == 2 and "--by" in missing.output
    assert sent(registry) == []
