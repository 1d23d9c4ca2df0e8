"""The AEF field specification (RULES.md section 4, 4/CMA.6 annex II) as data.

`FIELDS` is the one table of field rules: every column of the five AEF tables in order, with its
heading, type, requiredness, when it must be "NA", when a conditional field becomes required,
its controlled list and its pattern. `TABLES` adds the few rules that span a row or a table.
The exporter takes order and headings from here and the validator checks against it, so a
nomenclature update is an edit of this file, not of the code.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import cached_property

from article6.domain import identifiers
from article6.domain.nomenclature import (
    ActionSubtype,
    ActionType,
    ActivityType,
    FirstTransferDefinition,
    Metric,
    MitigationType,
    Purpose,
    Sector,
    UnderlyingRegistry,
)

NA = "NA"
NOT_APPLICABLE_SPELLINGS = frozenset({"na", "n/a", "n.a.", "-", "not applicable"})
"""How real submissions write "not applicable" (RULES.md 11.2), compared case-insensitively
with spaces collapsed; read as NA wherever NA may stand. Our writer writes NA."""
TERM_SPELLINGS = {"First international transfer": "First transfer to another Party"}
"""Terms of controlled lists as submissions and the CARP's checker still write them (RULES.md
11.2), read as the current nomenclature's term; our writer writes the current term."""
"""How "Not applicable" is written in a cell."""

LIST_SEPARATOR = "; "
"""Separator of multi-valued cells (sectors, activity types, authorized Parties, entities)."""


class Kind(StrEnum):
    TEXT = "text"
    INTEGER = "integer"
    NUMBER = "number"
    DATE = "date dd/mm/yyyy"
    ACTION_DATE = "date dd/mm/yyyy or UTC datetime yyyy-mm-ddThh:mm:ss.sssZ"
    UNIT_ID = "unit identifier CANNNN-registry-Party-serial-vintage, or a serial"
    CODE = "code of a controlled list"
    CODES = "codes of a controlled list, separated by '; '"


class Need(StrEnum):
    REQUIRED = "Y"
    OPTIONAL = "N"
    CONDITIONAL = "cond."
    CARP = "CARP"


class Rule(StrEnum):
    """The kinds of problem the validator reports."""

    TABLE = "table"  # a table (sheet, CSV file, JSON table) is missing
    HEADING = "heading"  # headings missing, renamed or out of order
    REQUIRED = "required"  # a required (or conditionally required) value is missing
    TYPE = "type"  # not an integer, number or date of the expected format
    VOCABULARY = "vocabulary"  # not a value of the controlled list
    PATTERN = "pattern"  # does not match the field's format
    NOT_APPLICABLE = "not-applicable"  # must be "NA" for this row
    CARP = "carp"  # populated by the CARP: the Party leaves it empty
    ROWS = "rows"  # wrong number of rows (Table 1 has exactly one)
    BLOCK = "block"  # First ID > Last ID, or the quantity is not the block's size
    REFERENCE = "reference"  # an authorization not listed in Table 2
    REPORTED_YEAR = "reported-year"  # an action or authorization dated outside the reported year
    DATE = "date"  # an authorization dated before 2021 or after the date of submission


@dataclass(frozen=True)
class When:
    """A condition on another field of the same row: its value is one of `values`, or with
    `negate` is none of them."""

    field: str
    values: frozenset[str]
    negate: bool = False

    def holds(self, row: dict[str, str]) -> bool:
        return (row.get(self.field, "") in self.values) != self.negate


Conditions = tuple[tuple[When, ...], ...]
"""Alternatives (any) of conjunctions (all)."""


def is_(field: str, *values: str) -> When:
    return When(field, frozenset(values))


def not_(field: str, *values: str) -> When:
    return When(field, frozenset(values), negate=True)


def holds(conditions: Conditions, row: dict[str, str]) -> bool:
    return any(all(when.holds(row) for when in conjunction) for conjunction in conditions)


