"""The one place the ASGI applications are built, and the doors mounted by role.

`create_app` is the registry's pages and API: every registry action under `/api/v1` (OpenAPI
3.1 at `/api/v1/openapi.json`, interactive docs at `/api/docs`, errors as RFC 9457 problem
details naming the numbered checks), the web pages beside them. A registry with a protocol role
also answers the protocol (`create_registry_app`); the hub answers only the protocol
(`create_hub_app`). `article6 serve` and `article6 hub` run the factories at the end.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import timedelta
from typing import Any

from fastapi import FastAPI
from fastapi.openapi.utils import get_openapi

from article6 import __version__, web
from article6.api import (
    docs_page,
    routes_acceptance,
    routes_adjustments,
    routes_consistency,
    routes_delegations,
    routes_identity,
    routes_initial_reports,
    routes_joining,
    routes_mechanism,
    routes_notifications,
    routes_operations,
    routes_queries,
    routes_reports,
    routes_safeguards,
    routes_setup,
    routes_unit_marks,
    routes_units,
    routes_user_status,
)
from article6.domain.protocol import Role
from article6.domain.reconciliation import RECONCILIATION_INTERVAL
from article6.http import heap, problems
from article6.http.browser_headers import BrowserHeaders
from article6.http.guard import RequestGuard
from article6.http.observation import ObservedRequests
from article6.interop.delivery import DeliveryLoop
from article6.interop.hub import Hub
from article6.interop.intake import MAX_BODY
from article6.interop.node import RegistryNode
from article6.interop.operators import OperatorDoor, admit_operators, operators_from_environment
from article6.interop.routes import hub_router, install_problems, registry_router
from article6.interop.transport import HttpTransport
from article6.services.checkpoints import CheckpointSchedule
from article6.services.context import Registry
from article6.services.notification_mail import NotificationStep
from article6.settings import Settings
from article6.store.database import database_url
from article6.web.documents.rendering import inline_style_sources

DESCRIPTION = """The Article 6.2 International Registry and Additional Registry Services.

Sign in with `POST /api/v1/tokens` (name, password and the current TOTP code) and send the
token as `Authorization: Bearer …`. Actions in a Party section are under
`/api/v1/parties/{party}/…`; a user acts there with the role they hold for that section.
Every refusal is `application/problem+json` naming the numbered checks (`GET /api/v1/checks`).
"""


def create_app(registry: Registry | None = None, settings: Settings | None = None) -> FastAPI:
    settings = settings or Settings.from_env()
    registry = registry or Registry.open(
        database_url(), migrate=False, read_url=settings.read_database_url
    )
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
    # FastAPI finds a request's route by trying each in turn (twice over an included router),
    # about 2 µs a route: the unit-moving commands come first, then identity (`/me`, tokens).
    app.include_router(routes_units.confirmed)
    for module in (
        routes_units,
        routes_identity,
        routes_user_status,
        routes_setup,
        routes_unit_marks,
        routes_initial_reports,
        routes_queries,
        routes_reports,
        routes_consistency,
        routes_adjustments,
        routes_operations,
        routes_notifications,
        routes_acceptance,
        routes_safeguards,
        routes_delegations,
        routes_joining,
        routes_mechanism,
    ):
        app.include_router(module.router)
    web.install(app)  # the pages at /, /sign-in, /accounts, …; errors there are pages too
    app.add_middleware(RequestGuard, max_body_bytes=settings.max_body_bytes)
    app.add_middleware(BrowserHeaders, style_sources=inline_style_sources())
    app.add_middleware(ObservedRequests)

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
    background loop (the registry's protocol app runs it in its delivery loop instead), and
    the notifications' projection and e-mail in another."""
    app = create_app()
    schedule = app.state.checkpoints
    inner_router = app.router

    settings = app.state.settings
    notifying = NotificationStep.from_settings(app.state.registry, settings)

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        heap.settle()  # startup is over: what lives now lives as long as the process
        loop = DeliveryLoop(schedule.step, interval=CHECKPOINT_LOOP_SECONDS)
        # Notifications (and their e-mail) in a loop of their own: a slow mail server delays
        # neither the checkpoints nor any command.
        notices = DeliveryLoop(notifying.run, interval=settings.notification_seconds)
        if settings.checkpoint_minutes > 0:
            loop.start()
        if settings.notification_seconds > 0:
            notices.start()
        try:
            yield
        finally:
            for running in (loop, notices):
                if running.thread.is_alive():
                    running.stop()

    inner_router.lifespan_context = lifespan
    return app


