"""The Article 6.4 mechanism registry role (RULES.md 7): A6.4ERs are issued into a pending
account, with the share of proceeds for adaptation (SOP, to the Adaptation Fund's account) and
the mandatory cancellation for OMGE taken at issuance; the rest is distributed to holding
accounts. Authorized A6.4ERs cross into the IR as ITMOs at their first transfer, keeping their
identifiers (originating registry A64 and their serials).

The same ledger serves: a mitigation contribution A6.4ER (not authorized) is an MO, an
authorized one not yet first transferred an AMO. The IR files A6.4ERs under a reserved
cooperative approach that stands for the mechanism (configuration to confirm).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from pydantic import Field
from sqlalchemy import Connection

from article6.domain import identifiers
from article6.domain.access import Actor, Permission
from article6.domain.accounts import ADAPTATION_FUND, PENDING, AccountKind, UnitState
from article6.domain.blocks import Portion, UnitAttributes, UnitBlock, quantity
from article6.domain.checks import Check, refuse
from article6.domain.nomenclature import ActionSubtype, ActivityType, Metric, MitigationType, Sector
from article6.domain.protocol import MECHANISM_APPROACH, MECHANISM_REGISTRY
from article6.domain.transactions import TransactionKind, TransactionRecord, TransactionStatus
from article6.domain.wording import words
from article6.services.access import allow
from article6.services.commands import Command
from article6.services.context import Registry, execute
from article6.services.journal import log
from article6.services.views import Receipt, transaction_receipt
from article6.store import account_register, history, holdings, interop_ledger, placement, sections

SOP_PERCENT = 5
OMGE_PERCENT = 2


class IssueA64ERs(Command):
    """Issue A6.4ERs of an activity into the pending account; SOP and OMGE are taken at once."""

    host_party: str = Field(max_length=3)
    activity: str = Field(min_length=1, max_length=40)
    sector: Sector
    activity_type: ActivityType | None = None
    mitigation_type: MitigationType = MitigationType.EMISSION_REDUCTIONS
    vintage: int
    quantity: int


def shares(issued: int) -> tuple[int, int]:
    """(SOP, OMGE) of an issuance: whole units, rounded down."""
    return issued * SOP_PERCENT // 100, issued * OMGE_PERCENT // 100


def open_mechanism_accounts(connection: Connection, host_party: str, at: datetime) -> None:
    section = sections.section(connection, host_party)
    if section is None:
        raise refuse(
            Check.C1001,
            "host_party",
            words("{host_party} has no section here", host_party=host_party),
        )
    for holder, label in ((PENDING, "Pending"), (ADAPTATION_FUND, "Adaptation Fund (SOP)")):
        account_register.open_account(
            connection,
            party_code=host_party,
            registry_id=section.registry_id,
            kind=AccountKind.MO_HOLDING,
            cooperative_approach=None,
            name=f"A6.4 {label} {host_party}",
            at=at,
            holder=holder,
        )


def _next_serial(connection: Connection) -> int:
    return (interop_ledger.last_serial(connection, MECHANISM_REGISTRY) or 0) + 1


def issue_a64ers(
    registry: Registry, actor: Actor, command: IssueA64ERs, idempotency_key: str | None = None
) -> Receipt:
    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        allow(actor, Permission.REGISTRY_SETUP, None)
        now = registry.now()
        identifiers.vintage(command.vintage, now.year)
        count = quantity(command.quantity)
        party = command.host_party
        open_mechanism_accounts(connection, party, now)
        pending = account_register.find_account(
            connection, party, AccountKind.MO_HOLDING, None, PENDING
        )
        fund = account_register.find_account(
            connection, party, AccountKind.MO_HOLDING, None, ADAPTATION_FUND
        )
        omge = account_register.find_account(
            connection, party, AccountKind.OMGE_CANCELLATION, MECHANISM_APPROACH
        )
        if pending is None or fund is None or omge is None:
            raise refuse(
                Check.C4001,
                "host_party",
                words(
                    "{party} has no accounts for {approach}",
                    party=party,
                    approach=MECHANISM_APPROACH,
                ),
            )
        holdings.lock_holdings(connection, [pending.id, fund.id, omge.id])
        first = _next_serial(connection)
        attributes = UnitAttributes(
            cooperative_approach=MECHANISM_APPROACH,
            registry=MECHANISM_REGISTRY,
            first_transferring_party=party,
            vintage=command.vintage,
            metric=Metric.GHG,
            mitigation_type=command.mitigation_type,
            sector=command.sector.value,
            activity_type=command.activity_type.value if command.activity_type else None,
            mitigation_activity=command.activity,
        )
        issued = UnitBlock(0, first, first + count - 1, attributes, UnitState.MO, pending.id)
        issued = replace(issued, id=placement.insert_block(connection, issued))
        identifier = _transaction(
            connection, registry, actor, party, TransactionKind.ISSUANCE, count, pending.id
        )
        history.record_ranges(connection, _id(connection, identifier), [(issued, None, None)])
        holdings.change_holding(connection, pending.id, quantity=count)
        sop, cancelled = shares(count)
        top = issued.last
        for share, account, state, kind, subtype in (
            (
                sop,
                fund,
                UnitState.MO,
                TransactionKind.SHARE_OF_PROCEEDS,
                ActionSubtype.MANDATORY_AF_TRANSFER,
            ),
            (
                cancelled,
                omge,
                UnitState.CANCELLED,
                TransactionKind.MANDATORY_OMGE_CANCELLATION,
                ActionSubtype.MANDATORY_OMGE,
            ),
        ):
            if share == 0:
                continue
            piece = placement.carve(connection, Portion(issued, top - share + 1, top))
            moved = replace(piece, account_id=account.id, state=state)
            placement.rewrite(connection, moved)
            issued = replace(issued, last=top - share)
            top -= share
            number = _transaction(
                connection, registry, actor, party, kind, share, account.id, pending.id, subtype
            )
            history.record_ranges(
                connection, _id(connection, number), [(moved, UnitState.MO, None)]
            )
            holdings.change_holding(connection, pending.id, quantity=-share)
            holdings.change_holding(connection, account.id, quantity=share)
        log(
            connection,
            registry,
            actor,
            "A64ERsIssued",
            party,
            identifier,
            {
                "activity": command.activity,
                "vintage": command.vintage,
                "quantity": count,
                "first": first,
                "last": first + count - 1,
                "share_of_proceeds": sop,
                "omge": cancelled,
            },
        )
        return transaction_receipt(connection, "IssueA64ERs", identifier)

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def _transaction(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    party: str,
    kind: TransactionKind,
    count: int,
    destination: int,
    source: int | None = None,
    subtype: ActionSubtype | None = None,
) -> str:
    now = registry.now()
    section = sections.section(connection, party)
    number = sections.next_transaction_number(connection, party, now)
    identifier = f"{section.registry_id if section else party}-{number:08d}"
    history.insert_record(
        connection,
        TransactionRecord(
            identifier=identifier,
            party_code=party,
            kind=kind.value,
            status=TransactionStatus.COMPLETED.value,
            source_account_id=source,
            destination_account_id=destination,
            quantity=count,
            mechanism_subtype=subtype.value if subtype else None,
            first_transfer=False,
            initiator=actor.label,
            initiator_user=actor.name,
            created_at=now,
            proposed_at=now,
            checked_at=now,
            finished_at=now,
        ),
    )
    return identifier


def _id(connection: Connection, identifier: str) -> int:
    row = history.transaction(connection, identifier)
    if row is None:
        raise LookupError(identifier)
    return int(row.id)
