"""Reads that may lag are served by a read replica; what must read its own writes is not.

A primary and a standby streaming from it; the registry writes to the primary and reads its
public report, statements, AEF drafts and unit search from the standby
(`ARTICLE6_READ_DATABASE_URL`, `Registry.read_engine`). With the standby told to apply each
commit an hour late (`recovery_min_apply_delay`), a transfer made over the API is seen at once
by the client that made it, while the statement and the unit's history read from the replica do
not have it yet and, like the public report and the AEF draft, say how far behind it is.
"""

from __future__ import annotations

import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from article6.app import create_app
from article6.demo import world as demo
from article6.domain import totp
from article6.services import account_statements
from article6.services import commands as c
from article6.services.context import Registry
from article6.settings import Settings
from postgres_clusters import Cluster, replicated_pair

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from api_load import PASSWORD, USER
from crash_bench import prepare_registry

pytestmark = pytest.mark.postgres

DATABASE = "article6_replica"


def await_received(primary: Cluster, standby: Cluster, replayed: bool, timeout: float = 60) -> None:
    """Wait until the standby has received (or also replayed) all the primary has written."""
    position = primary.query("SELECT pg_current_wal_lsn()")
    function = "pg_last_wal_replay_lsn" if replayed else "pg_last_wal_receive_lsn"
    deadline = time.monotonic() + timeout
    while not standby.query(f"SELECT {function}() >= '{position}'::pg_lsn"):
        assert time.monotonic() < deadline, f"the standby is not at {position}: {standby.tail()}"
        time.sleep(0.05)


@pytest.mark.usefixtures("cluster_binaries")
def test_a_statement_lags_on_the_replica_while_the_writer_sees_its_transfer(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ARTICLE6_PASSWORD_COST", "test")
    with replicated_pair(synchronous=False) as (primary, standby):
        primary.create_database(DATABASE)
        registry = Registry.open(primary.url(DATABASE), read_url=standby.url(DATABASE))
        try:
            preparation = prepare_registry(registry)
            await_received(primary, standby, replayed=True)
            standby.query("ALTER SYSTEM SET recovery_min_apply_delay = '1h'")
            standby.query("SELECT pg_reload_conf()")
            source, destination = preparation.plain
            today = datetime.now(UTC).date().isoformat()

            with TestClient(create_app(registry, Settings())) as client:
                code = totp.code_at(preparation.admin_secret, datetime.now(UTC))
                signed_in = client.post(
                    "/api/v1/tokens", json={"name": USER, "password": PASSWORD, "code": code}
                )
                assert signed_in.status_code == 201, signed_in.text
                headers = {"Authorization": f"Bearer {signed_in.json()['token']}"}
                transfer = c.TransferUnits(
                    source_account=source,
                    destination_account=destination,
                    units=c.UnitSelection(quantity=7),
                )
                made = client.post(
                    "/api/v1/parties/XXA/transfers",
                    json=transfer.model_dump(mode="json", exclude_none=True),
                    headers=headers,
                )
                assert made.is_success, made.text
                identifier = made.json()["record"]
                await_received(primary, standby, replayed=False)

                seen = client.get(f"/api/v1/parties/XXA/transactions/{identifier}", headers=headers)
                statement = client.get(
                    f"/api/v1/parties/XXA/accounts/{destination}/statement",
                    params={"start": today, "end": today},
                    headers=headers,
                )
                public = client.get("/api/v1/public/parties/XXA")
                moved = made.json()["transaction"]["ranges"][0]
                unit = client.get(
                    f"/api/v1/parties/XXA/units/{moved['registry']}-{moved['first']}",
                    headers=headers,
                )
                draft = client.get(f"/api/v1/parties/XXA/aef/{today[:4]}", headers=headers)

            assert seen.status_code == 200, seen.text
            assert seen.json()["quantity"] == 7
            assert statement.status_code == 200, statement.text
            lines = [line["transaction"] for line in statement.json()["lines"]]
            assert identifier not in lines
            assert statement.json()["replica_lag_seconds"] > 0
            assert public.json()["replica_lag_seconds"] > 0
            assert unit.status_code == 200, unit.text
            assert identifier not in [t["identifier"] for t in unit.json()["transactions"]]
            assert unit.json()["replica_lag_seconds"] > 0
            assert draft.status_code == 200, draft.text
            assert float(draft.headers["Replica-Lag-Seconds"]) > 0

            on_the_primary = account_statements.account_statement(
                Registry(registry.engine),
                demo.XXA_ADMIN,
                destination,
                datetime.now(UTC).date(),
                datetime.now(UTC).date(),
            )
            assert identifier in [line.transaction for line in on_the_primary.lines]
            assert on_the_primary.replica_lag_seconds is None
        finally:
            registry.engine.dispose()
            if registry.reader is not None:
                registry.reader.dispose()
