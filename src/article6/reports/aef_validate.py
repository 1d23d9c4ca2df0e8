"""Check any AEF file (ours or another registry's) against the field specification.

Reads the file through `aef_readers` (the official workbook, our former one-heading-row
workbook, a CSV directory or JSON) and reports each problem as (sheet, row, column, rule,
message) with the cell it is in, e.g. `Table 3 Actions!I9` or, in the official Table 1,
`Table 1 Submission!C6`. Values are read as real submissions write them (RULES.md 11.2): every
spelling of "not applicable", thousands separators in numbers, trailing spaces, the CARP's
placeholders, former terms of the controlled lists. The rules come from `aef_spec`; this module
only applies them, and never stops on a file it cannot make sense of: that is a problem too.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path

from article6.domain.identifiers import FIRST_VINTAGE, block_of, serial_of
from article6.domain.wording import Words, words
from article6.reports.aef_readers import (
    CsvSource,
    JsonSource,
    Placement,
    XlsxSource,
    open_source,
    plain,
    text,
)
from article6.reports.aef_spec import (
    FIELDS,
    LIST_SEPARATOR,
    NA,
    NOT_APPLICABLE_SPELLINGS,
    SUBTYPES_OF_TYPE,
    TABLES,
    TERM_SPELLINGS,
    VERSION,
    FieldRule,
    Kind,
    Need,
    Rule,
    TableSpec,
    holds,
)
from article6.reports.aef_template import PLACEHOLDERS, column_index
from article6.reports.aef_template import column_letter as column_letter  # the former home

MAX_PROBLEMS = 10_000
INTEGER = re.compile(r"^-?\d+$")
DATE = re.compile(r"^(\d{2})/(\d{2})/(\d{4})$")
UTC_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,6})?Z$")
THOUSANDS = re.compile(r"^-?\d{1,3}(,\d{3})+(\.\d+)?$")
"""A number written with thousands separators, e.g. `7,144,362` (RULES.md 11.2)."""
NUMERIC_KINDS = frozenset({Kind.INTEGER, Kind.NUMBER})
SEPARATED_KINDS = NUMERIC_KINDS | {Kind.UNIT_ID}
"""Fields whose numbers lose their thousands separators (a serial written `16,829,005`)."""
TERMS: dict[tuple[int, str], dict[str, str]] = {
    (rule.table, rule.key): {
        **{plain(term).casefold(): term for term in rule.vocabulary},
        **{
            plain(spelling).casefold(): term
            for spelling, term in TERM_SPELLINGS.items()
            if term in rule.vocabulary
        },
    }
    for rule in FIELDS
    if rule.vocabulary
}
"""Each controlled list's terms by their casefolded spelling, former spellings included (per
field: `Use or Cancellation` and `Use or cancellation` are terms of two different lists)."""
PLACEHOLDER_TEXTS = frozenset(plain(p).casefold() for p in PLACEHOLDERS)


@dataclass(frozen=True)
class Problem:
    sheet: str
    row: int | None
    column: str | None
    rule: Rule
    message: str
    letter: str | None = None

    def __str__(self) -> str:
        where = self.sheet
        if self.row is not None or self.letter:
            where += f"!{self.letter or ''}{self.row or ''}"
        column = f" {self.column}:" if self.column else ""
        return f"{where} [{self.rule}]{column} {self.message}"


# Rules ----------------------------------------------------------------------------------------


_plain = plain


def not_applicable(value: str) -> bool:
    """Whether the cell says "not applicable" in one of the spellings real files use."""
    return _plain(value).casefold() in NOT_APPLICABLE_SPELLINGS


def _named(spec: TableSpec, given: list[str]) -> list[str]:
    """The given headings with each one that names a field (its heading as the official
    template writes it, or a former heading of ours) replaced by the field's heading."""
    known = {
        _plain(heading): rule.heading
        for rule in spec.fields
        for heading in (rule.heading, *rule.former_headings)
    }
    return [known.get(_plain(heading), heading) for heading in given]


def _term(rule: FieldRule, value: str) -> str:
    if value in rule.vocabulary:
        return value
    return TERMS[rule.table, rule.key].get(plain(value).casefold(), value)


