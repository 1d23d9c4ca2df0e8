"""The public pages, readable without signing in: the Parties with a section here, each linked
to its public report, under the decision's notice that the registry does not endorse the
quality of any mitigation outcome."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from article6.http.security import Registry_
from article6.services.public_reports import NO_ENDORSEMENT, public_parties
from article6.web.glossary import TERMS
from article6.web.rendering import render

router = APIRouter(include_in_schema=False)


@router.get("/public", response_class=HTMLResponse)
def public_index(request: Request, registry: Registry_) -> Response:
    return render(
        request,
        "public.html",
        parties=public_parties(registry),
        notice=NO_ENDORSEMENT,
    )


@router.get("/glossary", response_class=HTMLResponse)
def glossary(request: Request) -> Response:
    return render(request, "glossary.html", terms=TERMS)
