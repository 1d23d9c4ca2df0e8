"""Corresponding adjustment inputs of a Party for a reported year, summed from Table 3 of the
Party's own AEF for that year, so the two never disagree. It helps a Party prepare its
corresponding adjustments; it is not a submission, and the registry applies no adjustment.

How we read the decisions (docs/aef.md, "Corresponding adjustment inputs"):

- A Party applies a corresponding adjustment for the ITMOs it **first transferred** (it adds
  them) and for the ITMOs it **used towards its NDC** (it subtracts them); 2/CMA.3 annex
  ch. III (paras 7-9) and RULES.md 1.3. For ITMOs authorized for other international mitigation
  purposes the first transferring Party adjusts at the first transfer it defined (para 2(b):
  authorization, issuance, or use or cancellation), which Table 3 reports as a First transfer
  row with that subtype; the later Use for OIMP is not subtracted by anyone.
- So per cooperative approach, metric and vintage: **adjustment = first transferred − used
  towards NDC**. First transfers fall in the reported year; a use falls in the calendar year
  for which it is used (Table 3 field 25), shown per year.
- Transfers after the first transfer, acquisitions, uses for OIMP and cancellations change no
  emissions balance under that reading; they are listed so the Party can reconcile. The
  **net transferred** line (first transferred + transferred − acquired) is the reading of the
  MPGs (18/CMA.1 annex para 77(d)(ii): "an addition for ITMOs first-transferred/transferred and
  a subtraction for ITMOs used/acquired"), written before 2/CMA.3 settled on first transfer and
  use; it is shown, not used in the adjustment.
- GHG quantities are in t CO2 eq; non-GHG quantities in their own metric (Table 3 field 17),
  never summed with GHG or with another metric: converting them is the Party's method
  (2/CMA.3 annex para 22(d)).
- Rows whose action type changes nothing above (Authorization, or a type outside the
  nomenclature) are listed as not entering the adjustment, with their rows and quantity.

Every figure names the Table 3 rows it sums, numbered as in the official workbook (data from
row 9), and each line carries its arithmetic as text.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from article6.domain.nomenclature import ActionType, Metric
from article6.domain.wording import Number, Words, words
from article6.reports.aef_spec import NA, TABLE

FIRST_SHEET_ROW = 9
"""The official workbook's Table 3 has its headers in row 8: the first action is row 9."""
GHG_UNIT = "t CO2 eq"


class Flow(StrEnum):
    """What a Table 3 row is for the adjustment, in the order the inputs show them."""

    FIRST_TRANSFERRED = "first_transferred"
    TRANSFERRED = "transferred"
    ACQUIRED = "acquired"
    USED_TOWARDS_NDC = "used_towards_ndc"
    USED_FOR_OIMP = "used_for_oimp"
    CANCELLED = "cancelled"
    VOLUNTARILY_CANCELLED = "voluntarily_cancelled"

    @property
    def label(self) -> str:
        return FLOW_LABELS[self]


FLOW_LABELS = {
    Flow.FIRST_TRANSFERRED: words("first transferred"),
    Flow.TRANSFERRED: words("transferred after first transfer"),
    Flow.ACQUIRED: words("acquired"),
    Flow.USED_TOWARDS_NDC: words("used towards NDC"),
    Flow.USED_FOR_OIMP: words("used for OIMP"),
    Flow.CANCELLED: words("cancelled"),
    Flow.VOLUNTARILY_CANCELLED: words("voluntarily cancelled"),
}
ADJUSTMENT = ((Flow.FIRST_TRANSFERRED, 1), (Flow.USED_TOWARDS_NDC, -1))
"""The corresponding adjustment: + first transferred − used towards NDC."""
NET_TRANSFERRED = ((Flow.FIRST_TRANSFERRED, 1), (Flow.TRANSFERRED, 1), (Flow.ACQUIRED, -1))
"""The MPGs' net transfer: + first transferred + transferred − acquired (shown only)."""