CHECKPOINT_LOOP_SECONDS = 30.0


def _lifespan(step: Callable[[], None], *others: DeliveryLoop) -> Any:
    """Run `step` in the delivery loop, and each of `others` beside it, while the app lives."""

    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        loops = (DeliveryLoop(step), *others)
        for loop in loops:
            loop.start()
        try:
            yield
        finally:
            for loop in loops:
                loop.stop()

    return lifespan


def create_registry_app(
    node: RegistryNode, inner: Any | None = None, max_body: int = MAX_BODY
) -> FastAPI:
    """A registry's protocol endpoint with its delivery loop; `inner` (the main web app and
    API) is mounted under it when given."""
    transport = HttpTransport()

    state = getattr(inner, "state", None)
    checkpoints = getattr(state, "checkpoints", None)
    periodic = (
        checkpoints is not None and state is not None and state.settings.checkpoint_minutes > 0
    )

    def step() -> None:
        node.ask_about_overdue()
        if periodic and checkpoints is not None:
            checkpoints.step()  # the journal's signed head, sent to the hub through the outbox
        node.deliver_pending(transport)

    others = []
    if state is not None and state.settings.notification_seconds > 0:
        # The notifications of the registry's own pages, in a loop of their own.
        notifying = NotificationStep.from_settings(state.registry, state.settings)
        others.append(DeliveryLoop(notifying.run, interval=state.settings.notification_seconds))
    app = FastAPI(title=f"article6 registry {node.registry_id}", lifespan=_lifespan(step, *others))
    install_problems(app)
    app.include_router(registry_router(node, max_body))
    if inner is not None:
        app.mount("/", inner)
    return app


def create_hub_app(
    hub: Hub, operators: Mapping[str, str] | None = None, max_body: int = MAX_BODY
) -> FastAPI:
    """The hub: its message endpoint and identity, open to every registry, and its directory,
    transactions and reconciliation runs, open only to the `operators` (name to public key)."""
    transport = HttpTransport()

    def step() -> None:
        hub.expire_transfers()
        hub.deliver_pending(transport)

    app = FastAPI(title="article6 interoperability hub", lifespan=_lifespan(step))
    install_problems(app)
    admit_operators(app, OperatorDoor(dict(operators or {}), hub.registry.engine, hub.now))
    app.include_router(hub_router(hub, max_body))
    return app


def _number(name: str, default: int) -> int:
    raw = os.environ.get(f"ARTICLE6_{name}")
    return int(raw) if raw else default


def hub_app_from_environment() -> FastAPI:
    """`article6 hub` runs this factory: the hub over $ARTICLE6_DATABASE_URL, its operators
    from $ARTICLE6_HUB_OPERATORS, the minimum interval between reconciliations from
    $ARTICLE6_HUB_RECONCILIATION_MINUTES and the message size limit from
    $ARTICLE6_INTEROP_MAX_BODY_BYTES."""
    minutes = _number("HUB_RECONCILIATION_MINUTES", RECONCILIATION_INTERVAL // timedelta(minutes=1))
    hub = Hub.open(Registry.open(database_url()), timedelta(minutes=minutes))
    return create_hub_app(
        hub, operators_from_environment(), _number("INTEROP_MAX_BODY_BYTES", MAX_BODY)
    )


def registry_app_from_environment() -> FastAPI:
    """`article6 serve --role ...` runs this factory: the main app with the protocol endpoint."""
    registry = Registry.open(
        database_url(), migrate=False, read_url=Settings.from_env().read_database_url
    )
    node = RegistryNode.open(
        registry, os.environ["ARTICLE6_REGISTRY_ID"], Role(os.environ["ARTICLE6_ROLE"])
    )
    return create_registry_app(
        node, create_app(registry), _number("INTEROP_MAX_BODY_BYTES", MAX_BODY)
    )


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
