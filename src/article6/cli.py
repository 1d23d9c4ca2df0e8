"""`article6 …`: the command line of the registry."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

import click

from article6.domain.checks import CommandRefused, catalogue_markdown
from article6.store.database import database_url

if TYPE_CHECKING:
    from article6.domain.access import Actor

DATABASE = click.option(
    "--database",
    "database",
    default=None,
    metavar="URL",
    help="Database URL (default: $ARTICLE6_DATABASE_URL or sqlite:///article6.db).",
)


@click.group()
def main() -> None:
    """The Article 6.2 International Registry and Additional Registry Services."""


@main.group()
def db() -> None:
    """Database schema."""


@db.command("upgrade")
@DATABASE
def db_upgrade(database: str | None) -> None:
    """Apply the migrations."""
    from article6.services.context import Registry

    Registry.open(database)
    click.echo(f"schema is current on {_safe(database_url(database))}")


@main.group()
def journal() -> None:
    """The hash-chained journal."""


@journal.command("verify")
@DATABASE
def journal_verify(database: str | None) -> None:
    """Recompute the journal's hash chain and every ledger invariant; exit 1 on any problem."""
    from article6.services.context import Registry
    from article6.services.queries import verify_registry

    registry = Registry.open(database, migrate=False)
    problems = verify_registry(registry)
    for problem in problems:
        click.echo(f"FAIL {problem}", err=True)
    if problems:
        sys.exit(1)
    click.echo(
        "journal chain intact; units conserved; no overlaps; holdings match blocks; "
        "no unit first transferred twice; reservations consistent"
    )


@main.command()
def checks() -> None:
    """Print the catalogue of numbered checks (the source of docs/checks.md)."""
    click.echo(catalogue_markdown(), nl=False)


@main.command()
@DATABASE
@click.option("--fresh", is_flag=True, help="Delete an existing SQLite database file first.")
def demo(database: str | None, fresh: bool) -> None:
    """Build the seed's world and run scenarios 1a, 2a, 1b and 2b end to end."""
    from article6 import demo as seed
    from article6.services.context import Registry
    from article6.services.queries import verify_registry

    url = database_url(database)
    if fresh and url.startswith("sqlite:///"):
        for suffix in ("", "-wal", "-shm"):
            Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)
    registry = Registry.open(url)
    click.echo(f"Building the seed's world in {_safe(url)} …")
    try:
        world = seed.build_world(registry)
    except CommandRefused as refused:
        click.echo(f"could not build the world: {refused}", err=True)
        sys.exit(1)
    failures = 0
    total = len(seed.SCENARIOS)
    for index, (code, title, run, expected) in enumerate(seed.SCENARIOS, start=1):
        click.echo(f"\n[{index}/{total}] Scenario {code}: {title}")
        try:
            receipts = run(registry, world)
        except CommandRefused as refused:
            click.echo(f"  FAILED: {refused}", err=True)
            failures += 1
            continue
        for receipt in receipts:
            t = receipt.transaction
            flag = "  first transfer" if t and t.first_transfer else ""
            detail = f"{t.kind} of {t.quantity:,} units, {t.status}{flag}" if t else receipt.status
            click.echo(f"  {receipt.command:<24} {receipt.record:<16} {detail}")
        problems = seed.mismatches(registry, world, expected)
        _print_holdings(seed.account_holdings(registry))
        for problem in problems:
            click.echo(f"  MISMATCH {problem}", err=True)
        failures += len(problems)
    invariants = verify_registry(registry)
    for problem in invariants:
        click.echo(f"FAIL {problem}", err=True)
    failures += len(invariants)
    if failures:
        click.echo(f"\n{failures} problem(s)", err=True)
        sys.exit(1)
    click.echo("\nAll four scenarios did what they say; the journal and the ledger verify.")
    from article6.demo_users import create_demo_users, sign_in_instructions

    click.echo("")
    click.echo(sign_in_instructions(create_demo_users(registry)), nl=False)


def _print_holdings(holdings: list[tuple[str, str, int]]) -> None:
    click.echo("  Holdings:")
    for identifier, name, quantity in holdings:
        if quantity:
            click.echo(f"    {identifier:<14} {name:<46} {quantity:>12,}")


@main.group()
def users() -> None:
    """Users and their roles (the first secretariat administrator is made here)."""


