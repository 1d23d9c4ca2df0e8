"""What a section holds and what happened: the dashboard, accounts, transactions, a unit's
history, first transfers and reports. Every page asks the same services the API does."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from article6.domain.accounts import AccountKind, Container
from article6.domain.checks import CommandRefused, Refusal
from article6.domain.filters import BlockFilter, JournalFilter, TransactionFilter
from article6.domain.transactions import TransactionStatus
from article6.domain.wording import Words, words
from article6.http.problems import status_of
from article6.http.security import Registry_
from article6.services import aef_versions, directory, safeguards
from article6.services import commands as c
from article6.services.approvals import approve_transaction
from article6.services.context import Registry
from article6.services.preview import preview
from article6.services.reads import ledger
from article6.services.reads.views import AccountView
from article6.services.reconciliation_holds import in_force
from article6.services.views import TransactionView
from article6.web.chart import Bar, holdings_chart
from article6.web.forms import errors_by_field
from article6.web.rendering import render
from article6.web.session import Looking, Viewer

router = APIRouter(include_in_schema=False)
Text = Annotated[str | None, Query(max_length=120)]
Cursor = Annotated[int | None, Query(ge=0, le=ledger.LARGEST)]


@dataclass(frozen=True)
class HoldingRow:
    kind: str
    cooperative_approach: str
    vintage: int
    state: str
    quantity: int


def account_names(registry: Registry_, viewer: Viewer) -> dict[str, str]:
    """Account identifier -> its seed-style name, for the accounts this user may see."""
    return {a.identifier: a.name for a in ledger.accounts(registry, viewer.actor, viewer.party)}


def pending(registry: Registry_, viewer: Viewer) -> list[TransactionView]:
    waiting = TransactionFilter(status=TransactionStatus.AWAITING_APPROVAL)
    return ledger.transactions(registry, viewer.actor, viewer.party, waiting, limit=100).items


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, viewer: Looking, registry: Registry_) -> Response:
    holdings = ledger.holdings(registry, viewer.actor, viewer.party)
    if viewer.entity:
        # A representative sees the Party's use and cancellation accounts too; what the
        # entity holds is only what lies in the accounts it holds itself.
        own = {
            a.identifier
            for a in ledger.accounts(registry, viewer.actor, viewer.party)
            if a.holder == viewer.entity
        }
        holdings = [h for h in holdings if h.account in own]
    grouped: dict[tuple[str, str, int, str], int] = defaultdict(int)
    for h in holdings:
        grouped[(h.kind, h.cooperative_approach, h.vintage, h.state)] += h.quantity
    order = list(AccountKind)
    rows = sorted(
        (HoldingRow(*key, quantity) for key, quantity in grouped.items() if quantity),
        key=lambda r: (order.index(AccountKind(r.kind)), r.cooperative_approach, r.vintage),
    )
    bars = [
        Bar(
            # Said when the chart is drawn: the kind in the reader's language.
            Words(
                "{kind} · {approach} · {vintage}",
                kind=AccountKind(r.kind).label,
                approach=r.cooperative_approach,
                vintage=r.vintage,
            ),
            r.quantity,
            r.state,
        )
        for r in rows
    ]
    recent = ledger.transactions(registry, viewer.actor, viewer.party, limit=8).items
    return render(
        request,
        "dashboard.html",
        viewer=viewer,
        active="dashboard",
        rows=rows,
        total=sum(r.quantity for r in rows),
        chart=holdings_chart(bars, words("Units held in {party}'s section", party=viewer.party)),
        waiting=pending(registry, viewer),
        recent=recent,
        names=account_names(registry, viewer),
        hold=in_force(registry),
    )


@router.get("/accounts", response_class=HTMLResponse)
def accounts(request: Request, viewer: Looking, registry: Registry_) -> Response:
    found = ledger.accounts(registry, viewer.actor, viewer.party)
    by_container: dict[str, list[AccountView]] = {c.value: [] for c in Container}
    for account in found:
        by_container[account.container].append(account)
    return render(
        request,
        "accounts.html",
        viewer=viewer,
        active="accounts",
        containers=by_container,
    )


@router.get("/accounts/{account}", response_class=HTMLResponse)
def account_detail(
    request: Request,
    account: str,
    viewer: Looking,
    registry: Registry_,
    after: Cursor = None,
) -> Response:
    view = ledger.account(registry, viewer.actor, viewer.party, account[:40])
    blocks = ledger.blocks(
        registry, viewer.actor, viewer.party, BlockFilter(account=view.identifier), after, 100
    )
    history = ledger.transactions(
        registry, viewer.actor, viewer.party, TransactionFilter(account=view.identifier)
    )
    return render(
        request,
        "account.html",
        viewer=viewer,
        active="accounts",
        account=view,
        blocks=blocks,
        history=history.items,
        names=account_names(registry, viewer),
        terminal=AccountKind(view.kind).terminal,
        today=date.today(),
    )


@router.get("/transactions/{transaction}", response_class=HTMLResponse)
def transaction_detail(
    request: Request, transaction: str, viewer: Looking, registry: Registry_, done: Text = None
) -> Response:
    view = ledger.transaction(registry, viewer.actor, viewer.party, transaction[:40])
    try:
        about = JournalFilter(subject=view.identifier)
        entries = ledger.journal(registry, viewer.actor, viewer.party, about, limit=20).items
    except CommandRefused:
        entries = []  # an entity's representative does not read the journal
    return render(
        request,
        "transaction.html",
        viewer=viewer,
        active="transactions",
        t=view,
        entries=entries,
        names=account_names(registry, viewer),
        payees=directory.payees(
            registry,
            viewer.actor,
            [a for a in (view.source_account, view.destination_account) if a],
        ),
        done=done,
    )


@router.get("/units", response_class=HTMLResponse)
def unit_search(request: Request, viewer: Looking, registry: Registry_, q: Text = None) -> Response:
    history, refusals = None, []
    if q and q.strip():
        try:
            history = ledger.unit(registry, viewer.actor, viewer.party, q.strip())
        except CommandRefused as refused:
            refusals = refused.refusals
    return render(
        request,
        "units.html",
        viewer=viewer,
        active="units",
        q=q or "",
        history=history,
        refusals=refusals,
        names=account_names(registry, viewer),
        status_code=422 if refusals else 200,
    )


def on_approval(registry: Registry_, viewer: Viewer, transaction: str) -> Words:
    """What approving would do now, rehearsed (nothing kept): the approver sees whether it
    would be the units' first transfer, or why approval would be refused."""
    try:
        rehearsed = preview(
            registry,
            approve_transaction,
            viewer.actor,
            c.ApproveTransaction(transaction=transaction),
        )
    except CommandRefused as refused:
        reasons = [
            Words("{code} {detail}", code=r.check.code, detail=r.detail) for r in refused.refusals
        ]
        return words(
            "Approval would be refused: {reasons}",
            reasons=Words(
                "; ".join(f"{{r{i}}}" for i in range(len(reasons))),
                **{f"r{i}": reason for i, reason in enumerate(reasons)},
            ),
        )
    if rehearsed.receipt.status == "awaiting_acceptance":
        return words("Then waits for the acquiring Party's acceptance; completes once it accepts.")
    if rehearsed.first_transfer:
        return words("Completes, and is the units' first transfer.")
    return words("Completes; not a first transfer.")


