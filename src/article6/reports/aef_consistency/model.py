"""The loaded AEFs the consistency checks read: typed, normalised, and nothing else.

A row keeps its cells as text keyed by the field keys of `aef_spec`, its sheet and sheet row,
and the unit range it names (if any). Cells are normalised once here (no-break spaces, spaces
collapsed, the spellings of "not applicable" read as `NA`, thousands separators dropped from
numbers), so every check compares like with like.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from enum import StrEnum
from functools import cached_property

from article6.domain.nomenclature import ActionSubtype, ActionType
from article6.domain.wording import words
from article6.reports.aef_spec import NA, NOT_APPLICABLE_SPELLINGS

FIRST_INTERNATIONAL_TRANSFER = "First international transfer"
"""The subtype real submissions and the CARP's checker write (RULES.md 11.2)."""

UNIT_IDENTIFIER = re.compile(r"^(CA\d{4})-([A-Z]{3}\d{2}|A64)-([A-Z]{3})-(\d+)-(\d{4})$")
"""approach-originating registry-first transferring Party-serial-vintage (6/CMA.4 annex I
para 5), as real submissions write First ID and Last ID (RULES.md 11.2)."""


def normalised(value: object) -> str:
    """A cell as the checks compare it."""
    if value is None:
        return ""
    text = " ".join(str(value).replace("\u00a0", " ").split())
    return NA if text.lower() in NOT_APPLICABLE_SPELLINGS else text


def integer(text: str) -> int | None:
    """An integer as Parties write it (`7,144,362`, `7 144 362`, `12.0`), else None."""
    compact = text.replace(",", "").replace(" ", "")
    if compact.endswith(".0"):
        compact = compact[:-2]
    return int(compact) if compact.isdigit() else None


def moment(text: str) -> datetime | None:
    """The UTC time of an ISO 8601 date-time (`2026-12-02T07:13:05.123Z`), else None (a date
    alone says nothing of the order of two actions of one day)."""
    if "T" not in text:
        return None
    try:
        found = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return found if found.tzinfo is not None else found.replace(tzinfo=UTC)


def day(text: str) -> date | None:
    """A dd/mm/yyyy date or an ISO 8601 date or UTC date-time, else None."""
    try:
        if "/" in text:
            d, m, y = (int(p) for p in text.split("/"))
            return date(y, m, d)
        if text:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        return None
    return None


class Effect(StrEnum):
    """What an action does to the reporting Party's holdings."""

    IN = "in"  # authorization, acquisition
    OUT = "out"  # transfer, first transfer to another Party, use, cancellation
    NONE = "none"  # a first transfer at authorization or issuance: the units stay


_TYPES = {t.value.lower(): t for t in ActionType}
_SUBTYPES = {s.value.lower(): s for s in ActionSubtype}
_SUBTYPES[FIRST_INTERNATIONAL_TRANSFER.lower()] = ActionSubtype.FIRST_TRANSFER_TO_ANOTHER_PARTY
ENDING = frozenset({ActionType.USE, ActionType.CANCELLATION, ActionType.VOLUNTARY_CANCELLATION})


@dataclass(frozen=True)
class UnitRange:
    """A homogeneous range of units: its identifier elements and serials."""

    approach: str
    registry: str
    party: str
    first: int
    last: int
    vintage: str

    @property
    def quantity(self) -> int:
        return self.last - self.first + 1

    def identifier(self, serial: int) -> str:
        return f"{self.approach}-{self.registry}-{self.party}-{serial}-{self.vintage}"

    def __str__(self) -> str:
        return f"{self.identifier(self.first)} to {self.identifier(self.last)}"


