"""Commands that move units: linking an authorization, internal and international transfers,
use towards an NDC, cancellations and the manual first-transfer record. Issuance is in
`issuance`; the approval steps of pending transactions are in `approvals`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import Connection

from article6.domain import identifiers
from article6.domain.access import Actor
from article6.domain.accounts import CANCELLATION_ACCOUNT, AccountKind
from article6.domain.checks import Check, refuse
from article6.domain.first_transfer import Action, first_transfer_at
from article6.domain.wording import words
from article6.services import commands as c
from article6.services.context import Caller, Registry, execute
from article6.services.movement_requests import (
    CANCELLATION_ACTIONS,
    Movement,
    account_named,
    accounts_named,
    party_account,
    require_kind,
    require_leaving_holding,
)
from article6.services.proposals import propose
from article6.services.signed_confirmation import signed
from article6.services.views import Receipt
from article6.store import records, sections

HOLDINGS = (AccountKind.AMO_HOLDING, AccountKind.ITMO_HOLDING)

MovementCommand = TypeVar(
    "MovementCommand",
    c.LinkAuthorization,
    c.TransferUnits,
    c.TransferInternationally,
    c.UseTowardsNDC,
    c.CancelUnits,
    c.RecordFirstTransfer,
)


def _proposing(
    resolve: Callable[[Connection, MovementCommand], Movement],
    command: MovementCommand,
    name: str,
) -> Callable[[Connection, Registry, Actor], Receipt]:
    """The handler `execute` runs: resolve the request's accounts, then the movement pipeline,
    confirmed with a second factor where the Party requires it (`signed_confirmation`)."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        movement = resolve(connection, command)
        return signed(
            connection,
            registry,
            actor,
            command,
            lambda: propose(connection, registry, actor, movement, name),
        )

    return handle


def movement_of(connection: Connection, command: BaseModel) -> tuple[Movement, str] | None:
    """The movement a command asks for and the command's name, or None for another command:
    what a rehearsal runs through the pipeline."""
    for kind, resolve in _RESOLVERS:
        if isinstance(command, kind):
            return resolve(connection, command), type(command).__name__
    return None


def _link_authorization(connection: Connection, command: c.LinkAuthorization) -> Movement:
    source = account_named(connection, command.account, "account")
    require_kind(source, (AccountKind.MO_HOLDING,), "account")
    identifiers.authorization_id(command.authorization_id)
    authorization = records.current_authorization(
        connection, source.party_code, command.authorization_id
    )
    if authorization is None:
        raise refuse(
            Check.C3002,
            "authorization_id",
            words(
                "{authorization_id} is not an authorization of {party_code}",
                authorization_id=command.authorization_id,
                party_code=source.party_code,
            ),
        )

    kind = (
        AccountKind.ITMO_HOLDING
        if first_transfer_at(authorization, Action.AUTHORIZATION)
        else AccountKind.AMO_HOLDING
    )
    destination = party_account(
        connection,
        source.party_code,
        kind,
        authorization.cooperative_approach,
        source.holder,
        "account",
    )
    return Movement(
        Action.AUTHORIZATION, source, destination, command.units, authorization=authorization
    )


def link_authorization(
    registry: Registry,
    actor: Actor,
    command: c.LinkAuthorization,
    idempotency_key: str | None = None,
) -> Receipt:
    """Link an authorization to MOs: they become AMOs, or ITMOs when linking is their first
    transfer."""
    return execute(
        registry,
        actor,
        command,
        _proposing(_link_authorization, command, "LinkAuthorization"),
        Receipt,
        idempotency_key,
    )


def _transfer_units(connection: Connection, command: c.TransferUnits) -> Movement:
    source, destination = accounts_named(
        connection, command.source_account, command.destination_account
    )
    require_kind(source, (AccountKind.MO_HOLDING, *HOLDINGS), "source_account")
    if destination.party_code != source.party_code:
        raise refuse(
            Check.C4001,
            "destination_account",
            words("an internal transfer stays in one Party section; use an international transfer"),
        )
    if destination.kind != source.kind or (
        destination.cooperative_approach_key != source.cooperative_approach_key
    ):
        raise refuse(
            Check.C4001,
            "destination_account",
            words(
                "an internal transfer goes to another {label} account of the same "
                "cooperative approach",
                label=AccountKind(source.kind).label,
            ),
        )
    return Movement(Action.INTERNAL_TRANSFER, source, destination, command.units)


def transfer_units(
    registry: Registry,
    actor: Actor | Caller,
    command: c.TransferUnits,
    idempotency_key: str | None = None,
) -> Receipt:
    """Internal transfer between accounts of one Party section (Party and its entities)."""
    return execute(
        registry,
        actor,
        command,
        _proposing(_transfer_units, command, "TransferUnits"),
        Receipt,
        idempotency_key,
    )


