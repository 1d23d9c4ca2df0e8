"""The ordered list of the CARP's consistency checks, and one run over loaded AEFs: file each
submission (current, obsolete, duplicate), run every check, keep what concerns the year, file
each of the year's AEFs consistent or inconsistent, and fill its CARP fields from the result
(Table 1 C9 and Table 3 "Result of the consistency checks", RULES.md 11.1 and 11.3)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime

from article6.reports import aef
from article6.reports.aef_consistency import (
    between,
    integrity,
    progression,
    reconciliation,
    single_table,
    within_party,
)
from article6.reports.aef_consistency.model import (
    Filing,
    Inconsistency,
    LoadedAEF,
    RowReference,
    version_order,
)
from article6.reports.aef_consistency.world import World
from article6.reports.aef_spec import TABLE

_r = reconciliation

ConsistencyCheck = Callable[[World], Iterator[Inconsistency]]


@dataclass(frozen=True)
class CheckEntry:
    code: str
    group: str
    rule: str
    check: ConsistencyCheck


def _entry(code: str, group: str, rule: str, check: ConsistencyCheck) -> CheckEntry:
    return CheckEntry(code, group, rule, check)


INTEGRITY, SINGLE, WITHIN, BETWEEN, PROGRESSION, RECONCILIATION = (
    "ITMO integrity",
    "Single table",
    "Within a Party's submissions",
    "Between reports and Parties",
    "Progression",
    "Reconciliation",
)
CHECKS: tuple[CheckEntry, ...] = (
    _entry("II01", INTEGRITY, "a Party reports only approaches it participates in", integrity.ii01),
    _entry("II02", INTEGRITY, "the same action on the same ITMOs is reported once", integrity.ii02),
    _entry("II03", INTEGRITY, "sector and activity type stay the same", integrity.ii03),
    _entry("II04", INTEGRITY, "the metric stays the same", integrity.ii04),
    _entry("II05", INTEGRITY, "underlying unit IDs stay the same", integrity.ii05),
    _entry("II06", INTEGRITY, "the user is covered by the authorization", integrity.ii06),
    _entry("II07", INTEGRITY, "the cooperative approach stays the same", integrity.ii07),
    _entry("STC01", SINGLE, "actions fall in the reported year", single_table.stc01),
    _entry("STC02", SINGLE, "use or cancellation within authorized purposes", single_table.stc02),
    _entry("STC03", SINGLE, "use towards the NDC within the NDC period", single_table.stc03),
    _entry("STC04", SINGLE, "first transfer as the authorization defines it", single_table.stc04),
    _entry("ISC01", WITHIN, "holdings include what arrived and stayed", within_party.isc01),
    _entry("ISC02", WITHIN, "earlier holdings reappear", within_party.isc02),
    _entry("ISC03", WITHIN, "new holdings = previous holdings + actions", within_party.isc03),
    _entry("ISC04", WITHIN, "no transfer of ITMOs not held", within_party.isc04),
    _entry("IRC01", BETWEEN, "annual aggregates derivable from the AEF", between.irc01),
    _entry("IPC01", BETWEEN, "a transfer and its acquisition match", between.ipc01),
    _entry("IP01", PROGRESSION, "transferred ITMOs were authorized or acquired", progression.ip01),
    _entry("IP02", PROGRESSION, "used or cancelled ITMOs were authorized", progression.ip02),
    _entry("IP03", PROGRESSION, "first transfers are reported as such", progression.ip03),
    _entry("IP04", PROGRESSION, "use or cancellation within scope", progression.ip04),
    _entry(
        "DR01", RECONCILIATION, "per Party and metric/sector: in = out + held", reconciliation.dr01
    ),
    _entry("DR02", RECONCILIATION, "per approach: in = out + held", reconciliation.dr02),
    _entry(
        "DR03", RECONCILIATION, "per pair of Parties: transferred = acquired", reconciliation.dr03
    ),
    _entry(
        "DR04",
        RECONCILIATION,
        "per approach: used + cancelled ≤ first transferred",
        reconciliation.dr04,
    ),
)
"""Every code of RULES.md 11.3, in the order the secretariat lists them."""

YEAR_BOUND = frozenset({"ISC01", "ISC02", "ISC03", "ISC04", "DR01", "DR02", "DR03"})
"""Checks that only ever judge the year under check (the others judge every loaded AEF, and
keep what names a row of the year)."""


@dataclass(frozen=True)
class Filed:
    """One loaded AEF and how the run files it."""

    party: str
    year: int
    version: str
    source: str
    filing: Filing
    codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class CodeResult:
    code: str
    group: str
    rule: str
    inconsistencies: tuple[Inconsistency, ...]

    @property
    def passed(self) -> bool:
        return not self.inconsistencies


@dataclass(frozen=True)
class ConsistencyResult:
    year: int
    checked_at: datetime
    filed: tuple[Filed, ...]
    codes: tuple[CodeResult, ...] = field(default=())

    @property
    def consistent(self) -> bool:
        return all(c.passed for c in self.codes)

    @property
    def inconsistencies(self) -> Iterator[Inconsistency]:
        for result in self.codes:
            yield from result.inconsistencies


def file_submissions(aefs: Iterable[LoadedAEF]) -> tuple[list[LoadedAEF], dict[int, Filing]]:
    """The AEFs to check (per Party-year, the newest version) and how the others are filed:
    an older version is obsolete; a second copy of the same version and content a duplicate
    (two versions of the same number with different content are both checked: II02 sees
    them)."""
    loaded = list(aefs)
    newest: dict[tuple[str, int], tuple[int, int]] = {}
    for one in loaded:
        key = (one.party, one.year)
        newest[key] = max(newest.get(key, (0, 0)), version_order(one.version))
    current: list[LoadedAEF] = []
    filings: dict[int, Filing] = {}
    seen: dict[tuple[str, int, str], list[LoadedAEF]] = {}
    for one in loaded:
        if version_order(one.version) < newest[(one.party, one.year)]:
            filings[id(one)] = Filing.OBSOLETE
            continue
        same = seen.setdefault((one.party, one.year, one.version), [])
        if any(other.content() == one.content() for other in same):
            filings[id(one)] = Filing.DUPLICATE
            continue
        same.append(one)
        current.append(one)
    return current, filings


def _concerns(found: Inconsistency, one: LoadedAEF) -> bool:
    return any(
        (r.party, r.year, r.version, r.source) == (one.party, one.year, one.version, one.source)
        for r in found.rows
    ) or (found.code in YEAR_BOUND and one.party in found.parties)


def check(
    aefs: Iterable[LoadedAEF],
    year: int,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
) -> ConsistencyResult:
    """Run every check over the loaded AEFs; the AEFs of other years are read as context."""
    loaded = list(aefs)
    current, filings = file_submissions(loaded)
    world = World(current, year)
    results: list[CodeResult] = []
    for entry in CHECKS:
        if progress is not None:
            progress(entry.code)
        found = tuple(
            i
            for i in entry.check(world)
            if entry.code in YEAR_BOUND or any(r.year == year for r in i.rows)
        )
        results.append(CodeResult(entry.code, entry.group, entry.rule, found))
    filed: list[Filed] = []
    for one in loaded:
        filing = filings.get(id(one))
        codes: tuple[str, ...] = ()
        if filing is None and one.year != year:
            filing = Filing.REFERENCE
        elif filing is None:
            codes = tuple(
                r.code for r in results if any(_concerns(i, one) for i in r.inconsistencies)
            )
            filing = Filing.INCONSISTENT if codes else Filing.CONSISTENT
        filed.append(Filed(one.party, one.year, one.version, one.source, filing, codes))
    return ConsistencyResult(
        year, (now or datetime.now(UTC)).replace(microsecond=0), tuple(filed), tuple(results)
    )


def verdict(result: ConsistencyResult, one: Filed) -> str:
    """Table 1 C9 as the secretariat's checker writes it."""
    word = "passed" if one.filing is Filing.CONSISTENT else "failed"
    moment = result.checked_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"Consistency checks {word}: {moment}"


