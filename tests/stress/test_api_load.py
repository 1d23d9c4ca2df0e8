"""The real server under concurrent API load: two uvicorn worker processes, sixteen clients
doing internal transfers over HTTP, half of them fighting over one pair of AMO accounts.
Nothing may fail with a server error; a refused transfer is a problem+json naming the check
(the units were not there, or were taken by a concurrent transfer); and afterwards the
registry's invariants hold and every issued unit is still accounted for.
"""

from __future__ import annotations

import random
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

# The server and its seed world are the load benchmark's own (bench/api_load.py): one harness.
sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from api_load import PASSWORD, USER, free_port, prepare, start_server, stop_server

from article6.demo import world as demo
from article6.domain import totp
from article6.services import commands as c
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.store.database import make_engine

pytestmark = pytest.mark.postgres

CLIENTS = 16
SECONDS = 8.0
MAX_REQUESTS = 4_000
ALLOWED_CHECKS = {"C2001", "C2002"}  # units not held, or taken by a concurrent transfer


@dataclass
class Outcomes:
    """What the clients saw, gathered under one lock."""

    lock: threading.Lock = field(default_factory=threading.Lock)
    succeeded: int = 0
    refused: dict[str, int] = field(default_factory=dict)
    unexpected: list[str] = field(default_factory=list)

    @property
    def requests(self) -> int:
        return self.succeeded + sum(self.refused.values()) + len(self.unexpected)


@pytest.fixture
def registry(postgres_url: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[Registry]:
    monkeypatch.setenv("ARTICLE6_PASSWORD_COST", "test")
    registry = Registry(make_engine(postgres_url))
    yield registry
    registry.engine.dispose()


def wait_until_healthy(base: str, server: subprocess.Popen[bytes], log: Path) -> None:
    """Poll the health endpoint until it answers, the server dies, or 30 s pass."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        assert server.poll() is None, f"the server exited: {log.read_text()[-2000:]}"
        try:
            if httpx.get(f"{base}/api/v1/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.05)  # poll interval while waiting for the condition above
    pytest.fail(f"the server did not answer within 30 s: {log.read_text()[-2000:]}")


def shuttle(
    base: str,
    token: str,
    pair: tuple[str, str],
    authorization: str | None,
    seed: int,
    deadline: float,
    outcomes: Outcomes,
) -> None:
    """Transfer 1–50 units from the Party's account of the pair to the entity's until the
    deadline (only the entity's representatives move units back: their requests wait for
    approval, which is not what this load measures)."""
    rng = random.Random(seed)
    with httpx.Client(base_url=base, timeout=60) as http:
        while time.monotonic() < deadline and outcomes.requests < MAX_REQUESTS:
            source, destination = pair
            body = c.TransferUnits(
                source_account=source,
                destination_account=destination,
                units=c.UnitSelection(quantity=rng.randint(1, 50), authorization_id=authorization),
            ).model_dump(mode="json", exclude_none=True)
            try:
                response = http.post(
                    "/api/v1/parties/XXA/transfers",
                    json=body,
                    headers={
                        "Authorization": f"Bearer {token}",
                        "Idempotency-Key": uuid.uuid4().hex,
                    },
                )
            except httpx.TransportError as error:
                with outcomes.lock:
                    outcomes.unexpected.append(f"no answer: {error!r}")
                return
            with outcomes.lock:
                if response.is_success:
                    outcomes.succeeded += 1
                    continue
                codes = []
                if response.headers.get("content-type", "").startswith("application/problem+json"):
                    codes = [check["check"] for check in response.json().get("checks", [])]
                if 400 <= response.status_code < 500 and codes and set(codes) <= ALLOWED_CHECKS:
                    outcomes.refused[codes[0]] = outcomes.refused.get(codes[0], 0) + 1
                else:
                    outcomes.unexpected.append(f"{response.status_code} {response.text[:300]}")


def test_concurrent_api_transfers_on_two_workers_keep_the_registry_sound(
    registry: Registry, postgres_url: str, tmp_path: Path
) -> None:
    world, secret = prepare(registry)
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = tmp_path / "server.log"
    server = start_server(postgres_url, port, 2, log)
    outcomes = Outcomes()
    try:
        wait_until_healthy(base, server, log)
        signed_in = httpx.post(
            f"{base}/api/v1/tokens",
            json={
                "name": USER,
                "password": PASSWORD,
                "code": totp.code_at(secret, datetime.now(UTC)),
            },
            timeout=30,
        )
        assert signed_in.status_code == 201, signed_in.text
        token = signed_in.json()["token"]

        hot = (world["XXA Party amo_holding"], world["XXA Green Group A amo_holding"])
        plain = (world["XXA Party mo_holding"], world["XXA Green Group A mo_holding"])
        deadline = time.monotonic() + SECONDS
        threads = [
            threading.Thread(
                target=shuttle,
                args=(
                    base,
                    token,
                    *((hot, demo.NDC_AUTHORIZATION) if index % 2 else (plain, None)),
                    index,
                    deadline,
                    outcomes,
                ),
            )
            for index in range(CLIENTS)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=SECONDS + 90)
        assert not any(thread.is_alive() for thread in threads), "a client hung"
    finally:
        stop_server(server)

    assert outcomes.unexpected == [], outcomes.unexpected[:5]
    assert outcomes.succeeded > 0, outcomes.refused
    assert ledger.verify_registry(registry) == []
    assert sum(demo.holdings(registry, world).values()) == demo.ISSUED