ROLE = click.Choice(["secretariat", "administrator", "party_user", "entity", "auditor"])


@users.command("create")
@DATABASE
@click.argument("name")
@click.option("--display-name", required=True)
@click.option("--role", type=ROLE, required=True)
@click.option("--party", default=None, help="The Party section (none: registry-wide).")
@click.option("--entity", default=None, help="The entity, for a representative.")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--enrol", is_flag=True, help="Enrol a TOTP second factor now and show it.")
def users_create(
    database: str | None,
    name: str,
    display_name: str,
    role: str,
    party: str | None,
    entity: str | None,
    password: str,
    enrol: bool,
) -> None:
    """Create a user holding one role; without --enrol they enrol their second factor at
    POST /api/v1/enrolment."""
    import segno

    from article6.domain import totp
    from article6.domain.access import Actor, Role
    from article6.services import identity
    from article6.services.context import Registry

    registry = Registry.open(database)
    installer = Actor("installer", Role.SECRETARIAT)
    secret = totp.new_secret() if enrol else None
    try:
        identity.create_section_user(
            registry,
            installer,
            identity.CreateUser(name=name, display_name=display_name, password=password),
            identity.GrantRole(role=Role(role), party=party, entity=entity),
            totp_secret=secret,
        )
    except CommandRefused as refused:
        click.echo(f"refused: {refused}", err=True)
        sys.exit(1)
    except ValueError as invalid:
        click.echo(f"invalid: {invalid}", err=True)
        sys.exit(1)
    click.echo(f"created {name} ({role}, {party or 'registry'})")
    if secret:
        uri = totp.provisioning_uri(secret, name)
        click.echo(f"TOTP secret: {secret}\n{uri}")
        segno.make(uri, error="m").terminal(compact=True)


@users.command("grant")
@DATABASE
@click.argument("name")
@click.option("--role", type=ROLE, required=True)
@click.option("--party", default=None)
@click.option("--entity", default=None)
def users_grant(
    database: str | None, name: str, role: str, party: str | None, entity: str | None
) -> None:
    """Grant NAME a role in a Party section (replacing any role held there)."""
    from article6.domain.access import Actor, Role
    from article6.services import identity
    from article6.services.context import Registry

    registry = Registry.open(database)
    try:
        identity.grant_role(
            registry,
            Actor("installer", Role.SECRETARIAT),
            name,
            identity.GrantRole(role=Role(role), party=party, entity=entity),
        )
    except CommandRefused as refused:
        click.echo(f"refused: {refused}", err=True)
        sys.exit(1)
    click.echo(f"{name} is {role} in {party or 'the registry'}")


@main.command()
@DATABASE
def expire(database: str | None) -> None:
    """Cancel pending transactions past their approval deadline, releasing their units."""
    from article6.domain.access import Actor, Role
    from article6.services.approvals import expire_pending
    from article6.services.context import Registry

    registry = Registry.open(database)
    expired = expire_pending(registry, Actor("registry", Role.SECRETARIAT))
    click.echo(f"{len(expired)} pending transaction(s) expired")


@main.command()
@DATABASE
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=1, show_default=True, type=int)
@click.option(
    "--role",
    type=click.Choice(["international", "national", "mechanism"]),
    default=None,
    help="Also serve the interoperability protocol in this role (the IR with ARS, a connected "
    "Party registry, or the Article 6.4 mechanism registry).",
)
@click.option("--registry-id", default=None, help="This registry's code, e.g. IR, XXB01, A64.")
def serve(
    database: str | None,
    host: str,
    port: int,
    workers: int,
    role: str | None = None,
    registry_id: str | None = None,
) -> None:
    """Serve the web interface and the API (applies migrations first)."""
    import os

    import uvicorn

    from article6.api.transport import NoDelayH11Protocol
    from article6.interop.hold import lift_overdue
    from article6.services.context import Registry

    url = database_url(database)
    # A reconciliation hold past its deadline ends here too, should the server have been down
    # (or serving without its protocol role) when the deadline passed.
    lift_overdue(Registry.open(url))
    os.environ["ARTICLE6_DATABASE_URL"] = url
    factory = "article6.api.app:create_app"
    if role is not None:
        if registry_id is None:
            raise click.UsageError("--role needs --registry-id")
        os.environ["ARTICLE6_ROLE"] = role
        os.environ["ARTICLE6_REGISTRY_ID"] = registry_id
        factory = "article6.interop.app:registry_app_from_environment"
        workers = 1  # one delivery loop per registry
    click.echo(f"article6 on http://{host}:{port} ({_safe(url)})")
    uvicorn.run(
        factory,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        log_level="info",
        # On SIGTERM, requests in flight get this long to finish; then idle keep-alive
        # connections no longer hold a worker's exit.
        timeout_graceful_shutdown=GRACEFUL_SHUTDOWN_SECONDS,
        http=NoDelayH11Protocol,
    )


