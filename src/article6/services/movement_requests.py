"""A requested movement of units (`Movement`) and the accounts a command names: found in this
registry, open, and of a kind the action may take units from or to (C4001, C5002, C3001)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection

from article6.domain.accounts import (
    Account,
    AccountKind,
    AccountStatus,
    CancellationPurpose,
    holding_entity,
)
from article6.domain.authorizations import Authorization
from article6.domain.checks import Check, refuse
from article6.domain.first_transfer import Action
from article6.domain.transactions import TransactionKind
from article6.domain.wording import words
from article6.services.commands import UnitSelection
from article6.store import account_register

CANCELLATION_ACTIONS = {
    CancellationPurpose.IMP: Action.CANCELLATION_IMP,
    CancellationPurpose.OP: Action.CANCELLATION_OP,
    CancellationPurpose.OMGE: Action.CANCELLATION_OMGE,
    CancellationPurpose.VOLUNTARY: Action.CANCELLATION_VOLUNTARY,
}
KIND_OF_ACTION = {
    Action.AUTHORIZATION: TransactionKind.AUTHORIZATION,
    Action.INTERNAL_TRANSFER: TransactionKind.INTERNAL_TRANSFER,
    Action.INTERNATIONAL_TRANSFER: TransactionKind.INTERNATIONAL_TRANSFER,
    Action.USE: TransactionKind.USE,
    Action.FIRST_TRANSFER_RECORD: TransactionKind.FIRST_TRANSFER_RECORD,
    **{action: TransactionKind.CANCELLATION for action in CANCELLATION_ACTIONS.values()},
}
ACTION_OF_KIND = {
    kind: action
    for action, kind in KIND_OF_ACTION.items()
    if kind is not TransactionKind.CANCELLATION
}
"""The inverse of `KIND_OF_ACTION` where a kind has one action; a cancellation's action is
named by its purpose (`action_of`)."""


def action_of(kind: TransactionKind, cancellation_purpose: CancellationPurpose | None) -> Action:
    """The action a recorded transaction of `kind` (and cancellation purpose) was requested as."""
    if kind is TransactionKind.CANCELLATION:
        if cancellation_purpose is None:
            raise ValueError("a cancellation is recorded with its purpose")
        return CANCELLATION_ACTIONS[cancellation_purpose]
    return ACTION_OF_KIND[kind]


@dataclass(frozen=True)
class Movement:
    """One requested movement of units, with its accounts resolved."""

    action: Action
    source: Account
    destination: Account
    selection: UnitSelection
    acquiring_party: str | None = None
    cancellation_purpose: CancellationPurpose | None = None
    purpose_text: str | None = None
    first_transfer_reason: str | None = None
    ndc_year: int | None = None
    authorization: Authorization | None = None

    @property
    def kind(self) -> TransactionKind:
        return KIND_OF_ACTION[self.action]

    @property
    def source_entity(self) -> str | None:
        return holding_entity(self.source.holder)


def account_named(connection: Connection, identifier: str, field: str) -> Account:
    account = account_register.account(connection, identifier)
    if account is None:
        raise refuse(
            Check.C4001,
            field,
            words("{identifier} is not an account of this registry", identifier=identifier),
        )
    return account


def accounts_named(
    connection: Connection, source: str, destination: str
) -> tuple[Account, Account]:
    """The source and destination accounts, read together; refused as `account_named` would."""
    found = account_register.accounts_named(connection, [source, destination])
    for identifier, field in ((source, "source_account"), (destination, "destination_account")):
        if identifier not in found:
            raise refuse(
                Check.C4001,
                field,
                words("{identifier} is not an account of this registry", identifier=identifier),
            )
    return found[source], found[destination]


def require_open(account: Account, field: str) -> None:
    if account.status != AccountStatus.OPEN.value:
        raise refuse(
            Check.C4001,
            field,
            words(
                "account {identifier} is {status}",
                identifier=account.identifier,
                status=account.status,
            ),
        )


def require_kind(account: Account, kinds: tuple[AccountKind, ...], field: str) -> None:
    if AccountKind(account.kind).terminal:
        raise refuse(
            Check.C5002,
            field,
            words(
                "{identifier} is a use or cancellation account; nothing leaves it",
                identifier=account.identifier,
            ),
        )
    if AccountKind(account.kind) not in kinds:
        allowed = ", ".join(k.label for k in kinds)
        raise refuse(
            Check.C4001,
            field,
            words(
                "{identifier} is a {label} account; this action needs {allowed}",
                identifier=account.identifier,
                label=AccountKind(account.kind).label,
                allowed=allowed,
            ),
        )


def require_leaving_holding(account: Account, field: str) -> None:
    """The source of a transfer to another Party: a holding account whose units are authorized
    (C3001: MOs not yet authorized cannot leave the ARS)."""
    require_kind(
        account,
        (AccountKind.MO_HOLDING, AccountKind.AMO_HOLDING, AccountKind.ITMO_HOLDING),
        field,
    )
    if account.kind == AccountKind.MO_HOLDING.value:
        raise refuse(
            Check.C3001,
            field,
            words("unauthorized MOs cannot leave the ARS; link an authorization first"),
        )


def party_account(
    connection: Connection,
    party: str,
    kind: AccountKind,
    cooperative_approach: str | None,
    holder: str,
    field: str,
) -> Account:
    account = account_register.find_account(connection, party, kind, cooperative_approach, holder)
    if account is None:
        raise refuse(
            Check.C4001,
            field,
            words(
                "{party} has no {label} account for {cooperative_approach}",
                party=party,
                label=kind.label,
                cooperative_approach=cooperative_approach,
            ),
        )
    return account
