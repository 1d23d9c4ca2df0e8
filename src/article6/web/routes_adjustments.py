"""The page of a Party's corresponding adjustment inputs for a year: a chart of the flows per
metric, and per cooperative approach, metric and vintage the figures, their Table 3 rows and the
arithmetic. The same query as the API and the command line."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from article6.domain.wording import words
from article6.http.parameters import ReportedYear, Version
from article6.http.security import PartyCode, Registry_
from article6.reports.adjustment_writers import NOT_A_SUBMISSION
from article6.reports.corresponding_adjustments import Line, row_ranges
from article6.services.corresponding_adjustments import adjustment_inputs
from article6.web.chart import (
    FLOW_COLOURS,
    Measure,
    QuantitiesChart,
    decimal_said,
    quantities_chart,
)
from article6.web.rendering import render
from article6.web.session import Looking

router = APIRouter(include_in_schema=False)


def flows_chart(line: Line, index: int) -> QuantitiesChart:
    """The flows of one metric's total, one bar each (zeros included, so charts compare)."""
    return quantities_chart(
        [
            Measure(figure.flow.label, figure.total.quantity, FLOW_COLOURS[figure.flow.value])
            for figure in line.figures
        ],
        words("{metric} ({unit}): quantities by flow", metric=line.metric, unit=line.unit),
        f"adjustment-chart-{index}",
    )


@router.get("/parties/{party}/adjustments/{year}", response_class=HTMLResponse)
def adjustments_page(
    request: Request,
    party: PartyCode,
    year: ReportedYear,
    viewer: Looking,
    registry: Registry_,
    version: Version = None,
) -> Response:
    inputs = adjustment_inputs(registry, viewer.actor, party, year, version)
    return render(
        request,
        "adjustments.html",
        viewer=viewer,
        active="reports",
        inputs=inputs,
        note=NOT_A_SUBMISSION,
        charts=[flows_chart(total, i) for i, total in enumerate(inputs.totals)],
        quantity=decimal_said,
        rows=row_ranges,
    )