@dataclass(frozen=True)
class FieldRule:
    """One AEF column. `na_when`: the value must be "NA"; `required_when`: a conditional field
    must carry a value; `na_allowed`: an optional field may say "NA"; `former_headings`: what
    earlier exports called the column, still read."""

    table: int
    number: int
    key: str
    heading: str
    kind: Kind
    need: Need
    vocabulary: tuple[str, ...] = ()
    pattern: str | None = None
    na_when: Conditions = ()
    required_when: Conditions = ()
    na_allowed: bool = False
    subtypes_of: str | None = None  # the field whose value limits this one's vocabulary
    former_headings: tuple[str, ...] = ()

    @property
    def may_be_not_applicable(self) -> bool:
        """Whether "NA" can ever stand in this column (so its other spellings are read as NA)."""
        return bool(self.na_when) or self.na_allowed or self.need is Need.CONDITIONAL

    @property
    def regex(self) -> re.Pattern[str] | None:
        return _compiled(self.pattern) if self.pattern else None


_PATTERNS: dict[str, re.Pattern[str]] = {}


def _compiled(pattern: str) -> re.Pattern[str]:
    if pattern not in _PATTERNS:
        _PATTERNS[pattern] = re.compile(pattern)
    return _PATTERNS[pattern]


PARTY = r"^[A-Z]{3}$"
PARTIES = r"^[A-Z]{3}(; [A-Z]{3})*$"
COOPERATIVE_APPROACH = r"^CA\d{4}$"
REGISTRY = r"^[A-Z]{3}\d{2}$"
UNIT_ID = rf"^(?:{identifiers.UNIT_ID_PATTERN[1:-1]}|\d+)$"
"""First ID and Last ID: the unit's full identifier (6/CMA.4 annex I para 5), as real AEFs write
it (RULES.md 11.2) and our export does; a bare serial, the nomenclature metadata's integer, is
read too. `identifiers.serial_of` reads the serial of either."""
AUTHORIZATION_ID = identifiers.AUTHORIZATION_ID_PATTERN
VERSION = r"^[1-9]\d*\.\d+$"
TIMEFRAME = r"^(\d{4} - \d{4}|.*\b20\d{2}\b.*)$"
"""`dddd - dddd` (Table 20), as we write it, or the free text real submissions use that names
the years, e.g. `Use: from 01/10/2022 to 31/12/2030` (RULES.md 11.2)."""
YEAR = r"^\d{4}$"

METRICS = tuple(m.value for m in Metric)
SECTORS = tuple(s.value for s in Sector)
PURPOSES = tuple(p.value for p in Purpose)
FIRST_TRANSFER_DEFINITIONS = tuple(d.value for d in FirstTransferDefinition)
ACTION_TYPES = tuple(t.value for t in ActionType)
ACTION_SUBTYPES = tuple(s.value for s in ActionSubtype)
MITIGATION_TYPES = tuple(m.value for m in MitigationType)
UNDERLYING_REGISTRIES = tuple(r.value for r in UnderlyingRegistry)
ACTIVITY_TYPES = tuple(a.value for a in ActivityType)

_S = ActionSubtype
SUBTYPES_OF_TYPE: dict[str, tuple[str, ...]] = {
    ActionType.AUTHORIZATION: (_S.NOT_YET_DEFINED,),
    ActionType.FIRST_TRANSFER: (
        _S.FIRST_TRANSFER_TO_ANOTHER_PARTY,
        _S.AUTHORIZATION,
        _S.ISSUANCE,
        _S.USE_OR_CANCELLATION,
        _S.MANDATORY_OMGE,
        _S.VOLUNTARY_OMGE,
        _S.OTHER_CANCELLATIONS,
        _S.NOT_YET_DEFINED,
    ),
    ActionType.TRANSFER: (_S.MANDATORY_AF_TRANSFER, _S.VOLUNTARY_AF_TRANSFER, _S.NOT_YET_DEFINED),
    ActionType.ACQUISITION: (_S.NOT_YET_DEFINED,),
    ActionType.USE: (_S.NOT_YET_DEFINED,),
    ActionType.CANCELLATION: (
        _S.MANDATORY_OMGE,
        _S.VOLUNTARY_OMGE,
        _S.OTHER_CANCELLATIONS,
        _S.NOT_YET_DEFINED,
    ),
    ActionType.VOLUNTARY_CANCELLATION: (
        _S.MANDATORY_OMGE,
        _S.VOLUNTARY_OMGE,
        _S.OTHER_CANCELLATIONS,
        _S.NOT_YET_DEFINED,
    ),
}
"""Which subtypes go with which action type [3P inference from the nomenclature's
descriptions, RULES.md 4.6]."""

