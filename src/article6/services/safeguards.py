"""A Party's safeguards on units leaving its section (`domain.safeguards`): switching trusted
destinations and signed confirmation on or off, adding and removing trusted destinations, and
what the list says of a transfer's destination (read by the movement pipeline for every door).

Only a Party Section Administrator of the section keeps them (C4020); each change is one
transaction and one journal entry. An addition counts after the registry's delay
(`Settings.trusted_destination_delay_hours`), which the door passes in.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

from pydantic import BaseModel, Field
from sqlalchemy import Connection

from article6.domain.access import Actor, Permission, permits_safeguards
from article6.domain.checks import Check, CommandRefused, refuse
from article6.domain.safeguards import (
    LEAVING_KINDS,
    Safeguards,
    Standing,
    TrustedDestination,
    standing,
    trusted_account_refusal,
)
from article6.domain.transactions import TransactionKind
from article6.domain.wording import words
from article6.services.access import allow, section_of
from article6.services.commands import Command
from article6.services.context import Registry, execute
from article6.services.journal import log
from article6.services.views import Receipt
from article6.store import account_register
from article6.store import safeguards as store
from article6.store.database import aware, unit_of_work


class SetSafeguards(Command):
    """Switch the section's trusted destinations and signed confirmation on or off."""

    trusted_only: bool
    signed_confirmation: bool


class TrustDestination(Command):
    """Add an account (of another section, or of another registry) to the trusted list."""

    account: str = Field(min_length=1, max_length=40)


class TrustedDestinationView(BaseModel):
    account: str
    added_by: str
    added_at: datetime
    effective_at: datetime
    effective: bool


class SafeguardsView(BaseModel):
    """A section's safeguards and its list, as the page and the API show them."""

    party: str
    trusted_only: bool
    signed_confirmation: bool
    delay_hours: int | None = None
    destinations: list[TrustedDestinationView]


def keeper(actor: Actor, party: str) -> None:
    """C4020: only a Party Section Administrator of the section keeps its safeguards."""
    refusal = permits_safeguards(actor, party)
    if refusal is not None:
        raise CommandRefused([refusal])


