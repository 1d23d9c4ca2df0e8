"""The public pages, readable without signing in: the Parties with a section here, each linked
to its public report, under the decision's notice that the registry does not endorse the
quality of any mitigation outcome; and the check of a certificate of use or cancellation."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from article6.http.security import Registry_
from article6.services.certificate_verification import verify_certificate
from article6.services.public_reports import NO_ENDORSEMENT, public_parties
from article6.web.glossary import NAMED, TERMS
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
    return render(request, "glossary.html", terms=TERMS, named=NAMED)


@router.get("/public/certificates/{number}", response_class=HTMLResponse)
def certificate_check(request: Request, registry: Registry_, number: str) -> Response:
    """Whether the ledger records now what the certificate numbered `number` states: what it
    states if so, "not found" otherwise (404), whatever was altered."""
    verified = verify_certificate(registry, number)
    return render(
        request,
        "certificate_check.html",
        status_code=200 if verified else 404,
        number=number,
        verified=verified,
        notice=NO_ENDORSEMENT,
    )
