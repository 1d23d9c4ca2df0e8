"""The interactive API documentation (Swagger UI) at `/api/docs`, served from this registry.

Swagger UI's script and stylesheet come from the `swagger-ui-py` distribution installed with the
registry, not from a CDN: a registry page loads nothing from elsewhere, and the page keeps the
same Content-Security-Policy as every other (no inline script; `static/api-docs.js` points
Swagger UI at the OpenAPI document).
"""

from __future__ import annotations

from importlib.metadata import distribution
from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

ASSETS = "/api/docs/assets"

PAGE = f"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>article6 API</title>
<link rel="stylesheet" href="{ASSETS}/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="{ASSETS}/swagger-ui-bundle.js"></script>
<script src="/static/api-docs.js"></script>
</body>
</html>
"""


def swagger_ui_assets() -> Path:
    """Where the installed `swagger-ui-py` keeps Swagger UI's built files (found without
    importing that package, whose own code the registry does not use)."""
    return Path(str(distribution("swagger-ui-py").locate_file("swagger_ui/static")))


def install(app: FastAPI) -> None:
    app.mount(ASSETS, StaticFiles(directory=swagger_ui_assets()), name="api-docs-assets")

    @app.get("/api/docs", include_in_schema=False)
    def docs() -> HTMLResponse:
        return HTMLResponse(PAGE)
