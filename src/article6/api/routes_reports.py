"""Reports over HTTP: the AEF of a Party and year (draft or submitted version) as JSON, CSV
(zipped, one file per table) or XLSX; its submissions; account statements; certificates of use
and cancellation; and each Party's public report, readable without signing in."""

from __future__ import annotations

import io
import shutil
import tempfile
import zipfile
from enum import StrEnum
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.background import BackgroundTask

from article6 import translation
from article6.api.routes_setup import RecordPath
from article6.http.language import language_of
from article6.http.parameters import ReportedYear, Version
from article6.http.security import InSection, PartyCode, Registry_
from article6.reports.aef_writers import Format
from article6.services import (
    account_statements,
    aef_versions,
    public_reports,
    use_and_cancellation_certificates,
)
from article6.services.account_statements import Statement
from article6.services.aef_versions import SubmissionView
from article6.services.certificate_verification import verification_path
from article6.services.commands import DATE_BOUNDS, RegistryDate
from article6.services.public_reports import PublicParty, PublicReport
from article6.services.use_and_cancellation_certificates import Certificate
from article6.web.documents.certificate_pdf import certificate_pdf
from article6.web.documents.certificates import certificate_html
from article6.web.documents.public import public_html
from article6.web.documents.statements import statement_csv, statement_html

router = APIRouter(prefix="/api/v1", tags=["reports"])


class Rendering(StrEnum):
    JSON = "json"
    HTML = "html"
    CSV = "csv"


class Page(StrEnum):
    JSON = "json"
    HTML = "html"


class CertificateFormat(StrEnum):
    JSON = "json"
    HTML = "html"
    PDF = "pdf"


MEDIA = {
    Format.JSON: "application/json",
    Format.CSV: "application/zip",
    Format.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get(
    "/parties/{party}/aef/{year}",
    response_class=Response,
    responses={200: {"content": {m: {} for m in MEDIA.values()}}},
)
def aef_export(
    party: PartyCode,
    year: ReportedYear,
    actor: InSection,
    registry: Registry_,
    format: Format = Format.JSON,
    version: Version = None,
) -> Response:
    """The AEF of the Party for the reported year: a draft from the ledger now, or a submitted
    version as stored."""
    workspace = FilePath(tempfile.mkdtemp(prefix="article6-aef-"))
    cleanup = BackgroundTask(shutil.rmtree, workspace, ignore_errors=True)
    target = workspace / f"AEF-{party}-{year}"
    try:
        view = aef_versions.export_aef(registry, actor, party, year, format, target, version)
    except BaseException:
        shutil.rmtree(workspace, ignore_errors=True)
        raise
    name = f"AEF-{party}-{year}-v{view.version}"
    lag = (
        {}
        if view.replica_lag_seconds is None
        else {"Replica-Lag-Seconds": f"{view.replica_lag_seconds:.1f}"}
    )
    if format is Format.CSV:
        archive = io.BytesIO()
        with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as bundle:
            for table in sorted(target.iterdir()):
                bundle.write(table, table.name)
        shutil.rmtree(workspace, ignore_errors=True)
        return Response(
            archive.getvalue(),
            media_type=MEDIA[format],
            headers={"Content-Disposition": f'attachment; filename="{name}.zip"', **lag},
        )
    return FileResponse(
        target,
        media_type=MEDIA[format],
        filename=f"{name}.{format.value}",
        headers=lag,
        background=cleanup,
    )


@router.get("/parties/{party}/aef/{year}/submissions")
def aef_submissions(
    party: PartyCode, year: ReportedYear, actor: InSection, registry: Registry_
) -> list[SubmissionView]:
    """The submitted versions (1.0, 1.1, …), oldest first; the newest is current."""
    return aef_versions.aef_submissions(registry, actor, party, year)


@router.post("/parties/{party}/aef/{year}/submissions", status_code=201)
def submit_aef(
    party: PartyCode,
    year: ReportedYear,
    actor: InSection,
    registry: Registry_,
    idempotency_key: Annotated[str | None, Header(max_length=200)] = None,
) -> SubmissionView:
    """Store the next version of the AEF for a finished year; it never changes afterwards."""
    command = aef_versions.SubmitAEF(party=party, year=year)
    return aef_versions.submit_aef(registry, actor, command, idempotency_key)


@router.get(
    "/parties/{party}/accounts/{account}/statement",
    response_model=Statement,
    responses={200: {"content": {"text/html": {}, "text/csv": {}}}},
)
def account_statement(
    party: PartyCode,
    account: RecordPath,
    actor: InSection,
    registry: Registry_,
    start: Annotated[RegistryDate, Query(description=f"The first day, {DATE_BOUNDS}")],
    end: Annotated[RegistryDate, Query(description=f"The last day, {DATE_BOUNDS}")],
    request: Request,
    format: Rendering = Rendering.JSON,
) -> Any:
    """Holdings at the start and end of the period, and every movement in between (the page
    in the reader's language; CSV and JSON, meant for machines, always the same)."""
    statement = account_statements.account_statement(registry, actor, account, start, end)
    if format is Rendering.HTML:
        with translation.speaking(language_of(request)):
            return HTMLResponse(statement_html(statement))
    if format is Rendering.CSV:
        text = io.StringIO()
        statement_csv(statement, text)
        return Response(
            text.getvalue(),
            media_type="text/csv",
            headers={"Content-Disposition": f'attachment; filename="statement-{account}.csv"'},
        )
    return statement


@router.get(
    "/parties/{party}/transactions/{transaction}/certificate",
    response_model=Certificate,
    responses={200: {"content": {"text/html": {}, "application/pdf": {}}}},
)
def use_or_cancellation_certificate(
    party: PartyCode,
    transaction: RecordPath,
    actor: InSection,
    registry: Registry_,
    request: Request,
    format: CertificateFormat = CertificateFormat.JSON,
) -> Any:
    """The certificate of a completed use or cancellation: who, which units, for what, when;
    its number, which anyone checks at `/public/certificates/{number}`."""
    found = use_and_cancellation_certificates.certificate(registry, actor, transaction)
    url = str(request.base_url).rstrip("/") + verification_path(found.number)
    if format is CertificateFormat.HTML:
        with translation.speaking(language_of(request)):
            return HTMLResponse(certificate_html(found, url))
    if format is CertificateFormat.PDF:
        with translation.speaking(language_of(request)):
            printed = certificate_pdf(found, url)
        return Response(
            printed,
            media_type="application/pdf",
            headers={
                "Content-Disposition": f'attachment; filename="certificate-{found.transaction}.pdf"'
            },
        )
    return found


@router.get("/public/parties", tags=["public"])
def public_parties(registry: Registry_) -> list[PublicParty]:
    """The Parties with a section in this registry, whose public reports anyone may read
    (the page `/public` lists the same, with the decision's notice)."""
    return public_reports.public_parties(registry)


@router.get(
    "/public/parties/{party}",
    response_model=PublicReport,
    tags=["public"],
    responses={200: {"content": {"text/html": {}}}},
)
def public_report(
    party: PartyCode, registry: Registry_, request: Request, format: Page = Page.JSON
) -> Any:
    """What anyone may read about a Party without signing in: authorizations, first transfers,
    ITMO totals per cooperative approach and vintage. Nothing entity-private."""
    report = public_reports.public_report(registry, party)
    if format is Page.HTML:
        with translation.speaking(language_of(request)):
            return HTMLResponse(public_html(report))
    return report
