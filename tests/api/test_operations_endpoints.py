"""The operator's doors: liveness, readiness naming what fails, and metrics that move as the
registry works (a scenario run over HTTP, then the scrape)."""

from __future__ import annotations

import re
import time

from fastapi.testclient import TestClient
from http_world import HttpWorld, holdings, ok
from sqlalchemy import insert

from article6.app import create_app
from article6.demo import world as demo
from article6.services.context import Registry
from article6.services.monitoring import SEALING_BOUND
from article6.settings import Settings
from article6.store.database import unit_of_work
from article6.store.schema import journal_pending

CORSIA = demo.CORSIA_AUTHORIZATION
TOKEN = "scraper-secret"


def sample(text: str, name: str, **labels: str) -> float:
    """The value of one series in a Prometheus text exposition (0 when absent)."""
    for line in text.splitlines():
        if line.startswith("#"):
            continue
        match = re.fullmatch(r"([a-zA-Z_:][\w:]*)(?:\{(.*)\})? (\S+)", line)
        if match is None or match.group(1) != name:
            continue
        found = dict(re.findall(r'(\w+)="([^"]*)"', match.group(2) or ""))
        if all(found.get(key) == value for key, value in labels.items()):
            return float(match.group(3))
    return 0.0


def scrape(client: TestClient) -> str:
    response = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return response.text


def transfer(world: HttpWorld, quantity: int) -> object:
    return world.api["xxa.admin"].post(
        "/api/v1/parties/XXA/transfers",
        {
            "source_account": world["XXA Party amo_holding"],
            "destination_account": world["XXA Green Group A amo_holding"],
            "units": {"quantity": quantity, "authorization_id": CORSIA},
        },
    )


def test_liveness_needs_nothing_and_readiness_checks_the_database(client: TestClient):
    assert client.get("/health/live").json() == {"status": "live"}
    ready = client.get("/health/ready")
    assert ready.status_code == 200
    assert ready.json() == {
        "status": "ready",
        "database": True,
        "schema_current": True,
        "journal_sealed": True,
        "problems": [],
    }


def test_a_journal_entry_left_unsealed_makes_the_registry_not_ready(
    client: TestClient, registry: Registry
):
    with unit_of_work(registry.engine) as connection:
        connection.execute(
            insert(journal_pending).values(
                recorded_at=registry.now() - SEALING_BOUND * 2,
                actor="test",
                event="Stuck",
                party_code=None,
                subject="stuck",
                body="{}",
            )
        )
    ready = client.get("/health/ready")
    assert ready.status_code == 503
    assert ready.json()["journal_sealed"] is False
    assert ready.json()["problems"] == [
        "1 journal entries wait to be sealed, the oldest for more than 60 s"
    ]


def test_metrics_need_the_operators_token(registry: Registry):
    with TestClient(
        create_app(registry, Settings(environment="test", metrics_token=TOKEN))
    ) as client:
        assert client.get("/metrics").status_code == 401
        assert client.get("/metrics", headers={"Authorization": "Bearer wrong"}).status_code == 401
    with TestClient(create_app(registry, Settings(environment="test"))) as closed:
        assert closed.get("/metrics").status_code == 401  # no token set: closed outside development


def test_metrics_move_as_the_scenario_says(client: TestClient, world: HttpWorld):
    """In development (the fixture's settings) /metrics needs no token."""
    link = {"account": world["XXA Party mo_holding"], "authorization_id": CORSIA}
    ok(
        world.api["xxa.admin"].post(
            "/api/v1/parties/XXA/authorization-links", {**link, "units": {"quantity": 1_000}}
        )
    )
    before = scrape(client)
    units_before = sum(holdings(world.api).values())

    for quantity in (10, 20, 30):
        ok(transfer(world, quantity))
    refused = transfer(world, 10**12)
    assert refused.status_code == 422
    check = refused.json()["checks"][0]["check"]
    after = scrape(client)

    route = "/api/v1/parties/{party}/transfers"
    assert (
        sample(after, "article6_http_requests_total", route=route, status="201")
        - sample(before, "article6_http_requests_total", route=route, status="201")
        == 3
    )
    assert sample(after, "article6_http_requests_total", route=route, status="422") == 1 + sample(
        before, "article6_http_requests_total", route=route, status="422"
    )
    assert sample(after, "article6_refusals_total", check=check) == 1 + sample(
        before, "article6_refusals_total", check=check
    )
    assert (
        sample(after, "article6_http_request_duration_seconds_count", route=route, method="POST")
        - sample(before, "article6_http_request_duration_seconds_count", route=route, method="POST")
        == 4
    )
    assert (
        sample(after, "article6_transactions", kind="internal_transfer", status="completed")
        - sample(before, "article6_transactions", kind="internal_transfer", status="completed")
        == 3
    )
    # The journal is sealed off the request path, within SEALING_BOUND: the pending
    # count reaches 0 soon after, not necessarily by the time the last response arrives.
    deadline = time.monotonic() + SEALING_BOUND.total_seconds()
    while sample(after, "article6_journal_pending_entries") and time.monotonic() < deadline:
        time.sleep(0.05)
        after = scrape(client)
    assert sample(after, "article6_journal_pending_entries") == 0
    assert sample(after, "article6_reconciliation_hold") == 0
    assert sum(holdings(world.api).values()) == units_before  # moved, not made


def test_the_dashboard_and_alerts_name_only_metrics_the_registry_exports(client: TestClient):
    """An alert on a metric that was renamed never fires: every `article6_…` series the example
    dashboard and alert rules use is in a scrape."""
    from pathlib import Path

    monitoring = Path(__file__).parents[2] / "docs" / "monitoring"
    used = set()
    for name in ("grafana-dashboard.json", "alerts.yml"):
        used |= set(re.findall(r"article6_[a-z_]+", (monitoring / name).read_text()))
    client.get("/api/v1/nothing-here")  # a refusal (C1012), so that the counted series exist
    exported = set(re.findall(r"^(?:# TYPE )?(article6_[a-z_]+)", scrape(client), re.MULTILINE))
    assert used and used <= exported, used - exported


def test_a_newer_schema_keeps_an_old_server_ready_and_an_older_one_does_not(
    client: TestClient, registry: Registry
):
    """During a rolling upgrade the database runs ahead of the servers not yet replaced."""
    from sqlalchemy import text

    with unit_of_work(registry.engine) as connection:
        (current,) = connection.execute(text("SELECT version_num FROM alembic_version")).one()
        connection.execute(text("UPDATE alembic_version SET version_num = '20991231_0001'"))
    assert client.get("/health/ready").status_code == 200
    with unit_of_work(registry.engine) as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = '20261202_0018'"))
    behind = client.get("/health/ready")
    assert behind.status_code == 503
    assert behind.json()["schema_current"] is False
    with unit_of_work(registry.engine) as connection:
        connection.execute(text("UPDATE alembic_version SET version_num = :v"), {"v": current})
