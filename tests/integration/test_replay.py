"""Replay: `article6 journal verify` rebuilds blocks and holdings from the history and compares
them with the live tables, so a database administrator who edits the live tables consistently
with each other (which the other invariants compare) is still caught, with the account and the
serial range named."""

from __future__ import annotations

from typing import Any

import pytest
from click.testing import CliRunner
from small_world import CORSIA, GREEN_GROUP_A, XXA_ADMIN, SmallWorld, selection
from sqlalchemy import text

from article6.cli import main
from article6.demo import world as demo
from article6.domain.accounts import CancellationPurpose
from article6.services import commands as c
from article6.services import units
from article6.services.context import Registry
from article6.store import journal, verify
from article6.store.journal import verify_chain
from article6.store.replay_compare import replay


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
    """What `journal verify` checked before replay: the live tables against each other, once
    the sealer has chained what was committed (it runs off the request path, up to its lag)."""
    journal.seal(registry.engine)
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


def drop_transaction_guards(connection: Any) -> None:
    """What a database administrator can do first: lift the append-only triggers."""
    if connection.dialect.name == "postgresql":
        connection.execute(text("ALTER TABLE transactions DISABLE TRIGGER USER"))
        return
    names = connection.execute(
        text("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = 'transactions'")
    ).scalars()
    for name in list(names):
        connection.execute(text(f'DROP TRIGGER "{name}"'))


def test_history_rewritten_with_the_live_tables_is_named_by_the_journal(
    registry: Registry, scenarios: demo.DemoWorld, database_url: str
) -> None:
    """The transaction's destination and the block move together: replay agrees with the live
    tables, but the transaction's journal entry still names the first account."""
    with registry.engine.connect() as connection:
        moved = connection.execute(
            text(
                "SELECT t.id, t.identifier, b.id AS block, b.serial_last - b.serial_first + 1 "
                "AS size, a.id AS destination, a.identifier AS named, twin.id AS twin, "
                "twin.identifier AS twin_identifier FROM transactions t "
                "JOIN transaction_blocks tb ON tb.transaction_id = t.id "
                "JOIN unit_blocks b ON b.registry_id = tb.registry_id "
                "AND b.serial_first = tb.serial_first AND b.serial_last = tb.serial_last "
                "AND b.account_id = t.destination_account_id "
                "JOIN accounts a ON a.id = t.destination_account_id "
                "JOIN accounts twin ON twin.kind = a.kind AND twin.id <> a.id "
                "WHERE t.kind <> 'issuance' AND b.reserved_by IS NULL "
                "ORDER BY t.id DESC, twin.id LIMIT 1"
            )
        ).one()
    with registry.engine.begin() as connection:
        drop_transaction_guards(connection)
        connection.execute(
            text("UPDATE transactions SET destination_account_id = :twin WHERE id = :id"),
            {"twin": moved.twin, "id": moved.id},
        )
        connection.execute(
            text("UPDATE unit_blocks SET account_id = :twin WHERE id = :block"),
            {"twin": moved.twin, "block": moved.block},
        )
        for account, change in ((moved.destination, -moved.size), (moved.twin, moved.size)):
            connection.execute(
                text("UPDATE holdings SET quantity = quantity + :n WHERE account_id = :a"),
                {"n": change, "a": account},
            )
    assert live_checks_pass(registry)
    with registry.engine.connect() as connection:
        assert replay(connection) == []  # the live tables follow the rewritten history

    result = journal_verify(database_url)

    assert result.exit_code == 1
    assert f"history: the moved ranges of {moved.identifier} are not what journal entry" in (
        result.output
    )
    assert (
        f"the journal names account {moved.named}, the history {moved.twin_identifier}"
        in result.output
    )


def test_a_reservation_moved_to_other_units_is_named(
    registry: Registry, world: SmallWorld, database_url: str
) -> None:
    """A pending cancellation reserves 10 of 20 units; the administrator swaps the reservation
    onto the other 10 (the reserved totals stay right): the journal entry of the reservation
    says which units it reserved."""
    units.transfer_units(
        registry,
        XXA_ADMIN,
        c.TransferUnits(
            source_account=world["XXA Party amo_holding"],
            destination_account=world["XXA Green Group A amo_holding"],
            units=selection(20, CORSIA),
        ),
    )
    pending = units.cancel_units(
        registry,
        GREEN_GROUP_A,
        c.CancelUnits(
            source_account=world["XXA Green Group A amo_holding"],
            purpose=CancellationPurpose.IMP,
            purpose_text="CORSIA",
            units=selection(10),
        ),
    )
    assert pending.status == "awaiting_approval"
    assert journal_verify(database_url).exit_code == 0
    with registry.engine.begin() as connection:
        reserved, free = connection.execute(
            text(
                "SELECT b.id, b.reserved_by, b.serial_first, b.serial_last FROM unit_blocks b "
                "JOIN accounts a ON a.id = b.account_id WHERE a.identifier = :account "
                "ORDER BY b.reserved_by IS NULL, b.id"
            ),
            {"account": world["XXA Green Group A amo_holding"]},
        ).all()
        assert reserved.reserved_by is not None and free.reserved_by is None
        assert reserved.serial_last - reserved.serial_first == free.serial_last - free.serial_first
        connection.execute(
            text("UPDATE unit_blocks SET reserved_by = NULL WHERE id = :id"), {"id": reserved.id}
        )
        connection.execute(
            text("UPDATE unit_blocks SET reserved_by = :tx WHERE id = :id"),
            {"tx": reserved.reserved_by, "id": free.id},
        )
    assert live_checks_pass(registry)

    result = journal_verify(database_url)

    assert result.exit_code == 1
    assert f"serials {free.serial_first}-{free.serial_last}" in result.output
    assert f"serials {reserved.serial_first}-{reserved.serial_last}" in result.output
    assert "differing: reserved_by" in result.output
