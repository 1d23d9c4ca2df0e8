"""The ASGI application: `article6 serve` runs `create_app()`.

Every registry action is under `/api/v1`; OpenAPI 3.1 at `/api/v1/openapi.json`, interactive
docs at `/api/docs`. Errors are RFC 9457 problem details naming the numbered checks.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from article6 import __version__, web
from article6.api import (
    docs_page,
    problems,
    routes_adjustments,
    routes_consistency,
    routes_identity,
    routes_queries,
    routes_reports,
    routes_setup,
    routes_unit_marks,
    routes_units,
)
from article6.api.browser_headers import BrowserHeaders
from article6.api.guard import RequestGuard
from article6.services.checkpoints import CheckpointSchedule
from article6.services.context import Registry
from article6.settings import Settings
from article6.store.database import database_url

DESCRIPTION = """The Article 6.2 International Registry and Additional Registry Services.

Sign in with `POST /api/v1/tokens` (name, password and the current TOTP code) and send the
token as `Authorization: Bearer …`. Actions in a Party section are under
`/api/v1/parties/{party}/…`; a user acts there with the role they hold for that section.
Every refusal is `application/problem+json` naming the numbered checks (`GET /api/v1/checks`).
"""


def create_app(registry: Registry | None = None, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    registry = registry or Registry.open(database_url(), migrate=False)
    app = FastAPI(
        title="article6",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/api/v1/openapi.json",
        docs_url=None,  # served by docs_page, from the installed Swagger UI, no CDN
        redoc_url=None,
    )
    app.state.registry = registry
    app.state.settings = settings
    app.state.checkpoints = CheckpointSchedule.from_settings(registry, settings)
    problems.install(app)
    for module in (
        routes_identity,
        routes_setup,
        routes_units,
        routes_unit_marks,
        routes_queries,
        routes_reports,
        routes_consistency,
        routes_adjustments,
    ):
        app.include_router(module.router)
    web.install(app)  # the pages at /, /sign-in, /accounts, …; errors there are pages too
    app.add_middleware(RequestGuard, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(BrowserHeaders)

    docs_page.install(app)

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = with_problems(
                get_openapi(
                    title=app.title,
                    version=app.version,
                    description=app.description,
                    routes=app.routes,
                )
            )
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    return app


def serve_app() -> FastAPI:
    """What `article6 serve` runs: the app, with the journal's periodic signed checkpoint in a
    background loop (the registry's protocol app runs it in its delivery loop instead)."""
    from article6.interop.app import DeliveryLoop

    app = create_app()
    schedule = app.state.checkpoints
    inner_router = app.router

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        loop = DeliveryLoop(schedule.step, interval=CHECKPOINT_LOOP_SECONDS)
        if app.state.settings.checkpoint_minutes > 0:
            loop.start()
        try:
            yield
        finally:
            if loop.thread.is_alive():
                loop.stop()

    inner_router.lifespan_context = lifespan
    return app


CHECKPOINT_LOOP_SECONDS = 30.0


def with_problems(schema: dict[str, Any]) -> dict[str, Any]:
    """Document the problem+json errors every operation may answer with."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    for model in (problems.CheckFailure, problems.Problem):
        definition = model.model_json_schema(ref_template="#/components/schemas/{model}")
        definition.pop("$defs", None)
        components[model.__name__] = definition
    components.pop("HTTPValidationError", None)
    components.pop("ValidationError", None)
    reference = {"$ref": "#/components/schemas/Problem"}
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status in problems.ERROR_STATUSES:
                responses[str(status)] = {
                    "description": problems.TITLES[status],
                    "content": {problems.MEDIA_TYPE: {"schema": reference}},
                }
    return schema