NOT_ENTERING = {
    ActionType.AUTHORIZATION.value: words(
        "authorizing units moves nothing: no adjustment follows from it (an authorization that"
        " is the OIMP first transfer is its own First transfer row, subtype Authorization)"
    ),
}
UNKNOWN_TYPE = words("not an action type of the nomenclature (Table 25(b)): not counted")
NO_QUANTITY = words("its quantity is not a number: not counted")
NOT_GIVEN = words("a Party not given")


def flow_of(action_type: Any, ndc_year: Any) -> Flow | None:
    """The flow a Table 3 row adds to, from its action type (and, for a Use, whether it names
    the NDC year it counts towards); None: the row does not enter the adjustment."""
    match action_type:
        case ActionType.FIRST_TRANSFER:
            return Flow.FIRST_TRANSFERRED
        case ActionType.TRANSFER:
            return Flow.TRANSFERRED
        case ActionType.ACQUISITION:
            return Flow.ACQUIRED
        case ActionType.USE:
            return Flow.USED_TOWARDS_NDC if year_of(ndc_year) else Flow.USED_FOR_OIMP
        case ActionType.CANCELLATION:
            return Flow.CANCELLED
        case ActionType.VOLUNTARY_CANCELLATION:
            return Flow.VOLUNTARILY_CANCELLED
    return None


def year_of(cell: Any) -> int | None:
    if isinstance(cell, int) and not isinstance(cell, bool):
        return cell
    if isinstance(cell, str) and cell.strip().isdigit():
        return int(cell.strip())
    return None


def _given(cell: Any) -> str | None:
    """A text cell, or None when empty or "not applicable"."""
    if cell is None:
        return None
    text = str(cell).strip()
    return None if not text or text == NA else text


def part_of(flow: Flow, row: dict[str, Any]) -> tuple[str, int | None]:
    """How a figure splits: by subtype, NDC year, purpose or counterpart Party."""
    subtype = _given(row.get("action_subtype"))
    if flow is Flow.USED_TOWARDS_NDC:
        year = year_of(row.get("ndc_year"))
        return words("NDC year {year}", year=year), year
    if flow is Flow.USED_FOR_OIMP:
        return _given(row.get("purpose")) or words("purpose not given"), None
    if flow is Flow.ACQUIRED:
        party = _given(row.get("transferring_party")) or NOT_GIVEN
        return words("from {party}", party=party), None
    if flow is Flow.TRANSFERRED:
        to = words("to {party}", party=_given(row.get("acquiring_party")) or NOT_GIVEN)
        return (words("{subtype}, {to}", subtype=subtype, to=to) if subtype else to), None
    return subtype or words("no subtype"), None


def amount_of(cell: Any) -> Decimal | None:
    """A quantity cell as a number (thousands separators allowed), or None."""
    if isinstance(cell, bool) or cell is None:
        return None
    if isinstance(cell, int | Decimal):
        return Decimal(cell)
    try:
        found = Decimal(str(cell).strip().replace(",", ""))
    except InvalidOperation:
        return None
    return found if found.is_finite() else None


def measure_of(row: dict[str, Any]) -> tuple[str, str, Decimal | None]:
    """(metric, unit, quantity): t CO2 eq for GHG, the non-GHG metric's own unit otherwise."""
    metric = _given(row.get("metric")) or Metric.GHG.value
    if metric == Metric.NON_GHG:
        unit = _given(row.get("non_ghg_metric")) or words("non-GHG metric not given")
        return metric, unit, amount_of(row.get("non_ghg_quantity"))
    return metric, GHG_UNIT, amount_of(row.get("quantity"))


# Values -------------------------------------------------------------------------------------

Ranges = tuple[tuple[int, int], ...]


@dataclass(frozen=True)
class Amount:
    """A quantity and the Table 3 sheet rows it sums (as ranges first-last)."""

    quantity: Decimal
    rows: Ranges


@dataclass(frozen=True)
class Part:
    label: str
    amount: Amount
    ndc_year: int | None = None


@dataclass(frozen=True)
class Figure:
    flow: Flow
    total: Amount
    parts: tuple[Part, ...]


