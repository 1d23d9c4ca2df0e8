"""The auditor's journal browser: the journal's entries filtered by time, event, Party, actor
and subject (the filter in the address), each entry with its body and hashes, and the chain's
verification state, which a registry auditor or the secretariat can run again now (read only,
in the background, its progress shown).

A registry-wide role sees the whole journal (narrowed to a Party if asked); anyone else who
may read the journal, their section's."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from article6.domain.access import Actor
from article6.domain.checks import Check, Refusal
from article6.domain.filters import JournalFilter
from article6.domain.wording import words
from article6.http.security import Registry_
from article6.services import chain_verification
from article6.services.reads import ledger
from article6.web.rendering import render
from article6.web.session import Looking, Viewer

router = APIRouter(include_in_schema=False)
Cursor = Annotated[int | None, Query(ge=0, le=ledger.LARGEST)]
FIELDS = ("since", "until", "event", "party", "actor", "subject")


def scope(viewer: Viewer) -> tuple[Actor, str | None]:
    """Who reads, and which section: the whole registry for a registry-wide role."""
    wide = viewer.principal.actor_for(None)
    if wide is not None and wide.registry_wide:
        return wide, None
    return viewer.actor, viewer.party


def _day(text: str, name: str, refusals: list[Refusal]) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        refusals.append(
            Refusal(Check.C1009, name, words("{text} is not a date (YYYY-MM-DD)", text=text))
        )
        return None


def journal_search(request: Request) -> tuple[dict[str, str], JournalFilter, list[Refusal]]:
    typed = {
        f: request.query_params[f].strip()[:80]
        for f in FIELDS
        if request.query_params.get(f, "").strip()
    }
    refusals: list[Refusal] = []
    since = until = None
    if "since" in typed and (day := _day(typed["since"], "since", refusals)):
        since = datetime.combine(day, time(), UTC)
    if "until" in typed and (day := _day(typed["until"], "until", refusals)):
        until = datetime.combine(day + timedelta(days=1), time(), UTC)
    where = JournalFilter(
        event=typed.get("event"),
        subject=typed.get("subject"),
        party=typed.get("party"),
        actor=typed.get("actor"),
        since=since,
        until=until,
    )
    return typed, where, refusals


Search = Annotated[tuple[dict[str, str], JournalFilter, list[Refusal]], Depends(journal_search)]


@router.get("/journal", response_class=HTMLResponse)
def journal(
    request: Request, viewer: Looking, registry: Registry_, search: Search, after: Cursor = None
) -> Response:
    typed, where, refusals = search
    actor, party = scope(viewer)
    page = ledger.journal(registry, actor, party, where, after, limit=50) if not refusals else None
    run = chain_verification.last_run(registry, actor)
    return render(
        request,
        "journal.html",
        status_code=422 if refusals else 200,
        viewer=viewer,
        active="journal",
        entries=page.items if page else [],
        older=(
            urlencode({**typed, "after": page.next_cursor}) if page and page.next_cursor else None
        ),
        typed=typed,
        refusals=refusals,
        whole=party is None,
        run=run,
        may_verify=party is None,
    )


@router.get("/journal/{seq:int}", response_class=HTMLResponse)
def journal_entry(request: Request, seq: int, viewer: Looking, registry: Registry_) -> Response:
    actor, party = scope(viewer)
    entry = ledger.journal_entry(registry, actor, party, min(seq, ledger.LARGEST))
    try:
        body = json.dumps(json.loads(entry.body), indent=2, ensure_ascii=False, sort_keys=True)
    except ValueError:
        body = entry.body
    return render(
        request,
        "journal_entry.html",
        viewer=viewer,
        active="journal",
        entry=entry,
        body=body,
        whole=party is None,
    )


@router.post("/journal/verification")
def verify_chain(viewer: Looking, registry: Registry_) -> Response:
    """Start a verification (or find the one under way) and go back to the journal."""
    actor, _ = scope(viewer)
    chain_verification.start(registry, actor)
    return RedirectResponse("/journal#verification", status_code=303)
