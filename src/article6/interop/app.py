"""HTTP doors of the protocol: the registry's router (mountable into the main API), the hub
as a standalone ASGI app, and a background loop that delivers the outbox and runs timeouts.

Messages are read within the size and depth limits of `intake`. The hub's administrative
endpoints answer only requests signed by a hub operator (`operators.require_operator`, C6108);
its identity, a public key, is public.
"""

from __future__ import annotations

import contextlib
import os
import threading
from collections.abc import AsyncIterator, Callable, Mapping
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from article6.api import problems
from article6.domain.checks import CommandRefused
from article6.interop.hub import Hub
from article6.interop.intake import MAX_BODY, read_json
from article6.interop.messages import Ack, AckResult, Notice
from article6.interop.network import MESSAGES_PATH, HttpTransport
from article6.interop.node import RegistryNode
from article6.interop.operators import (
    CHALLENGE,
    OperatorDoor,
    admit_operators,
    operators_from_environment,
    require_operator,
)

Operator = Depends(require_operator)


class NoticeRequest(BaseModel):
    """An operator's notice for registries (the hub signs and sends one to each)."""

    model_config = ConfigDict(extra="forbid")

    registries: list[str] = Field(min_length=1, max_length=100)
    notice: Notice


def _answer(ack: Ack) -> JSONResponse:
    status = 422 if ack.result is AckResult.INVALID else 200
    return JSONResponse(ack.model_dump(mode="json"), status_code=status)


def _install_problems(app: FastAPI) -> None:
    """Refusals as problem documents (413, 400, 401 with the hub's challenge, 429)."""
    problems.install(app)

    @app.exception_handler(CommandRefused)
    async def refused(request: Request, exc: CommandRefused) -> JSONResponse:
        headers = dict(CHALLENGE) if exc.codes[0] == "C6108" else {}
        if exc.retry_after:
            headers["Retry-After"] = str(max(exc.retry_after, 1))
        return problems.problem_response(exc.refusals, request.url.path, headers=headers)


def registry_router(node: RegistryNode, max_body: int = MAX_BODY) -> APIRouter:
    """The registry's protocol endpoint and identity; the including app must answer
    `CommandRefused` with a problem document (`create_registry_app` does)."""
    router = APIRouter(tags=["interoperability"])

    @router.post(MESSAGES_PATH)
    async def message(request: Request) -> JSONResponse:
        wire = await read_json(request, max_body)
        return _answer(await run_in_threadpool(node.receive, wire))

    @router.get("/interop/v1/identity")
    def identity() -> dict[str, str]:
        return {
            "registry_id": node.registry_id,
            "role": node.identity.role.value,
            "public_key": node.identity.public_key,
        }

    return router


class DeliveryLoop:
    """Runs `step` every `interval` seconds in a thread until stopped."""

    def __init__(self, step: Callable[[], None], interval: float = 0.2) -> None:
        self.step = step
        self.interval = interval
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self.stopping.wait(self.interval):
            with contextlib.suppress(Exception):
                self.step()

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        self.thread.join(timeout=5)


def _lifespan(step: Callable[[], None]) -> Any:
    @contextlib.asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        loop = DeliveryLoop(step)
        loop.start()
        try:
            yield
        finally:
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

    app = FastAPI(title=f"article6 registry {node.registry_id}", lifespan=_lifespan(step))
    _install_problems(app)
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
    _install_problems(app)
    admit_operators(app, OperatorDoor(dict(operators or {}), hub.registry.engine, hub.now))

    @app.post(MESSAGES_PATH)
    async def message(request: Request) -> JSONResponse:
        wire = await read_json(request, max_body)
        return _answer(await run_in_threadpool(hub.receive, wire))

    @app.get("/interop/v1/identity")
    def identity() -> dict[str, str]:
        return {"registry_id": "HUB", "role": "hub", "public_key": hub.identity.public_key}

    @app.get("/interop/v1/directory")
    def registries(operator: str = Operator) -> list[dict[str, Any]]:
        from article6.interop import directory
        from article6.store.database import unit_of_work

        with unit_of_work(hub.registry.engine, read_only=True) as connection:
            return [
                {
                    "registry_id": p.registry_id,
                    "role": p.role.value,
                    "public_key": p.public_key,
                    "base_url": p.base_url,
                    "issuer_codes": list(p.issuer_codes),
                    "section_codes": list(p.section_codes),
                    "connected": p.connected,
                }
                for p in directory.peers(connection)
            ]

    @app.get("/interop/v1/transactions")
    def transactions(operator: str = Operator) -> dict[str, str]:
        return hub.transactions()

    @app.post("/interop/v1/reconciliations")
    def reconcile(operator: str = Operator) -> dict[str, str]:
        return {"reconciliation_id": hub.start_reconciliation()}

    @app.post("/interop/v1/notices")
    def notice(request: NoticeRequest, operator: str = Operator) -> dict[str, list[str]]:
        """Send a notice to registries: a `unit_mark` notice makes each mark the ranges it
        names (`domain.unit_marks.UNIT_MARK_NOTICE`)."""
        return {"sent_to": hub.send_notice(request.registries, request.notice)}

    @app.get("/interop/v1/reconciliations/{reconciliation_id}")
    def reconciliation(reconciliation_id: str, operator: str = Operator) -> dict[str, Any]:
        return {
            registry: {"status": status, "discrepancies": found}
            for registry, (status, found) in hub.reconciliation(reconciliation_id).items()
        }

    return app


def _number(name: str, default: int) -> int:
    raw = os.environ.get(f"ARTICLE6_{name}")
    return int(raw) if raw else default


def hub_app_from_environment() -> FastAPI:
    """`article6 hub` runs this factory: the hub over $ARTICLE6_DATABASE_URL, its operators
    from $ARTICLE6_HUB_OPERATORS, the minimum interval between reconciliations from
    $ARTICLE6_HUB_RECONCILIATION_MINUTES and the message size limit from
    $ARTICLE6_INTEROP_MAX_BODY_BYTES."""
    from article6.domain.reconciliation import RECONCILIATION_INTERVAL
    from article6.services.context import Registry
    from article6.store.database import database_url

    minutes = _number("HUB_RECONCILIATION_MINUTES", RECONCILIATION_INTERVAL // timedelta(minutes=1))
    hub = Hub.open(Registry.open(database_url()), timedelta(minutes=minutes))
    return create_hub_app(
        hub, operators_from_environment(), _number("INTEROP_MAX_BODY_BYTES", MAX_BODY)
    )


def registry_app_from_environment() -> FastAPI:
    """`article6 serve --role ...` runs this factory: the main app with the protocol endpoint."""
    from article6.api.app import create_app
    from article6.domain.protocol import Role
    from article6.services.context import Registry
    from article6.store.database import database_url

    registry = Registry.open(database_url(), migrate=False)
    node = RegistryNode.open(
        registry, os.environ["ARTICLE6_REGISTRY_ID"], Role(os.environ["ARTICLE6_ROLE"])
    )
    return create_registry_app(
        node, create_app(registry), _number("INTEROP_MAX_BODY_BYTES", MAX_BODY)
    )