@router.get("/approvals", response_class=HTMLResponse)
def approvals(request: Request, viewer: Looking, registry: Registry_) -> Response:
    return approvals_page(request, viewer, registry)


def approvals_page(
    request: Request,
    viewer: Viewer,
    registry: Registry,
    refused: str = "",
    refusals: list[Refusal] | None = None,
) -> Response:
    """The inbox; after a refused decision, the refusal above it and beside the field of the
    request `refused` (a wrong code beside that request's code field), nothing changed."""
    refusals = refusals or []
    waiting = pending(registry, viewer)
    outcomes = {
        t.identifier: on_approval(registry, viewer, t.identifier)
        for t in waiting
        if viewer.may("approve") and t.party == viewer.party
    }
    return render(
        request,
        "approvals.html",
        status_code=status_of(refusals) if refusals else 200,
        viewer=viewer,
        active="approvals",
        waiting=waiting,
        refused=refused,
        refusals=refusals,
        errors=errors_by_field(refusals),
        outcomes=outcomes,
        signing=viewer.may("approve")
        and safeguards.signed_confirmation_required(registry, viewer.party),
        names=account_names(registry, viewer),
        payees=directory.payees(
            registry,
            viewer.actor,
            [t.destination_account for t in waiting if t.destination_account],
        ),
    )


@router.get("/reports", response_class=HTMLResponse)
def reports(request: Request, viewer: Looking, registry: Registry_) -> Response:
    today = registry.now().date()
    return render(
        request,
        "reports.html",
        viewer=viewer,
        active="reports",
        years=[] if viewer.entity else aef_versions.aef_years(registry, viewer.actor, viewer.party),
        current_year=today.year,
        accounts=ledger.accounts(registry, viewer.actor, viewer.party),
        start=date(today.year, 1, 1),
        end=today,
        consistency_years=(
            list(range(today.year, aef_versions.FIRST_REPORTED_YEAR - 1, -1))
            if viewer.principal.actor_for(None) is not None
            else []
        ),
    )
