"""A command's batch of statements on PostgreSQL (`store.batches`), from the side of what the
database refuses or loses: whatever a statement in a batch meets is raised as SQLAlchemy would
raise it, the transaction is rolled back whole, and the pooled connection serves the next
command as if nothing had happened (no batch left open, no statement it believes prepared that
the server does not have)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from small_world import SmallWorld
from sqlalchemy import func, insert, literal_column, select, text
from sqlalchemy.exc import DBAPIError, IntegrityError, ProgrammingError

from article6.services.context import Registry
from article6.store import batches, journal_sealer
from article6.store.database import unit_of_work
from article6.store.schema import parties

POSTGRES_ONLY = pytest.mark.parametrize(
    "database_url", [pytest.param("postgres", marks=pytest.mark.postgres)], indirect=True
)
_CODES = select(parties.c.code).order_by(parties.c.code)
_NO_SUCH_COLUMN = select(literal_column("no_such_column")).select_from(parties)


def a_party(code: str) -> dict[str, object]:
    return {
        "code": code,
        "name": f"Party {code}",
        "ndc_first_year": 2021,
        "ndc_last_year": 2030,
        "participation_status": "participating",
        "created_at": datetime.now(UTC),
    }


def party_codes(registry: Registry) -> list[str]:
    with unit_of_work(registry.engine) as connection:
        return [row.code for row in batches.read_later(connection, _CODES, {}).all()]


@pytest.fixture
def still(registry: Registry) -> Registry:
    """No sealing round takes a connection from the pool meanwhile."""
    journal_sealer.sealer_for(registry.engine).halt()
    return registry


@POSTGRES_ONLY
def test_a_write_refused_in_a_batch_raises_an_integrity_error_and_nothing_of_the_batch_stays(
    still: Registry, world: SmallWorld
):
    before = party_codes(still)
    with pytest.raises(IntegrityError), unit_of_work(still.engine) as connection:
        batches.later(connection, insert(parties), a_party("ZZA"))
        batches.later(connection, insert(parties), a_party("XXA"))  # taken: refused
        batches.later(connection, insert(parties), a_party("ZZB"))  # aborted with it
        batches.read_later(connection, _CODES, {}).all()
    assert party_codes(still) == before  # ZZA rolled back with the refused write
    assert party_codes(still) == before  # the same pooled connection, twice: clean


@POSTGRES_ONLY
def test_a_refusal_at_the_commit_rolls_back_everything_the_batch_held(
    still: Registry, world: SmallWorld
):
    before = party_codes(still)
    with pytest.raises(IntegrityError), unit_of_work(still.engine) as connection:
        batches.later(connection, insert(parties), a_party("ZZA"))
        batches.later(connection, insert(parties), a_party("ZZA"))  # goes with the COMMIT
    assert party_codes(still) == before


@POSTGRES_ONLY
def test_a_statement_the_server_cannot_prepare_is_refused_each_time_and_not_remembered(
    still: Registry, world: SmallWorld
):
    for _ in range(2):  # the second time the server is asked again, not told a name it lacks
        with (
            pytest.raises(ProgrammingError, match="no_such_column"),
            unit_of_work(still.engine) as connection,
        ):
            batches.read_later(connection, _NO_SUCH_COLUMN, {}).all()
    assert "XXA" in party_codes(still)


@POSTGRES_ONLY
def test_a_statement_run_through_sqlalchemy_in_an_open_batch_sees_the_writes_before_it(
    still: Registry, world: SmallWorld
):
    with unit_of_work(still.engine) as connection:
        batches.later(connection, insert(parties), a_party("ZZA"))
        codes = batches.read_later(connection, _CODES, {})
        count = connection.execute(select(func.count()).select_from(parties)).scalar_one()
        plain = connection.execute(text("SELECT 'plain' AS word")).scalar_one()
        assert codes.sent  # the SQLAlchemy statement took the batch with it
        assert "ZZA" in [row.code for row in codes.all()]
        assert count == len(codes.all())
        assert plain == "plain"
        connection.rollback()
    assert "ZZA" not in party_codes(still)


@POSTGRES_ONLY
def test_a_connection_the_server_ends_in_a_batch_fails_the_command_and_the_next_one_runs(
    still: Registry, world: SmallWorld
):
    with pytest.raises(DBAPIError), unit_of_work(still.engine) as connection:
        pid = connection.execute(text("SELECT pg_backend_pid()")).scalar_one()
        with still.engine.connect() as other:
            other.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})
            other.commit()
        batches.later(connection, insert(parties), a_party("ZZA"))
        batches.read_later(connection, _CODES, {}).all()
    codes = party_codes(still)  # a new connection: nothing of the ended one's batch
    assert "ZZA" not in codes and "XXA" in codes
