"""Accounts opened by an administrator, and an account's status: open, blocked, or closed for
good; a holding account closes only once it is empty, while a use or cancellation account keeps
the units it received."""

from __future__ import annotations

from sqlalchemy import Connection

from article6.domain.access import Actor, Permission
from article6.domain.accounts import PARTY_HOLDER, AccountKind, AccountStatus, account_name
from article6.domain.checks import Check, refuse
from article6.domain.wording import words
from article6.services import commands as c
from article6.services.access import allow, section_of
from article6.services.context import Registry, execute
from article6.services.cooperative_approaches import approach_of_party
from article6.services.journal import log
from article6.services.views import Receipt
from article6.store import account_register, holdings, records


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


def open_account(
    registry: Registry, actor: Actor, command: c.OpenAccount, idempotency_key: str | None = None
) -> Receipt:
    """A new account in the actor's section, through the pipeline and journaled: for the Party
    or one of its entities active for the approach (C4029); the accounts a Party or an entity
    is given when recorded are opened by those commands, this opens the others (a cancellation
    account closed by mistake stays closed: a new one is not opened beside it)."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        section = section_of(connection, actor, lock=True)
        party = section.party_code
        allow(actor, Permission.ADMINISTER, party)
        kind, approach = command.kind, command.cooperative_approach
        if kind.per_cooperative_approach:
            if approach is None:
                raise refuse(
                    Check.C4029,
                    "cooperative_approach",
                    words(
                        "a {kind} account is opened for one cooperative approach", kind=kind.label
                    ),
                )
            approach_of_party(connection, approach, party, "cooperative_approach")
        elif approach is not None:
            raise refuse(
                Check.C4029,
                "cooperative_approach",
                words(
                    "a {kind} account holds units of every cooperative approach", kind=kind.label
                ),
            )
        entity_id, name = holder_of(connection, party, command.holder, kind, approach)
        existing = account_register.find_account(connection, party, kind, approach, command.holder)
        if existing is not None:
            raise refuse(
                Check.C4029,
                "kind",
                words(
                    "{holder} already has this kind of account: {account} ({status})",
                    holder=command.holder,
                    account=existing.identifier,
                    status=existing.status,
                ),
            )
        opened = account_register.open_account(
            connection,
            party_code=party,
            registry_id=section.registry_id,
            kind=kind,
            cooperative_approach=approach,
            at=registry.now(),
            entity_id=entity_id,
            holder=command.holder,
            name=account_name(party, kind, approach, name),
        )
        found = account_register.account_by_id(connection, opened)
        if found is None:  # pragma: no cover - inserted just above, in this transaction
            raise refuse(Check.C1012, "account", words("the account was not opened"))
        log(
            connection,
            registry,
            actor,
            "AccountOpened",
            party,
            found.identifier,
            command.model_dump(mode="json"),
        )
        return Receipt(command="OpenAccount", record=found.identifier, status="open")

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def holder_of(
    connection: Connection, party: str, holder: str, kind: AccountKind, approach: str | None
) -> tuple[int | None, str | None]:
    """The entity's id and name for an entity's account (None, None for the Party's): one of
    the Party's entities, active for the approach; use and cancellation accounts are the
    Party's (C4029)."""
    if holder == PARTY_HOLDER:
        return None, None
    entity = records.entity(connection, holder)
    if entity is None or entity.party_code != party:
        raise refuse(
            Check.C4029,
            "holder",
            words("{holder} is not an authorized entity of {party}", holder=holder, party=party),
        )
    if kind.party_only:
        raise refuse(
            Check.C4029,
            "kind",
            words("use and cancellation accounts are the Party's; entities use the Party's"),
        )
    standing = (
        [records.entity_authorization(connection, entity.id, approach)]
        if approach is not None
        else records.entity_authorizations_of(connection, entity.id)
    )
    if not any(a is not None and a.status == "active" for a in standing):
        raise refuse(
            Check.C4029,
            "holder",
            words(
                "{holder} is not authorized and active for {approach}",
                holder=holder,
                approach=approach or words("any cooperative approach"),
            ),
        )
    return entity.id, entity.name