def _cell(rule: FieldRule, value: object) -> str:
    """The value as the rules see it: a CARP placeholder is empty, any spelling of "not
    applicable" is NA, a number loses its thousands separators, a term of a controlled list
    is the current nomenclature's spelling of it, a date cell of a date field is its day."""
    if rule.kind is Kind.DATE and isinstance(value, datetime):
        value = value.date()
    if rule.pattern == VERSION and isinstance(value, int | float) and not isinstance(value, bool):
        value = f"{value:.1f}" if float(value).is_integer() else str(value)  # typed 1.0 -> 1
    found = text(value)
    if rule.need is Need.CARP and plain(found).casefold() in PLACEHOLDER_TEXTS:
        return ""
    if rule.may_be_not_applicable and not_applicable(found):
        return NA
    if rule.kind in SEPARATED_KINDS and THOUSANDS.match(found):
        return found.replace(",", "")
    if rule.kind is Kind.CODE:
        return _term(rule, found)
    if rule.kind is Kind.CODES:
        return LIST_SEPARATOR.join(_term(rule, item.strip()) for item in found.split(";"))
    return found


def _valid_date(value: str) -> bool:
    match = DATE.match(value)
    if not match:
        return False
    try:
        date(int(match[3]), int(match[2]), int(match[1]))
    except ValueError:
        return False
    return True


def _date_of(value: str) -> date | None:
    """The date of a valid `dd/mm/yyyy` cell, else None (the type rule reports it)."""
    return date(int(value[6:]), int(value[3:5]), int(value[:2])) if _valid_date(value) else None


