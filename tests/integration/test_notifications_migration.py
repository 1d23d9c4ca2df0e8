"""20261202_0025 on a registry with history: the projector starts at the journal's head, so an
upgraded registry notifies nobody of what happened before; it goes down and up again (on
SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text

from article6.store.database import make_engine
from article6.store.migrate import alembic_config

REVISION = "20261202_0025"


def _migrate(engine, direction, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        direction(config, revision)


def test_the_projector_starts_at_the_head_and_the_migration_goes_down_and_up(database_url: str):
    engine = make_engine(database_url)
    before = ScriptDirectory.from_config(alembic_config()).get_revision(REVISION).down_revision
    assert isinstance(before, str)
    _migrate(engine, command.downgrade, before)
    assert "notifications" not in inspect(engine).get_table_names()
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        for seq in (1, 2, 3):
            connection.execute(
                text(
                    "INSERT INTO journal (seq, recorded_at, actor, event, party_code, subject,"
                    " body, previous_hash, hash) VALUES (:seq, :now, 'hub', 'UnitsAcquired',"
                    " 'XXA', 'T', '{}', :previous, :digest)"
                ),
                {"seq": seq, "now": now, "previous": "0" * 64, "digest": str(seq) * 64},
            )
    _migrate(engine, command.upgrade, "heads")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT seq FROM notification_position")).scalar() == 3
        assert connection.execute(
            text("SELECT COUNT(*) FROM users WHERE email IS NULL")
        ).scalar() == (connection.execute(text("SELECT COUNT(*) FROM users")).scalar())
    _migrate(engine, command.downgrade, before)
    assert "email" not in {c["name"] for c in inspect(engine).get_columns("users")}
    _migrate(engine, command.upgrade, "heads")
    assert {"notifications", "notification_preferences", "notification_position"} <= set(
        inspect(engine).get_table_names()
    )
    engine.dispose()
