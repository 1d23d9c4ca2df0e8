"""The checks of an imported history across its files (docs/history-import.md): pure functions
over the read files, run in a fixed order after each file passed on its own (C7001, C7002).

C7003 every AEF is the importing Party's; C7004 one AEF per year, the years consecutive and
not already here; C7005 continuity, year to year, by the CARP's own ISC01-ISC04 (an empty
year before the first stands for "nothing held before the history starts"); C7006 the held
ranges of a year do not overlap. What the registry already holds (C7006, C7007, C7008) is
judged by the service against the store.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from article6.domain.checks import Check, Refusal
from article6.domain.wording import Words, words
from article6.reports.aef_consistency.model import AEFRow, Inconsistency, LoadedAEF, UnitRange
from article6.reports.aef_consistency.within_party import isc01, isc02, isc03, isc04
from article6.reports.aef_consistency.world import World
from article6.reports.history_files import HistoryFile

CONTINUITY = (isc01, isc02, isc03, isc04)


@dataclass(frozen=True)
class ImportedYear:
    """One year of the history: its AEF and the file it came from."""

    aef: LoadedAEF
    file: HistoryFile

    @property
    def year(self) -> int:
        return self.aef.year


def years_of(files: Iterable[HistoryFile]) -> list[ImportedYear]:
    return sorted(
        (ImportedYear(aef, file) for file in files for aef in file.aefs), key=lambda y: y.year
    )


def _where(year: ImportedYear, row: AEFRow) -> str:
    return year.file.where(row.sheet, row.number)


def _not_the_party(one: ImportedYear, party: str) -> Words:
    if one.aef.party:
        return words(
            "the AEF of {year} is {found}'s, not {party}'s",
            year=one.year,
            found=one.aef.party,
            party=party,
        )
    return words("the AEF of {year} is no Party's, not {party}'s", year=one.year, party=party)


def party_refusals(years: list[ImportedYear], party: str) -> Iterator[Refusal]:
    """C7003: each AEF's Table 1 names the importing Party."""
    for one in years:
        if one.aef.party != party:
            rows = one.aef.rows(1)
            place = _where(one, rows[0]) if rows else one.file.name
            yield Refusal(Check.C7003, place, _not_the_party(one, party))


def year_refusals(years: list[ImportedYear], existing: Iterable[int]) -> Iterator[Refusal]:
    """C7004: one AEF per year, consecutive years, none already submitted or imported here."""
    seen: dict[int, ImportedYear] = {}
    already = set(existing)
    for one in years:
        if one.year in seen:
            yield Refusal(
                Check.C7004,
                one.file.name,
                words(
                    "a second AEF of {year} (the first is in {first})",
                    year=one.year,
                    first=seen[one.year].file.name,
                ),
            )
            continue
        seen[one.year] = one
        if one.year in already:
            yield Refusal(
                Check.C7004,
                one.file.name,
                words(
                    "the AEF of {year} is already submitted or imported in this registry",
                    year=one.year,
                ),
            )
    listed = sorted(seen)
    for earlier, later in itertools.pairwise(listed):
        if later != earlier + 1:
            yield Refusal(
                Check.C7004,
                seen[later].file.name,
                words(
                    "the history jumps from {earlier} to {later}: give every year between",
                    earlier=earlier,
                    later=later,
                ),
            )


def _finding(years: dict[tuple[int, str], ImportedYear], found: Inconsistency) -> Refusal:
    """A continuity finding named by the file and row the Party sees (the first row named)."""
    places = []
    for ref in found.rows:
        one = years.get((ref.year, ref.source))
        places.append(one.file.where(ref.sheet, ref.row) if one else f"{ref.source} {ref.row}")
    place = places[0] if places else "history"
    if len(places) > 1:
        detail = words(
            "{code}: {message} (also {places})",
            code=found.code,
            message=found.message,
            places="; ".join(places[1:4]),
        )
    else:
        detail = words("{code}: {message}", code=found.code, message=found.message)
    return Refusal(Check.C7005, place, detail)


def continuity_refusals(years: list[ImportedYear], party: str) -> Iterator[Refusal]:
    """C7005: each year's Table 4 is the previous year's plus the year's actions, from an empty
    start before the first year."""
    if not years:
        return
    start = LoadedAEF(party, years[0].year - 1, "0.0", "(before the history)")
    aefs = [start, *(one.aef for one in years)]
    by_key = {(one.year, one.aef.source): one for one in years}
    for one in years:
        world = World(aefs, one.year)
        for code in CONTINUITY:
            for found in code(world):
                yield _finding(by_key, found)


def overlap_refusals(years: list[ImportedYear]) -> Iterator[Refusal]:
    """C7006: no two held ranges of one year's Table 4 share a unit."""
    for one in years:
        held = sorted(
            (row for row in one.aef.rows(4) if row.units is not None),
            key=lambda r: (r.units.registry, r.units.first) if r.units else ("", 0),
        )
        for before, after in itertools.pairwise(held):
            a, b = before.units, after.units
            if a and b and a.registry == b.registry and b.first <= a.last:
                yield Refusal(
                    Check.C7006,
                    _where(one, after),
                    words(
                        "{later} overlaps {earlier} held on {place}",
                        later=str(b),
                        earlier=str(a),
                        place=one.file.where(before.sheet, before.number),
                    ),
                )


def held_at_end(years: list[ImportedYear]) -> list[tuple[ImportedYear, AEFRow, UnitRange]]:
    """The last year's Table 4: what becomes the Party's holdings here."""
    if not years:
        return []
    last = years[-1]
    return [(last, row, row.units) for row in last.aef.rows(4) if row.units is not None]


def history_refusals(
    files: list[HistoryFile], party: str, existing_years: Iterable[int]
) -> list[Refusal]:
    """Every check across the files, in order; continuity only once the years are sound."""
    years = years_of(files)
    refused = [*party_refusals(years, party), *year_refusals(years, existing_years)]
    if refused:
        return refused
    refused += overlap_refusals(years)
    refused += continuity_refusals(years, party)
    return refused
