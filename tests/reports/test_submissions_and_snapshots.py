"""Submitted AEF versions are immutable and numbered 1.0, 1.1, ...; the year-end holdings
snapshot is taken once, exact even when taken late, and never before the year ends."""

from __future__ import annotations

from pathlib import Path

import pytest
from scenario_world import DURING, Reported
from sqlalchemy import inspect, text

from article6.demo import world as demo
from article6.domain.checkpoints import Checkpoint
from article6.domain.checks import CommandRefused
from article6.domain.filters import JournalFilter
from article6.services import commands as c
from article6.services import units
from article6.services.aef_versions import SubmitAEF, aef_submissions, open_aef, submit_aef
from article6.services.checkpoints import FILE_NAME
from article6.services.holdings_snapshots import TakeHoldingsSnapshot, take_holdings_snapshot
from article6.services.public_reports import public_report
from article6.services.reads import ledger
from article6.services.reads.ledger import verify_registry
from article6.store import journal


def stored(reported: Reported, party: str, version: str | None) -> list[list[list[object]]]:
    with open_aef(reported.registry, demo.XXC_ADMIN, party, 2025, version) as document:
        return [[list(row) for row in table.rows] for table in document.tables]


def test_a_new_submission_supersedes_the_previous_one_which_never_changes(
    reported: Reported,
) -> None:
    first = submit_aef(reported.registry, demo.XXC_ADMIN, SubmitAEF(party="XXC", year=2025))
    as_submitted = stored(reported, "XXC", "1.0")
    units.use_towards_ndc(
        reported.registry,
        demo.XXC_ADMIN,
        c.UseTowardsNDC(
            source_account=reported.world["XXC Party itmo_holding"],
            ndc_year=2026,
            units=c.UnitSelection(quantity=500),
        ),
    )
    second = submit_aef(reported.registry, demo.XXC_ADMIN, SubmitAEF(party="XXC", year=2025))

    assert (first.version, second.version) == ("1.0", "1.1")
    assert stored(reported, "XXC", "1.0") == as_submitted
    assert stored(reported, "XXC", "1.1")[0][0][1] == "1.1"
    assert [
        (s.version, s.current)
        for s in aef_submissions(reported.registry, demo.XXC_ADMIN, "XXC", 2025)
    ] == [("1.0", False), ("1.1", True)]
    assert as_submitted[2] == stored(reported, "XXC", None)[2]  # the 2026 use is not in 2025
    with pytest.raises(Exception, match="append-only"), reported.registry.engine.begin() as db:
        db.execute(text("UPDATE aef_submission_rows SET cells = '[]'"))
    assert verify_registry(reported.registry) == []


def test_only_an_administrator_of_the_party_submits(reported: Reported) -> None:
    with pytest.raises(CommandRefused) as refused:
        submit_aef(reported.registry, demo.XXA_ADMIN, SubmitAEF(party="XXC", year=2025))

    assert refused.value.codes == ["C4006"]
    assert aef_submissions(reported.registry, demo.XXC_ADMIN, "XXC", 2025) == []


def test_no_snapshot_and_no_submission_before_the_year_has_ended(reported: Reported) -> None:
    reported.clock.now = DURING
    with pytest.raises(CommandRefused) as snapshot:
        take_holdings_snapshot(
            reported.registry, demo.XXC_ADMIN, TakeHoldingsSnapshot(party="XXC", year=2025)
        )
    with pytest.raises(CommandRefused) as submission:
        submit_aef(reported.registry, demo.XXC_ADMIN, SubmitAEF(party="XXC", year=2025))

    assert snapshot.value.codes == submission.value.codes == ["C1009"]


def test_a_snapshot_taken_late_is_the_holdings_of_the_year_end_and_stays_so(
    reported: Reported,
) -> None:
    # In 2026, before anyone takes the 2025 snapshot, XXC uses 4,000 of its units.
    units.use_towards_ndc(
        reported.registry,
        demo.XXC_ADMIN,
        c.UseTowardsNDC(
            source_account=reported.world["XXC Party itmo_holding"],
            ndc_year=2026,
            units=c.UnitSelection(quantity=4_000),
        ),
    )
    first = take_holdings_snapshot(
        reported.registry, demo.XXC_ADMIN, TakeHoldingsSnapshot(party="XXC", year=2025)
    )
    again = take_holdings_snapshot(
        reported.registry, demo.XXC_ADMIN, TakeHoldingsSnapshot(party="XXC", year=2025)
    )

    assert (first.rows, first.quantity) == (1, 25_000)
    assert again == first
    assert verify_registry(reported.registry) == []


def test_each_submission_is_fixed_by_a_signed_checkpoint(
    reported: Reported, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ARTICLE6_CHECKPOINT_PATH", str(tmp_path))
    submit_aef(reported.registry, demo.XXC_ADMIN, SubmitAEF(party="XXC", year=2025))

    (line,) = (tmp_path / FILE_NAME).read_text().splitlines()
    checkpoint = Checkpoint.from_line(line)
    about = JournalFilter(subject="aef-XXC-2025-1.0")
    (entry,) = ledger.journal(reported.registry, demo.SECRETARIAT, None, about).items
    assert entry.event == "AEFSubmitted"
    assert (checkpoint.seq, checkpoint.hash) == (entry.seq, entry.hash)
    shown = public_report(reported.registry, "XXC").checkpoint
    assert shown is not None and (shown.seq, shown.hash) == (entry.seq, entry.hash)


def row_counts(reported: Reported) -> dict[str, int]:
    """Rows in every table of the registry, as an auditor would count them: with the journal
    sealed first, since the background sealer moves entries from `journal_pending` onto the
    chain at any moment."""
    engine = reported.registry.engine
    journal.seal(engine)
    with engine.connect() as db:
        return {
            name: db.execute(text(f'SELECT COUNT(*) FROM "{name}"')).scalar_one()
            for name in inspect(engine).get_table_names()
        }


def test_reading_a_finished_years_aef_writes_nothing_and_a_later_action_changes_nothing(
    reported: Reported,
) -> None:
    before = row_counts(reported)
    first = stored(reported, "XXC", None)
    assert row_counts(reported) == before
    assert sum(row[12] for row in first[3]) == 25_000  # Table 4 field 13, quantity
    # In 2026 XXC uses 4,000 of its units: the 2025 holdings stay those of the year end.
    units.use_towards_ndc(
        reported.registry,
        demo.XXC_ADMIN,
        c.UseTowardsNDC(
            source_account=reported.world["XXC Party itmo_holding"],
            ndc_year=2026,
            units=c.UnitSelection(quantity=4_000),
        ),
    )
    assert stored(reported, "XXC", None)[3] == first[3]

    submit_aef(reported.registry, demo.XXC_ADMIN, SubmitAEF(party="XXC", year=2025))

    assert stored(reported, "XXC", "1.0")[3] == first[3]
    with reported.registry.engine.connect() as db:
        frozen = db.execute(
            text("SELECT row_count, quantity FROM holdings_snapshots WHERE party_code = 'XXC'")
        ).all()
    assert [tuple(f) for f in frozen] == [(1, 25_000)]
    assert stored(reported, "XXC", None)[3] == first[3]
