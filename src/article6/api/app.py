"""The ASGI application: `article6 serve` runs `create_app()`."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import HTMLResponse

from article6 import __version__
from article6.domain.access import Actor, Role
from article6.services import queries
from article6.services.context import Registry
from article6.store.database import database_url

PUBLIC = Actor("public", Role.AUDITOR)


def create_app(registry: Registry | None = None) -> FastAPI:
    registry = registry or Registry.open(database_url(), migrate=False)
    app = FastAPI(
        title="article6",
        version=__version__,
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/docs",
    )

    @app.get("/api/v1/health")
    def health() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    @app.get("/api/v1/verification")
    def verification() -> dict[str, object]:
        problems = queries.verify_registry(registry)
        return {"sound": not problems, "problems": problems}

    @app.get("/", response_class=HTMLResponse)
    def home() -> str:
        rows = []
        for party in ("XXA", "XXC"):
            try:
                summary = queries.holdings_summary(registry, PUBLIC, party)
            except Exception:
                continue
            rows += [
                f"<tr><td>{party}</td><td>{r['kind']}</td><td>{r['cooperative_approach']}"
                f"</td><td>{r['vintage']}</td><td>{r['state']}</td>"
                f"<td style='text-align:right'>{r['quantity']:,}</td></tr>"
                for r in summary
            ]
        return (
            "<!doctype html><html lang='en'><head><meta charset='utf-8'><title>article6"
            "</title></head><body><h1>article6 registry</h1><table><thead><tr><th>Party"
            "</th><th>Account kind</th><th>Cooperative approach</th><th>Vintage</th>"
            "<th>State</th><th>Units</th></tr></thead><tbody>"
            + "".join(rows)
            + "</tbody></table><p><a href='/api/docs'>API</a></p></body></html>"
        )

    return app
