"""The recorded initial reports and their updates (`domain.initial_reports`), append-only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import date

from sqlalchemy import Connection, and_, select

from article6.domain.initial_reports import InitialReport, ReportKind
from article6.store.initial_report_schema import initial_reports

_COLUMNS = [initial_reports.c[name] for name in InitialReport.__dataclass_fields__]


def insert(connection: Connection, report: InitialReport) -> None:
    values = asdict(report)
    values["kind"] = report.kind.value
    connection.execute(initial_reports.insert().values(**values))


def reports_of(
    connection: Connection, party: str, approach: str | None = None, until: date | None = None
) -> list[InitialReport]:
    """A Party's reports, oldest first; of one approach, and dated by `until`, if given."""
    query = select(*_COLUMNS).where(initial_reports.c.party_code == party)
    if approach is not None:
        query = query.where(initial_reports.c.cooperative_approach_id == approach)
    if until is not None:
        query = query.where(initial_reports.c.report_date <= until)
    rows = connection.execute(query.order_by(initial_reports.c.id))
    return [InitialReport(**{**row._mapping, "kind": ReportKind(row.kind)}) for row in rows]


def reported_approaches(connection: Connection, party: str, approaches: Iterable[str]) -> set[str]:
    """Which of `approaches` have an initial report of the Party recorded."""
    wanted = sorted(set(approaches))
    if not wanted:
        return set()
    return set(
        connection.execute(
            select(initial_reports.c.cooperative_approach_id).where(
                and_(
                    initial_reports.c.party_code == party,
                    initial_reports.c.cooperative_approach_id.in_(wanted),
                    initial_reports.c.kind == ReportKind.INITIAL.value,
                )
            )
        ).scalars()
    )
