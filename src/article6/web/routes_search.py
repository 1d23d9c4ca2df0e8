"""Finding transactions and taking them away: the transaction search, its filter in the
address (bookmarkable, the back button gives the same list), and the CSV and XLSX exports of
that list and of the holdings, streamed. Every list is read through the same services as the
API, so a filter only narrows what the reader may see."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from article6.domain.accounts import UnitState
from article6.domain.checks import CommandRefused
from article6.domain.filters import BlockFilter
from article6.domain.transactions import TransactionKind, TransactionStatus
from article6.http.exports import FileFormat, download
from article6.http.security import Registry_
from article6.services import directory
from article6.services.reads import exports, ledger
from article6.services.reads.views import Page
from article6.services.views import TransactionView
from article6.web.rendering import render
from article6.web.routes_registry import account_names
from article6.web.session import Looking
from article6.web.transaction_search import read_search

router = APIRouter(include_in_schema=False)
Cursor = Annotated[int | None, Query(ge=0, le=ledger.LARGEST)]
Text = Annotated[str | None, Query(max_length=40)]
Vintage = Annotated[int | None, Query(ge=2000, le=2200)]


@router.get("/transactions", response_class=HTMLResponse)
def transactions(
    request: Request, viewer: Looking, registry: Registry_, before: Cursor = None
) -> Response:
    search = read_search(request.query_params)
    if search.refusals:
        page = Page[TransactionView](items=[], next_cursor=None)
    else:
        page = ledger.transactions(
            registry, viewer.actor, viewer.party, search.where, before, limit=50
        )
    first_transfer = search.where.first_transfer
    return render(
        request,
        "transactions.html",
        status_code=422 if search.refusals else 200,
        viewer=viewer,
        active="first-transfers" if first_transfer else "transactions",
        page=page,
        search=search,
        typed=search.typed,
        refusals=search.refusals,
        first_transfer=first_transfer,
        kinds=[k.value for k in TransactionKind],
        statuses=[s.value for s in TransactionStatus],
        approaches=[a.id for a in directory.approaches_list(registry, viewer.actor, viewer.party)],
        entities=[]
        if viewer.entity
        else directory.entities_list(registry, viewer.actor, viewer.party),
        names=account_names(registry, viewer),
    )


@router.get("/transactions.{file_format}")
def transactions_file(
    request: Request, file_format: FileFormat, viewer: Looking, registry: Registry_
) -> Response:
    """The list the same address shows on `/transactions`, every page of it."""
    search = read_search(request.query_params)
    if search.refusals:
        raise CommandRefused(search.refusals)
    sheet = exports.transactions(registry, viewer.actor, viewer.party, search.where)
    return download(sheet, file_format)


@router.get("/holdings.{file_format}")
def holdings_file(
    file_format: FileFormat,
    viewer: Looking,
    registry: Registry_,
    by: Annotated[str, Query(pattern="^(account|block)$")] = "account",
    account: Text = None,
    cooperative_approach: Text = None,
    vintage: Vintage = None,
    state: UnitState | None = None,
) -> Response:
    """Units held per account (summed) or per unit block."""
    where = BlockFilter(
        account=account or None,
        cooperative_approach=cooperative_approach or None,
        vintage=vintage,
        state=state,
    )
    read = exports.blocks if by == "block" else exports.holdings
    return download(read(registry, viewer.actor, viewer.party, where), file_format)
