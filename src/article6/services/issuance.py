"""Issuance: mitigation outcomes of a mitigation activity enter the registry as MOs, or as
ITMOs directly when an authorization whose first transfer is at issuance is named. The
commands that move units afterwards are in `units`."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Connection, Row

from article6.domain import identifiers
from article6.domain.access import Actor, Permission
from article6.domain.accounts import AccountKind, UnitState
from article6.domain.blocks import UnitAttributes, UnitBlock, quantity
from article6.domain.checks import Check, refuse
from article6.domain.first_transfer import judge_issuance
from article6.domain.nomenclature import Metric, MitigationType
from article6.domain.transactions import TransactionKind, TransactionStatus
from article6.services import commands as c
from article6.services.access import allow, section_of
from article6.services.context import Registry, execute
from article6.services.journal import log
from article6.services.movement_requests import account_named, party_account, require_open
from article6.services.views import Receipt, transaction_receipt
from article6.store import activities, history, holdings, placement, records, sections


def issue_units(
    registry: Registry, actor: Actor, command: c.IssueUnits, idempotency_key: str | None = None
) -> Receipt:
    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        section = section_of(connection, actor)
        party = section.party_code
        allow(actor, Permission.ADMINISTER, party)
        # Locked: two issuances must not take the same underlying unit IDs.
        activity = records.activity(connection, command.mitigation_activity, lock=True)
        if activity is None or activity.host_party != party:
            raise refuse(
                Check.C1012,
                "mitigation_activity",
                f"{command.mitigation_activity} is not a mitigation activity of {party}",
            )
        now = registry.now()
        identifiers.vintage(command.vintage, now.year)
        count = quantity(command.quantity)
        per_unit = _non_ghg_per_unit(activity, command)
        underlying_first = activity.underlying_next
        if underlying_first is not None and underlying_first + count - 1 > activity.underlying_last:
            left = activity.underlying_last - underlying_first + 1
            raise refuse(
                Check.C2003,
                "quantity",
                f"only {left} underlying {activity.underlying_registry} units remain",
            )
        attributes = UnitAttributes(
            cooperative_approach=activity.cooperative_approach_id,
            registry=section.registry_id,
            first_transferring_party=party,
            vintage=command.vintage,
            metric=Metric(activity.metric),
            mitigation_type=MitigationType(activity.mitigation_type),
            sector=activity.sector,
            activity_type=activity.activity_type,
            mitigation_activity=activity.identifier,
            gwp_values=activity.gwp_values,
            non_ghg_metric=activity.non_ghg_metric,
            non_ghg_per_unit=per_unit,
            underlying_registry=activity.underlying_registry,
        )
        state, subtype, kind = UnitState.MO, None, AccountKind.MO_HOLDING
        if command.authorization_id is not None:
            authorization = records.current_authorization(
                connection, party, command.authorization_id
            )
            if authorization is None:
                raise refuse(
                    Check.C3002,
                    "authorization_id",
                    f"{command.authorization_id} is not an authorization of {party}",
                )
            verdict = judge_issuance(attributes, authorization)
            state, subtype, kind = verdict.state, verdict.first_transfer, AccountKind.ITMO_HOLDING
            attributes = replace(
                attributes,
                authorization_id=authorization.authorization_id,
                authorization_version=authorization.version,
            )
            if authorization.authorized_quantity is not None:
                records.lock_authorization(connection, party, authorization.authorization_id)
                linked = records.linked_quantity(connection, party, authorization.authorization_id)
                if linked + count > authorization.authorized_quantity:
                    raise refuse(
                        Check.C3007,
                        "quantity",
                        f"{linked} units are issued under the authorization already; "
                        f"{count} more would pass {authorization.authorized_quantity}",
                    )
        account = _issuance_account(
            connection, command, party, kind, activity.cooperative_approach_id
        )
        holdings.lock_holdings(connection, [account.id])
        first = sections.next_number(connection, party, "next_serial", count)
        number = sections.next_transaction_number(connection, party, now)
        identifier = f"{section.registry_id}-{number:08d}"
        transaction_id = history.insert_transaction(
            connection,
            identifier=identifier,
            party_code=party,
            kind=TransactionKind.ISSUANCE.value,
            status=TransactionStatus.COMPLETED.value,
            destination_account_id=account.id,
            quantity=count,
            authorization_id=command.authorization_id,
            first_transfer=subtype is not None,
            initiator=actor.label,
            initiator_user=actor.name,
            created_at=now,
            proposed_at=now,
            checked_at=now,
            finished_at=now,
        )
        block = UnitBlock(
            id=0,
            first=first,
            last=first + count - 1,
            attributes=attributes,
            state=state,
            account_id=account.id,
            first_transferred=subtype is not None,
            underlying_first=underlying_first,
        )
        block = replace(block, id=placement.insert_block(connection, block))
        placement.coalesce(connection, block)
        holdings.change_holding(connection, account.id, quantity=count)
        history.record_ranges(
            connection, transaction_id, [(block, None, subtype.value if subtype else None)]
        )
        if underlying_first is not None:
            activities.advance_underlying(connection, activity.id, underlying_first + count)
        log(
            connection,
            registry,
            actor,
            "UnitsIssued",
            party,
            identifier,
            {
                "mitigation_activity": activity.identifier,
                "vintage": command.vintage,
                "quantity": count,
                "first": first,
                "last": first + count - 1,
                "account": account.identifier,
                "state": state.value,
                "first_transfer": subtype.value if subtype else None,
            },
        )
        return transaction_receipt(connection, "IssueUnits", identifier)

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def _non_ghg_per_unit(activity: Row[Any], command: c.IssueUnits) -> str | None:
    if activity.metric != Metric.NON_GHG.value:
        if command.non_ghg_quantity is not None:
            raise refuse(Check.C1008, "non_ghg_quantity", "the activity is measured in GHG")
        return None
    if command.non_ghg_quantity is None or command.non_ghg_quantity <= 0:
        raise refuse(
            Check.C1008, "non_ghg_quantity", f"give the quantity in {activity.non_ghg_metric}"
        )
    try:
        return str((command.non_ghg_quantity / Decimal(command.quantity)).normalize())
    except InvalidOperation:
        raise refuse(Check.C1008, "non_ghg_quantity", "not a number") from None


def _issuance_account(
    connection: Connection,
    command: c.IssueUnits,
    party: str,
    kind: AccountKind,
    cooperative_approach: str,
) -> Row[Any]:
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
        raise refuse(Check.C4006, "account", f"{command.account} is not in {party}'s section")
    if AccountKind(account.kind) is not kind or (
        kind.per_cooperative_approach and account.cooperative_approach_key != cooperative_approach
    ):
        raise refuse(
            Check.C4001,
            "account",
            f"these units are issued into a {kind.label} account"
            + (f" for {cooperative_approach}" if kind.per_cooperative_approach else ""),
        )
    require_open(account, "account")
    return account