def filled_values(one: LoadedAEF, result: ConsistencyResult) -> Iterator[tuple[int, int, str, str]]:
    """The CARP's fields of one checked AEF from the result, as (table, sheet row, field key,
    value): Table 1's "Result of the consistency check of this AEF submission", and on each
    Table 3 row the codes that named it ("" when none did)."""
    filed = next(
        (
            f
            for f in result.filed
            if (f.party, f.year, f.version, f.source)
            == (one.party, one.year, one.version, one.source)
        ),
        None,
    )
    if filed is None or filed.filing not in (Filing.CONSISTENT, Filing.INCONSISTENT):
        return
    for row in one.rows(1):
        yield 1, row.number, "consistency_check", verdict(result, filed)
    named: dict[int, list[str]] = {}
    for found in result.inconsistencies:
        for ref in found.rows:
            if ref.table == 3 and _names(ref, one):
                codes = named.setdefault(ref.row, [])
                if found.code not in codes:
                    codes.append(found.code)
    for row in one.rows(3):
        codes = named.get(row.number, [])
        yield 3, row.number, "consistency_check", ", ".join(codes)


def _names(ref: RowReference, one: LoadedAEF) -> bool:
    return (ref.party, ref.year, ref.version, ref.source) == (
        one.party,
        one.year,
        one.version,
        one.source,
    )


def filled_document(one: LoadedAEF, result: ConsistencyResult) -> aef.AEFDocument:
    """A copy of a checked AEF with its CARP fields filled (`filled_values`)."""
    values = {(t, n, k): v for t, n, k, v in filled_values(one, result)}
    tables = []
    for spec in TABLE.values():
        rows = [
            tuple(values.get((spec.number, row.number, key), row[key]) for key in spec.keys)
            for row in one.rows(spec.number)
        ]
        tables.append(aef.AEFTable(spec, rows))
    return aef.AEFDocument(one.party, one.year, one.version, tables)
