"""The holdings an imported history ends with, as blocks here (docs/history-import.md): each
range of the last year's Table 4 gets the attributes a block needs (from the history's Table 2,
an authorization recorded here, or a `holding` line; C7010) and the Party's account of the right
kind, then one completed `history_import` transaction, dated at the end of that year, moves
them in."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Connection

from article6.domain.access import Actor
from article6.domain.accounts import Account, AccountKind, UnitState
from article6.domain.blocks import UnitAttributes, UnitBlock
from article6.domain.checks import Check, Refusal
from article6.domain.nomenclature import ActionType, Metric, MitigationType
from article6.domain.transactions import TransactionKind, TransactionRecord, TransactionStatus
from article6.domain.wording import words
from article6.reports import aef
from article6.reports.aef_consistency.model import AEFRow, UnitRange, integer
from article6.reports.aef_spec import NA
from article6.reports.history_checks import ImportedYear, held_at_end
from article6.reports.history_files import HeldDetail, HistoryFile
from article6.services.context import Registry
from article6.services.journal import log
from article6.store import account_register, history, holdings, placement, records
from article6.store import history_import as store
from article6.store.aef_archive import HeldRange
from article6.store.sections import number_transaction

IMPORTED_ACTIVITY = "imported"
"""The mitigation activity of held units when the history's JSON lines name none."""


@dataclass(frozen=True)
class HeldPlan:
    """One held range of the last year as the block it becomes."""

    block: UnitBlock
    account: Account


HISTORY_IMPORTED = words(
    "Imported history of {party} to {year} on request {on_request_of}"
    " ({file_name}, SHA-256 {sha256})"
)
"""The reason an imported history's transaction records (read back by the pages, said in the
reader's language)."""


def cell_text(row: AEFRow, key: str) -> str | None:
    value = row[key]
    return None if value in ("", NA) else value


def _authorizations(years: list[ImportedYear]) -> dict[tuple[str, str], AEFRow]:
    """Each authorization's latest version in the history's Tables 2, by (ID, approach)."""
    found: dict[tuple[str, str], AEFRow] = {}
    for one in years:
        for row in one.aef.rows(2):
            key = (row["authorization_id"], row["cooperative_approach_id"])
            known = found.get(key)
            if known is None or (integer(row["version"]) or 0) >= (integer(known["version"]) or 0):
                found[key] = row
    return found


def _first_transfers(years: list[ImportedYear]) -> list[UnitRange]:
    """The ranges the history's First transfer rows name."""
    return [
        row.units
        for one in years
        for row in one.aef.rows(3)
        if row.action is ActionType.FIRST_TRANSFER and row.units is not None
    ]


def _first_transferred(first_transfers: list[UnitRange], party: str, units: UnitRange) -> bool:
    """Another Party's units came here first transferred; the Party's own are ITMOs once a
    First transfer row of the history covers them."""
    if units.party != party:
        return True
    return any(
        other.registry == units.registry and other.first <= units.first <= units.last <= other.last
        for other in first_transfers
    )


def _per_unit(row: AEFRow, quantity: int) -> str | None:
    amount = cell_text(row, "non_ghg_quantity")
    if amount is None:
        return None
    try:
        return str((Decimal(amount.replace(",", "")) / quantity).normalize())
    except (InvalidOperation, ZeroDivisionError):
        return None


