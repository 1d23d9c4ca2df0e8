"""What the registry holds: accounts, holdings, unit blocks, transactions, first transfers, a
unit's history, the journal and its verification. Every list is filtered and paginated."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query
from fastapi.responses import StreamingResponse
from pydantic import BaseModel

from article6.api.routes_setup import ApproachFilter, RecordPath
from article6.domain.accounts import AccountKind, AccountStatus, UnitState
from article6.domain.checks import Check
from article6.domain.filters import AccountFilter, BlockFilter, JournalFilter, TransactionFilter
from article6.domain.identifiers import AUTHORIZATION_ID_LENGTH
from article6.domain.transactions import TransactionKind, TransactionStatus
from article6.http.exports import MEDIA_TYPES, FileFormat, download
from article6.http.parameters import unit_serial
from article6.http.security import InSection, Paged, PartyCode, Registry_, RegistryWide
from article6.services import chain_verification
from article6.services import commands as c
from article6.services.reads import exports, ledger
from article6.services.reads.views import (
    AccountView,
    BlockView,
    HoldingView,
    JournalEntryView,
    Page,
    UnitHistory,
)
from article6.services.views import TransactionView

router = APIRouter(prefix="/api/v1", tags=["queries"])

Cursor = Annotated[int | None, Query(ge=0, le=ledger.LARGEST, description="next_cursor")]
Limit = Annotated[int, Query(ge=1, le=ledger.PAGE_LIMIT)]
Vintage = Annotated[int | None, Query(ge=2000, le=2200)]
Since = Annotated[
    c.Instant | None, Query(description=f"from this instant (inclusive), {c.DATE_BOUNDS}")
]
Until = Annotated[c.Instant | None, Query(description=f"before this instant, {c.DATE_BOUNDS}")]
AccountQuery = Annotated[str | None, Query(max_length=40)]
ActorQuery = Annotated[str | None, Query(max_length=80, description="The user who acted")]
EntityQuery = Annotated[str | None, Query(max_length=40, description="Authorized entity")]
TransactionQuery = Annotated[str | None, Query(max_length=40, description="Transaction ID")]
SerialQuery = Annotated[
    str | None, Query(max_length=80, description="A unit: 85001, XXA01-85001 or its identifier")
]


def transaction_filter(
    status: TransactionStatus | None,
    kind: TransactionKind | None,
    account: str | None,
    cooperative_approach: str | None,
    vintage: int | None,
    since: datetime | None,
    until: datetime | None,
    first_transfer: bool | None,
    entity: str | None,
    transaction: str | None,
    serial: str | None,
) -> TransactionFilter:
    registry, number = unit_serial(serial) if serial is not None else (None, None)
    return TransactionFilter(
        status=status,
        kind=kind,
        account=account,
        cooperative_approach=cooperative_approach,
        vintage=vintage,
        since=since,
        until=until,
        first_transfer=first_transfer,
        entity=entity,
        identifier=transaction,
        registry=registry,
        serial=number,
    )


class CheckEntry(BaseModel):
    code: str
    title: str
    rule: str


class Verification(BaseModel):
    sound: bool
    problems: list[str]


class ReconciliationInProgress(BaseModel):
    """A reconciliation holds the registry: transactions are refused (C2006) until the hub's
    result arrives, at the latest `until`; queries work as usual."""

    reconciliation_id: str
    until: datetime


class Health(BaseModel):
    status: str
    version: str
    reconciliation: ReconciliationInProgress | None = None


@router.get("/health", tags=["registry"])
def health(registry: Registry_) -> Health:
    from article6 import __version__
    from article6.services.reconciliation_holds import in_force

    hold = in_force(registry)
    return Health(
        status="ok",
        version=__version__,
        reconciliation=ReconciliationInProgress(
            reconciliation_id=hold.reconciliation_id, until=hold.until_utc
        )
        if hold is not None
        else None,
    )


@router.get("/checks", tags=["registry"])
def checks() -> list[CheckEntry]:
    """The catalogue of numbered checks that refusals name."""
    return [CheckEntry(code=c.code, title=c.title, rule=c.rule) for c in Check]


@router.get("/parties/{party}/accounts")
def list_accounts(
    party: PartyCode,
    actor: InSection,
    registry: Registry_,
    page: Paged,
    kind: AccountKind | None = None,
    cooperative_approach: ApproachFilter = None,
    status: AccountStatus | None = None,
    holder: AccountQuery = None,
) -> list[AccountView]:
    where = AccountFilter(
        kind=kind, cooperative_approach=cooperative_approach, status=status, holder=holder
    )
    return page(ledger.accounts(registry, actor, party, where))


@router.get("/parties/{party}/accounts/{account}")
def account_detail(
    party: PartyCode, account: RecordPath, actor: InSection, registry: Registry_
) -> AccountView:
    return ledger.account(registry, actor, party, account)


@router.get("/parties/{party}/holdings")
def holdings(
    party: PartyCode,
    actor: InSection,
    registry: Registry_,
    page: Paged,
    account: AccountQuery = None,
    cooperative_approach: ApproachFilter = None,
    vintage: Vintage = None,
    state: UnitState | None = None,
) -> list[HoldingView]:
    """Units held per account, cooperative approach, vintage and state."""
    where = BlockFilter(
        account=account, cooperative_approach=cooperative_approach, vintage=vintage, state=state
    )
    return ledger.holdings(registry, actor, party, where)


@router.get("/parties/{party}/blocks")
def blocks(
    party: PartyCode,
    actor: InSection,
    registry: Registry_,
    account: AccountQuery = None,
    cooperative_approach: ApproachFilter = None,
    vintage: Vintage = None,
    state: UnitState | None = None,
    authorization_id: Annotated[str | None, Query(max_length=AUTHORIZATION_ID_LENGTH)] = None,
    after: Cursor = None,
    limit: Limit = 100,
) -> Page[BlockView]:
    """Unit blocks held in the section's accounts; pass next_cursor as `after`."""
    where = BlockFilter(
        account=account,
        cooperative_approach=cooperative_approach,
        vintage=vintage,
        state=state,
        authorization_id=authorization_id,
    )
    return ledger.blocks(registry, actor, party, where, after, limit)


