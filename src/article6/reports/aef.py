"""AEF rows derived from the ledger, as generators: nothing here holds a table in memory.

This module holds what every table shares (the reporting year's bounds, AEF dates, the table
and document values) and the row builders of Tables 1, 2 and 5; Table 3 is `aef_actions`,
Table 4 `aef_holdings`. Each function takes rows and yields rows, so the same code serves a
draft export, a submission and the benchmark.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from article6.domain.authorizations import Authorization
from article6.domain.initial_reports import InitialReport
from article6.domain.nomenclature import Metric, Purpose
from article6.reports.aef_spec import LIST_SEPARATOR, NA, TABLE, TableSpec
from article6.store.reports import ReportedEntity
from article6.store.sections import PartyWithSection

Cells = tuple[Any, ...]


def year_start(year: int) -> datetime:
    return datetime(year, 1, 1, tzinfo=UTC)


def year_end(year: int) -> datetime:
    """The reporting boundary: 31 December 23:59:59.999999 UTC (RULES.md 9.6)."""
    return year_start(year + 1) - timedelta(microseconds=1)


def aef_date(value: date | datetime) -> str:
    """dd/mm/yyyy of the UTC day (a naive datetime is UTC)."""
    if isinstance(value, datetime) and value.tzinfo is not None and value.utcoffset():
        value = value.astimezone(UTC)
    return f"{value.day:02d}/{value.month:02d}/{value.year:04d}"


@dataclass(frozen=True, slots=True)
class ActionDateTime:
    """Table 3's action date, the UTC instant the registry completed the action. The workbook
    and the CSV print the annex's `dd/mm/yyyy` (`str`); JSON carries the Feb-2026 metadata's
    ISO 8601 UTC time with milliseconds (`iso`), so two actions of one day keep their order."""

    at: datetime

    def __post_init__(self) -> None:
        """Kept in UTC to the millisecond, as JSON and stored submissions write it, so an action
        date read back equals the one written."""
        moment = self.at
        if moment.tzinfo is not UTC:
            moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
        if moment.microsecond % 1000:
            moment = moment.replace(microsecond=moment.microsecond // 1000 * 1000)
        if moment is not self.at:
            object.__setattr__(self, "at", moment)

    def __str__(self) -> str:
        return aef_date(self.at)

    @property
    def iso(self) -> str:
        m = self.at
        return (
            f"{m.year:04d}-{m.month:02d}-{m.day:02d}T{m.hour:02d}:{m.minute:02d}:{m.second:02d}"
            f".{m.microsecond // 1000:03d}Z"
        )

    @classmethod
    def read(cls, value: object) -> object:
        """A stored cell back as an action date when it is an ISO UTC time (submissions store
        `iso`); anything else (a `dd/mm/yyyy` of an earlier version) as it was."""
        if isinstance(value, str) and ISO_UTC.match(value):
            return cls(datetime.fromisoformat(value.removesuffix("Z") + "+00:00"))
        return value


ISO_UTC = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z\Z")


def json_cell(value: object) -> object:
    """How a cell that is not plain JSON is written in JSON (the `default` of the encoders)."""
    if isinstance(value, ActionDateTime):
        return value.iso
    raise TypeError(f"an AEF cell of type {type(value).__name__} has no JSON form")


def stored_rows(spec: TableSpec, rows: Iterable[Iterable[Any]]) -> Iterator[Cells]:
    """Rows read back from their JSON form (a stored submission), Table 3's action dates
    `ActionDateTime`s again."""
    for row in rows:
        cells = tuple(row)
        if spec.number != 3 or len(cells) <= _ACTION_DATE:
            yield cells
            continue
        at = _ACTION_DATE
        yield (*cells[:at], ActionDateTime.read(cells[at]), *cells[at + 1 :])


_ACTION_DATE = TABLE[3].keys.index("action_date")


def cells(spec: TableSpec, values: dict[str, Any]) -> Cells:
    return tuple(map(values.get, spec.keys))


@dataclass(frozen=True)
class AEFTable:
    spec: TableSpec
    rows: Iterable[Cells]


@dataclass
class AEFDocument:
    """One Party's AEF for one reported year: five tables whose rows are produced on demand."""

    party: str
    year: int
    version: str
    tables: list[AEFTable] = field(default_factory=list)


