"""Pull and view (seed para 49): a registry's users ask the Article 6.4 mechanism registry,
through the hub, for the holdings and action history of authorized A6.4ERs, and view the
answers.

A pull is a read request, journaled (`MechanismPullRequested`); the query leaves through the
outbox in the same transaction. Its answer is checked on arrival by the protocol
(`interop.mechanism`) and recorded here, verified or refused, journaled either way. Only a
verified answer is ever shown; one shown more than `FRESH_FOR` after it was fetched is
labelled cached. Who may pull and view: `domain.access.may_pull_mechanism` and
`may_view_mechanism` (C5005).
"""

from __future__ import annotations

import json
import uuid
from datetime import datetime
from typing import Any, ClassVar

from pydantic import BaseModel, Field
from sqlalchemy import Connection

from article6.domain.access import Actor, may_pull_mechanism, may_view_mechanism
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.mechanism_pulls import ANSWER_VALIDITY, is_cached, selector_refusals
from article6.domain.messages import CURSOR, AttestedHoldings, MechanismHoldingsQuery, QueryBy
from article6.domain.protocol import HUB
from article6.domain.wording import words
from article6.services import ports
from article6.services.commands import AuthorizationId, Command
from article6.services.context import Registry, execute
from article6.services.journal import log
from article6.services.views import UtcDateTime
from article6.store import mechanism_pulls as store
from article6.store import registry_directory
from article6.store.database import unit_of_work
from article6.store.mechanism_pulls import PullRecord

PAGE_LIMIT = 100
LARGEST_PAGE = 1000
"""Rows of each list a pull asks for at most: more comes page by page (`cursor`, 1.2)."""


class PullA64ERs(Command):
    """Ask the 6.4 registry for the authorized A6.4ERs of an account, a serial range or an
    authorization; `party` is whose authorizations (none: registry-wide, the secretariat)."""

    checks_by_field: ClassVar[dict[str, Check]] = {
        "party": Check.C1001,
        "account": Check.C1011,
        "first": Check.C1005,
        "last": Check.C1005,
        "authorization_id": Check.C1004,
        "limit": Check.C1005,
        "cursor": Check.C1005,
    }

    party: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    by: QueryBy
    account: str | None = Field(default=None, max_length=40)
    first: int | None = Field(default=None, ge=1, le=10**18)
    last: int | None = Field(default=None, ge=1, le=10**18)
    authorization_id: AuthorizationId | None = None
    limit: int = Field(default=500, ge=1, le=LARGEST_PAGE)
    cursor: str | None = Field(default=None, pattern=CURSOR)


class PullView(BaseModel):
    """A pull as its page shows it: only a verified answer carries holdings and history."""

    query_id: str
    party: str | None
    query: MechanismHoldingsQuery
    requested_by: str
    requested_at: UtcDateTime
    status: str
    checks: str | None
    answered_at: UtcDateTime | None
    fetched_at: UtcDateTime | None
    cached: bool
    overdue: bool
    answer: AttestedHoldings | None


def _view(record: PullRecord, now: datetime) -> PullView:
    verified = record.status == store.VERIFIED and record.answer is not None
    return PullView(
        query_id=record.query_id,
        party=record.party,
        query=MechanismHoldingsQuery.model_validate_json(record.query),
        requested_by=record.requested_by,
        requested_at=record.requested_at,
        status=record.status,
        checks=record.checks,
        answered_at=record.answered_at,
        fetched_at=record.fetched_at,
        cached=bool(verified and record.fetched_at and is_cached(record.fetched_at, now)),
        overdue=record.status == store.REQUESTED and record.requested_at + ANSWER_VALIDITY < now,
        answer=AttestedHoldings.model_validate_json(record.answer)
        if verified and record.answer
        else None,
    )


