"""The corresponding adjustment inputs as text (the command line), CSV (one figure per row,
spreadsheet-safe) and JSON (the API): the same figures, rows and arithmetic in each."""

from __future__ import annotations

from decimal import Decimal
from enum import StrEnum
from typing import IO, Any

from article6.domain.wording import words
from article6.reports.corresponding_adjustments import (
    AdjustmentInputs,
    Amount,
    Flow,
    Line,
    number,
    row_ranges,
)
from article6.reports.csv_cells import writer

NOT_A_SUBMISSION = words(
    "Inputs for the Party's corresponding adjustments, summed from Table 3 of its AEF; not a"
    " submission. Adjustment = first transferred − used towards NDC (first transfers in the"
    " reported year, uses in their NDC year); GHG in t CO2 eq, each non-GHG metric apart."
)


class Rendering(StrEnum):
    TEXT = "text"
    CSV = "csv"
    JSON = "json"


def _heading(inputs: AdjustmentInputs) -> str:
    kind = "draft" if inputs.draft else "submitted"
    state = ", provisional: the year is not finished" if inputs.provisional else ""
    return (
        f"Corresponding adjustment inputs of {inputs.party} for {inputs.year}: AEF version"
        f" {inputs.version} ({kind}{state}), {inputs.table3_rows} Table 3 row(s)"
    )


def _rows(amount: Amount) -> str:
    return f"rows {row_ranges(amount.rows)}" if amount.rows else ""


def _line_text(line: Line, reported_year: int) -> list[str]:
    if line.cooperative_approach_id is None:
        title = f"Total, {line.metric} ({line.unit})"
    else:
        title = (
            f"{line.cooperative_approach_id}, {line.metric} ({line.unit}), vintage {line.vintage}"
        )
    out = [title]
    for figure in line.figures:
        amount = figure.total
        out.append(
            f"  {figure.flow.label:<38}{number(amount.quantity):>14}  {_rows(amount)}".rstrip()
        )
        for part in figure.parts:
            label = part.label if len(part.label) <= 35 else part.label[:34] + "…"
            out.append(
                f"    {label:<36}{number(part.amount.quantity):>14}  {_rows(part.amount)}".rstrip()
            )
    out += [f"  {text}" for text in line.arithmetic]
    for year, quantity in line.adjustment_by_year(reported_year):
        out.append(f"  adjustment in {year}: {number(quantity)} {line.unit}")
    return out


def as_text(inputs: AdjustmentInputs) -> str:
    out = [_heading(inputs), NOT_A_SUBMISSION, ""]
    if not inputs.lines:
        out += ["No Table 3 row enters the adjustment.", ""]
    for line in (*inputs.lines, *inputs.totals):
        out += [*_line_text(line, inputs.year), ""]
    if inputs.outside:
        out.append("Not entering the adjustment:")
        for item in inputs.outside:
            subtype = f" / {item.action_subtype}" if item.action_subtype else ""
            out.append(
                f"  {item.action_type or '(no action type)'}{subtype}:"
                f" {number(item.amount.quantity)} {item.unit}, {_rows(item.amount)}: {item.reason}"
            )
        out.append("")
    return "\n".join(out)


CSV_HEADER = (
    "section",
    "cooperative_approach_id",
    "metric",
    "unit",
    "vintage",
    "figure",
    "detail",
    "quantity",
    "table3_rows",
    "arithmetic",
)


def _plain(value: Decimal) -> int | str:
    """A quantity cell: a whole number as an integer, else its exact decimal text."""
    return int(value) if value == value.to_integral_value() else format(value.normalize(), "f")


def _line_csv(line: Line, reported_year: int) -> list[list[Any]]:
    total = line.cooperative_approach_id is None
    head = [
        "total" if total else "line",
        "all" if total else line.cooperative_approach_id,
        line.metric,
        line.unit,
        "all" if total else line.vintage,
    ]
    out: list[list[Any]] = []
    for figure in line.figures:
        amount = figure.total
        arithmetic = line.figure_arithmetic(figure.flow) or ""
        out.append(
            [
                *head,
                figure.flow.label,
                "",
                _plain(amount.quantity),
                row_ranges(amount.rows),
                arithmetic,
            ]
        )
        for part in figure.parts:
            out.append(
                [
                    *head,
                    figure.flow.label,
                    part.label,
                    _plain(part.amount.quantity),
                    row_ranges(part.amount.rows),
                    "",
                ]
            )
    out.append([*head, "adjustment", "", _plain(line.adjustment), "", line.adjustment_arithmetic])
    for year, quantity in line.adjustment_by_year(reported_year):
        out.append([*head, "adjustment", f"in {year}", _plain(quantity), "", ""])
    out.append(
        [
            *head,
            "net transferred",
            "",
            _plain(line.net_transferred),
            "",
            line.net_transferred_arithmetic,
        ]
    )
    return out


def write_csv(inputs: AdjustmentInputs, f: IO[str]) -> None:
    out = writer(f)
    out.writerow(CSV_HEADER)
    for line in (*inputs.lines, *inputs.totals):
        out.writerows(_line_csv(line, inputs.year))
    for item in inputs.outside:
        out.writerow(
            [
                "not entering",
                "",
                "",
                item.unit,
                "",
                item.action_type,
                item.action_subtype or "",
                _plain(item.amount.quantity),
                row_ranges(item.amount.rows),
                item.reason,
            ]
        )


def _quantity(value: Decimal) -> int | float:
    """A JSON number: whole quantities as integers (all GHG ones), others as decimals."""
    return int(value) if value == value.to_integral_value() else float(value)


def _amount(amount: Amount) -> dict[str, Any]:
    return {"quantity": _quantity(amount.quantity), "rows": [list(r) for r in amount.rows]}


def _line_json(line: Line, reported_year: int) -> dict[str, Any]:
    figures: dict[str, Any] = {}
    for figure in line.figures:
        parts = []
        for part in figure.parts:
            entry = {"label": part.label, **_amount(part.amount)}
            if part.ndc_year is not None:
                entry["ndc_year"] = part.ndc_year
            parts.append(entry)
        figures[figure.flow.value] = {
            "label": figure.flow.label,
            **_amount(figure.total),
            "parts": parts,
        }
    return {
        "cooperative_approach_id": line.cooperative_approach_id,
        "metric": line.metric,
        "unit": line.unit,
        "vintage": line.vintage,
        "figures": figures,
        "adjustment": _quantity(line.adjustment),
        "adjustment_by_year": [
            {"year": year, "quantity": _quantity(quantity)}
            for year, quantity in line.adjustment_by_year(reported_year)
        ],
        "net_transferred": _quantity(line.net_transferred),
        "arithmetic": list(line.arithmetic),
    }


def as_json(inputs: AdjustmentInputs) -> dict[str, Any]:
    return {
        "party": inputs.party,
        "year": inputs.year,
        "version": inputs.version,
        "draft": inputs.draft,
        "provisional": inputs.provisional,
        "table3_rows": inputs.table3_rows,
        "note": NOT_A_SUBMISSION,
        "flows": {flow.value: flow.label for flow in Flow},
        "lines": [_line_json(line, inputs.year) for line in inputs.lines],
        "totals": [_line_json(line, inputs.year) for line in inputs.totals],
        "not_entering": [
            {
                "action_type": item.action_type,
                "action_subtype": item.action_subtype,
                "unit": item.unit,
                **_amount(item.amount),
                "reason": item.reason,
            }
            for item in inputs.outside
        ],
    }
