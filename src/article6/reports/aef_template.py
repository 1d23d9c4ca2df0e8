"""The official AEF workbook `AEF_CMA6_second_iteration.xlsx` as data (RULES.md 11.1).

Where each table of the template sits: its sheet, the cell of its title, the row of its field
headings, the column letter of each field (in the order of `aef_spec`), the spacer columns
between the grouped headings, and Table 1's vertical layout with the CARP's placeholders. The
writer lays the workbook out from here and the reader finds the fields from here, so the two
cannot drift apart. The titles of the grouped headings are ours: the template's own wording was
not retrieved.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

from article6.reports.aef_spec import (
    AUTHORIZATION_ID,
    COOPERATIVE_APPROACH,
    LIST_SEPARATOR,
    NA,
    PARTIES,
    PARTY,
    REGISTRY,
    TABLE,
    TABLES,
    TIMEFRAME,
    VERSION,
    YEAR,
    Conditions,
    FieldRule,
    Kind,
    Need,
)

INDEX_SHEET = "Index"
SUMMARY_SHEET = "Summary information"
INFORMATION_BY_CARP = "{Information in this field is populated by the CARP}"
LINK_BY_CARP = "{Link to be produced by the CARP}"
PLACEHOLDERS = frozenset({INFORMATION_BY_CARP, LINK_BY_CARP})
DATE_FORMAT = "dd/mm/yyyy"
OFFICIAL_HEADINGS = {"Quantity (t CO2 eq)": "Quantity (t\u00a0CO2\u00a0eq)"}
"""Headings the template spells with no-break spaces (U+00A0 around `CO2`); written so."""
HEADER_SCAN_ROWS = 30
"""How far down a sheet the reader looks for a table's headings (the template's are on rows
4 to 10; a Party that inserts a few rows above them is still read)."""


def column_letter(index: int) -> str:
    """0 -> A, 25 -> Z, 26 -> AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


def column_index(letter: str) -> int:
    """A -> 0, Z -> 25, AA -> 26."""
    index = 0
    for character in letter:
        index = index * 26 + ord(character) - 64
    return index - 1


@dataclass(frozen=True)
class Group:
    """A grouped heading above a run of field columns."""

    first: str
    last: str
    title: str


@dataclass(frozen=True)
class TemplateTable:
    """One table's place in the workbook. Horizontal tables: the field headings on
    `header_row`, field n in `columns[n - 1]`, data from the next row to the first blank row,
    grouped headings on the row above the headings. Vertical (Table 1): labels in
    `label_column` from `header_row` down, values beside them in `value_column`."""

    number: int
    sheet: str
    title: str
    title_cell: str
    header_row: int
    columns: tuple[str, ...] = ()
    groups: tuple[Group, ...] = ()
    label_column: str | None = None
    value_column: str | None = None
    placeholders: tuple[tuple[str, str], ...] = ()

    @property
    def vertical(self) -> bool:
        return self.value_column is not None

    @property
    def data_row(self) -> int:
        return self.header_row + 1

    @property
    def group_row(self) -> int:
        return self.header_row - 1

    @cached_property
    def spacers(self) -> tuple[str, ...]:
        """The empty columns between the groups."""
        indices = [column_index(c) for c in self.columns]
        if not indices:
            return ()
        used = set(indices)
        return tuple(
            column_letter(i) for i in range(min(indices), max(indices) + 1) if i not in used
        )

    @cached_property
    def last_column(self) -> int:
        """Index of the rightmost column the table uses."""
        letters = self.columns or (self.value_column or "A",)
        return max(column_index(c) for c in letters)

    def placeholder(self, key: str) -> str | None:
        return dict(self.placeholders).get(key)


TEMPLATE: dict[int, TemplateTable] = {
    1: TemplateTable(
        1,
        "Table 1 Submission",
        "Table 1: Submission",
        "B3",
        header_row=4,
        label_column="B",
        value_column="C",
        placeholders=(
            ("review_status", INFORMATION_BY_CARP),
            ("consistency_check", INFORMATION_BY_CARP),
            ("ter_reference", LINK_BY_CARP),
        ),
    ),
    2: TemplateTable(
        2,
        "Table 2 Authorizations",
        "Table 2: Authorizations",
        "B4",
        header_row=7,
        columns=("B", "C", "D", "E", *"GHIJKLMNOPQRSTU"),
        groups=(
            Group("B", "E", "Authorization"),
            Group("G", "U", "Scope, purposes and terms of the authorization"),
        ),
    ),
    3: TemplateTable(
        3,
        "Table 3 Actions",
        "Table 3: Actions",
        "B3",
        header_row=8,
        columns=(
            *"BCDEFGHIJ",
            *"LMN",
            *"PQRST",
            *"VW",
            *"YZ",
            "AB",
            "AC",
            "AD",
            "AE",
            "AG",
            "AH",
        ),
        groups=(
            Group("B", "J", "Action and ITMO block"),
            Group("L", "N", "Underlying units"),
            Group("P", "T", "Metric and quantity"),
            Group("V", "W", "Mitigation type and vintage"),
            Group("Y", "Z", "Transfer and acquisition"),
            Group("AB", "AE", "Use and cancellation"),
            Group("AG", "AH", "Consistency check and explanation"),
        ),
    ),
    4: TemplateTable(
        4,
        "Table 4 Holdings",
        "Table 4: Holdings",
        "B3",
        header_row=7,
        columns=(*"BCDEFG", *"IJK", *"MNOPQ", *"ST"),
        groups=(
            Group("B", "G", "ITMO block held"),
            Group("I", "K", "Underlying units"),
            Group("M", "Q", "Metric and quantity"),
            Group("S", "T", "Mitigation type and vintage"),
        ),
    ),
    5: TemplateTable(
        5,
        "Table 5 Auth. entities",
        "Table 5: Authorized entities",
        "C8",
        header_row=10,
        columns=tuple("CDEFGHIJ"),
        groups=(Group("C", "J", "Authorized entity"),),
    ),
}
SHEETS: tuple[str, ...] = (INDEX_SHEET, SUMMARY_SHEET, *(TEMPLATE[n].sheet for n in range(1, 6)))
"""The seven sheets, in the template's order."""


