"""The operator's doors, outside the versioned API: liveness and readiness for the load
balancer or orchestrator, and the Prometheus metrics for the monitoring system.

`/health/live` answers while the process can answer at all (restart it otherwise);
`/health/ready` only while it can serve (take it out of the pool otherwise), naming what fails.
`/metrics` needs the bearer token of the `ARTICLE6_METRICS_TOKEN` setting; without one it is
open only in development, since a registry's volumes are not for everyone to read.
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from article6.http.metrics import CONTENT_TYPE, exposition
from article6.http.security import Registry_, Settings_
from article6.services.monitoring import readiness

router = APIRouter(include_in_schema=False)


@router.get("/health/live")
async def live() -> JSONResponse:
    return JSONResponse({"status": "live"})


@router.get("/health/ready")
def ready(registry: Registry_) -> JSONResponse:
    found = readiness(registry)
    return JSONResponse(
        {
            "status": "ready" if found.ready else "not ready",
            "database": found.database,
            "schema_current": found.schema_current,
            "journal_sealed": found.journal_sealed,
            "problems": list(found.problems),
        },
        status_code=200 if found.ready else 503,
        headers={"Cache-Control": "no-store"},
    )


@router.get("/metrics")
async def metrics(request: Request, registry: Registry_, settings: Settings_) -> Response:
    expected = settings.metrics_token
    presented = request.headers.get("authorization", "")
    if expected is None:
        allowed = settings.development
    else:
        allowed = hmac.compare_digest(presented.encode(), f"Bearer {expected}".encode())
    if not allowed:
        return JSONResponse(
            {"status": 401, "title": "Metrics need the operator's token"},
            status_code=401,
            headers={"WWW-Authenticate": 'Bearer realm="article6-metrics"'},
        )
    body = await run_in_threadpool(exposition, registry)
    return Response(body, media_type=CONTENT_TYPE, headers={"Cache-Control": "no-store"})
