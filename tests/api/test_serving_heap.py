"""A serving process settles its heap once started: the objects startup made are frozen out of
the cyclic collector's sight, and young collections run every `heap.YOUNG_COLLECTION`
allocations (about 4.5 % of a worker's CPU was the collector walking them; BENCHMARKS.md)."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from article6.app import serve_app
from article6.http import heap
from article6.services.context import Registry


@pytest.fixture
def collector_restored() -> Iterator[None]:
    """This test process is not a server: give the collector back as it was."""
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def test_a_serving_process_freezes_its_startup_objects_and_collects_the_young_less_often(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, collector_restored: None
) -> None:
    url = f"sqlite:///{tmp_path / 'serving.db'}"
    Registry.open(url).engine.dispose()
    monkeypatch.setenv("ARTICLE6_DATABASE_URL", url)
    monkeypatch.setenv("ARTICLE6_CHECKPOINT_MINUTES", "0")
    gc.unfreeze()
    app = serve_app()
    assert gc.get_freeze_count() == 0

    with TestClient(app) as client:
        assert client.get("/api/v1/health").status_code == 200
        assert gc.get_freeze_count() > 0
        assert gc.get_threshold() == (
            heap.YOUNG_COLLECTION,
            heap.OLDER_COLLECTIONS,
            heap.OLDER_COLLECTIONS,
        )
