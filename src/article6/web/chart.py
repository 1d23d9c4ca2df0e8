"""The pages' charts (the dashboard's holdings, the corresponding adjustment inputs), drawn on
the server as SVG: no script, prints and scales, and the same numbers stand in the table beside
each chart for screen readers."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from html import escape

from markupsafe import Markup

from article6 import translation
from article6.web.rendering import number

STATE_COLOURS = {
    "MO": "#6b7a8f",
    "AMO": "#1f7a70",
    "ITMO": "#1d5fa8",
    "used": "#2e7d32",
    "cancelled": "#8e4a9e",
}


@dataclass(frozen=True)
class Bar:
    label: str
    quantity: int
    state: str


@dataclass(frozen=True)
class HoldingsChart:
    """A holdings chart drawn when the page itself is rendered: its title, labels and numbers
    are said in the reader's language, which is set only then (a route runs before it)."""

    bars: list[Bar]
    title: str

    def __html__(self) -> str:
        return str(draw_holdings(self.bars, self.title))


def holdings_chart(bars: list[Bar], title: str) -> HoldingsChart:
    return HoldingsChart(bars, title)


def draw_holdings(bars: list[Bar], title: str) -> Markup:
    """Horizontal bars, one per account kind, cooperative approach, vintage and state, each
    labelled above its bar so the chart reads at phone width too."""
    if not bars:
        return Markup("")
    row, width, value_room = 44, 400, 70
    plot = width - value_room
    largest = max(b.quantity for b in bars) or 1
    height = row * len(bars) + 4
    parts = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="chart-title" preserveAspectRatio="xMinYMin meet">',
        f'<title id="chart-title">{escape(translation.said(title))}</title>',
    ]
    for index, bar in enumerate(bars):
        y = index * row
        length = max(2, round(plot * bar.quantity / largest)) if bar.quantity else 0
        colour = STATE_COLOURS.get(bar.state, "#555")
        label = escape(translation.said(bar.label))
        parts += [
            f'<text x="0" y="{y + 15}" class="chart-label">{label}</text>',
            f'<rect x="0" y="{y + 21}" width="{length}" height="16" rx="3" fill="{colour}"></rect>',
            f'<text x="{length + 6}" y="{y + 34}" class="chart-value">'
            f"{number(bar.quantity)}</text>",
        ]
    parts.append("</svg>")
    return Markup("".join(parts))


FLOW_COLOURS = {
    "first_transferred": "#1d5fa8",
    "transferred": "#5b8fd0",
    "acquired": "#1f7a70",
    "used_towards_ndc": "#2e7d32",
    "used_for_oimp": "#7a9a2e",
    "cancelled": "#8e4a9e",
    "voluntarily_cancelled": "#b27cc2",
}
"""The corresponding adjustment inputs' flows (reports/corresponding_adjustments.Flow)."""


def decimal_said(value: Decimal) -> str:
    """A quantity that may have decimals (a non-GHG metric) as the reader's language writes
    it: 1,234.5 in English, 1 234,5 in French, 1.234,5 in Spanish; a true minus sign."""
    return translation.decimal(value)


@dataclass(frozen=True)
class Measure:
    """One bar of a quantities chart: its length from `quantity` (never negative), its value
    printed as it is (a non-GHG metric may have decimals)."""

    label: str
    quantity: Decimal
    colour: str


@dataclass(frozen=True)
class QuantitiesChart:
    """A quantities chart drawn when the page is rendered, like `HoldingsChart`: its words and
    numbers in the reader's language, set only then."""

    measures: list[Measure]
    title: str
    ident: str

    def __html__(self) -> str:
        return str(draw_quantities(self.measures, self.title, self.ident))


def quantities_chart(measures: list[Measure], title: str, ident: str) -> QuantitiesChart:
    return QuantitiesChart(measures, title, ident)


def draw_quantities(measures: list[Measure], title: str, ident: str) -> Markup:
    """Horizontal bars like `holdings_chart`, with an `ident` of its own so that several charts
    on one page each keep their title for screen readers."""
    if not measures:
        return Markup("")
    row, width, value_room = 44, 400, 90
    plot = width - value_room
    largest = max(m.quantity for m in measures) or Decimal(1)
    height = row * len(measures) + 4
    key = escape(ident)
    parts = [
        f'<svg class="chart" id="{key}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-labelledby="{key}-title" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{key}-title">{escape(translation.said(title))}</title>',
    ]
    for index, measure in enumerate(measures):
        y = index * row
        quantity = max(measure.quantity, Decimal(0))
        length = max(2, round(plot * quantity / largest)) if quantity else 0
        label = escape(translation.said(measure.label))
        parts += [
            f'<text x="0" y="{y + 15}" class="chart-label">{label}</text>',
            f'<rect x="0" y="{y + 21}" width="{length}" height="16" rx="3" '
            f'fill="{escape(measure.colour)}"></rect>',
            f'<text x="{length + 6}" y="{y + 34}" class="chart-value">'
            f"{escape(decimal_said(measure.quantity))}</text>",
        ]
    parts.append("</svg>")
    return Markup("".join(parts))