def set_safeguards(
    registry: Registry, actor: Actor, command: SetSafeguards, idempotency_key: str | None = None
) -> Receipt:
    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        section = section_of(connection, actor)
        keeper(actor, section.party_code)
        store.set_safeguards(
            connection,
            Safeguards(section.party_code, command.trusted_only, command.signed_confirmation),
        )
        log(
            connection,
            registry,
            actor,
            "SafeguardsSet",
            section.party_code,
            section.party_code,
            command.model_dump(mode="json"),
        )
        on = [
            name
            for name, chosen in (
                ("trusted-only", command.trusted_only),
                ("signed", command.signed_confirmation),
            )
            if chosen
        ]
        return Receipt(
            command="SetSafeguards", record=section.party_code, status=" ".join(on) or "off"
        )

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def add_trusted_destination(
    registry: Registry,
    actor: Actor,
    command: TrustDestination,
    delay: timedelta,
    idempotency_key: str | None = None,
) -> Receipt:
    """Add an account to the list; it counts once `delay` has passed (C1022, C4020)."""

    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        section = section_of(connection, actor)
        party = section.party_code
        keeper(actor, party)
        account = command.account.strip().upper()
        malformed = trusted_account_refusal(account)
        if malformed is not None:
            raise refuse(malformed.check, malformed.field, malformed.detail)
        found = account_register.account(connection, account)
        if found is not None and found.party_code == party:
            raise refuse(
                Check.C1022,
                "account",
                words(
                    "{account} is an account of {party}'s own section, which needs no trust",
                    account=account,
                    party=party,
                ),
            )
        if store.trusted_entry(connection, party, account) is not None:
            raise refuse(
                Check.C1022,
                "account",
                words("{account} is already a trusted destination", account=account),
            )
        now = registry.now()
        entry = TrustedDestination(party, account, actor.name, now, now + delay)
        store.add_trusted(connection, entry)
        log(
            connection,
            registry,
            actor,
            "TrustedDestinationAdded",
            party,
            account,
            {"account": account, "effective_at": entry.effective_at.isoformat()},
        )
        return Receipt(
            command="TrustDestination",
            record=account,
            status="trusted" if entry.effective(now) else "pending",
        )

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def remove_trusted_destination(
    registry: Registry, actor: Actor, account: str, idempotency_key: str | None = None
) -> Receipt:
    """Take an account off the list; transfers to it wait for approval again at once."""
    command = TrustDestination(account=account)

    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        section = section_of(connection, actor)
        party = section.party_code
        keeper(actor, party)
        named = command.account.strip().upper()
        if not store.remove_trusted(connection, party, named):
            raise refuse(
                Check.C1022,
                "account",
                words("{named} is not a trusted destination of {party}", named=named, party=party),
            )
        log(
            connection,
            registry,
            actor,
            "TrustedDestinationRemoved",
            party,
            named,
            {"account": named},
        )
        return Receipt(command="DistrustDestination", record=named, status="removed")

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def safeguards_of(
    registry: Registry, actor: Actor, party: str, delay_hours: int | None = None
) -> SafeguardsView:
    """The section's safeguards and trusted destinations, for anyone who may read it."""
    allow(actor, Permission.READ, party)
    now = registry.now()
    with unit_of_work(registry.engine, read_only=True) as connection:
        chosen = store.safeguards(connection, party)
        listed = store.trusted(connection, party)
    return SafeguardsView(
        party=party,
        trusted_only=chosen.trusted_only,
        signed_confirmation=chosen.signed_confirmation,
        delay_hours=delay_hours,
        destinations=[
            TrustedDestinationView(
                account=d.account,
                added_by=d.added_by,
                added_at=d.added_at,
                effective_at=d.effective_at,
                effective=d.effective(now),
            )
            for d in listed
        ],
    )


def destination_standing(
    connection: Connection,
    party: str,
    kind: TransactionKind,
    destination_party: str | None,
    account: str,
    now: datetime,
) -> str:
    """What the section's list says of a transfer of `kind` to `account` (`domain.safeguards
    .Standing`)."""
    return trust_ahead(connection, party, kind, destination_party, account)(now)


def trust_ahead(
    connection: Connection,
    party: str,
    kind: TransactionKind,
    destination_party: str | None,
    account: str,
) -> Callable[[datetime], str]:
    """`destination_standing`, its read sent in the statement that locks the movement's
    holdings (`holdings.ride_with_lock`; alone if no lock follows); only the transfers that
    leave the section read anything."""
    if kind not in LEAVING_KINDS:
        return lambda _now: Standing.NOT_KEPT
    trusted_only, listed = store.trust_with_lock(connection, party, account)

    def standing_at(now: datetime) -> str:
        chosen = Safeguards(party, trusted_only=bool(trusted_only.value(connection)))
        effective_at = listed.value(connection)
        listed_from = aware(effective_at) if effective_at is not None else None
        return standing(chosen, kind, destination_party, listed_from, now)

    return standing_at


def standing_now(
    registry: Registry,
    party: str,
    kind: TransactionKind,
    destination_party: str | None,
    account: str,
) -> str:
    """`destination_standing` in its own read (for the confirm page)."""
    with unit_of_work(registry.engine, read_only=True) as connection:
        return destination_standing(
            connection, party, kind, destination_party, account, registry.now()
        )


def signed_confirmation_required(registry: Registry, party: str | None) -> bool:
    """Whether the section requires a signed confirmation (for the pages' code field)."""
    if party is None:
        return False
    with unit_of_work(registry.engine, read_only=True) as connection:
        return store.safeguards(connection, party).signed_confirmation