@router.get("/parties/{party}/transactions")
def transactions(
    party: PartyCode,
    actor: InSection,
    registry: Registry_,
    status: TransactionStatus | None = None,
    kind: TransactionKind | None = None,
    account: AccountQuery = None,
    cooperative_approach: ApproachFilter = None,
    vintage: Vintage = None,
    since: Since = None,
    until: Until = None,
    first_transfer: bool | None = None,
    entity: EntityQuery = None,
    transaction: TransactionQuery = None,
    serial: SerialQuery = None,
    before: Cursor = None,
    limit: Limit = 50,
) -> Page[TransactionView]:
    """Newest first; pass next_cursor as `before` for older ones. `serial` lists the
    transactions that moved that unit."""
    where = transaction_filter(
        status,
        kind,
        account,
        cooperative_approach,
        vintage,
        since,
        until,
        first_transfer,
        entity,
        transaction,
        serial,
    )
    return ledger.transactions(registry, actor, party, where, before, limit)


@router.get(
    "/parties/{party}/transactions.{file_format}",
    response_class=StreamingResponse,
    responses={200: {"content": {m: {} for m in MEDIA_TYPES.values()}}},
)
def transactions_file(
    party: PartyCode,
    file_format: FileFormat,
    actor: InSection,
    registry: Registry_,
    status: TransactionStatus | None = None,
    kind: TransactionKind | None = None,
    account: AccountQuery = None,
    cooperative_approach: ApproachFilter = None,
    vintage: Vintage = None,
    since: Since = None,
    until: Until = None,
    first_transfer: bool | None = None,
    entity: EntityQuery = None,
    transaction: TransactionQuery = None,
    serial: SerialQuery = None,
) -> StreamingResponse:
    """The filtered transaction list, every page of it, as CSV or XLSX, streamed."""
    where = transaction_filter(
        status,
        kind,
        account,
        cooperative_approach,
        vintage,
        since,
        until,
        first_transfer,
        entity,
        transaction,
        serial,
    )
    return download(exports.transactions(registry, actor, party, where), file_format)


@router.get(
    "/parties/{party}/holdings.{file_format}",
    response_class=StreamingResponse,
    responses={200: {"content": {m: {} for m in MEDIA_TYPES.values()}}},
)
def holdings_file(
    party: PartyCode,
    file_format: FileFormat,
    actor: InSection,
    registry: Registry_,
    by: Annotated[str, Query(pattern="^(account|block)$")] = "account",
    account: AccountQuery = None,
    cooperative_approach: ApproachFilter = None,
    vintage: Vintage = None,
    state: UnitState | None = None,
) -> StreamingResponse:
    """Units held per account (summed by approach, vintage and state) or per unit block, as
    CSV or XLSX, streamed."""
    where = BlockFilter(
        account=account, cooperative_approach=cooperative_approach, vintage=vintage, state=state
    )
    read = exports.blocks if by == "block" else exports.holdings
    return download(read(registry, actor, party, where), file_format)


