"""Two server processes against one PostgreSQL database behave as one registry: neither keeps
state of its own between requests. A token issued by one is honoured by the other and, once
revoked through the other, refused by the first at once; an idempotency key used on one replays
on the other; what one wrote the other reads; failed sign-ins on one throttle the other; and a
TOTP code spent on one cannot be spent again on the other.
"""

from __future__ import annotations

import sys
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from api_load import PASSWORD, USER, free_port, prepare, start_server, stop_server
from test_api_load import wait_until_healthy

from article6.demo import world as demo
from article6.domain import totp
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.store.database import make_engine

pytestmark = pytest.mark.postgres


@dataclass
class Pair:
    first: httpx.Client
    second: httpx.Client
    world: demo.DemoWorld
    secret: str


@pytest.fixture
def registry(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Registry]:
    monkeypatch.setenv("ARTICLE6_PASSWORD_COST", "test")
    registry = Registry(make_engine(postgres_url))
    yield registry
    registry.engine.dispose()


@pytest.fixture
def servers(registry: Registry, postgres_url: str) -> Iterator[Pair]:
    world, secret = prepare(registry)
    with tempfile.TemporaryDirectory() as scratch:
        started = []
        try:
            for name in ("first", "second"):
                port, log = free_port(), Path(scratch) / f"{name}.log"
                server = start_server(postgres_url, port, 1, log)
                started.append(server)
                wait_until_healthy(f"http://127.0.0.1:{port}", server, log)
                started.append(httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30))
            yield Pair(started[1], started[3], world, secret)
        finally:
            for item in started:
                if isinstance(item, httpx.Client):
                    item.close()
                else:
                    stop_server(item)


def sign_in(http: httpx.Client, secret: str, at: datetime | None = None) -> httpx.Response:
    code = totp.code_at(secret, at or datetime.now(UTC))
    return http.post("/api/v1/tokens", json={"name": USER, "password": PASSWORD, "code": code})


def bearer(token: str, key: str | None = None) -> dict[str, str]:
    headers = {"Authorization": f"Bearer {token}"}
    if key:
        headers["Idempotency-Key"] = key
    return headers


def test_a_token_from_one_server_works_on_the_other_and_its_revocation_reaches_both(
    servers: Pair,
) -> None:
    token = sign_in(servers.first, servers.secret).json()["token"]
    assert servers.second.get("/api/v1/me", headers=bearer(token)).status_code == 200
    assert servers.second.delete("/api/v1/tokens/current", headers=bearer(token)).status_code == 204
    assert servers.first.get("/api/v1/me", headers=bearer(token)).status_code == 401


def test_an_idempotency_key_used_on_one_server_replays_on_the_other(
    servers: Pair, registry: Registry
) -> None:
    token = sign_in(servers.first, servers.secret).json()["token"]
    source_name, destination_name = "XXA Party mo_holding", "XXA Green Group A mo_holding"
    source, destination = servers.world[source_name], servers.world[destination_name]
    body = {
        "source_account": source,
        "destination_account": destination,
        "units": {"quantity": 250},
    }
    key = uuid.uuid4().hex
    before = demo.holdings(registry, servers.world)
    first = servers.first.post(
        "/api/v1/parties/XXA/transfers", json=body, headers=bearer(token, key)
    )
    again = servers.second.post(
        "/api/v1/parties/XXA/transfers", json=body, headers=bearer(token, key)
    )
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json(), "the second server replays the first one's answer"
    identifier = first.json()["transaction"]["identifier"]
    seen = servers.second.get(
        f"/api/v1/parties/XXA/transactions/{identifier}", headers=bearer(token)
    )
    assert seen.status_code == 200 and seen.json()["status"] == "completed"
    after = demo.holdings(registry, servers.world)
    assert after[source_name] == before[source_name] - 250
    assert after[destination_name] == before[destination_name] + 250
    assert sum(after.values()) == demo.ISSUED, "moved once, nothing created or lost"
    assert ledger.verify_registry(registry) == []


def the_check(response: httpx.Response) -> dict[str, str]:
    """The one numbered check a refused request names in its problem details."""
    assert response.headers["content-type"] == "application/problem+json"
    [check] = response.json()["checks"]
    return check


def test_failed_sign_ins_on_one_server_throttle_the_other(servers: Pair) -> None:
    wrong = {"name": USER, "password": "not-the-password", "code": "000000"}
    for _ in range(3):
        refused = servers.first.post("/api/v1/tokens", json=wrong)
        assert refused.status_code == 401
        assert the_check(refused)["check"] == "C4009"
    throttled = sign_in(servers.second, servers.secret)
    assert throttled.status_code == 429, "the second server knows the first one's failures"
    check = the_check(throttled)
    assert (check["check"], check["field"]) == ("C4010", "name")
    assert check["detail"].startswith("too many failures; try again in ")
    assert int(throttled.headers["retry-after"]) >= 1


def test_a_totp_code_spent_on_one_server_is_refused_on_the_other(servers: Pair) -> None:
    moment = datetime.now(UTC)
    assert sign_in(servers.first, servers.secret, moment).status_code == 201
    replayed = sign_in(servers.second, servers.secret, moment)
    assert replayed.status_code == 401, "a second-factor code is single-use registry-wide"
    check = the_check(replayed)
    assert (check["check"], check["field"]) == ("C4009", "name")
    assert check["detail"] == "the name, password or second-factor code was not accepted"
