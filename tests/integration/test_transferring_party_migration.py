"""20261202_0017 on a registry that already acquired units from another registry: each completed
acquisition gets the transferring Party its proposal named, and completed transactions are
guarded against change again afterwards (on SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest
from alembic import command
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from article6.store.database import make_engine
from article6.store.migrate import alembic_config


def test_an_earlier_acquisition_gets_the_transferring_party_of_its_proposal(database_url: str):
    engine = make_engine(database_url)
    config = alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "20261202_0016")
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
        for identifier, kind in (("XXA01-00000001", "acquisition"), ("XXA01-00000002", "use")):
            connection.execute(
                text(
                    "INSERT INTO transactions (identifier, party_code, kind, status, quantity,"
                    " first_transfer, initiator, created_at, finished_at) VALUES (:identifier,"
                    " 'XXA', :kind, 'completed', 100, false, 'hub', :now, :now)"
                ),
                {"identifier": identifier, "kind": kind, "now": now},
            )
        connection.execute(
            text(
                "INSERT INTO external_transfers (transaction_id, direction, counterpart_registry,"
                " local_account, counterpart_account, quantity, status, expires_at, proposal,"
                " local_transaction, created_at, updated_at) VALUES ('XXB01-00000003', 'in',"
                " 'XXB01', 'XXA01-000003', 'XXB01-000002', 100, 'completed', :now, :proposal,"
                " 'XXA01-00000001', :now, :now)"
            ),
            {"now": now, "proposal": json.dumps({"transferring_party": "XXB"})},
        )
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "heads")
    with engine.connect() as connection:
        found = {
            identifier: party
            for identifier, party in connection.execute(
                text("SELECT identifier, transferring_party FROM transactions")
            )
        }
    with pytest.raises(DBAPIError, match="final"), engine.begin() as connection:
        connection.execute(
            text("UPDATE transactions SET transferring_party = 'XXC' WHERE kind = 'acquisition'")
        )
    engine.dispose()

    assert found == {"XXA01-00000001": "XXB", "XXA01-00000002": None}
