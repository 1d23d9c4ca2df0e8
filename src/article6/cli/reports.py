"""Reports: the AEF (`article6 aef`) and the registry's other reports (`article6 report`)."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from article6.cli.database import DATABASE, open_registry
from article6.cli.refusals import fail
from article6.domain.checks import CommandRefused

if TYPE_CHECKING:
    from article6.domain.access import Actor

CLI_READER_NAME = "article6-cli"


def _reader() -> Actor:
    """The command line reads as a registry-wide auditor: it runs with database access."""
    from article6.domain.access import Actor, Role

    return Actor(CLI_READER_NAME, Role.AUDITOR)


@click.group()
def aef() -> None:
    """The Agreed Electronic Format: export, validate, submit."""


@aef.command("export")
@click.option("--party", required=True, help="Reporting Party (alpha-3).")
@click.option("--year", required=True, type=int, help="Reported year.")
@click.option(
    "--format", "fmt", type=click.Choice(["xlsx", "csv", "json"]), default="xlsx", show_default=True
)
@click.option(
    "--output", required=True, type=click.Path(path_type=Path), help="File (CSV: a directory)."
)
@click.option("--version", "version", default=None, help="A submitted version (default: draft).")
@DATABASE
def aef_export(
    party: str, year: int, fmt: str, output: Path, version: str | None, database: str | None
) -> None:
    """Write a Party's AEF for a year: a draft from the ledger, or a submitted version."""
    from article6.reports.aef_writers import Format
    from article6.services.aef_versions import export_aef

    registry = open_registry(database)
    try:
        view = export_aef(registry, _reader(), party, year, Format(fmt), output, version)
    except CommandRefused as refused:
        fail(refused)
    kind = "draft" if view.draft else "submitted"
    rows = ", ".join(f"T{k}: {v}" for k, v in view.row_counts.items())
    click.echo(f"AEF {party} {year} version {view.version} ({kind}) -> {output} ({rows})")


@aef.command("validate")
@click.argument("path", type=click.Path(exists=True, path_type=Path))
def aef_validate(path: Path) -> None:
    """Check an AEF workbook, JSON document or CSV directory against the field specification;
    print each problem as sheet!cell [rule] column: message; exit 1 if there is any."""
    from article6.reports.aef_validate import problems

    count = 0
    for problem in problems(path):
        count += 1
        click.echo(str(problem))
    if count:
        click.echo(f"{count} problem(s)", err=True)
        sys.exit(1)
    click.echo(f"{path}: valid AEF")


@aef.command("submit")
@click.option("--party", required=True)
@click.option("--year", required=True, type=int)
@click.option("--user", default=CLI_READER_NAME, show_default=True, help="Name journaled.")
@DATABASE
def aef_submit(party: str, year: int, user: str, database: str | None) -> None:
    """Store the next immutable version (1.0, 1.1, ...) of a Party's AEF for a finished year."""
    from article6.domain.access import Actor, Role
    from article6.services.aef_versions import SubmitAEF, submit_aef

    registry = open_registry(database)
    try:
        view = submit_aef(
            registry, Actor(user, Role.ADMINISTRATOR, party), SubmitAEF(party=party, year=year)
        )
    except CommandRefused as refused:
        click.echo(f"refused: {refused}", err=True)
        sys.exit(1)
    click.echo(f"AEF {party} {year} version {view.version} submitted (sha256 {view.digest})")


@click.group()
def report() -> None:
    """Account statements, certificates of use and cancellation, public reports."""


def _write(output: Path | None, content: str) -> None:
    if output is None:
        click.echo(content, nl=False)
    else:
        output.write_text(content, encoding="utf-8")
        click.echo(f"-> {output}", err=True)


@report.command("statement")
@click.option("--account", required=True)
@click.option("--from", "start", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--to", "end", required=True, type=click.DateTime(["%Y-%m-%d"]))
@click.option("--format", "fmt", type=click.Choice(["html", "csv"]), default="html")
@click.option("--output", type=click.Path(path_type=Path), default=None)
@DATABASE
def report_statement(
    account: str,
    start: datetime,
    end: datetime,
    fmt: str,
    output: Path | None,
    database: str | None,
) -> None:
    """An account's statement for a period (whole UTC days): print-ready HTML or CSV."""
    import io

    from article6.services.account_statements import account_statement
    from article6.web.documents.statements import statement_csv, statement_html

    registry = open_registry(database)
    try:
        statement = account_statement(registry, _reader(), account, start.date(), end.date())
    except CommandRefused as refused:
        click.echo(f"refused: {refused}", err=True)
        sys.exit(1)
    if fmt == "html":
        _write(output, statement_html(statement))
        return
    buffer = io.StringIO()
    statement_csv(statement, buffer)
    _write(output, buffer.getvalue())


@report.command("certificate")
@click.option("--transaction", required=True)
@click.option("--format", "fmt", type=click.Choice(["html", "pdf"]), default="html")
@click.option(
    "--site",
    default=None,
    help="The registry's public address (https://registry.example): the certificate then links "
    "and, as PDF, shows the QR code of its public check. Needed for --format pdf.",
)
@click.option("--output", type=click.Path(path_type=Path), default=None)
@DATABASE
def report_certificate(
    transaction: str, fmt: str, site: str | None, output: Path | None, database: str | None
) -> None:
    """The certificate of a completed use or cancellation, as print-ready HTML or PDF."""
    from article6.services.certificate_verification import verification_path
    from article6.services.use_and_cancellation_certificates import certificate
    from article6.web.documents.certificate_pdf import certificate_pdf
    from article6.web.documents.certificates import certificate_html

    if fmt == "pdf" and (site is None or output is None):
        click.echo("refused: a PDF needs --site (for its QR code) and --output", err=True)
        sys.exit(2)
    registry = open_registry(database)
    try:
        found = certificate(registry, _reader(), transaction)
    except CommandRefused as refused:
        click.echo(f"refused: {refused}", err=True)
        sys.exit(1)
    url = site.rstrip("/") + verification_path(found.number) if site else None
    if fmt == "pdf" and output is not None and url is not None:
        output.write_bytes(certificate_pdf(found, url))
        click.echo(f"-> {output}", err=True)
        return
    _write(output, certificate_html(found, url))


@report.command("public")
@click.option("--party", required=True)
@click.option("--format", "fmt", type=click.Choice(["json", "html"]), default="json")
@click.option("--output", type=click.Path(path_type=Path), default=None)
@DATABASE
def report_public(party: str, fmt: str, output: Path | None, database: str | None) -> None:
    """The public report of a Party (no entity-private data)."""
    from article6.services.public_reports import public_report
    from article6.web.documents.public import public_html, public_json

    registry = open_registry(database)
    try:
        found = public_report(registry, party)
    except CommandRefused as refused:
        click.echo(f"refused: {refused}", err=True)
        sys.exit(1)
    _write(output, public_html(found) if fmt == "html" else public_json(found) + "\n")
