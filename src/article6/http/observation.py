"""Every HTTP request observed once: its id (the client's `X-Request-ID` when plain, else a new
one) set for the journal and the logs and sent back in the response, its count and latency in
the metrics, and its access line in the log."""

from __future__ import annotations

import time

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from article6.http.logs import ACCESS
from article6.http.metrics import observe_request
from article6.services import request_ids

HEADER = "x-request-id"


class ObservedRequests:
    """ASGI middleware, outermost, so that it sees every answer, errors included."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        presented = next(
            (
                value.decode("latin-1")
                for name, value in scope["headers"]
                if name == b"x-request-id"
            ),
            None,
        )
        request_id = request_ids.request_id_for(presented)
        token = request_ids.REQUEST_ID.set(request_id)
        status = 500

        async def observed(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
                MutableHeaders(scope=message)[HEADER] = request_id
            await send(message)

        try:
            await self.app(scope, receive, observed)
        finally:
            seconds = time.perf_counter() - started
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            method = str(scope.get("method", ""))
            observe_request(route, method, status, seconds)
            if ACCESS.isEnabledFor(20):
                ACCESS.info(
                    "%s %s %d",
                    method,
                    scope.get("path", ""),
                    status,
                    extra={
                        "fields": {
                            "method": method,
                            "route": route,
                            "path": scope.get("path", ""),
                            "status": status,
                            "duration_ms": round(seconds * 1000, 2),
                        }
                    },
                )
            request_ids.REQUEST_ID.reset(token)