@dataclass(eq=False)
class AEFRow:
    """One row of one table of one loaded AEF. Identity is the object (rows are unique)."""

    aef: LoadedAEF = field(repr=False)
    table: int
    sheet: str
    number: int
    values: dict[str, str]

    def __getitem__(self, key: str) -> str:
        return self.values.get(key, "")

    @property
    def party(self) -> str:
        return self.aef.party

    @cached_property
    def action(self) -> ActionType | None:
        return _TYPES.get(self["action_type"].lower())

    @cached_property
    def subtype(self) -> ActionSubtype | None:
        return _SUBTYPES.get(self["action_subtype"].lower())

    @cached_property
    def date(self) -> date | None:
        return day(self["action_date"])

    @cached_property
    def moment(self) -> datetime | None:
        return moment(self["action_date"])

    @cached_property
    def quantity(self) -> int | None:
        return integer(self["quantity"])

    @cached_property
    def units(self) -> UnitRange | None:
        """The range named by First ID and Last ID: full identifiers, or bare serials whose
        other elements come from the row. A bare serial loses the originating registry: take
        the registry the first transferring Party names on its own units (`home_registries`,
        set by the run), else the row's "Party ITMO registry ID", the best a bare serial
        allows."""
        first, last = self["first_id"], self["last_id"]
        if not first or not last:
            return None
        a, b = UNIT_IDENTIFIER.match(first), UNIT_IDENTIFIER.match(last)
        if a and b:
            if (a[1], a[2], a[3], a[5]) != (b[1], b[2], b[3], b[5]):
                return None
            low, high = int(a[4]), int(b[4])
            elements = (a[1], a[2], a[3], a[5])
        else:
            low_, high_ = integer(first), integer(last)
            if a or b or low_ is None or high_ is None:
                return None
            low, high = low_, high_
            elements = (
                self["cooperative_approach_id"],
                self.aef.home_registries.get(self["first_transferring_party"])
                or self["registry_id"],
                self["first_transferring_party"],
                self["vintage"],
            )
        if low > high:
            return None
        return UnitRange(elements[0], elements[1], elements[2], low, high, elements[3])

    @cached_property
    def effect(self) -> Effect:
        """Authorization and acquisition bring units in; a transfer, a first transfer to
        another Party (named by subtype or by an acquiring Party), a use or a cancellation
        take them out; a first transfer at authorization or issuance leaves them, and one at
        use or cancellation takes them out (the Party may or may not add the use's own row:
        unit sets, not sums, make both readings count once)."""
        action = self.action
        if action in (ActionType.AUTHORIZATION, ActionType.ACQUISITION):
            return Effect.IN
        if action in (ActionType.TRANSFER, *ENDING):
            return Effect.OUT
        if action is ActionType.FIRST_TRANSFER:
            if self.subtype in (ActionSubtype.AUTHORIZATION, ActionSubtype.ISSUANCE):
                return Effect.NONE
            if self.subtype is ActionSubtype.FIRST_TRANSFER_TO_ANOTHER_PARTY or self.to_party:
                return Effect.OUT
            if self.subtype is ActionSubtype.USE_OR_CANCELLATION or self.subtype in _ENDINGS:
                return Effect.OUT
        return Effect.NONE

    @property
    def to_party(self) -> str:
        """The acquiring Party of a transfer ('' if none)."""
        value = self["acquiring_party"]
        return "" if value == NA else value

    @property
    def from_party(self) -> str:
        value = self["transferring_party"]
        return "" if value == NA else value

    @property
    def moves_to_party(self) -> bool:
        """A first transfer or transfer to another Party (the half IPC01 pairs)."""
        return self.action in (ActionType.TRANSFER, ActionType.FIRST_TRANSFER) and bool(
            self.to_party
        )

    @property
    def authorization_key(self) -> tuple[str, str, str]:
        """(authorizing Party, approach, authorization ID): the authorizing Party is the first
        transferring Party of the units."""
        units = self.units
        party = units.party if units else self["first_transferring_party"]
        return party, self["cooperative_approach_id"], self["authorization_id"]

    def reference(self) -> RowReference:
        return RowReference(
            self.aef.source,
            self.party,
            self.aef.year,
            self.aef.version,
            self.table,
            self.sheet,
            self.number,
            str(self.units) if self.units else None,
            self.units,
        )


_ENDINGS = frozenset(
    {ActionSubtype.MANDATORY_OMGE, ActionSubtype.VOLUNTARY_OMGE, ActionSubtype.OTHER_CANCELLATIONS}
)


