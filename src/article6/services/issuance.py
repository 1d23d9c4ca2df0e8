"""Issuance: mitigation outcomes of a mitigation activity enter the registry as MOs, or as
ITMOs directly when an authorization whose first transfer is at issuance is named. The
commands that move units afterwards are in `units`.

load (the section, the activity locked, the authorization, the account, its holdings lock) →
the rules (`domain.issuance`) → serials and number (C2006) → decide → apply.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC

from sqlalchemy import Connection

from article6.domain.access import Actor, Delegable, Permission
from article6.domain.accounts import Account, AccountKind, UnitState
from article6.domain.blocks import UnitBlock
from article6.domain.checks import Check, refuse
from article6.domain.issuance import ISSUANCE_RULES, IssuanceContext, attributes_of, verdict_of
from article6.domain.transactions import TransactionKind, TransactionRecord, TransactionStatus
from article6.domain.wording import words
from article6.services import commands as c
from article6.services.access import allow_delegable, section_of
from article6.services.context import Registry, execute
from article6.services.delegations import note_transaction
from article6.services.initial_reports import first_transfer_warnings
from article6.services.movement_plan import MovedUnits
from article6.services.movement_requests import account_named, party_account, require_open
from article6.services.pipeline import JournalEntry, check, deferred, ticket
from article6.services.views import Receipt, TransactionView, moved_range, transaction_receipt
from article6.store import activities, history, holdings, placement, records, sections


@dataclass(frozen=True)
class IssuancePlan:
    """Every change of one issuance: the transaction, the new block, the holding, the moved
    range, the activity's next underlying unit ID (when it has them), the journal entry."""

    record: TransactionRecord
    block: UnitBlock
    moved: MovedUnits
    activity_id: int
    underlying_next: int | None
    entry: JournalEntry


def issue_units(
    registry: Registry, actor: Actor, command: c.IssueUnits, idempotency_key: str | None = None
) -> Receipt:
    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        plan, _account = plan_issuance(connection, registry, actor, command)
        warnings = _first_transfer_warnings(connection, plan)
        apply_issuance(connection, registry, actor, plan)
        note_transaction(
            connection,
            registry,
            actor,
            plan.record.party_code,
            Delegable.ISSUANCE,
            plan.record.identifier,
        )
        receipt = transaction_receipt(connection, "IssueUnits", plan.record.identifier)
        return receipt.model_copy(update={"warnings": warnings}) if warnings else receipt

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def rehearse_issuance(
    connection: Connection, registry: Registry, actor: Actor, command: c.IssueUnits
) -> Receipt:
    """What the issuance would record now; nothing is written and no number is taken."""
    plan, account = plan_issuance(connection, registry, actor, command, rehearse=True)
    view = _view(plan, account)
    return Receipt(
        command="IssueUnits",
        record=view.identifier,
        status=view.status,
        transaction=view,
        warnings=_first_transfer_warnings(connection, plan),
    )


def _first_transfer_warnings(connection: Connection, plan: IssuancePlan) -> list[str]:
    """C3010 when the issuance is the units' first transfer (OIMP, first transfer at
    issuance) under an approach with no initial report recorded."""
    if plan.moved.subtype is None:
        return []
    attributes = plan.block.attributes
    return first_transfer_warnings(
        connection, attributes.first_transferring_party, {attributes.cooperative_approach}
    )


def plan_issuance(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    command: c.IssueUnits,
    rehearse: bool = False,
) -> tuple[IssuancePlan, Account]:
    """Load, check, take serials and number (C2006), decide."""
    context = check(load_issuance(connection, registry, actor, command), ISSUANCE_RULES)
    account = context.account
    if account is None:
        raise LookupError("the account rule passed without an account")
    count = context.quantity
    if rehearse:
        taken = ticket(connection, context.party, context.now, rehearse=True)
        first = taken.next_serial
    else:
        first = sections.next_number(connection, context.party, "next_serial", count)
        taken = ticket(connection, context.party, context.now, rehearse=False)
    return decide_issuance(context, actor, account, taken.identifier, first), account


def load_issuance(
    connection: Connection, registry: Registry, actor: Actor, command: c.IssueUnits
) -> IssuanceContext:
    """The section and access first; the activity, locked (two issuances must not take the same
    underlying unit IDs: C1012 when it is not the Party's); the authorization named, its rows
    locked when it caps a quantity; the account and its holdings lock."""
    section = section_of(connection, actor)
    party = section.party_code
    allow_delegable(connection, actor, Permission.ADMINISTER, Delegable.ISSUANCE, party)
    activity = records.activity(connection, command.mitigation_activity, lock=True)
    if activity is None or activity.host_party != party:
        raise refuse(
            Check.C1012,
            "mitigation_activity",
            words(
                "{mitigation_activity} is not a mitigation activity of {party}",
                mitigation_activity=command.mitigation_activity,
                party=party,
            ),
        )
    authorization = (
        records.current_authorization(connection, party, command.authorization_id)
        if command.authorization_id is not None
        else None
    )
    linked = None
    if authorization is not None and authorization.authorized_quantity is not None:
        records.lock_authorization(connection, party, authorization.authorization_id)
        linked = records.linked_quantity(connection, party, authorization.authorization_id)
    kind = AccountKind.ITMO_HOLDING if command.authorization_id else AccountKind.MO_HOLDING
    account, refused = deferred(
        lambda: _issuance_account(
            connection, command, party, kind, activity.cooperative_approach_id
        )
    )
    if account is not None:
        holdings.lock_holdings(connection, [account.id])
    return IssuanceContext(
        party=party,
        registry_id=section.registry_id,
        activity=activity,
        vintage=command.vintage,
        quantity=command.quantity,
        now=registry.now(),
        non_ghg_quantity=command.non_ghg_quantity,
        authorization_id=command.authorization_id,
        authorization=authorization,
        linked=linked,
        account=account,
        account_refused=refused,
    )