_T = ActionType
GHG = is_("metric", Metric.GHG)
NON_GHG = is_("metric", Metric.NON_GHG)
NO_UNDERLYING = is_("underlying_registry", NA)
USING_TYPES = (_T.USE, _T.FIRST_TRANSFER, _T.CANCELLATION, _T.VOLUNTARY_CANCELLATION)
NDC_ONLY = is_("purposes", Purpose.NDC)
_R, _N, _C, _X = Need.REQUIRED, Need.OPTIONAL, Need.CONDITIONAL, Need.CARP

F = FieldRule
FIELDS: tuple[FieldRule, ...] = (
    # Table 1: Submission (one row per Party and reported year; a revision is a new version)
    F(1, 1, "party", "Party", Kind.TEXT, _R, pattern=PARTY),
    F(1, 2, "version", "Version", Kind.TEXT, _R, pattern=VERSION),
    F(1, 3, "reported_year", "Reported year", Kind.INTEGER, _R, pattern=YEAR),
    F(1, 4, "date_of_submission", "Date of submission", Kind.DATE, _R),
    F(1, 5, "review_status", "Review status of the initial report", Kind.TEXT, _X),
    F(
        1,
        6,
        "consistency_check",
        "Result of the consistency check of this AEF submission",
        Kind.TEXT,
        _X,
    ),
    F(
        1,
        7,
        "ndc_first_year",
        "First year of the NDC implementation period",
        Kind.INTEGER,
        _R,
        pattern=YEAR,
    ),
    F(
        1,
        8,
        "ndc_last_year",
        "Last year of the NDC implementation period",
        Kind.INTEGER,
        _R,
        pattern=YEAR,
    ),
    F(
        1,
        9,
        "ter_reference",
        "Reference to the Article 6 technical expert review report of the initial report",
        Kind.TEXT,
        _N,  # a CARP field the registry fills from the Party's recorded initial reports
        former_headings=("Reference to the Article 6 TER report of the initial report",),
    ),
    # Table 2: Authorizations (one row per authorization version)
    F(2, 1, "authorization_id", "Authorization ID", Kind.TEXT, _R, pattern=AUTHORIZATION_ID),
    F(2, 2, "date_of_authorization", "Date of authorization", Kind.DATE, _R),
    F(
        2,
        3,
        "cooperative_approach_id",
        "Cooperative approach ID",
        Kind.TEXT,
        _R,
        pattern=COOPERATIVE_APPROACH,
    ),
    F(2, 4, "version", "Version of the authorization", Kind.INTEGER, _R),
    F(2, 5, "authorized_quantity", "Authorized quantity", Kind.INTEGER, _N),
    F(2, 6, "metric", "Metric", Kind.CODE, _R, vocabulary=METRICS),
    F(2, 7, "gwp_values", "Applicable GWP value(s)", Kind.TEXT, _N),
    F(
        2,
        8,
        "non_ghg_metric",
        "Applicable non-GHG metric",
        Kind.TEXT,
        _C,
        na_when=((GHG,),),
        required_when=((NON_GHG,),),
    ),
    F(2, 9, "sectors", "Sector(s)", Kind.CODES, _R, vocabulary=SECTORS),
    F(2, 10, "activity_types", "Activity type(s)", Kind.CODES, _N, vocabulary=ACTIVITY_TYPES),
    F(2, 11, "purposes", "Purposes for authorization", Kind.CODE, _R, vocabulary=PURPOSES),
    F(2, 12, "authorized_parties", "Authorized Party(ies) ID", Kind.TEXT, _N, pattern=PARTIES),
    F(2, 13, "authorized_entities", "Authorized entity(ies) ID", Kind.TEXT, _N),
    F(
        2,
        14,
        "oimp_authorized",
        "OIMP authorized by the Party",
        Kind.TEXT,
        _C,
        na_when=((NDC_ONLY,),),
        required_when=((not_("purposes", Purpose.NDC),),),
    ),
    F(2, 15, "timeframe", "Authorized timeframe", Kind.TEXT, _N, pattern=TIMEFRAME),
    F(2, 16, "terms_and_conditions", "Authorization terms and conditions", Kind.TEXT, _N),
    F(2, 17, "documentation", "Authorization documentation", Kind.TEXT, _X),
    F(
        2,
        18,
        "first_transfer_definition",
        "First transfer definition for OIMP",
        Kind.CODE,
        _C,
        vocabulary=FIRST_TRANSFER_DEFINITIONS,
        na_when=((NDC_ONLY,),),
        required_when=((not_("purposes", Purpose.NDC),),),
    ),
    F(2, 19, "additional_information", "Additional explanatory information", Kind.TEXT, _N),
    # Table 3: Actions (one row per homogeneous ITMO block per action)
    F(3, 1, "action_date", "Action date", Kind.ACTION_DATE, _R),
    F(3, 2, "action_type", "Action type", Kind.CODE, _R, vocabulary=ACTION_TYPES),
    F(
        3,
        3,
        "action_subtype",
        "Action subtype",
        Kind.CODE,
        _N,
        vocabulary=ACTION_SUBTYPES,
        subtypes_of="action_type",
    ),
    F(
        3,
        4,
        "cooperative_approach_id",
        "Cooperative approach ID",
        Kind.TEXT,
        _R,
        pattern=COOPERATIVE_APPROACH,
    ),
    F(3, 5, "authorization_id", "Authorization ID", Kind.TEXT, _R, pattern=AUTHORIZATION_ID),
    F(
        3,
        6,
        "first_transferring_party",
        "First transferring participating Party ID",
        Kind.TEXT,
        _R,
        pattern=PARTY,
    ),
    F(3, 7, "registry_id", "Party ITMO registry ID", Kind.TEXT, _R, pattern=REGISTRY),
    F(3, 8, "first_id", "First ID", Kind.UNIT_ID, _R, pattern=UNIT_ID),
    F(3, 9, "last_id", "Last ID", Kind.UNIT_ID, _R, pattern=UNIT_ID),
    F(
        3,
        10,
        "underlying_registry",
        "Underlying unit registry ID",
        Kind.CODE,
        _N,
        vocabulary=UNDERLYING_REGISTRIES,
        na_allowed=True,
    ),
    F(
        3,
        11,
        "first_unit_id",
        "First unit ID",
        Kind.INTEGER,
        _N,
        na_when=((NO_UNDERLYING,),),
        na_allowed=True,
    ),
    F(
        3,
        12,
        "last_unit_id",
        "Last unit ID",
        Kind.INTEGER,
        _N,
        na_when=((NO_UNDERLYING,),),
        na_allowed=True,
    ),
    F(3, 13, "metric", "Metric", Kind.CODE, _R, vocabulary=METRICS),
    F(3, 14, "gwp_values", "Applicable GWP value(s)", Kind.TEXT, _N),
    F(
        3,
        15,
        "non_ghg_metric",
        "Applicable non-GHG metric",
        Kind.TEXT,
        _C,
        na_when=((GHG,),),
        required_when=((NON_GHG,),),
    ),
    F(3, 16, "quantity", "Quantity (t CO2 eq)", Kind.NUMBER, _R),
    F(
        3,
        17,
        "non_ghg_quantity",
        "Quantity (in non-GHG metric)",
        Kind.NUMBER,
        _C,
        na_when=((GHG,),),
        required_when=((NON_GHG,),),
    ),
    F(3, 18, "mitigation_type", "Mitigation type", Kind.CODE, _R, vocabulary=MITIGATION_TYPES),
    F(3, 19, "vintage", "Vintage", Kind.INTEGER, _R, pattern=YEAR),
    F(
        3,
        20,
        "transferring_party",
        "Transferring participating Party ID",
        Kind.TEXT,
        _C,
        pattern=PARTY,
        na_when=((not_("action_type", _T.ACQUISITION),),),
        required_when=((is_("action_type", _T.ACQUISITION),),),
    ),
    F(
        3,
        21,
        "acquiring_party",
        "Acquiring participating Party ID",
        Kind.TEXT,
        _C,
        pattern=PARTY,
        na_when=((not_("action_type", _T.FIRST_TRANSFER, _T.TRANSFER),),),
        required_when=(
            (is_("action_type", _T.TRANSFER),),
            (
                is_("action_type", _T.FIRST_TRANSFER),
                is_("action_subtype", _S.FIRST_TRANSFER_TO_ANOTHER_PARTY),
            ),
        ),
    ),
    F(
        3,
        22,
        "purpose",
        "Purpose for which the ITMO has been used towards or cancelled for OIMP",
        Kind.TEXT,
        _C,
        na_when=((not_("action_type", *USING_TYPES),),),
        required_when=((is_("action_type", _T.USE), is_("ndc_year", NA)),),
    ),
    F(
        3,
        23,
        "using_party",
        "Using/cancelling participating Party ID",
        Kind.TEXT,
        _C,
        pattern=PARTY,
        na_when=((not_("action_type", *USING_TYPES),),),
        required_when=((is_("action_type", _T.USE), is_("ndc_year", NA)),),
    ),
    F(
        3,
        24,
        "using_entity",
        "Using/cancelling authorized entity ID",
        Kind.TEXT,
        _C,
        na_when=((not_("action_type", *USING_TYPES),),),
    ),
    F(
        3,
        25,
        "ndc_year",
        "Calendar year for which the ITMOs are used towards the Party's NDC",
        Kind.INTEGER,
        _C,
        pattern=YEAR,
        na_when=(
            (not_("action_type", _T.USE),),
            (is_("action_type", _T.USE), not_("purpose", NA, "")),
        ),
        required_when=((is_("action_type", _T.USE), is_("purpose", NA)),),
    ),
    F(3, 26, "consistency_check", "Result of the consistency checks", Kind.TEXT, _X),
    F(3, 27, "additional_information", "Additional explanatory information", Kind.TEXT, _N),
    # Table 4: Holdings (at the end of the reported year)
    F(
        4,
        1,
        "cooperative_approach_id",
        "Cooperative approach ID",
        Kind.TEXT,
        _R,
        pattern=COOPERATIVE_APPROACH,
    ),
    F(4, 2, "authorization_id", "Authorization ID", Kind.TEXT, _R, pattern=AUTHORIZATION_ID),
    F(
        4,
        3,
        "first_transferring_party",
        "First transferring participating Party ID",
        Kind.TEXT,
        _R,
        pattern=PARTY,
    ),
    F(4, 4, "registry_id", "Party ITMO registry ID", Kind.TEXT, _R, pattern=REGISTRY),
    F(4, 5, "first_id", "First ID", Kind.UNIT_ID, _R, pattern=UNIT_ID),
    F(4, 6, "last_id", "Last ID", Kind.UNIT_ID, _R, pattern=UNIT_ID),
    F(
        4,
        7,
        "underlying_registry",
        "Underlying unit registry ID",
        Kind.CODE,
        _N,
        vocabulary=UNDERLYING_REGISTRIES,
        na_allowed=True,
    ),
    F(
        4,
        8,
        "first_unit_id",
        "First unit ID",
        Kind.INTEGER,
        _N,
        na_when=((NO_UNDERLYING,),),
        na_allowed=True,
    ),
    F(
        4,
        9,
        "last_unit_id",
        "Last unit ID",
        Kind.INTEGER,
        _N,
        na_when=((NO_UNDERLYING,),),
        na_allowed=True,
    ),
    F(4, 10, "metric", "Metric", Kind.CODE, _R, vocabulary=METRICS),
    F(4, 11, "gwp_values", "Applicable GWP value(s)", Kind.TEXT, _N),
    F(
        4,
        12,
        "non_ghg_metric",
        "Applicable non-GHG metric",
        Kind.TEXT,
        _C,
        na_when=((GHG,),),
        required_when=((NON_GHG,),),
    ),
    F(4, 13, "quantity", "Quantity (t CO2 eq)", Kind.NUMBER, _R),
    F(
        4,
        14,
        "non_ghg_quantity",
        "Quantity (in non-GHG metric)",
        Kind.NUMBER,
        _C,
        na_when=((GHG,),),
        required_when=((NON_GHG,),),
    ),
    F(4, 15, "mitigation_type", "Mitigation type", Kind.CODE, _R, vocabulary=MITIGATION_TYPES),
    F(4, 16, "vintage", "Vintage", Kind.INTEGER, _R, pattern=YEAR),
    # Table 5: Authorized entities
    F(5, 1, "date_of_authorization", "Date of the authorization", Kind.DATE, _R),
    F(5, 2, "name", "Name", Kind.TEXT, _R),
    F(5, 3, "country_of_incorporation", "Country of incorporation", Kind.TEXT, _R, pattern=PARTY),
    F(5, 4, "identification_number", "Identification number", Kind.TEXT, _R),
    F(
        5,
        5,
        "cooperative_approach_id",
        "Cooperative approach ID",
        Kind.TEXT,
        _R,
        pattern=COOPERATIVE_APPROACH,
    ),
    F(5, 6, "conditions", "Conditions", Kind.TEXT, _N),
    F(5, 7, "change_and_revocation_conditions", "Change and revocation conditions", Kind.TEXT, _N),
    F(5, 8, "additional_information", "Additional explanatory information", Kind.TEXT, _N),
)