def request_pull(registry: Registry, actor: Actor, command: PullA64ERs) -> PullView:
    """Record the pull, journal it and send the query to the hub, in one transaction."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> PullView:
        refusal = may_pull_mechanism(actor, command.party)
        if refusal is not None:
            raise CommandRefused([refusal])
        identity = registry_directory.identity(connection)
        if identity is None:
            raise CommandRefused(
                [Refusal(Check.C4005, "registry", words("this registry is not on the hub"))]
            )
        now = registry.now()
        query = MechanismHoldingsQuery(
            query_id=str(uuid.uuid4()),
            requesting_registry=identity.registry_id,
            asked_at=now,
            **command.model_dump(),
        )
        refusals = selector_refusals(query)
        if refusals:
            raise CommandRefused(refusals)
        record = PullRecord(
            query_id=query.query_id,
            requesting_registry=identity.registry_id,
            party=query.party,
            query=query.model_dump_json(),
            requested_by=actor.label,
            requested_at=now,
            status=store.REQUESTED,
        )
        store.insert_pull(connection, record)
        ports.send_message(connection, to=HUB, body=query, now=now)
        log(
            connection,
            registry,
            actor,
            "MechanismPullRequested",
            query.party,
            query.query_id,
            json.loads(record.query),
        )
        return _view(record, now)

    return execute(registry, actor, command, handle, PullView)


def record_answer(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    attested: AttestedHoldings,
    refusals: list[Refusal],
) -> None:
    """An answer checked on arrival: verified (kept as the cached copy) or refused (with the
    checks), journaled either way. Called by the protocol inside the message's transaction."""
    now = registry.now()
    query_id = attested.query.query_id
    if refusals:
        checks = "; ".join(f"{r.check.code} {r.field}: {r.detail}" for r in refusals)
        store.record_outcome(connection, query_id, store.REFUSED, now, checks=checks)
        event = "MechanismAnswerRefused"
        body: dict[str, Any] = {"checks": [r.check.code for r in refusals]}
    else:
        store.record_outcome(
            connection,
            query_id,
            store.VERIFIED,
            now,
            answer=attested.model_dump_json(),
            answered_at=attested.answered_at,
        )
        event = "MechanismAnswerVerified"
        body = {
            "answered_at": attested.answered_at.isoformat(),
            "holdings": len(attested.holdings),
            "held": sum(h.last - h.first + 1 for h in attested.holdings),
            "history": len(attested.history),
        }
    log(connection, registry, actor, event, attested.query.party, query_id, body)


def list_pulls(registry: Registry, actor: Actor, limit: int = PAGE_LIMIT) -> list[PullView]:
    """The pulls the reader may view, newest first."""
    wide = may_view_mechanism(actor, None) is None
    if not wide and may_view_mechanism(actor, actor.party) is not None:
        return []
    with unit_of_work(registry.engine, read_only=True) as connection:
        found = store.pulls(connection, actor.party, wide, max(1, min(limit, PAGE_LIMIT)))
    now = registry.now()
    return [_view(record, now) for record in found]


def readable_pulls(registry: Registry, actor: Actor, limit: int = PAGE_LIMIT) -> list[PullView]:
    """The pulls the reader may view, or C5005 for a reader who may view none (an entity's
    representative): the API says so, where the page shows an empty list."""
    refusal = may_view_mechanism(actor, None if actor.registry_wide else actor.party)
    if refusal is not None:
        raise CommandRefused([refusal])
    return list_pulls(registry, actor, limit)


def pull_for(actor: Actor, command: PullA64ERs) -> PullA64ERs:
    """A Party's users pull for their own Party when they name none (as on the page); the
    secretariat's pull without a Party is registry-wide."""
    if command.party is not None or actor.registry_wide or actor.party is None:
        return command
    return command.model_copy(update={"party": actor.party})


def view_pull(registry: Registry, actor: Actor, query_id: str) -> PullView:
    """One pull, if the reader may view it (C5005 otherwise, as for one that does not exist)."""
    with unit_of_work(registry.engine, read_only=True) as connection:
        record = store.pull(connection, query_id[:64])
    if record is None or may_view_mechanism(actor, record.party) is not None:
        raise CommandRefused(
            [
                Refusal(
                    Check.C5005,
                    "query_id",
                    words("no pull {query_id} you may view", query_id=query_id[:64]),
                )
            ]
        )
    return _view(record, registry.now())