GRACEFUL_SHUTDOWN_SECONDS = 10


def _safe(url: str) -> str:
    """A URL fit to print: without any password."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:
        return "the configured database"


# Reports: the AEF and the registry's other reports ------------------------------------------

CLI_READER_NAME = "article6-cli"


def _reader() -> Actor:
    """The command line reads as a registry-wide auditor: it runs with database access."""
    from article6.domain.access import Actor, Role

    return Actor(CLI_READER_NAME, Role.AUDITOR)


@main.group()
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
    from article6.services.context import Registry

    registry = Registry.open(database)
    try:
        view = export_aef(registry, _reader(), party, year, Format(fmt), output, version)
    except CommandRefused as refused:
        click.echo(f"refused: {refused}", err=True)
        sys.exit(1)
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
    from article6.services.context import Registry

    registry = Registry.open(database)
    try:
        view = submit_aef(
            registry, Actor(user, Role.ADMINISTRATOR, party), SubmitAEF(party=party, year=year)
        )
    except CommandRefused as refused:
        click.echo(f"refused: {refused}", err=True)
        sys.exit(1)
    click.echo(f"AEF {party} {year} version {view.version} submitted (sha256 {view.digest})")


@main.group()
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

    from article6.reports.statements import statement_csv, statement_html
    from article6.services.account_statements import account_statement
    from article6.services.context import Registry

    registry = Registry.open(database)
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
@click.option("--output", type=click.Path(path_type=Path), default=None)
@DATABASE
def report_certificate(transaction: str, output: Path | None, database: str | None) -> None:
    """The certificate of a completed use or cancellation, as print-ready HTML."""
    from article6.reports.certificates import certificate_html
    from article6.services.context import Registry
    from article6.services.use_and_cancellation_certificates import certificate

    registry = Registry.open(database)
    try:
        found = certificate(registry, _reader(), transaction)
    except CommandRefused as refused:
        click.echo(f"refused: {refused}", err=True)
        sys.exit(1)
    _write(output, certificate_html(found))


@report.command("public")
@click.option("--party", required=True)
@click.option("--format", "fmt", type=click.Choice(["json", "html"]), default="json")
@click.option("--output", type=click.Path(path_type=Path), default=None)
@DATABASE
def report_public(party: str, fmt: str, output: Path | None, database: str | None) -> None:
    """The public report of a Party (no entity-private data)."""
    from article6.reports.public import public_html, public_json
    from article6.services.context import Registry
    from article6.services.public_reports import public_report

    registry = Registry.open(database)
    try:
        found = public_report(registry, party)
    except CommandRefused as refused:
        click.echo(f"refused: {refused}", err=True)
        sys.exit(1)
    _write(output, public_html(found) if fmt == "html" else public_json(found) + "\n")


# Interoperability: the hub and the demonstration network ------------------------------------


@main.command()
@DATABASE
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8100, show_default=True, type=int)
def hub(database: str | None, host: str, port: int) -> None:
    """Serve the Interoperability Hub (its own database; applies migrations first)."""
    import os

    import uvicorn

    from article6.services.context import Registry

    url = database_url(database)
    Registry.open(url)
    os.environ["ARTICLE6_DATABASE_URL"] = url
    click.echo(f"article6 hub on http://{host}:{port} ({_safe(url)})")
    uvicorn.run(
        "article6.interop.app:hub_app_from_environment",
        factory=True,
        host=host,
        port=port,
        log_level="warning",
    )


@main.command()
@click.option("--keep", is_flag=True, help="Keep the temporary directory with the databases.")
def network(keep: bool) -> None:
    """Start the hub, the IR, XXB's registry and the 6.4 registry on loopback, transfer units
    between them, reconcile, and exit 0 only if there is no discrepancy."""
    from article6.interop.demonstration import run

    sys.exit(run(keep=keep, echo=click.echo))