@dataclass(frozen=True)
class TableSpec:
    """One AEF table, and its rules beyond single fields: `single_row` (Table 1), `block`
    (First ID, Last ID, quantity: ordered and the quantity is the block's size), `references`
    (an authorization of the reporting Party, i.e. on a row whose first transferring Party is
    the Party of Table 1, is listed in its Table 2) and `within_year` (the date field lies
    in the reported year)."""

    number: int
    name: str
    sheet: str
    file_stem: str
    single_row: bool = False
    block: tuple[str, str, str] | None = None
    references: tuple[str, ...] = ()
    within_year: str | None = None

    @cached_property
    def fields(self) -> tuple[FieldRule, ...]:
        return FIELDS_OF[self.number]

    @cached_property
    def headings(self) -> tuple[str, ...]:
        return tuple(f.heading for f in self.fields)

    @cached_property
    def keys(self) -> tuple[str, ...]:
        return tuple(f.key for f in self.fields)


TABLES: tuple[TableSpec, ...] = (
    TableSpec(1, "Submission", "Table 1 Submission", "table1_submission", single_row=True),
    TableSpec(2, "Authorizations", "Table 2 Authorizations", "table2_authorizations"),
    TableSpec(
        3,
        "Actions",
        "Table 3 Actions",
        "table3_actions",
        block=("first_id", "last_id", "quantity"),
        references=("authorization_id", "cooperative_approach_id"),
        within_year="action_date",
    ),
    TableSpec(
        4,
        "Holdings",
        "Table 4 Holdings",
        "table4_holdings",
        block=("first_id", "last_id", "quantity"),
        references=("authorization_id", "cooperative_approach_id"),
    ),
    TableSpec(
        5, "Authorized entities", "Table 5 Authorized entities", "table5_authorized_entities"
    ),
)

FIELDS_OF: dict[int, tuple[FieldRule, ...]] = {
    number: tuple(sorted((f for f in FIELDS if f.table == number), key=lambda f: f.number))
    for number in range(1, 6)
}
TABLE: dict[int, TableSpec] = {t.number: t for t in TABLES}


def _consistent() -> None:
    """The table is numbered 1..n per AEF table and keys are unique within each (import-time
    guard against an edit that breaks the order)."""
    for number, fields in FIELDS_OF.items():
        if [f.number for f in fields] != list(range(1, len(fields) + 1)):
            raise ValueError(f"AEF Table {number}: field numbers are not 1..{len(fields)}")
        if len({f.key for f in fields}) != len(fields):
            raise ValueError(f"AEF Table {number}: duplicate field keys")


_consistent()
