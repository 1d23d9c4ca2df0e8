"""The CARP's consistency checks over this registry's AEFs and any AEF files of Parties kept
elsewhere: one query the CLI, the API and the web page share (RULES.md 11.3).

Every Party section's AEF for the year is read as the secretariat would receive it: the newest
submitted version if there is one (older versions are filed obsolete), else the draft from
the ledger; earlier years are read the same way so the progression checks see where units
came from. Files add Parties (and years) of other registries.
"""

from __future__ import annotations

import zipfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from openpyxl.utils.exceptions import InvalidFileException
from pydantic import BaseModel

from article6.domain.access import Actor
from article6.domain.checks import Check, refuse
from article6.domain.wording import Sentence, words
from article6.reports.aef_consistency import (
    ConsistencyResult,
    LoadedAEF,
    check,
    from_document,
    from_file,
)
from article6.reports.aef_consistency.findings import marked_for
from article6.reports.aef_consistency.loading import UnreadableAEF
from article6.services import directory
from article6.services.aef_versions import (
    FIRST_REPORTED_YEAR,
    aef_submissions,
    open_aef,
    require_reported_year,
)
from article6.services.context import Registry
from article6.services.views import UtcDateTime

Progress = Callable[[str], None]
LISTED = 500
"""Findings per code listed over HTTP and on the page: a badly broken year stays readable."""


class RowView(BaseModel):
    source: str
    party: str
    year: int
    version: str
    table: int
    sheet: str
    row: int
    units: str | None
    registry_id: str | None = None
    serial_first: int | None = None
    serial_last: int | None = None


class InconsistencyView(BaseModel):
    code: str
    parties: list[str]
    message: Sentence
    """Kept as the check's `Words` (validation would make it a plain `str`), so the page says
    it in the reader's language; the API sends it as its English string."""
    rows: list[RowView]


class CodeView(BaseModel):
    code: str
    group: str
    rule: str
    passed: bool
    found: int
    inconsistencies: list[InconsistencyView]
    """The first `LISTED` findings over HTTP and on the page (`found` counts them all)."""


class FiledView(BaseModel):
    party: str
    year: int
    version: str
    source: str
    filing: str
    codes: list[str]


class ConsistencyView(BaseModel):
    """The result: per code pass or fail with its findings, and how each AEF is filed."""

    year: int
    checked_at: UtcDateTime
    consistent: bool
    inconsistencies: int
    submissions: list[FiledView]
    codes: list[CodeView]


def allow_consistency_reader(actor: Actor) -> None:
    """The checks read every Party's AEF: the secretariat and registry-wide auditors only."""
    if not (actor.registry_wide and actor.party is None):
        raise refuse(Check.C4006, "actor", words("the consistency checks cover every Party's AEF"))


def registry_aefs(
    registry: Registry, actor: Actor, year: int, progress: Progress | None = None
) -> Iterator[LoadedAEF]:
    """Every Party section's AEFs from 2021 to `year`: per Party-year the newest submitted
    version (else the draft), and for `year` also its older submitted versions."""
    sections = [p.code for p in directory.parties_list(registry, actor) if p.registry_id]
    for party in sections:
        for reported in range(FIRST_REPORTED_YEAR, year + 1):
            if progress is not None:
                progress(f"reading {party} {reported}")
            submitted: list[str | None] = [
                s.version for s in aef_submissions(registry, actor, party, reported)
            ]
            wanted = submitted if reported == year else submitted[-1:]
            for version in wanted or [None]:
                with open_aef(registry, actor, party, reported, version) as document:
                    source = words("this registry") if version else words("this registry (draft)")
                    yield from_document(document, source)


def file_aefs(files: Sequence[Path]) -> list[LoadedAEF]:
    """AEF files; one that cannot be read or placed is refused naming the file (C1018)."""
    loaded = []
    for path in files:
        try:
            loaded.append(from_file(path))
        except (
            UnreadableAEF,
            OSError,
            ValueError,
            KeyError,
            zipfile.BadZipFile,
            InvalidFileException,
        ) as error:
            # An unreadable AEF's own words (Table 1 incomplete) are said in the reader's language.
            said = error.args[0] if isinstance(error, UnreadableAEF) and error.args else error
            raise refuse(
                Check.C1018, "aef", words("{name}: {error}", name=path.name, error=said)
            ) from error
    return loaded


def run_consistency(
    registry: Registry,
    actor: Actor,
    year: int,
    files: Sequence[Path] = (),
    progress: Progress | None = None,
) -> tuple[ConsistencyResult, list[LoadedAEF]]:
    """The result and the AEFs it read (to fill their CARP fields)."""
    allow_consistency_reader(actor)
    require_reported_year(registry, year)
    loaded = [*registry_aefs(registry, actor, year, progress), *file_aefs(files)]
    result = check(loaded, year, registry.now(), progress)
    return result, loaded


def consistency(
    registry: Registry,
    actor: Actor,
    year: int,
    files: Sequence[Path] = (),
    progress: Progress | None = None,
) -> ConsistencyView:
    result, _ = run_consistency(registry, actor, year, files, progress)
    return view(result, LISTED)


def view(result: ConsistencyResult, listed: int | None = None) -> ConsistencyView:
    """The result as the doors show it, at most `listed` findings per code (None: all)."""
    return ConsistencyView(
        year=result.year,
        checked_at=result.checked_at,
        consistent=result.consistent,
        inconsistencies=sum(len(c.inconsistencies) for c in result.codes),
        submissions=[
            FiledView(
                party=f.party,
                year=f.year,
                version=f.version,
                source=f.source,
                filing=f.filing.value,
                codes=list(f.codes),
            )
            for f in result.filed
        ],
        codes=[
            CodeView(
                code=c.code,
                group=c.group,
                rule=c.rule,
                passed=c.passed,
                found=len(c.inconsistencies),
                inconsistencies=[
                    InconsistencyView(
                        code=i.code,
                        parties=list(i.parties),
                        message=i.message,
                        rows=[
                            RowView(
                                source=r.source,
                                party=r.party,
                                year=r.year,
                                version=r.version,
                                table=r.table,
                                sheet=r.sheet,
                                row=r.row,
                                units=r.units,
                                registry_id=r.range.registry if r.range else None,
                                serial_first=r.range.first if r.range else None,
                                serial_last=r.range.last if r.range else None,
                            )
                            for r in i.rows
                        ],
                    )
                    for i in c.inconsistencies[:listed]
                ],
            )
            for c in result.codes
        ],
    )


def marks_to_set(result: ConsistencyResult) -> list[dict[str, object]]:
    """The unit ranges the inconsistencies name, once each per code, as `article6 units mark
    --file` reads them: what the secretariat marks so the units do not move until the
    inconsistency is resolved (#14 item 3). Marking stays the secretariat's explicit act."""
    seen: set[tuple[str, str, int, int]] = set()
    ranges: list[dict[str, object]] = []
    for finding in result.inconsistencies:
        for row in finding.rows:
            if row.range is None:
                continue
            key = (finding.code, row.range.registry, row.range.first, row.range.last)
            if key in seen:
                continue
            seen.add(key)
            ranges.append(
                {
                    "registry_id": row.range.registry,
                    "serial_first": row.range.first,
                    "serial_last": row.range.last,
                    "inconsistency_code": finding.code,
                    "reason": marked_for(finding.code, result.year, finding.message)[:500],
                    "source": "check",
                }
            )
    return ranges