# The Index and Summary information sheets -----------------------------------------------------

PATTERN_NAMES = {
    PARTY: "an ISO 3166-1 alpha-3 code, e.g. THA",
    PARTIES: f"ISO 3166-1 alpha-3 codes separated by '{LIST_SEPARATOR}'",
    COOPERATIVE_APPROACH: "CA followed by four digits, e.g. CA0003",
    REGISTRY: "the Party's alpha-3 code and two digits, e.g. THA01",
    AUTHORIZATION_ID: "as the reporting Party assigned it",
    VERSION: "X.Y, the first version 1.0",
    TIMEFRAME: "e.g. 2021 - 2030",
    YEAR: "a year yyyy",
}
KIND_NAMES = {
    Kind.TEXT: "Text",
    Kind.INTEGER: "A whole number",
    Kind.NUMBER: "A number",
    Kind.DATE: f"A date {DATE_FORMAT}",
    Kind.ACTION_DATE: f"A date {DATE_FORMAT} (the UTC day of the action)",
    Kind.CODE: "One of",
    Kind.CODES: "One or more of",
    Kind.UNIT_ID: "A unit identifier (cooperative approach-originating registry-first"
    " transferring Party-serial-vintage, e.g. CA0003-THA01-THA-16829005-2022) or a serial",
}
NEED_NAMES = {
    Need.REQUIRED: "Required.",
    Need.OPTIONAL: "Optional.",
    Need.CONDITIONAL: "Conditional.",
    Need.CARP: "Populated by the CARP; the Party leaves it as it is.",
}


def official_heading(heading: str) -> str:
    return OFFICIAL_HEADINGS.get(heading, heading)


def _condition(conditions: Conditions) -> str:
    """`((is_("metric", "GHG"),),)` -> "metric is GHG"."""
    return " or ".join(
        " and ".join(
            f"{when.field.replace('_', ' ')} {'is not' if when.negate else 'is'} "
            + " or ".join(repr(v) for v in sorted(when.values))
            for when in conjunction
        )
        for conjunction in conditions
    )


def footnote(rule: FieldRule) -> str:
    """What the Summary information sheet says of a field, from its rule in `aef_spec`."""
    parts = [NEED_NAMES[rule.need]]
    if rule.need is Need.CARP:
        return parts[0]
    kind = KIND_NAMES[rule.kind]
    if rule.vocabulary:
        kind += " " + ", ".join(rule.vocabulary)
        if rule.kind is Kind.CODES:
            kind += f", separated by '{LIST_SEPARATOR}'"
    elif rule.pattern in PATTERN_NAMES:
        kind += ": " + PATTERN_NAMES[rule.pattern]
    parts.append(kind + ".")
    if rule.required_when:
        parts.append(f"Required when {_condition(rule.required_when)}.")
    if rule.na_when:
        parts.append(f"{NA} when {_condition(rule.na_when)}.")
    elif rule.na_allowed:
        parts.append(f"{NA} when not applicable.")
    return " ".join(parts)


def index_rows() -> list[tuple[str, str, str]]:
    """(Table n, its name, its sheet) for the Index sheet."""
    return [(f"Table {spec.number}", spec.name, TEMPLATE[spec.number].sheet) for spec in TABLES]


def summary_rows() -> list[tuple[str, str | None]]:
    """The Summary information sheet, row by row: each table's heading (no footnote), then
    each field name with its footnote."""
    rows: list[tuple[str, str | None]] = []
    for spec in TABLES:
        rows.append((f"Table {spec.number}: {TABLE[spec.number].name.lower()}", None))
        rows.extend((official_heading(rule.heading), footnote(rule)) for rule in spec.fields)
    return rows


def _consistent() -> None:
    """Each horizontal table has one column per field of the spec, in order, and no two fields
    share a column (import-time guard against an edit that breaks the layout)."""
    for number, layout in TEMPLATE.items():
        fields = TABLE[number].fields
        if layout.vertical:
            continue
        if len(layout.columns) != len(fields):
            raise ValueError(f"AEF template Table {number}: {len(fields)} fields, columns differ")
        indices = [column_index(c) for c in layout.columns]
        if indices != sorted(set(indices)):
            raise ValueError(f"AEF template Table {number}: columns out of order")


_consistent()
