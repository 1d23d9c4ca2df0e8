"""Replay: `article6 journal verify` rebuilds blocks and holdings from the history and compares
them with the live tables, so a database administrator who edits the live tables consistently
with each other (which the other invariants compare) is still caught, with the account and the
serial range named."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from sqlalchemy import text

from article6 import demo
from article6.cli import main
from article6.services.context import Registry
from article6.store import verify
from article6.store.journal import verify_chain


@pytest.fixture
def scenarios(registry: Registry) -> demo.DemoWorld:
    """The seed's world after its four scenarios."""
    world = demo.build_world(registry)
    for _, _, run, _ in demo.SCENARIOS:
        run(registry, world)
    return world


def journal_verify(database_url: str) -> Any:
    return CliRunner().invoke(main, ["journal", "verify", "--database", database_url])


def live_checks_pass(registry: Registry) -> bool:
    """What `journal verify` checked before replay: the live tables against each other."""
    with registry.engine.connect() as connection:
        return verify.ledger(connection) + verify_chain(connection) == []


def a_block_with_a_twin_account(registry: Registry) -> Any:
    """A block, and another account of the same kind to move it to unnoticed by the states."""
    with registry.engine.connect() as connection:
        return connection.execute(
            text(
                "SELECT b.id, b.registry_id, b.serial_first, b.serial_last, b.account_id, "
                "a.identifier AS source, t.id AS target, t.identifier AS target_identifier "
                "FROM unit_blocks b JOIN accounts a ON a.id = b.account_id "
                "JOIN accounts t ON t.kind = a.kind AND t.id <> a.id "
                "WHERE b.reserved_by IS NULL ORDER BY b.id, t.id LIMIT 1"
            )
        ).one()


def test_verify_is_clean_after_the_demo_scenarios(
    registry: Registry, scenarios: demo.DemoWorld, database_url: str
) -> None:
    result = journal_verify(database_url)
    assert result.exit_code == 0, result.output


def test_a_block_moved_in_sql_with_its_holdings_adjusted_is_named(
    registry: Registry, scenarios: demo.DemoWorld, database_url: str
) -> None:
    block = a_block_with_a_twin_account(registry)
    size = block.serial_last - block.serial_first + 1
    with registry.engine.begin() as connection:  # the database administrator's edit
        connection.execute(
            text("UPDATE unit_blocks SET account_id = :target WHERE id = :id"),
            {"target": block.target, "id": block.id},
        )
        connection.execute(
            text("UPDATE holdings SET quantity = quantity - :n WHERE account_id = :a"),
            {"n": size, "a": block.account_id},
        )
        connection.execute(
            text("UPDATE holdings SET quantity = quantity + :n WHERE account_id = :a"),
            {"n": size, "a": block.target},
        )
    assert live_checks_pass(registry)  # the live tables agree with each other

    result = journal_verify(database_url)

    assert result.exit_code == 1
    expected = (
        f"replay: {block.registry_id} serials {block.serial_first}-{block.serial_last}: the "
        f"history puts them in account {block.source}"
    )
    assert expected in result.output, result.output
    assert f"the live blocks in account {block.target_identifier}" in result.output
    assert "differing: account_id" in result.output
    assert f"replay: account {block.source} holds" in result.output


def test_a_changed_vintage_is_named(
    registry: Registry, scenarios: demo.DemoWorld, database_url: str
) -> None:
    block = a_block_with_a_twin_account(registry)
    with registry.engine.begin() as connection:
        connection.execute(
            text("UPDATE unit_blocks SET vintage = vintage + 1 WHERE id = :id"), {"id": block.id}
        )
    assert live_checks_pass(registry)

    result = journal_verify(database_url)

    assert result.exit_code == 1
    assert f"{block.registry_id} serials {block.serial_first}-" in result.output
    assert "differing: vintage" in result.output


def test_changed_serials_are_named(
    registry: Registry, scenarios: demo.DemoWorld, database_url: str
) -> None:
    """The same quantity, moved to serials nobody issued: conservation and overlaps hold."""
    block = a_block_with_a_twin_account(registry)
    with registry.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE unit_blocks SET serial_first = serial_first + 1000000000, "
                "serial_last = serial_last + 1000000000 WHERE id = :id"
            ),
            {"id": block.id},
        )
    assert live_checks_pass(registry)

    result = journal_verify(database_url)

    assert result.exit_code == 1
    assert (
        f"replay: {block.registry_id} serials {block.serial_first}-{block.serial_last} are in "
        f"account {block.source} by the history, but in no live block"
    ) in result.output
    assert (
        f"serials {block.serial_first + 1000000000}-{block.serial_last + 1000000000} are in "
        f"account {block.source} in the live blocks, but the history holds them nowhere"
    ) in result.output


def test_a_changed_quantity_is_named(
    registry: Registry, scenarios: demo.DemoWorld, database_url: str
) -> None:
    block = a_block_with_a_twin_account(registry)
    with registry.engine.begin() as connection:
        connection.execute(
            text("UPDATE unit_blocks SET serial_last = serial_last - 1 WHERE id = :id"),
            {"id": block.id},
        )
        connection.execute(
            text("UPDATE holdings SET quantity = quantity - 1 WHERE account_id = :a"),
            {"a": block.account_id},
        )

    result = journal_verify(database_url)

    assert result.exit_code == 1
    assert (
        f"replay: {block.registry_id} serials {block.serial_last}-{block.serial_last} are in "
        f"account {block.source} by the history, but in no live block"
    ) in result.output