def _printed(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _year_of(value: str) -> int | None:
    if _valid_date(value):
        return int(value[-4:])
    if UTC_DATETIME.match(value):
        return int(value[:4])
    return None


def _type_problem(rule: FieldRule, value: str) -> str | None:
    if rule.kind is Kind.INTEGER and not INTEGER.match(value):
        return words("{value!r} is not a whole number", value=value)
    if rule.kind is Kind.NUMBER:
        try:
            number = Decimal(value)
        except InvalidOperation:
            return words("{value!r} is not a number", value=value)
        if not number.is_finite():
            return words("{value!r} is not a number", value=value)
    if rule.kind is Kind.DATE and not _valid_date(value):
        return words("{value!r} is not a date dd/mm/yyyy", value=value)
    if rule.kind is Kind.ACTION_DATE:
        if not (_valid_date(value) or UTC_DATETIME.match(value)):
            return words(
                "{value!r} is neither dd/mm/yyyy nor yyyy-mm-ddThh:mm:ss.sssZ", value=value
            )
        if UTC_DATETIME.match(value):
            try:
                datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return words("{value!r} is not a valid UTC date and time", value=value)
    return None


def check_field(rule: FieldRule, value: str, row: dict[str, str]) -> tuple[Rule, str] | None:
    """The first rule the value breaks, in the order: CARP, NA, required, type, list, pattern."""
    if rule.need is Need.CARP:
        if value:
            return (
                Rule.CARP,
                words("populated by the CARP; leave it empty or as the template's placeholder"),
            )
        return None
    if holds(rule.na_when, row):
        if value != NA:
            return Rule.NOT_APPLICABLE, words(
                "must be {na} for this row, found {value!r}", na=NA, value=value
            )
        return None
    required = rule.need is Need.REQUIRED or (
        rule.need is Need.CONDITIONAL and holds(rule.required_when, row)
    )
    if value in ("", NA):
        if required:
            return Rule.REQUIRED, (
                words("a value is required") if not value else words("{na} is not allowed", na=NA)
            )
        if value == NA and not (rule.na_allowed or rule.need is Need.CONDITIONAL):
            return Rule.NOT_APPLICABLE, words(
                "{na} is only for fields that may be not applicable", na=NA
            )
        return None
    problem = _type_problem(rule, value)
    if problem:
        return Rule.TYPE, problem
    if rule.vocabulary:
        items = value.split(";") if rule.kind is Kind.CODES else [value]
        allowed = rule.vocabulary
        if rule.subtypes_of is not None:
            allowed = SUBTYPES_OF_TYPE.get(row.get(rule.subtypes_of, ""), allowed)
        for item in (i.strip() for i in items):
            if item not in allowed:
                if rule.subtypes_of and item in rule.vocabulary:
                    return Rule.VOCABULARY, words(
                        "{item!r} is not in the controlled list for {field} {value!r}",
                        item=item,
                        field=rule.subtypes_of.replace("_", " "),
                        value=row.get(rule.subtypes_of),
                    )
                return Rule.VOCABULARY, words("{item!r} is not in the controlled list", item=item)
    regex = rule.regex
    if regex is not None and not regex.match(value):
        return Rule.PATTERN, words(
            "{value!r} does not match {pattern}", value=value, pattern=rule.pattern
        )
    return None


@dataclass
class Context:
    """What one table's checks need from the tables before it."""

    reported_year: int | None = None
    party: str | None = None
    submitted: date | None = None
    authorizations: set[tuple[str, str]] | None = None


def _expected_positions(spec: TableSpec, placement: Placement) -> dict[str, int]:
    """Where each field's heading belongs: the template's column in the official horizontal
    layout, else the field's position (column from A, or label row in the vertical Table 1)."""
    layout = placement.layout
    if layout is None or layout.vertical:
        return {heading: index for index, heading in enumerate(spec.headings)}
    return {
        rule.heading: column_index(letter)
        for rule, letter in zip(spec.fields, layout.columns, strict=True)
    }


def _place(placement: Placement, index: int) -> Words:
    """A heading's column (horizontal) or row (the vertical Table 1)."""
    letter, row = placement.heading_cell(index)
    return (
        words("row {row}", row=row)
        if placement.label_column
        else words("column {letter}", letter=letter)
    )


def _heading_problems(spec: TableSpec, given: list[str], placement: Placement) -> Iterator[Problem]:
    expected = _expected_positions(spec, placement)
    official = placement.layout is not None
    if not official and given == list(spec.headings):
        return
    sheet = placement.sheet

    def at(index: int, heading: str | None, message: str, located: bool = True) -> Problem:
        letter, row = placement.heading_cell(index)
        return Problem(sheet, row, heading, Rule.HEADING, message, letter if located else None)

    for number, (heading, index) in enumerate(expected.items(), start=1):
        if heading not in given:
            yield at(
                index,
                heading,
                words("missing heading (field {number})", number=number),
                located=official,
            )
        elif given.index(heading) != index:
            found = given.index(heading)
            yield at(
                found,
                heading,
                words(
                    "heading in {found}, expected in {expected}",
                    found=_place(placement, found),
                    expected=_place(placement, index),
                ),
            )
    for index, heading in enumerate(given):
        if heading in expected or (official and not heading):
            continue
        yield at(
            index,
            heading or None,
            words("unexpected heading") if heading else words("empty heading"),
        )


def check_table(
    spec: TableSpec, source: XlsxSource | CsvSource | JsonSource, context: Context
) -> Iterator[Problem]:
    headings, rows = source.table(spec)
    placement = source.placement(spec)
    sheet = placement.sheet
    if headings is None:
        yield Problem(
            sheet, None, None, Rule.TABLE, words("Table {number} is missing", number=spec.number)
        )
        return
    headings = _named(spec, headings)
    yield from _heading_problems(spec, headings, placement)
    position: dict[str, int] = {}
    for index, heading in enumerate(headings):
        position.setdefault(heading, index)
    present = [(f, position[f.heading]) for f in spec.fields if f.heading in position]
    count = 0
    authorizations: set[tuple[str, str]] = set()
    for number, values in rows:
        count += 1
        row = {f.key: _cell(f, values[i]) if i < len(values) else "" for f, i in present}
        for rule, index in present:
            broken = check_field(rule, row[rule.key], row)
            if broken:
                letter, at = placement.cell(index, number)
                yield Problem(sheet, at, rule.heading, broken[0], broken[1], letter)
        yield from _row_rules(spec, number, row, position, context, placement)
        if spec.number == 1 and INTEGER.match(row.get("reported_year", "")):
            context.reported_year = int(row["reported_year"])
        if spec.number == 1:
            context.party = row.get("party") or None
            context.submitted = _date_of(row.get("date_of_submission", ""))
        if spec.number == 2:
            authorizations.add(
                (row.get("authorization_id", ""), row.get("cooperative_approach_id", ""))
            )
    if spec.single_row and count != 1:
        yield Problem(
            sheet,
            None,
            None,
            Rule.ROWS,
            words("exactly one row expected, found {count}", count=count),
        )
    if spec.number == 2:
        context.authorizations = authorizations


def _row_rules(
    spec: TableSpec,
    number: int,
    row: dict[str, str],
    position: dict[str, int],
    context: Context,
    placement: Placement,
) -> Iterator[Problem]:
    headings = {f.key: f.heading for f in spec.fields}

    def problem(key: str, rule: Rule, message: str) -> Problem:
        index = position.get(headings[key])
        letter, at = placement.cell(index, number) if index is not None else (None, number)
        return Problem(placement.sheet, at, headings[key], rule, message, letter)

    if spec.block is not None:
        first_key, last_key, quantity_key = spec.block
        first, last, quantity = (
            row.get(first_key, ""),
            row.get(last_key, ""),
            row.get(quantity_key, ""),
        )
        low, high = serial_of(first), serial_of(last)
        if low is not None and high is not None:
            if block_of(first) != block_of(last):
                yield problem(
                    last_key,
                    Rule.BLOCK,
                    words(
                        "First ID {first} and Last ID {last} differ in more than the serial",
                        first=first,
                        last=last,
                    ),
                )
            elif low > high:
                yield problem(
                    last_key,
                    Rule.BLOCK,
                    words("Last ID {last} is before First ID {first}", last=last, first=first),
                )
            elif (
                row.get("metric") == "GHG"
                and INTEGER.match(quantity)
                and int(quantity) != high - low + 1
            ):
                yield problem(
                    quantity_key,
                    Rule.BLOCK,
                    words(
                        "quantity {quantity} is not the block's size {size}",
                        quantity=quantity,
                        size=high - low + 1,
                    ),
                )
    own = row.get("first_transferring_party") == context.party
    if spec.references and context.authorizations is not None and own:
        authorization, approach = (row.get(k, "") for k in spec.references)
        if (
            authorization not in ("", NA)
            and (authorization, approach) not in context.authorizations
        ):
            yield problem(
                spec.references[0],
                Rule.REFERENCE,
                words(
                    "authorization {authorization!r} of {approach} is not listed in Table 2",
                    authorization=authorization,
                    approach=approach,
                ),
            )
    if spec.number == 2:
        yield from (
            problem("date_of_authorization", rule, message)
            for rule, message in _authorization_date_problems(
                _date_of(row.get("date_of_authorization", "")), context
            )
        )
    if spec.within_year and context.reported_year is not None:
        year = _year_of(row.get(spec.within_year, ""))
        if year is not None and year != context.reported_year:
            yield problem(
                spec.within_year,
                Rule.REPORTED_YEAR,
                words(
                    "dated {year}, outside the reported year {reported_year}",
                    year=year,
                    reported_year=context.reported_year,
                ),
            )


def _authorization_date_problems(
    dated: date | None, context: Context
) -> Iterator[tuple[Rule, Words]]:
    """A Table 2 date of authorization: from 2021 (decision 2/CMA.3), not after the date of
    submission (it had not happened), and within the reported year or before it (RULES.md
    para 20 timing: an authorization is reported in the AEF of the year it was made, so one
    dated later belongs to a later year's AEF, even when the Party submits after the year)."""
    if dated is None:
        return
    if dated.year < FIRST_VINTAGE:
        yield (
            Rule.DATE,
            words(
                "dated {dated}, before {first} (decision 2/CMA.3 applies from then)",
                dated=_printed(dated),
                first=FIRST_VINTAGE,
            ),
        )
    if context.submitted is not None and dated > context.submitted:
        yield (
            Rule.DATE,
            words(
                "dated {dated}, after the date of submission {submitted}",
                dated=_printed(dated),
                submitted=_printed(context.submitted),
            ),
        )
    elif context.reported_year is not None and dated.year > context.reported_year:
        yield (
            Rule.REPORTED_YEAR,
            words(
                "dated {dated}, after the reported year {reported_year}: it is reported in the"
                " AEF of {year}",
                dated=_printed(dated),
                reported_year=context.reported_year,
                year=dated.year,
            ),
        )


def problems(path: Path) -> Iterator[Problem]:
    """Every problem of the AEF file at `path`, table by table (at most MAX_PROBLEMS)."""
    try:
        source = open_source(path)
    except Exception as error:  # unreadable file: one problem, not a traceback
        yield Problem(
            path.name,
            None,
            None,
            Rule.TABLE,
            words("cannot read the file: {error}", error=str(error)),
        )
        return
    context = Context()
    found = 0
    try:
        for spec in TABLES:
            checked = check_table(spec, source, context)
            while True:
                try:
                    problem = next(checked)
                except StopIteration:
                    break
                except Exception as error:  # a table it cannot make sense of: a problem
                    problem = Problem(
                        source.placement(spec).sheet,
                        None,
                        None,
                        Rule.TABLE,
                        words(
                            "cannot read Table {number}: {error}",
                            number=spec.number,
                            error=str(error),
                        ),
                    )
                    checked = iter(())
                found += 1
                if found > MAX_PROBLEMS:
                    yield Problem(
                        problem.sheet,
                        None,
                        None,
                        problem.rule,
                        words("too many problems; stopped here"),
                    )
                    return
                yield problem
    finally:
        source.close()


def validate(path: Path) -> list[Problem]:
    return list(problems(path))
