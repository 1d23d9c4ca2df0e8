"""API test fixtures: the app over a fresh migrated database (SQLite and PostgreSQL), a clock
the tests move (TOTP codes are single-use per 30-second step), and the seed's world built
purely over HTTP by users who enrolled and signed in over HTTP."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from http_world import Api, Clock, HttpWorld, build_world

from article6.app import create_app
from article6.services.context import Registry
from article6.settings import Settings

# Cheapest argon2id parameters: sign-ins are many here; `Settings.check` refuses this outside
# development.
os.environ.setdefault("ARTICLE6_PASSWORD_COST", "test")


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1))


@pytest.fixture
def client(registry: Registry, clock: Clock) -> Iterator[TestClient]:
    registry.clock = clock
    with TestClient(create_app(registry, Settings())) as client:
        yield client


@pytest.fixture
def api(client: TestClient, registry: Registry, clock: Clock) -> Api:
    return Api(client, registry, clock)


@pytest.fixture
def world(api: Api) -> HttpWorld:
    return build_world(api)
