"""HTTP doors of the protocol: the registry's message endpoint and identity, and the hub's
(its message endpoint, and its directory, transactions, reconciliation runs and notices, open
only to its operators). `article6.app` mounts them by role.

Messages are read within the size and depth limits of `intake`. The hub's administrative
endpoints answer only requests signed by a hub operator (`operators.require_operator`, C6108);
its identity, a public key, is public.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.concurrency import run_in_threadpool

from article6.domain.checks import CommandRefused
from article6.domain.messages import Ack, AckResult, Notice
from article6.http import problems
from article6.http.language import language_of
from article6.interop import directory
from article6.interop.hub import Hub
from article6.interop.intake import MAX_BODY, read_json
from article6.interop.node import RegistryNode
from article6.interop.operators import CHALLENGE, require_operator
from article6.interop.transport import MESSAGES_PATH
from article6.interop.unit_locations import LOCATIONS_PATH
from article6.store.database import unit_of_work

Operator = Depends(require_operator)


class NoticeRequest(BaseModel):
    """An operator's notice for registries (the hub signs and sends one to each)."""

    model_config = ConfigDict(extra="forbid")

    registries: list[str] = Field(min_length=1, max_length=100)
    notice: Notice


def _answer(ack: Ack) -> JSONResponse:
    status = 422 if ack.result is AckResult.INVALID else 200
    return JSONResponse(ack.model_dump(mode="json"), status_code=status)


def install_problems(app: FastAPI) -> None:
    """Refusals as problem documents (413, 400, 401 with the hub's challenge, 429)."""
    problems.install(app)

    @app.exception_handler(CommandRefused)
    async def refused(request: Request, exc: CommandRefused) -> JSONResponse:
        headers = dict(CHALLENGE) if exc.codes[0] == "C6108" else {}
        if exc.retry_after:
            headers["Retry-After"] = str(max(exc.retry_after, 1))
        return problems.problem_response(
            exc.refusals, request.url.path, headers=headers, language=language_of(request)
        )


def registry_router(node: RegistryNode, max_body: int = MAX_BODY) -> APIRouter:
    """The registry's protocol endpoint and identity; the including app must answer
    `CommandRefused` with a problem document (`install_problems`)."""
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


def hub_router(hub: Hub, max_body: int = MAX_BODY) -> APIRouter:
    """The hub's message endpoint and identity, open to every registry, and its directory,
    transactions and reconciliation runs, open only to its operators."""
    router = APIRouter(tags=["interoperability hub"])

    @router.post(MESSAGES_PATH)
    async def message(request: Request) -> JSONResponse:
        wire = await read_json(request, max_body)
        return _answer(await run_in_threadpool(hub.receive, wire))

    @router.post(LOCATIONS_PATH)
    async def unit_locations(request: Request) -> JSONResponse:
        """Where units are (1.3): a signed `UnitLocationQuery` in, a signed
        `UnitLocationAnswer` out, or an Ack naming why the question was not taken."""
        wire = await read_json(request, max_body)
        reply = await run_in_threadpool(hub.answer_locations, wire)
        if isinstance(reply, Ack):
            return _answer(reply)
        return JSONResponse(reply)

    @router.get("/interop/v1/identity")
    def identity() -> dict[str, str]:
        return {"registry_id": "HUB", "role": "hub", "public_key": hub.identity.public_key}

    @router.get("/interop/v1/directory")
    def registries(operator: str = Operator) -> list[dict[str, Any]]:
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

    @router.get("/interop/v1/transactions")
    def transactions(operator: str = Operator) -> dict[str, str]:
        return hub.transactions()

    @router.post("/interop/v1/reconciliations")
    def reconcile(operator: str = Operator) -> dict[str, str]:
        return {"reconciliation_id": hub.start_reconciliation()}

    @router.post("/interop/v1/notices")
    def notice(request: NoticeRequest, operator: str = Operator) -> dict[str, list[str]]:
        """Send a notice to registries: a `unit_mark` notice makes each mark the ranges it
        names (`domain.unit_marks.UNIT_MARK_NOTICE`)."""
        return {"sent_to": hub.send_notice(request.registries, request.notice)}

    @router.get("/interop/v1/reconciliations/{reconciliation_id}")
    def reconciliation(reconciliation_id: str, operator: str = Operator) -> dict[str, Any]:
        return {
            registry: {"status": status, "discrepancies": found}
            for registry, (status, found) in hub.reconciliation(reconciliation_id).items()
        }

    return router
