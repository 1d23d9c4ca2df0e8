"""The corresponding adjustment inputs of a Party and year over HTTP: JSON, or CSV with
spreadsheet-safe cells; the same query as `article6 aef adjustments` and the web page."""

from __future__ import annotations

import io
from enum import StrEnum
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from article6.http.parameters import ReportedYear, Version
from article6.http.security import InSection, PartyCode, Registry_
from article6.reports.adjustment_writers import as_json, write_csv
from article6.services.corresponding_adjustments import adjustment_inputs

router = APIRouter(prefix="/api/v1", tags=["reports"])


class Listing(StrEnum):
    JSON = "json"
    CSV = "csv"


@router.get(
    "/parties/{party}/adjustments/{year}",
    response_class=Response,
    responses={200: {"content": {"application/json": {}, "text/csv": {}}}},
)
def corresponding_adjustment_inputs(
    party: PartyCode,
    year: ReportedYear,
    actor: InSection,
    registry: Registry_,
    format: Annotated[Listing, Query(description="json, or csv (one figure a row)")] = Listing.JSON,
    version: Version = None,
) -> Any:
    """First transferred, transferred, acquired, used and cancelled quantities per cooperative
    approach, metric and vintage, summed from Table 3 of the Party's AEF for the year (a draft
    now, or a submitted version), each with its Table 3 rows and arithmetic. Inputs for the
    Party's corresponding adjustments; not a submission."""
    inputs = adjustment_inputs(registry, actor, party, year, version)
    if format is Listing.CSV:
        text = io.StringIO(newline="")
        write_csv(inputs, text)
        name = f"adjustment-inputs-{party}-{year}-v{inputs.version}.csv"
        return Response(
            text.getvalue(),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="{name}"'},
        )
    return JSONResponse(as_json(inputs))
