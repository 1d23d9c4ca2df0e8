"""Pull and view of the Article 6.4 mechanism registry over HTTP (seed para 49): ask the 6.4
registry, through the hub, for the authorized A6.4ERs of an authorization, an account or a
serial range; list the pulls one may view and read one with its verification state. The same
rules as the page (`domain.access.may_pull_mechanism`, `may_view_mechanism`: C5005)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from article6.http.security import AnyRole, Registry_
from article6.services import mechanism_pulls
from article6.services.mechanism_pulls import PullA64ERs, PullView

router = APIRouter(prefix="/api/v1", tags=["mechanism"])
QueryPath = Annotated[str, Path(min_length=1, max_length=64, description="The pull's query id")]


@router.post("/mechanism-pulls", status_code=201)
def ask_mechanism(command: PullA64ERs, actor: AnyRole, registry: Registry_) -> PullView:
    """Ask the 6.4 registry (journaled, sent through the outbox in one transaction); the answer
    arrives moments later and is shown only once checked. A Party's users pull for their own
    Party (the default); the secretariat for one Party or, naming none, the whole registry."""
    return mechanism_pulls.request_pull(registry, actor, mechanism_pulls.pull_for(actor, command))


@router.get("/mechanism-pulls")
def list_mechanism_pulls(
    actor: AnyRole,
    registry: Registry_,
    limit: Annotated[int, Query(ge=1, le=mechanism_pulls.PAGE_LIMIT)] = mechanism_pulls.PAGE_LIMIT,
) -> list[PullView]:
    """The pulls one may view, newest first: registry-wide readers every pull, a Party's
    readers their Party's; an entity's representative none (C5005)."""
    return mechanism_pulls.readable_pulls(registry, actor, limit)


@router.get("/mechanism-pulls/{query_id}")
def read_mechanism_pull(query_id: QueryPath, actor: AnyRole, registry: Registry_) -> PullView:
    """One pull and its state: `requested` (waiting; `overdue` once past the answer's
    validity), `verified` (with the answer; `cached` once old) or `refused` (with the checks).
    Another Party's pull is as unknown as one that does not exist (C5005)."""
    return mechanism_pulls.view_pull(registry, actor, query_id)