def decide_issuance(
    context: IssuanceContext, actor: Actor, account: Account, identifier: str, first: int
) -> IssuancePlan:
    """The block issued into the account, the completed transaction, the journal entry."""
    verdict = verdict_of(context)
    state = verdict.state if verdict is not None else UnitState.MO
    subtype = verdict.first_transfer if verdict is not None else None
    count, now = context.quantity, context.now
    underlying_first = context.activity.underlying_next
    block = UnitBlock(
        id=0,
        first=first,
        last=first + count - 1,
        attributes=attributes_of(context),
        state=state,
        account_id=account.id,
        first_transferred=subtype is not None,
        underlying_first=underlying_first,
    )
    record = TransactionRecord(
        identifier=identifier,
        party_code=context.party,
        kind=TransactionKind.ISSUANCE.value,
        status=TransactionStatus.COMPLETED.value,
        quantity=count,
        initiator=actor.label,
        initiator_user=actor.name,
        created_at=now,
        destination_account_id=account.id,
        authorization_id=context.authorization_id,
        first_transfer=subtype is not None,
        proposed_at=now,
        checked_at=now,
        finished_at=now,
    )
    return IssuancePlan(
        record=record,
        block=block,
        moved=MovedUnits(block, None, subtype.value if subtype else None),
        activity_id=context.activity.id,
        underlying_next=underlying_first + count if underlying_first is not None else None,
        entry=JournalEntry(
            "UnitsIssued",
            context.party,
            identifier,
            {
                "mitigation_activity": context.activity.identifier,
                "vintage": context.vintage,
                "quantity": count,
                "first": first,
                "last": first + count - 1,
                "account": account.identifier,
                "state": state.value,
                "first_transfer": subtype.value if subtype else None,
            },
        ),
    )


def apply_issuance(
    connection: Connection, registry: Registry, actor: Actor, plan: IssuancePlan
) -> None:
    """Write the plan; nothing here can be refused."""
    transaction_id = history.insert_record(connection, plan.record)
    block = replace(plan.block, id=placement.insert_block(connection, plan.block))
    placement.coalesce(connection, block)
    holdings.change_holding(connection, block.account_id, quantity=plan.record.quantity)
    history.record_ranges(
        connection, transaction_id, [(block, plan.moved.from_state, plan.moved.subtype)]
    )
    if plan.underlying_next is not None:
        activities.advance_underlying(connection, plan.activity_id, plan.underlying_next)
    plan.entry.append(connection, registry, actor)


def _view(plan: IssuancePlan, account: Account) -> TransactionView:
    record = plan.record
    return TransactionView(
        identifier=record.identifier,
        kind=record.kind,
        status=record.status,
        party=record.party_code,
        quantity=record.quantity,
        source_account=None,
        destination_account=account.identifier,
        acquiring_party=None,
        cancellation_purpose=None,
        purpose=None,
        first_transfer_reason=None,
        mechanism_subtype=None,
        counterpart=None,
        ndc_year=None,
        using_entity=None,
        authorization_id=record.authorization_id,
        first_transfer=record.first_transfer,
        initiator=record.initiator,
        approver=None,
        reason=None,
        created_at=record.created_at.astimezone(UTC),
        proposed_at=record.created_at.astimezone(UTC),
        checked_at=record.created_at.astimezone(UTC),
        finished_at=record.created_at.astimezone(UTC),
        expires_at=None,
        ranges=[moved_range(plan.moved.recorded)],
    )


def _issuance_account(
    connection: Connection,
    command: c.IssueUnits,
    party: str,
    kind: AccountKind,
    cooperative_approach: str,
) -> Account:
    if command.account is None:
        return party_account(
            connection,
            party,
            kind,
            cooperative_approach if kind.per_cooperative_approach else None,
            "PARTY",
            "account",
        )
    account = account_named(connection, command.account, "account")
    if account.party_code != party:
        raise refuse(
            Check.C4006,
            "account",
            words("{account} is not in {party}'s section", account=command.account, party=party),
        )
    if AccountKind(account.kind) is not kind or (
        kind.per_cooperative_approach and account.cooperative_approach_key != cooperative_approach
    ):
        raise refuse(
            Check.C4001,
            "account",
            words(
                "these units are issued into a {label} account for {cooperative_approach}",
                label=kind.label,
                cooperative_approach=cooperative_approach,
            )
            if kind.per_cooperative_approach
            else words("these units are issued into a {label} account", label=kind.label),
        )
    require_open(account, "account")
    return account
