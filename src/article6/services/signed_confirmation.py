"""Signed confirmation (`domain.safeguards`): where a Party requires it, a transfer, use,
cancellation or approval is confirmed with the user's current second-factor code, bound to the
digest of the exact action previewed, and the journal records that it was (never the code).

It runs inside the command's own transaction, after the command's checks and decision: a code
is spent only by an action that is carried out, and an action refused for its code changes
nothing. The code is spent on the user's row as sign-in spends it (`store.safeguards
.spend_code`), so a code accepted once, by a sign-in or a confirmation, in any process, is
refused again (C4021); a request that is not the action previewed is refused (C4022).

A wrong code is counted against the user's name as a failed sign-in is (`count_wrong_code`,
which the doors call once the command's transaction has rolled back): after the registry's
`lock_after` failures the name is locked, its sign-ins and its confirmations alike (C4010), so
a stolen session cannot try codes until one fits.
"""

from __future__ import annotations

from collections.abc import Callable

from pydantic import BaseModel
from sqlalchemy import Connection

from article6.domain import totp
from article6.domain.access import Actor
from article6.domain.checks import Check, CommandRefused, Refusal, refuse
from article6.domain.safeguards import SIGNED_COMMANDS, action_digest, confirmation_refusals
from article6.domain.wording import words
from article6.services import throttle
from article6.services.context import Registry
from article6.services.journal import log
from article6.services.sign_in import fail
from article6.services.views import Receipt
from article6.settings import Settings
from article6.store import identity
from article6.store import safeguards as store
from article6.store.database import aware, unit_of_work


class WrongCode(CommandRefused):
    """C4021 for a code that was offered and is not the user's current unused one: counted
    against the user's name (`count_wrong_code`); a missing code is not."""

    def __init__(self, refusals: list[Refusal], name: str) -> None:
        super().__init__(refusals)
        self.name = name
        """The user whose code it was not."""


WRONG_CODE = words(
    "the code is not your current second-factor code, or it was used already; wait for the "
    "next code and confirm again"
)


def digest_of(actor: Actor, command: BaseModel) -> str:
    """The digest the preview shows and the code confirms: this command, as given, by this
    user."""
    return action_digest(type(command).__name__, command.model_dump(mode="json"), actor.name)


def signed(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    command: BaseModel,
    run: Callable[[], Receipt],
) -> Receipt:
    """Run the command; then, if its Party requires signed confirmation, judge and spend the
    code (refusing the whole command if it fails) and journal the confirmation."""
    name = type(command).__name__
    if registry.rehearsing is not None or name not in SIGNED_COMMANDS or actor.party is None:
        return run()
    # A command that succeeds is the actor's section's own (its access rules see to it), so
    # the section's choice is read in the statement that locks the movement's holdings.
    required = store.signed_confirmation_with_lock(connection, actor.party)
    receipt = run()
    if not required.value(connection):
        return receipt
    party = actor.party
    digest = digest_of(actor, command)
    refusals = confirmation_refusals(actor.confirmation, digest)
    if refusals:
        raise CommandRefused(refusals)
    _spend(connection, registry, actor)
    log(
        connection,
        registry,
        actor,
        "ActionConfirmed",
        party,
        receipt.record,
        {"command": name, "action_digest": digest, "second_factor": "totp"},
    )
    return receipt


def _spend(connection: Connection, registry: Registry, actor: Actor) -> None:
    """C4021: the code is the user's current one, within a step of the clock, and unused; C4010
    while the name is locked after repeated failures."""
    offered = actor.confirmation.code.strip() if actor.confirmation is not None else ""
    user = identity.user_by_name(connection, actor.name)
    if user is None or user.totp_secret is None or user.totp_enrolled_at is None:
        raise refuse(
            Check.C4021,
            "second_factor_code",
            words("{name} has no second factor enrolled", name=actor.name),
        )
    now = registry.now()
    if user.locked_until is not None and aware(user.locked_until) > now:
        raise refuse(
            Check.C4010,
            "second_factor_code",
            words(
                "locked after repeated failures until {locked_until:%Y-%m-%d %H:%M} UTC",
                locked_until=aware(user.locked_until),
            ),
        )
    counter = totp.matching_counter(user.totp_secret, offered, now, after=user.totp_last_counter)
    if counter is None or not store.spend_code(connection, user.id, counter):
        raise WrongCode([Refusal(Check.C4021, "second_factor_code", WRONG_CODE)], actor.name)


def count_wrong_code(
    registry: Registry, settings: Settings, name: str, address: str | None
) -> None:
    """A wrong confirmation code, counted and journaled as a failed sign-in of `name` (in its
    own transaction: the refused command's is rolled back); enough of them lock the name."""
    with unit_of_work(registry.engine) as connection:
        key = throttle.address_key(address)
        identity.queue_attempt(connection, name, key)
        row = identity.user_by_name(connection, name, lock=True)
        standing = throttle.standing(connection, settings, name, key, row, registry.now())
        fail(connection, registry, settings, standing, row, "confirmation code")