class Filing(StrEnum):
    """How the secretariat files a submission (RULES.md 11.3)."""

    CONSISTENT = "consistent"
    INCONSISTENT = "inconsistent"
    OBSOLETE = "obsolete"  # an older version of the same Party-year
    DUPLICATE = "duplicate"  # the same Party-year-version and content, loaded twice
    REFERENCE = "reference"  # an earlier year, read to check the year's progression


def version_order(version: str) -> tuple[int, int]:
    major, _, minor = version.partition(".")
    try:
        return int(major), int(minor or 0)
    except ValueError:
        return 0, 0


@dataclass(eq=False)
class LoadedAEF:
    """One Party's AEF for one reported year, from this registry or from a file."""

    party: str
    year: int
    version: str
    source: str
    tables: dict[int, list[AEFRow]] = field(default_factory=dict)
    home_registries: dict[str, str] = field(default_factory=dict, repr=False)

    def rows(self, table: int) -> list[AEFRow]:
        return self.tables.get(table, [])

    def add(self, table: int, sheet: str, number: int, values: dict[str, object]) -> AEFRow:
        row = AEFRow(self, table, sheet, number, {k: normalised(v) for k, v in values.items()})
        self.tables.setdefault(table, []).append(row)
        return row

    @property
    def submission(self) -> dict[str, str]:
        rows = self.rows(1)
        return rows[0].values if rows else {}

    def content(self) -> tuple[tuple[int, tuple[tuple[str, str], ...]], ...]:
        """What two copies of one submission share (to file the second as a duplicate)."""
        return tuple(
            (table, tuple(sorted(row.values.items())))
            for table in sorted(self.tables)
            for row in self.tables[table]
            if table != 1
        )


@dataclass(frozen=True)
class RowReference:
    """Where a row is: its AEF's source, Party, sheet and row, and the units it names."""

    source: str
    party: str
    year: int
    version: str
    table: int
    sheet: str
    row: int
    units: str | None
    range: UnitRange | None = None
    """The units as a range (originating registry, serials), to mark them (`unit_marks`)."""

    def __str__(self) -> str:
        where = f"{self.party} {self.year} v{self.version} ({self.source})"
        where += f" '{self.sheet}' row {self.row}"
        return f"{where} ({self.units})" if self.units else where


@dataclass(frozen=True)
class Inconsistency:
    """One finding of one check: its code, the Parties concerned, the rows, and why."""

    code: str
    parties: tuple[str, ...]
    rows: tuple[RowReference, ...]
    message: str

    def __str__(self) -> str:
        lines = [f"{self.code} [{', '.join(self.parties)}] {self.message}"]
        lines.extend(f"    {row}" for row in self.rows)
        return "\n".join(lines)


def in_turn(items: Iterable[str]) -> str:
    """Sentences or values one after another, separated by semicolons: each `Words` among them
    is still said in the reader's language (a `"; ".join` would fix them in English)."""
    listed = list(items)
    if not listed:
        return ""
    joined = listed[0]
    for later in listed[1:]:
        joined = words("{earlier}; {later}", earlier=joined, later=later)
    return joined


def inconsistency(code: str, rows: Iterable[AEFRow], message: str) -> Inconsistency:
    listed = list(dict.fromkeys(rows))
    parties = tuple(sorted({r.party for r in listed}))
    return Inconsistency(code, parties, tuple(r.reference() for r in listed), message)


def party_inconsistency(
    code: str, parties: Iterable[str], rows: Iterable[AEFRow], message: str
) -> Inconsistency:
    listed = list(dict.fromkeys(rows))
    named = set(parties) | {r.party for r in listed}
    return Inconsistency(code, tuple(sorted(named)), tuple(r.reference() for r in listed), message)


def unit_rows(aefs: Iterable[LoadedAEF]) -> Iterator[AEFRow]:
    """Every row of Tables 3 and 4 that names a readable unit range."""
    for aef in aefs:
        for table in (3, 4):
            for row in aef.rows(table):
                if row.units is not None:
                    yield row
