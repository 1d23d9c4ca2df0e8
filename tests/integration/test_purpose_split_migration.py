"""20261202_0019 on a registry that recorded transactions of every kind whose `purpose` held
something: each meaning moves to its own column by the transaction's kind, a cancellation keeps
its purpose, completed transactions are guarded against change again afterwards, and going back
down puts every value where it was (on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from article6.store.database import make_engine
from article6.store.migrate import alembic_config

RECORDED = {
    # identifier: (kind, status, what `purpose` held)
    "XXA01-00000001": ("cancellation", "completed", "CORSIA"),
    "XXA01-00000002": ("first_transfer_record", "completed", "Version 2 moved it"),
    "XXA01-00000003": ("first_transfer_record", "awaiting_approval", "recorded by hand"),
    "XXA01-00000004": ("share_of_proceeds", "completed", "Mandatory transfer to the AF"),
    "XXA01-00000005": ("mandatory_omge_cancellation", "completed", "Mandatory OMGE"),
    "XXA01-00000006": ("external_transfer", "completed", "to XXB01-000002 in XXB01"),
    "XXA01-00000007": ("acquisition", "completed", "XXB01-00000003 from XXB01-000002 in XXB01"),
    "XXA01-00000008": ("use", "completed", None),
}
COLUMNS = "purpose, first_transfer_reason, mechanism_subtype, counterpart"


def _columns(engine, columns: str) -> dict[str, tuple[str | None, ...]]:
    with engine.connect() as connection:
        return {
            identifier: tuple(rest)
            for identifier, *rest in connection.execute(
                text(f"SELECT identifier, {columns} FROM transactions")
            )
        }


def _migrate(engine, direction, revision: str) -> None:
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        direction(config, revision)


def test_each_meaning_of_purpose_moves_to_its_own_column_and_back(database_url: str):
    engine = make_engine(database_url)
    _migrate(engine, command.downgrade, "20261202_0018")
    now = datetime.now(UTC).replace(tzinfo=None)
    with engine.begin() as connection:
        connection.execute(
            text(
                "INSERT INTO parties (code, name, ndc_first_year, ndc_last_year,"
                " participation_status, created_at) VALUES ('XXA', 'Party XXA', 2021, 2030,"
                " 'participating', :now)"
            ),
            {"now": now},
        )
        for identifier, (kind, status, purpose) in RECORDED.items():
            connection.execute(
                text(
                    "INSERT INTO transactions (identifier, party_code, kind, status, quantity,"
                    " purpose, first_transfer, initiator, created_at) VALUES (:identifier,"
                    " 'XXA', :kind, :status, 100, :purpose, false, 'someone', :now)"
                ),
                {
                    "identifier": identifier,
                    "kind": kind,
                    "status": status,
                    "purpose": purpose,
                    "now": now,
                },
            )

    _migrate(engine, command.upgrade, "heads")
    split = _columns(engine, COLUMNS)
    with pytest.raises(DBAPIError, match="final"), engine.begin() as connection:
        connection.execute(
            text("UPDATE transactions SET counterpart = 'elsewhere' WHERE kind = 'acquisition'")
        )
    _migrate(engine, command.downgrade, "20261202_0018")
    back = _columns(engine, "purpose")
    _migrate(engine, command.upgrade, "heads")
    engine.dispose()

    assert split == {
        "XXA01-00000001": ("CORSIA", None, None, None),
        "XXA01-00000002": (None, "Version 2 moved it", None, None),
        "XXA01-00000003": (None, "recorded by hand", None, None),
        "XXA01-00000004": (None, None, "Mandatory transfer to the AF", None),
        "XXA01-00000005": (None, None, "Mandatory OMGE", None),
        "XXA01-00000006": (None, None, None, "XXB01-000002 in XXB01"),
        "XXA01-00000007": (None, None, None, "XXB01-00000003 from XXB01-000002 in XXB01"),
        "XXA01-00000008": (None, None, None, None),
    }
    assert back == {identifier: (purpose,) for identifier, (_, _, purpose) in RECORDED.items()}