# Table 1 ----------------------------------------------------------------------------------


def ter_reference(reports: Iterable[InitialReport]) -> str | None:
    """Field 9 from the Party's recorded initial reports and updates (oldest first): per
    approach, the reference of the review of its latest report, with that report's date."""
    latest: dict[str, InitialReport] = {}
    for report in reports:
        latest[report.cooperative_approach_id] = report
    text = LIST_SEPARATOR.join(
        f"{approach}: {r.review_reference} ({r.kind.value} report of {aef_date(r.report_date)})"
        for approach, r in sorted(latest.items())
    )
    return text or None


def submission_row(
    party: PartyWithSection,
    year: int,
    version: str,
    submitted: date,
    reports: Iterable[InitialReport] = (),
) -> Cells:
    """Table 1; field 9 from the initial reports recorded by the year's end (`ter_reference`)."""
    return cells(
        TABLE[1],
        {
            "party": party.code,
            "version": version,
            "reported_year": year,
            "date_of_submission": aef_date(submitted),
            "ndc_first_year": party.ndc_first_year,
            "ndc_last_year": party.ndc_last_year,
            "ter_reference": ter_reference(reports),
        },
    )


# Table 2 ----------------------------------------------------------------------------------


def _joined(values: Iterable[str] | None) -> str | None:
    text = LIST_SEPARATOR.join(values or ())
    return text or None


def authorization_rows(versions: Iterable[Authorization]) -> Iterator[Cells]:
    """One row per authorization version. A revoked version says so in field 19. Codes are
    written as their plain text (`Metric.GHG` as "GHG")."""
    for a in versions:
        oimp = a.purposes is not Purpose.NDC
        info = [a.additional_information] if a.additional_information else []
        if a.revoked:
            info.append("Revoked in this version.")
        definition = a.first_transfer_definition
        yield cells(
            TABLE[2],
            {
                "authorization_id": a.authorization_id,
                "date_of_authorization": aef_date(a.date_of_authorization),
                "cooperative_approach_id": a.cooperative_approach,
                "version": a.version,
                "authorized_quantity": a.authorized_quantity,
                "metric": a.metric.value,
                "gwp_values": a.gwp_values,
                "non_ghg_metric": a.non_ghg_metric if a.metric == Metric.NON_GHG else NA,
                "sectors": _joined(a.sectors),
                "activity_types": _joined(a.activity_types),
                "purposes": a.purposes.value,
                "authorized_parties": _joined(a.authorized_parties),
                "authorized_entities": _joined(a.authorized_entities),
                "oimp_authorized": (a.oimp_authorized if oimp else NA),
                "timeframe": f"{a.timeframe[0]} - {a.timeframe[1]}" if a.timeframe else None,
                "terms_and_conditions": a.terms_and_conditions,
                "first_transfer_definition": (definition.value if definition else None)
                if oimp
                else NA,
                "additional_information": " ".join(info) or None,
            },
        )


# Table 5 ----------------------------------------------------------------------------------


def entity_rows(rows: Iterable[ReportedEntity], until: datetime) -> Iterator[Cells]:
    """One row per authorized entity and cooperative approach. Field 8 gives the entity's
    registry ID (the one Tables 2 and 3 use) and any suspension or revocation recorded by the
    end of the year."""
    for row in rows:
        info = [f"Registry ID {row.identifier}."]
        if row.additional_information:
            info.append(row.additional_information)
        changed = row.status_changed_at
        if changed is not None and changed.tzinfo is None:
            changed = changed.replace(tzinfo=UTC)
        if row.status != "active" and changed is not None and changed <= until:
            info.append(f"Authorization {row.status} on {aef_date(changed)}.")
        yield cells(
            TABLE[5],
            {
                "date_of_authorization": aef_date(row.date_of_authorization),
                "name": row.name,
                "country_of_incorporation": row.country_of_incorporation,
                "identification_number": row.identification_number,
                "cooperative_approach_id": row.cooperative_approach_id,
                "conditions": row.conditions,
                "change_and_revocation_conditions": row.change_and_revocation_conditions,
                "additional_information": " ".join(info) or None,
            },
        )