@dataclass(frozen=True)
class Line:
    """The figures of one cooperative approach, metric unit and vintage (both None: the total
    of a metric unit over the Party's approaches and vintages)."""

    cooperative_approach_id: str | None
    metric: str
    unit: str
    vintage: int | str | None
    figures: tuple[Figure, ...]

    def figure(self, flow: Flow) -> Figure:
        return next(f for f in self.figures if f.flow is flow)

    def quantity(self, flow: Flow) -> Decimal:
        return self.figure(flow).total.quantity

    @property
    def adjustment(self) -> Decimal:
        return sum((sign * self.quantity(flow) for flow, sign in ADJUSTMENT), Decimal(0))

    @property
    def net_transferred(self) -> Decimal:
        return sum((sign * self.quantity(flow) for flow, sign in NET_TRANSFERRED), Decimal(0))

    def adjustment_by_year(self, reported_year: int) -> tuple[tuple[int, Decimal], ...]:
        """The adjustment per calendar year: first transfers in the reported year, each use in
        the NDC year it names."""
        years: dict[int, Decimal] = {}
        first = self.quantity(Flow.FIRST_TRANSFERRED)
        if first:
            years[reported_year] = first
        for part in self.figure(Flow.USED_TOWARDS_NDC).parts:
            if part.ndc_year is not None:
                years[part.ndc_year] = years.get(part.ndc_year, Decimal(0)) - part.amount.quantity
        return tuple(sorted(years.items()))

    @property
    def adjustment_arithmetic(self) -> Words:
        terms = [(flow.label, self.quantity(flow), sign) for flow, sign in ADJUSTMENT]
        return _sum_words(words("adjustment"), terms, self.adjustment, self.unit)

    @property
    def net_transferred_arithmetic(self) -> Words:
        terms = [(flow.label, self.quantity(flow), sign) for flow, sign in NET_TRANSFERRED]
        return _sum_words(words("net transferred"), terms, self.net_transferred, self.unit)

    def figure_arithmetic(self, flow: Flow) -> Words | None:
        """A figure as the sum of its parts, when it has more than one."""
        figure = self.figure(flow)
        if len(figure.parts) < 2:
            return None
        terms = [(p.label, p.amount.quantity, 1) for p in figure.parts]
        return _sum_words(flow.label, terms, figure.total.quantity, self.unit)

    @property
    def arithmetic(self) -> tuple[Words, ...]:
        """The sums behind the line, as a reader would check them by hand."""
        parts = (self.figure_arithmetic(flow) for flow in Flow)
        return (
            self.adjustment_arithmetic,
            self.net_transferred_arithmetic,
            *(text for text in parts if text),
        )


@dataclass(frozen=True)
class Outside:
    """Table 3 rows that do not enter the adjustment, grouped by type, subtype and reason."""

    action_type: str
    action_subtype: str | None
    unit: str
    amount: Amount
    reason: str


@dataclass(frozen=True)
class AdjustmentInputs:
    party: str
    year: int
    version: str
    draft: bool
    provisional: bool
    table3_rows: int
    lines: tuple[Line, ...]
    totals: tuple[Line, ...]
    outside: tuple[Outside, ...]


def number(value: Decimal) -> str:
    """A quantity as text: thousands separated, no exponent, a true minus sign."""
    return format(Number(value), ",")


def _sum_words(
    name: str, terms: Sequence[tuple[str, Decimal, int]], result: Decimal, unit: str
) -> Words:
    """`name = + a 1 − b 2 … = result unit` as words with its values, so the page says it in
    the reader's language and the files keep the English sentence."""
    said: Words | None = None
    for label, quantity, sign in terms:
        amount = Number(quantity)
        if said is None:
            said = (
                words("{label} {quantity:,}", label=label, quantity=amount)
                if sign > 0
                else words("− {label} {quantity:,}", label=label, quantity=amount)
            )
        elif sign > 0:
            said = words(
                "{earlier} + {label} {quantity:,}", earlier=said, label=label, quantity=amount
            )
        else:
            said = words(
                "{earlier} − {label} {quantity:,}", earlier=said, label=label, quantity=amount
            )
    return words(
        "{name} = {terms} = {result:,} {unit}",
        name=name,
        terms=said or "",
        result=Number(result),
        unit=unit,
    )


# Summing --------------------------------------------------------------------------------------


