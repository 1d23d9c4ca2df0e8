"""The scale benchmark's bulk load (`bench/scale_bench.py`) leaves a registry that verifies: its
blocks lie where replaying the loaded history puts them, and no unit is made or lost. The load
writes the tables directly, and `make bench` stops when `verify` finds anything, so a load
that disagrees with replay breaks the benchmark (it did, unnoticed, until this test)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from scale_bench import BLOCK, load
from transfer_bench import build

from article6.services.context import Registry
from article6.services.reads import ledger
from article6.store.database import make_engine

BLOCKS, TRANSFERS = 300, 1_000  # more transfers than blocks: every block moves, some often


def test_the_bulk_load_agrees_with_the_replayed_history(
    postgres_url: str, monkeypatch: pytest.MonkeyPatch
):
    monkeypatch.setenv("ARTICLE6_PASSWORD_COST", "test")
    registry = Registry(make_engine(postgres_url))
    try:
        pairs = build(registry, 5, 1, party_keeps=1)
        names = [name for pair in pairs for name in (pair.left, pair.right)]
        with registry.engine.connect() as connection:
            account_ids = list(
                connection.execute(
                    text("SELECT id FROM accounts WHERE identifier = ANY(:names) ORDER BY id"),
                    {"names": names},
                ).scalars()
            )
            held_before = held(connection)

        load(registry, BLOCKS, TRANSFERS, account_ids)

        assert ledger.verify_registry(registry) == []
        with registry.engine.connect() as connection:
            assert held(connection) == held_before + BLOCKS * BLOCK
            receiving = connection.execute(
                text(
                    "SELECT count(DISTINCT account_id) FROM unit_blocks "
                    "WHERE account_id = ANY(:ids)"
                ),
                {"ids": account_ids},
            ).scalar_one()
        assert receiving > 1  # spread over the accounts, as the timed reads need
    finally:
        registry.engine.dispose()


def held(connection) -> int:
    return int(
        connection.execute(text("SELECT coalesce(sum(quantity), 0) FROM holdings")).scalar_one()
    )
