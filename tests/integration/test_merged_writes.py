"""Writes merged into one statement (`store.batches.later(merged=True)`, PostgreSQL): an
auditor's view of the journal after a command whose merged writes were waiting when a read
sent the batch. Every entry is there, in the order written, and nothing else was lost."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from small_world import SmallWorld
from sqlalchemy import Connection, select

from article6.services.context import Registry
from article6.store import batches, idempotency, journal, journal_sealer
from article6.store.database import unit_of_work
from article6.store.schema import idempotency_keys, journal_pending, parties

_PARTIES = select(parties.c.code)
POSTGRES_ONLY = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)


def entry(connection: Connection, event: str) -> None:
    journal.append(
        connection,
        actor="auditor.test",
        event=event,
        party="XXA",
        subject=None,
        body={"event": event},
        at=datetime.now(UTC),
    )


@POSTGRES_ONLY
def test_merged_writes_waiting_when_a_read_sends_the_batch_still_commit_in_order(
    registry: Registry, world: SmallWorld
):
    journal_sealer.sealer_for(registry.engine).halt()
    at = datetime.now(UTC)
    with unit_of_work(registry.engine) as connection:
        idempotency.claim(connection, "merged-test", "key-1", "digest", at)
        read = batches.read_later(connection, _PARTIES, {})
        entry(connection, "MergedFirst")
        idempotency.record_outcome(connection, "merged-test", "key-1", "the outcome")
        entry(connection, "MergedSecond")  # a second journal row: the next merged statement
        assert read.all()  # the batch goes here, the merged writes waiting with it; the
        # COMMIT then finds no batch open
    with registry.engine.connect() as connection:
        events = connection.execute(
            select(journal_pending.c.event)
            .where(journal_pending.c.actor == "auditor.test")
            .order_by(journal_pending.c.id)
        ).scalars()
        assert list(events) == ["MergedFirst", "MergedSecond"]
        outcome = connection.execute(
            select(idempotency_keys.c.outcome).where(idempotency_keys.c.key == "key-1")
        ).scalar_one()
        assert outcome == "the outcome"
