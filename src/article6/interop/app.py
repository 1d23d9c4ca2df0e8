"""HTTP doors of the protocol: the registry's router (mountable into the main API), the hub
as a standalone ASGI app, and a background loop that delivers the outbox and runs timeouts."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import AsyncIterator, Callable
from typing import Any

from fastapi import APIRouter, Body, FastAPI
from fastapi.responses import JSONResponse

from article6.api.guard import RequestGuard
from article6.interop.hub import Hub
from article6.interop.messages import Ack, AckResult
from article6.interop.network import MESSAGES_PATH, HttpTransport
from article6.interop.node import RegistryNode

MAX_BODY = 8 * 1024 * 1024


def _answer(ack: Ack) -> JSONResponse:
    status = 422 if ack.result is AckResult.INVALID else 200
    return JSONResponse(ack.model_dump(mode="json"), status_code=status)


def registry_router(node: RegistryNode) -> APIRouter:
    router = APIRouter(tags=["interoperability"])

    @router.post(MESSAGES_PATH)
    def message(wire: dict[str, Any] = Body(...)) -> JSONResponse:  # noqa: B008
        return _answer(node.receive(wire))

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


def create_registry_app(node: RegistryNode, inner: Any | None = None) -> FastAPI:
    """A registry's protocol endpoint with its delivery loop; `inner` (the main web app and
    API) is mounted under it when given."""
    transport = HttpTransport()

    def step() -> None:
        node.ask_about_overdue()
        node.deliver_pending(transport)

    app = FastAPI(title=f"article6 registry {node.registry_id}", lifespan=_lifespan(step))
    app.add_middleware(RequestGuard, max_body_bytes=MAX_BODY, values=False)
    app.include_router(registry_router(node))
    if inner is not None:
        app.mount("/", inner)
    return app


def create_hub_app(hub: Hub) -> FastAPI:
    """The hub: its message endpoint, directory, transactions and reconciliation runs."""
    transport = HttpTransport()

    def step() -> None:
        hub.expire_transfers()
        hub.deliver_pending(transport)

    app = FastAPI(title="article6 interoperability hub", lifespan=_lifespan(step))
    app.add_middleware(RequestGuard, max_body_bytes=MAX_BODY, values=False)

    @app.post(MESSAGES_PATH)
    def message(wire: dict[str, Any] = Body(...)) -> JSONResponse:  # noqa: B008
        return _answer(hub.receive(wire))

    @app.get("/interop/v1/identity")
    def identity() -> dict[str, str]:
        return {"registry_id": "HUB", "role": "hub", "public_key": hub.identity.public_key}

    @app.get("/interop/v1/directory")
    def registries() -> list[dict[str, Any]]:
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
                    "connected": p.connected,
                }
                for p in directory.peers(connection)
            ]

    @app.get("/interop/v1/transactions")
    def transactions() -> dict[str, str]:
        return hub.transactions()

    @app.post("/interop/v1/reconciliations")
    def reconcile() -> dict[str, str]:
        return {"reconciliation_id": hub.start_reconciliation()}

    @app.get("/interop/v1/reconciliations/{reconciliation_id}")
    def reconciliation(reconciliation_id: str) -> dict[str, Any]:
        return {
            registry: {"status": status, "discrepancies": found}
            for registry, (status, found) in hub.reconciliation(reconciliation_id).items()
        }

    return app


def hub_app_from_environment() -> FastAPI:
    """`article6 hub` runs this factory: the hub over $ARTICLE6_DATABASE_URL."""
    from article6.services.context import Registry
    from article6.store.database import database_url

    return create_hub_app(Hub.open(Registry.open(database_url())))


def registry_app_from_environment() -> FastAPI:
    """`article6 serve --role ...` runs this factory: the main app with the protocol endpoint."""
    import os

    from article6.api.app import create_app
    from article6.domain.protocol import Role
    from article6.services.context import Registry
    from article6.store.database import database_url

    registry = Registry.open(database_url(), migrate=False)
    node = RegistryNode.open(
        registry, os.environ["ARTICLE6_REGISTRY_ID"], Role(os.environ["ARTICLE6_ROLE"])
    )
    return create_registry_app(node, create_app(registry))
