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
