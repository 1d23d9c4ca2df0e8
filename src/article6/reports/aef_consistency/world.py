"""The loaded AEFs with the indexes every check shares, built once per run.

The checks must stay near-linear over hundreds of thousands of rows, so nothing compares rows
pairwise: unit rows are cut into elementary segments of serial space (per originating
registry) by one sweep, and each check looks only at the rows covering a segment; Table 2 is
indexed by (authorizing Party, approach, authorization ID).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import cached_property
from typing import Any

from article6.domain.nomenclature import ActionType, Purpose
from article6.reports.aef_consistency.model import AEFRow, Effect, LoadedAEF, day, unit_rows
from article6.reports.aef_spec import NA

AuthorizationKey = tuple[str, str, str]


@dataclass(frozen=True, slots=True)
class Segment:
    """Serials `first`..`last` of one registry, and every unit row that covers all of them."""

    registry: str
    first: int
    last: int
    rows: tuple[AEFRow, ...]

    @property
    def quantity(self) -> int:
        return self.last - self.first + 1


def segments(rows: Iterable[AEFRow]) -> Iterator[Segment]:
    """One boundary sweep per registry: O(n log n + the segments' sizes)."""
    by_registry: dict[str, list[AEFRow]] = defaultdict(list)
    for row in rows:
        if row.units is not None:
            by_registry[row.units.registry].append(row)
    for registry in sorted(by_registry):
        listed = by_registry[registry]
        points: list[tuple[int, int, int]] = []
        for index, row in enumerate(listed):
            units = row.units
            if units is None:
                continue
            points.append((units.first, 1, index))
            points.append((units.last + 1, 0, index))
        points.sort()
        active: dict[int, AEFRow] = {}
        previous = 0
        for position, starts, index in points:
            if active and position > previous:
                yield Segment(registry, previous, position - 1, tuple(active.values()))
            if starts:
                active[index] = listed[index]
            else:
                del active[index]
            previous = position


def purposes_of(text: str) -> frozenset[str]:
    """The purposes ("NDC", "IMP", "OP") an authorization's field 11 covers."""
    try:
        purpose = Purpose(text)
    except ValueError:
        return frozenset()
    covered = set()
    if purpose.covers_ndc:
        covered.add("NDC")
    if purpose.covers_imp:
        covered.add("IMP")
    if purpose.covers_op:
        covered.add("OP")
    return frozenset(covered)


_YEAR = re.compile(r"\b(\d{4})\b")


def timeframe_years(text: str) -> tuple[int, int] | None:
    """The first and last year of an authorized timeframe, written `2021 - 2030` or as real
    submissions do (`Use: from 01/10/2022 to 31/12/2030`): the lowest and highest year named."""
    years = [int(y) for y in _YEAR.findall(text)] if text and text != NA else []
    return (min(years), max(years)) if years else None


def listed(text: str) -> frozenset[str]:
    """A multi-valued cell (`; ` or `,` separated), compared case-insensitively."""
    if not text or text == NA:
        return frozenset()
    return frozenset(p.strip().lower() for p in re.split(r"[;,]", text) if p.strip())


class World:
    """The AEFs a run checks (current versions only) and the year under check."""

    def __init__(self, aefs: Iterable[LoadedAEF], year: int) -> None:
        self.aefs = list(aefs)
        self.year = year
        homes = home_registries(self.aefs)
        for aef in self.aefs:
            aef.home_registries = homes
        self._ledgers: dict[tuple[str, int], list[UnitLife]] = {}

    def ledger(self, party: str, year: int) -> list[UnitLife]:
        """The year of one Party's units, segment by segment (`UnitLife`)."""
        key = (party, year)
        if key not in self._ledgers:
            self._ledgers[key] = list(lives(self, party, year))
        return self._ledgers[key]

    @cached_property
    def by_party_year(self) -> dict[tuple[str, int], LoadedAEF]:
        return {(a.party, a.year): a for a in self.aefs}

    @cached_property
    def parties(self) -> frozenset[str]:
        return frozenset(a.party for a in self.aefs)

    def loaded(self, party: str, year: int) -> LoadedAEF | None:
        return self.by_party_year.get((party, year))

    @cached_property
    def authorizations(self) -> dict[AuthorizationKey, list[AEFRow]]:
        """Every Table 2 row by (authorizing Party, approach, authorization ID), versions in
        ascending order."""
        found: dict[AuthorizationKey, list[AEFRow]] = defaultdict(list)
        for aef in self.aefs:
            for row in aef.rows(2):
                key = (aef.party, row["cooperative_approach_id"], row["authorization_id"])
                found[key].append(row)
        for rows in found.values():
            rows.sort(key=lambda r: (_int(r["version"]), r.aef.year))
        return dict(found)

    @cached_property
    def authorizing_parties(self) -> frozenset[str]:
        """Parties with at least one loaded Table 2 row: their authorizations can be judged."""
        return frozenset(key[0] for key in self.authorizations)

    def authorization(self, key: AuthorizationKey, on: date | None = None) -> AEFRow | None:
        """The version in force on `on` (the latest dated no later), else the latest."""
        versions = self.authorizations.get(key)
        if not versions:
            return None
        if on is not None:
            dated = [v for v in versions if (day(v["date_of_authorization"]) or date.min) <= on]
            if dated:
                return dated[-1]
        return versions[-1]

    @cached_property
    def unit_rows(self) -> list[AEFRow]:
        return list(unit_rows(self.aefs))

    @cached_property
    def segments(self) -> list[Segment]:
        return list(segments(self.unit_rows))

    @cached_property
    def reports_authorization_rows(self) -> frozenset[str]:
        """Parties that report the authorization of units as Table 3 "Authorization" rows; for
        the others, their own units enter their holdings unreported (older submissions)."""
        return frozenset(
            a.party
            for a in self.aefs
            if any(r.action is ActionType.AUTHORIZATION for r in a.rows(3))
        )


@dataclass(frozen=True, slots=True)
class UnitLife:
    """What happened in one year to one segment of a Party's units: its holding at the end of
    the previous year (`before`: rows of that Table 4; None if that AEF is not loaded), the
    year's actions moving them in or out (in order: by date, an arrival before a departure on
    the same day, two departures of one day counted once), and its Table 4 rows (`after`)."""

    segment: Segment
    before: tuple[AEFRow, ...] | None
    events: tuple[AEFRow, ...]
    after: tuple[AEFRow, ...]
    own: bool  # the Party is the units' first transferring Party
    implicit: bool  # own units the Party does not report Authorization rows for

    @property
    def opening(self) -> bool | None:
        """Held at the start of the year (None: unknown); own units of a Party that does not
        report authorizations count as held from the start (they were authorized)."""
        if self.before is None:
            return True if self.implicit else None
        return bool(self.before) or self.implicit


def _in_order(row: AEFRow) -> tuple[Any, ...]:
    """When the action happened: by its UTC time where the AEF gives one (JSON, this
    registry), else by day with an arrival before a departure of the same day (a workbook gives
    only the day, and real submissions list a day's rows in any order)."""
    at = row.moment
    return (
        row.date or date.min,
        at is None,
        at or datetime.min.replace(tzinfo=UTC),
        row.effect is Effect.OUT,
        row.number,
    )


def lives(world: World, party: str, year: int) -> Iterator[UnitLife]:
    current = world.loaded(party, year)
    if current is None:
        return
    previous = world.loaded(party, year - 1)
    rows = [r for r in current.rows(3) if r.units is not None and r.effect is not Effect.NONE]
    rows += [r for r in current.rows(4) if r.units is not None]
    if previous is not None:
        rows += [r for r in previous.rows(4) if r.units is not None]
    implicit = party not in world.reports_authorization_rows
    for segment in segments(rows):
        before = tuple(r for r in segment.rows if r.aef is previous)
        after = tuple(r for r in segment.rows if r.aef is current and r.table == 4)
        moves = sorted(
            (r for r in segment.rows if r.aef is current and r.table == 3),
            key=_in_order,
        )
        events: list[AEFRow] = []
        for row in moves:
            if (
                events
                and row.effect is Effect.OUT
                and events[-1].effect is Effect.OUT
                and events[-1].date == row.date
            ):
                continue
            events.append(row)
        own = any(r.units is not None and r.units.party == party for r in segment.rows)
        yield UnitLife(
            segment,
            before if previous is not None else None,
            tuple(events),
            after,
            own,
            own and implicit,
        )


def _int(text: str) -> int:
    return int(text) if text.isdigit() else 0


def home_registries(aefs: Iterable[LoadedAEF]) -> dict[str, str]:
    """Per Party, the registry it names (Table 3/4 field "Party ITMO registry ID") on rows of
    units it first transfers itself: where a bare serial of its units was issued."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for aef in aefs:
        for table in (3, 4):
            for row in aef.rows(table):
                if row["first_transferring_party"] == aef.party and row["registry_id"]:
                    counts[aef.party][row["registry_id"]] += 1
    return {party: max(found, key=lambda r: found[r]) for party, found in counts.items()}