@router.get("/parties/{party}/transactions/{transaction}")
def transaction_detail(
    party: PartyCode, transaction: RecordPath, actor: InSection, registry: Registry_
) -> TransactionView:
    return ledger.transaction(registry, actor, party, transaction)


@router.get("/parties/{party}/first-transfers")
def first_transfers(
    party: PartyCode,
    actor: InSection,
    registry: Registry_,
    before: Cursor = None,
    limit: Limit = 50,
    since: Since = None,
    until: Until = None,
) -> Page[TransactionView]:
    """Completed transactions in which the Party's units were first transferred."""
    where = TransactionFilter(since=since, until=until)
    return ledger.first_transfers(registry, actor, party, where, before, limit)


@router.get("/parties/{party}/units/{unit}")
def unit_history(
    party: PartyCode,
    actor: InSection,
    registry: Registry_,
    unit: Annotated[str, Path(min_length=1, max_length=80)],
) -> UnitHistory:
    """Everything that happened to one unit, by serial (`1000042`, `XXA01-1000042`) or its
    full identifier."""
    return ledger.unit(registry, actor, party, unit)


@router.get("/parties/{party}/journal")
def section_journal(
    party: PartyCode,
    actor: InSection,
    registry: Registry_,
    event: Annotated[str | None, Query(max_length=60)] = None,
    subject: Annotated[str | None, Query(max_length=80)] = None,
    by: ActorQuery = None,
    since: Since = None,
    until: Until = None,
    after: Cursor = None,
    limit: Limit = 100,
) -> Page[JournalEntryView]:
    """The section's journal entries in order; pass next_cursor as `after`. `by` names the
    actor."""
    where = JournalFilter(event=event, subject=subject, actor=by, since=since, until=until)
    return ledger.journal(registry, actor, party, where, after, limit)


@router.get("/journal")
def registry_journal(
    actor: RegistryWide,
    registry: Registry_,
    event: Annotated[str | None, Query(max_length=60)] = None,
    subject: Annotated[str | None, Query(max_length=80)] = None,
    party: Annotated[str | None, Query(pattern="^[A-Z]{3}$")] = None,
    by: ActorQuery = None,
    since: Since = None,
    until: Until = None,
    after: Cursor = None,
    limit: Limit = 100,
) -> Page[JournalEntryView]:
    """The whole journal, for registry-wide roles (`party` narrows it to one section's
    entries, `by` to one actor's)."""
    where = JournalFilter(
        event=event, subject=subject, party=party, actor=by, since=since, until=until
    )
    return ledger.journal(registry, actor, None, where, after, limit)


class ChainVerification(BaseModel):
    """A verification of the journal's chain started from the pages or here (read only, in the
    background): how far it got of how many entries, the breaks found, when it finished."""

    started_by: str
    started_at: datetime
    total: int
    checked: int
    problems: list[str]
    pending: int
    finished_at: datetime | None
    running: bool
    sound: bool


def chain_state(run: chain_verification.VerificationRun) -> ChainVerification:
    return ChainVerification(
        started_by=run.started_by,
        started_at=run.started_at,
        total=run.total,
        checked=run.checked,
        problems=list(run.problems),
        pending=run.pending,
        finished_at=run.finished_at,
        running=run.running,
        sound=run.sound,
    )


@router.get("/journal/verification")
def chain_verification_state(actor: RegistryWide, registry: Registry_) -> ChainVerification | None:
    """The chain verification under way, or the last one this server process ran (null if
    none yet)."""
    run = chain_verification.last_run(registry, actor)
    return None if run is None else chain_state(run)


@router.post("/journal/verification", status_code=202)
def start_chain_verification(actor: RegistryWide, registry: Registry_) -> ChainVerification:
    """Start verifying the journal's chain in the background (read only), or answer the run
    already under way; follow it with GET."""
    return chain_state(chain_verification.start(registry, actor))


@router.get("/verification")
def verification(actor: RegistryWide, registry: Registry_) -> Verification:
    """Recompute the journal chain and every ledger invariant."""
    problems = ledger.verification(registry, actor)
    return Verification(sound=not problems, problems=problems)