def held_plans(
    connection: Connection, party: str, files: list[HistoryFile], years: list[ImportedYear]
) -> tuple[list[HeldPlan], list[Refusal]]:
    """C7010: each held range's attributes and account, from Table 2 and the JSON lines."""
    details: dict[tuple[str, str], HeldDetail] = {
        (d.first_id, d.last_id): d for file in files for d in file.details
    }
    authorizations = _authorizations(years)
    first_transfers = _first_transfers(years)
    accounts: dict[tuple[str | None, AccountKind, str], Account | None] = {}
    plans: list[HeldPlan] = []
    refused: list[Refusal] = []
    for one, row, units in held_at_end(years):
        place = one.file.where(row.sheet, row.number)
        detail = details.get((row["first_id"], row["last_id"]))
        authorization = authorizations.get((row["authorization_id"], units.approach))
        sectors = (authorization["sectors"] if authorization else "").split(";")
        activities = (authorization["activity_types"] if authorization else "").split(";")
        version = integer(authorization["version"]) if authorization else None
        recorded = (
            None
            if authorization
            else records.authorization(connection, units.party, row["authorization_id"])
        )
        if recorded is not None:  # another Party's authorization, recorded here
            sectors = [str(s.value) for s in recorded.sectors]
            activities = [str(a.value) for a in recorded.activity_types] or [""]
            version = recorded.version
        sector = (detail.sector if detail else None) or sectors[0].strip()
        if not sector or sector == NA:
            refused.append(
                Refusal(
                    Check.C7010,
                    place,
                    words(
                        "no sector for {units}: its authorization {authorization_id} is neither in "
                        "the history's Table 2 nor recorded here, and no holding line names one",
                        units=units,
                        authorization_id=row["authorization_id"],
                    ),
                )
            )
            continue
        first_transferred = _first_transferred(first_transfers, party, units)
        kind = AccountKind.ITMO_HOLDING if first_transferred else AccountKind.AMO_HOLDING
        named_account = detail.account if detail and detail.account else None
        key = (named_account, kind, units.approach)
        if key not in accounts:  # read once per account, however many ranges it holds
            accounts[key] = (
                account_register.account(connection, named_account)
                if named_account
                else account_register.find_account(connection, party, kind, units.approach)
            )
        account = accounts[key]
        if account is None or account.party_code != party or account.kind != kind.value:
            named = detail.account if detail and detail.account else f"{kind.value} account"
            refused.append(
                Refusal(
                    Check.C7010,
                    place,
                    words(
                        "{units} needs {party}'s {kind} account of {approach}: {named} is not one",
                        units=units,
                        party=party,
                        kind=kind.value,
                        approach=units.approach,
                        named=named,
                    ),
                )
            )
            continue
        activity = ((detail.activity_type if detail else None) or activities[0].strip()) or None
        attributes = UnitAttributes(
            cooperative_approach=units.approach,
            registry=units.registry,
            first_transferring_party=units.party,
            vintage=int(units.vintage),
            metric=Metric(row["metric"]),
            mitigation_type=MitigationType(row["mitigation_type"]),
            sector=sector,
            activity_type=None if activity == NA else activity,
            mitigation_activity=(detail.mitigation_activity if detail else None)
            or IMPORTED_ACTIVITY,
            gwp_values=cell_text(row, "gwp_values"),
            non_ghg_metric=cell_text(row, "non_ghg_metric"),
            non_ghg_per_unit=_per_unit(row, units.quantity),
            underlying_registry=cell_text(row, "underlying_registry"),
            authorization_id=cell_text(row, "authorization_id"),
            authorization_version=version,
        )
        underlying = integer(row["first_unit_id"])
        block = UnitBlock(
            id=0,
            first=units.first,
            last=units.last,
            attributes=attributes,
            state=kind.holds,
            account_id=account.id,
            first_transferred=first_transferred,
            underlying_first=underlying,
        )
        plans.append(HeldPlan(block, account))
    return plans, refused


def held_range(row: AEFRow, units: UnitRange) -> HeldRange:
    return HeldRange(
        origin_registry_id=units.registry,
        serial_first=units.first,
        serial_last=units.last,
        underlying_first=integer(row["first_unit_id"]),
        cooperative_approach_id=units.approach,
        authorization_id=cell_text(row, "authorization_id"),
        first_transferring_party=units.party,
        vintage=int(units.vintage),
        metric=row["metric"],
        gwp_values=cell_text(row, "gwp_values"),
        non_ghg_metric=cell_text(row, "non_ghg_metric"),
        non_ghg_per_unit=_per_unit(row, units.quantity),
        mitigation_type=row["mitigation_type"],
        underlying_registry=cell_text(row, "underlying_registry"),
    )


def record_holdings(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    party: str,
    on_request_of: str,
    last: ImportedYear,
    plans: list[HeldPlan],
    hub_check: dict[str, Any] | None = None,
) -> str | None:
    """The last year's holdings as blocks, moved in by one completed `history_import`
    transaction dated at the end of that year (its original date), journaled."""
    if not plans:
        return None
    number, row = number_transaction(connection, party)
    identifier = f"{row.registry_id}-{number:08d}"
    at = aef.year_end(last.year)
    quantity = sum(p.block.quantity for p in plans)
    by_account = sorted({p.account.id for p in plans})
    holdings.lock_holdings(connection, by_account)
    transaction_id = history.insert_record(
        connection,
        TransactionRecord(
            identifier=identifier,
            party_code=party,
            kind=TransactionKind.HISTORY_IMPORT.value,
            status=TransactionStatus.COMPLETED.value,
            quantity=quantity,
            initiator=actor.label,
            initiator_user=actor.name,
            created_at=at,
            destination_account_id=plans[0].account.id,
            reason=words(
                HISTORY_IMPORTED.template,
                party=party,
                year=last.year,
                on_request_of=on_request_of,
                file_name=last.file.name,
                sha256=last.file.sha256,
            ),
            proposed_at=at,
            checked_at=at,
            finished_at=at,
        ),
    )
    moves: list[tuple[UnitBlock, UnitState | None, str | None]] = []
    for plan in plans:
        block = replace(plan.block, id=placement.insert_block(connection, plan.block))
        moves.append((block, None, None))
        store.move_serials_past(connection, block.attributes.registry, block.last)
    holdings.change_holdings(
        connection,
        [
            (account, sum(p.block.quantity for p in plans if p.account.id == account), 0)
            for account in by_account
        ],
    )
    history.record_ranges(connection, transaction_id, moves)
    log(
        connection,
        registry,
        actor,
        "HistoryHoldingsImported",
        party,
        identifier,
        {
            "year": last.year,
            "ranges": len(plans),
            "quantity": quantity,
            "accounts": sorted({p.account.identifier for p in plans}),
            "source": last.file.name,
            "sha256": last.file.sha256,
            "on_request_of": on_request_of,
            "hub_check": hub_check or {"asked": False},
        },
    )
    return identifier
