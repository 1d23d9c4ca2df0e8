"""The schema the migrations build is the one the code describes, on both databases; and the
demo runs end to end from the command line."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from click.testing import CliRunner

from article6.cli import main
from article6.services.context import Registry
from article6.store.schema import metadata


def _server_side_only(difference: Any) -> bool:
    """The PostgreSQL exclusion constraint (and its btree_gist extension) and the GiST index on
    moved serial ranges exist only in the migrations, because SQLAlchemy Core cannot declare
    them portably."""
    return any(
        name in repr(difference)
        for name in ("ex_unit_blocks_no_overlap", "ix_transaction_blocks_range")
    )


def test_migrated_schema_matches_the_metadata(registry: Registry):
    with registry.engine.connect() as connection:
        context = MigrationContext.configure(
            connection, opts={"compare_type": True, "compare_server_default": False}
        )
        differences = compare_metadata(context, metadata)
    assert [d for d in differences if not _server_side_only(d)] == []


def test_demo_command_runs_all_four_scenarios(tmp_path: Path):
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    result = CliRunner().invoke(main, ["demo", "--database", url])
    assert result.exit_code == 0, result.output
    assert "All four scenarios did what they say" in result.output
    verified = CliRunner().invoke(main, ["journal", "verify", "--database", url])
    assert verified.exit_code == 0, verified.output


def test_who_acts_migration_names_each_users_creator_from_the_journal(database_url: str):
    """20261202_0013 on a registry that already has users: their creator comes from the
    journal's UserCreated entries; the migration also goes down and up again."""
    from datetime import UTC, datetime

    from alembic import command
    from sqlalchemy import text

    from article6.store.database import make_engine
    from article6.store.migrate import alembic_config

    engine = make_engine(database_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "20261126_0012")
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        for name in ("made.by.admin", "made.by.installer"):
            connection.execute(
                text(
                    "INSERT INTO users (name, display_name, password_hash, failed_sign_ins,"
                    " disabled, created_at) VALUES (:name, :name, 'x', 0, false, :now)"
                ),
                {"name": name, "now": now},
            )
        for seq, (actor, subject) in enumerate(
            (
                ("xxa.admin (administrator, XXA)", "made.by.admin"),
                ("installer (secretariat, registry)", "made.by.installer"),
            ),
            start=1,
        ):
            connection.execute(
                text(
                    "INSERT INTO journal (seq, recorded_at, actor, event, subject, body,"
                    " previous_hash, hash) VALUES (:seq, :now, :actor, 'UserCreated', :subject,"
                    " '{}', :previous, :hash)"
                ),
                {
                    "seq": seq,
                    "now": now,
                    "actor": actor,
                    "subject": subject,
                    "previous": f"{seq - 1:064d}",
                    "hash": f"{seq:064d}",
                },
            )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
    with engine.connect() as connection:
        found = dict(connection.execute(text("SELECT name, created_by FROM users")).all())
    engine.dispose()
    assert found == {"made.by.admin": "xxa.admin", "made.by.installer": "installer"}
