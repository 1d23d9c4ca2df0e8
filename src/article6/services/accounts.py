"""An account's status: open, blocked, or closed for good; a holding account closes only once
it is empty, while a use or cancellation account keeps the units it received."""

from __future__ import annotations

from sqlalchemy import Connection

from article6.domain.access import Actor, Permission
from article6.domain.accounts import AccountKind, AccountStatus
from article6.domain.checks import Check, refuse
from article6.domain.wording import words
from article6.services import commands as c
from article6.services.access import allow
from article6.services.context import Registry, execute
from article6.services.journal import log
from article6.services.views import Receipt
from article6.store import account_register, holdings


def set_account_status(
    registry: Registry,
    actor: Actor,
    command: c.SetAccountStatus,
    idempotency_key: str | None = None,
) -> Receipt:
    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        account = account_register.account(connection, command.account)
        if account is None:
            raise refuse(
                Check.C1012,
                "account",
                words("{account} is not an account", account=command.account),
            )
        allow(actor, Permission.ADMINISTER, account.party_code)
        if account.status == AccountStatus.CLOSED.value:
            raise refuse(Check.C4001, "status", words("a closed account stays closed"))
        if command.status is AccountStatus.CLOSED:
            held = holdings.quantity_held(connection, account.id)
            if held and not AccountKind(account.kind).terminal:
                raise refuse(
                    Check.C4001,
                    "status",
                    words("the account still holds {held} units; transfer them first", held=held),
                )
        account_register.set_account_status(connection, account.id, command.status.value)
        log(
            connection,
            registry,
            actor,
            "AccountStatusChanged",
            account.party_code,
            command.account,
            command.model_dump(mode="json"),
        )
        return Receipt(
            command="SetAccountStatus", record=command.account, status=command.status.value
        )

    return execute(registry, actor, command, handle, Receipt, idempotency_key)
