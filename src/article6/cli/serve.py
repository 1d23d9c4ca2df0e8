"""`article6 serve`: the web interface and the API, and optionally the interoperability
protocol in one of its roles."""

from __future__ import annotations

import click

from article6.cli.database import DATABASE, open_registry
from article6.store.database import database_url, printable_url


@click.command()
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

    from article6.http import workers as serving
    from article6.http.logs import configuration
    from article6.services.reconciliation_holds import lift_overdue
    from article6.settings import Settings

    url = database_url(database)
    # A reconciliation hold past its deadline ends here too, should the server have been down
    # (or serving without its protocol role) when the deadline passed.
    lift_overdue(open_registry(url))
    os.environ["ARTICLE6_DATABASE_URL"] = url
    factory = "article6.app:serve_app"
    if role is not None:
        if registry_id is None:
            raise click.UsageError("--role needs --registry-id")
        os.environ["ARTICLE6_ROLE"] = role
        os.environ["ARTICLE6_REGISTRY_ID"] = registry_id
        factory = "article6.app:registry_app_from_environment"
        workers = 1  # one delivery loop per registry
    if workers > 1:
        _share_metrics_between_workers()
    click.echo(
        f"article6 on http://{host}:{port}, its data in {printable_url(url)}; Ctrl+C stops it"
    )
    serving.run(
        serving.server_config(
            factory,
            host=host,
            port=port,
            workers=workers,
            log_config=configuration("INFO", Settings.from_env().log_format),
        )
    )


def _share_metrics_between_workers() -> None:
    """Worker processes count requests into one directory, so that a scrape answered by any
    of them adds up all of them (prometheus_client's multiprocess mode). An operator's own
    PROMETHEUS_MULTIPROC_DIR is kept; otherwise a fresh one is made for this server's life."""
    import os
    import tempfile

    if not os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = tempfile.mkdtemp(prefix="article6-metrics-")