def _transfer_internationally(
    connection: Connection, command: c.TransferInternationally
) -> Movement:
    source, destination = accounts_named(
        connection, command.source_account, command.destination_account
    )
    require_leaving_holding(source, "source_account")
    if destination.party_code == source.party_code:
        raise refuse(
            Check.C4001,
            "destination_account",
            words("the destination is in the same Party section; use an internal transfer"),
        )
    if destination.kind != AccountKind.ITMO_HOLDING.value:
        raise refuse(
            Check.C4001,
            "destination_account",
            words("an international transfer goes to an ITMO holding account"),
        )
    return Movement(
        Action.INTERNATIONAL_TRANSFER,
        source,
        destination,
        command.units,
        acquiring_party=destination.party_code,
    )


def transfer_internationally(
    registry: Registry,
    actor: Actor | Caller,
    command: c.TransferInternationally,
    idempotency_key: str | None = None,
) -> Receipt:
    """Transfer to another Party's ITMO holding account; the receiving side records an
    acquisition, and for units not yet first transferred this is their first transfer."""
    return execute(
        registry,
        actor,
        command,
        _proposing(_transfer_internationally, command, "TransferInternationally"),
        Receipt,
        idempotency_key,
    )


def _use_towards_ndc(connection: Connection, command: c.UseTowardsNDC) -> Movement:
    source = account_named(connection, command.source_account, "source_account")
    require_kind(source, (AccountKind.ITMO_HOLDING,), "source_account")
    if source.holder != "PARTY":
        raise refuse(
            Check.C4003, "source_account", words("only the Party itself uses ITMOs towards its NDC")
        )
    party = sections.party(connection, source.party_code)
    if party is None or not party.ndc_first_year <= command.ndc_year <= party.ndc_last_year:
        period = f"{party.ndc_first_year}-{party.ndc_last_year}" if party else "unknown"
        raise refuse(
            Check.C5001,
            "ndc_year",
            words(
                "{ndc_year} is outside the NDC implementation period {period}",
                ndc_year=command.ndc_year,
                period=period,
            ),
        )
    destination = party_account(
        connection,
        source.party_code,
        AccountKind.NDC_USE,
        source.cooperative_approach_key,
        "PARTY",
        "source_account",
    )
    return Movement(Action.USE, source, destination, command.units, ndc_year=command.ndc_year)


def use_towards_ndc(
    registry: Registry,
    actor: Actor | Caller,
    command: c.UseTowardsNDC,
    idempotency_key: str | None = None,
) -> Receipt:
    """The Party uses ITMOs towards its NDC for a year of its implementation period."""
    return execute(
        registry,
        actor,
        command,
        _proposing(_use_towards_ndc, command, "UseTowardsNDC"),
        Receipt,
        idempotency_key,
    )


def _cancel_units(connection: Connection, command: c.CancelUnits) -> Movement:
    source = account_named(connection, command.source_account, "source_account")
    require_leaving_holding(source, "source_account")
    text = (command.purpose_text or "").strip() or None
    if command.purpose.value in ("IMP", "OP") and text is None:
        raise refuse(
            Check.C5004,
            "purpose_text",
            words(
                "an {purpose} cancellation names its purpose, e.g. CORSIA",
                purpose=command.purpose.value,
            ),
        )
    destination = party_account(
        connection,
        source.party_code,
        CANCELLATION_ACCOUNT[command.purpose],
        source.cooperative_approach_key,
        "PARTY",
        "purpose",
    )
    return Movement(
        CANCELLATION_ACTIONS[command.purpose],
        source,
        destination,
        command.units,
        cancellation_purpose=command.purpose,
        purpose_text=text,
    )


def cancel_units(
    registry: Registry,
    actor: Actor | Caller,
    command: c.CancelUnits,
    idempotency_key: str | None = None,
) -> Receipt:
    """Cancel for IMP (for example CORSIA), OP, OMGE, or voluntarily, into the Party's
    cancellation account; an entity's cancellation names the entity."""
    return execute(
        registry,
        actor,
        command,
        _proposing(_cancel_units, command, "CancelUnits"),
        Receipt,
        idempotency_key,
    )


def _record_first_transfer(connection: Connection, command: c.RecordFirstTransfer) -> Movement:
    source = account_named(connection, command.account, "account")
    require_kind(source, (AccountKind.AMO_HOLDING,), "account")
    destination = party_account(
        connection,
        source.party_code,
        AccountKind.ITMO_HOLDING,
        source.cooperative_approach_key,
        source.holder,
        "account",
    )
    return Movement(
        Action.FIRST_TRANSFER_RECORD,
        source,
        destination,
        command.units,
        first_transfer_reason=command.reason,
    )


def record_first_transfer(
    registry: Registry,
    actor: Actor,
    command: c.RecordFirstTransfer,
    idempotency_key: str | None = None,
) -> Receipt:
    """An administrator records AMOs' first transfer by hand, giving the reason."""
    return execute(
        registry,
        actor,
        command,
        _proposing(_record_first_transfer, command, "RecordFirstTransfer"),
        Receipt,
        idempotency_key,
    )


_RESOLVERS: tuple[tuple[type[BaseModel], Callable[[Connection, Any], Movement]], ...] = (
    (c.LinkAuthorization, _link_authorization),
    (c.TransferUnits, _transfer_units),
    (c.TransferInternationally, _transfer_internationally),
    (c.UseTowardsNDC, _use_towards_ndc),
    (c.CancelUnits, _cancel_units),
    (c.RecordFirstTransfer, _record_first_transfer),
)