@dataclass
class _Tally:
    quantity: Decimal = Decimal(0)
    rows: list[list[int]] = field(default_factory=list)

    def add(self, quantity: Decimal, row: int) -> None:
        self.quantity += quantity
        if self.rows and self.rows[-1][1] + 1 == row:
            self.rows[-1][1] = row
        elif not self.rows or self.rows[-1][1] != row:
            self.rows.append([row, row])

    def frozen(self) -> Amount:
        return Amount(self.quantity, tuple((a, b) for a, b in self.rows))


@dataclass
class _Figure:
    total: _Tally = field(default_factory=_Tally)
    parts: dict[tuple[str, int | None], _Tally] = field(default_factory=dict)

    def add(self, part: tuple[str, int | None], quantity: Decimal, row: int) -> None:
        self.total.add(quantity, row)
        self.parts.setdefault(part, _Tally()).add(quantity, row)


LineKey = tuple[str | None, str, str, int | str | None]


def _line(key: LineKey, figures: dict[Flow, _Figure]) -> Line:
    def frozen(flow: Flow) -> Figure:
        found = figures.get(flow) or _Figure()
        ordered = sorted(found.parts.items(), key=lambda item: (item[0][1] or 0, item[0][0]))
        return Figure(
            flow,
            found.total.frozen(),
            tuple(Part(label, tally.frozen(), year) for (label, year), tally in ordered),
        )

    approach, metric, unit, vintage = key
    return Line(approach, metric, unit, vintage, tuple(frozen(flow) for flow in Flow))


def _order(key: LineKey) -> tuple[Any, ...]:
    approach, metric, unit, vintage = key
    return (metric != Metric.GHG, unit, approach or "", str(vintage or ""))


def derive(
    party: str,
    year: int,
    version: str,
    rows: Iterable[Sequence[Any]],
    *,
    draft: bool = True,
    provisional: bool = False,
    keys: Sequence[str] = TABLE[3].keys,
) -> AdjustmentInputs:
    """The inputs from Table 3's rows (cells in the order of `keys`), read once in order."""
    lines: dict[LineKey, dict[Flow, _Figure]] = {}
    totals: dict[LineKey, dict[Flow, _Figure]] = {}
    outside: dict[tuple[str, str | None, str, str], _Tally] = {}
    count = 0
    for count, cells in enumerate(rows, start=1):
        row = dict(zip(keys, cells, strict=False))
        sheet_row = FIRST_SHEET_ROW + count - 1
        action = _given(row.get("action_type")) or ""
        metric, unit, quantity = measure_of(row)
        flow = flow_of(action, row.get("ndc_year"))
        if flow is None or quantity is None:
            reason = NOT_ENTERING.get(action, UNKNOWN_TYPE) if flow is None else NO_QUANTITY
            subtype = _given(row.get("action_subtype"))
            outside.setdefault((action, subtype, unit, reason), _Tally()).add(
                quantity or Decimal(0), sheet_row
            )
            continue
        part = part_of(flow, row)
        vintage = row.get("vintage")
        approach = _given(row.get("cooperative_approach_id")) or "approach not given"
        for table, key in (
            (lines, (approach, metric, unit, year_of(vintage) or _given(vintage))),
            (totals, (None, metric, unit, None)),
        ):
            table.setdefault(key, {}).setdefault(flow, _Figure()).add(part, quantity, sheet_row)
    return AdjustmentInputs(
        party=party,
        year=year,
        version=version,
        draft=draft,
        provisional=provisional,
        table3_rows=count,
        lines=tuple(_line(k, lines[k]) for k in sorted(lines, key=_order)),
        totals=tuple(_line(k, totals[k]) for k in sorted(totals, key=_order)),
        outside=tuple(
            Outside(action, subtype, unit, tally.frozen(), reason)
            for (action, subtype, unit, reason), tally in sorted(
                outside.items(), key=lambda item: item[1].rows[0][0]
            )
        ),
    )


def row_ranges(rows: Ranges) -> str:
    """Sheet rows as a reader writes them: `9-11, 14`."""
    return ", ".join(str(a) if a == b else f"{a}-{b}" for a, b in rows)
