"""A Party's safeguards and trusted destinations (`domain.safeguards`), and the spending of a
signed confirmation's code on the user's row.

A code is spent by one conditional update (`spend_code`): of two requests offering the same
code, from any process, only one finds the user's last time step still earlier than the code's;
the other's update changes no row and is refused."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row, bindparam, delete, or_, select, update

from article6.domain.safeguards import Safeguards, TrustedDestination
from article6.store import holdings
from article6.store.database import aware
from article6.store.identity_schema import users
from article6.store.safeguards_schema import party_safeguards, trusted_destinations


def safeguards(connection: Connection, party: str) -> Safeguards:
    """What the section has switched on (no row: nothing)."""
    row = connection.execute(
        select(party_safeguards).where(party_safeguards.c.party_code == party)
    ).first()
    if row is None:
        return Safeguards(party)
    return Safeguards(party, bool(row.trusted_only), bool(row.signed_confirmation))


# Read on every transfer, use, cancellation and approval: built once, read as columns of the
# statement that locks the command's holdings (`holdings.ride_with_lock`), so a section's
# safeguards cost no statement of their own.
_SIGNED_OF = (
    select(party_safeguards.c.signed_confirmation)
    .where(party_safeguards.c.party_code == bindparam("signed_party"))
    .scalar_subquery()
    .label("signed_confirmation")
)
_TRUSTED_ONLY_OF = (
    select(party_safeguards.c.trusted_only)
    .where(party_safeguards.c.party_code == bindparam("trust_party"))
    .scalar_subquery()
    .label("trusted_only")
)
_LISTED_FROM_OF = (
    select(trusted_destinations.c.effective_at)
    .where(
        (trusted_destinations.c.party_code == bindparam("trust_party"))
        & (trusted_destinations.c.account == bindparam("trust_account"))
    )
    .scalar_subquery()
    .label("listed_from")
)


def signed_confirmation_with_lock(connection: Connection, party: str) -> holdings.Rider:
    """Whether the section requires signed confirmation, read in the statement that locks the
    command's holdings (`holdings.ride_with_lock`): its value True when it does."""
    rider = holdings.Rider(_SIGNED_OF, {"signed_party": party})
    holdings.ride_with_lock(connection, rider)
    return rider


def trust_with_lock(
    connection: Connection, party: str, account: str
) -> tuple[holdings.Rider, holdings.Rider]:
    """Read in the statement that locks the command's holdings (`holdings.ride_with_lock`):
    the section's list switch (None: the section chose nothing) and when `account` counts as
    trusted from (None: not on the list)."""
    parameters = {"trust_party": party, "trust_account": account}
    riders = (
        holdings.Rider(_TRUSTED_ONLY_OF, parameters),
        holdings.Rider(_LISTED_FROM_OF, parameters),
    )
    for rider in riders:
        holdings.ride_with_lock(connection, rider)
    return riders


def set_safeguards(connection: Connection, chosen: Safeguards) -> None:
    """Record the section's choice, replacing any earlier one."""
    values = {
        "trusted_only": chosen.trusted_only,
        "signed_confirmation": chosen.signed_confirmation,
    }
    key = party_safeguards.c.party_code == chosen.party
    if connection.execute(update(party_safeguards).where(key).values(**values)).rowcount == 0:
        connection.execute(party_safeguards.insert().values(party_code=chosen.party, **values))


def _destination(row: Row[Any]) -> TrustedDestination:
    return TrustedDestination(
        party=row.party_code,
        account=row.account,
        added_by=row.added_by,
        added_at=aware(row.added_at),
        effective_at=aware(row.effective_at),
    )


def trusted(connection: Connection, party: str) -> list[TrustedDestination]:
    """The section's list, by account number."""
    rows = connection.execute(
        select(trusted_destinations)
        .where(trusted_destinations.c.party_code == party)
        .order_by(trusted_destinations.c.account)
    )
    return [_destination(row) for row in rows]


def trusted_entry(connection: Connection, party: str, account: str) -> TrustedDestination | None:
    row = connection.execute(
        select(trusted_destinations).where(
            (trusted_destinations.c.party_code == party)
            & (trusted_destinations.c.account == account)
        )
    ).first()
    return None if row is None else _destination(row)


def add_trusted(connection: Connection, entry: TrustedDestination) -> None:
    connection.execute(
        trusted_destinations.insert().values(
            party_code=entry.party,
            account=entry.account,
            added_by=entry.added_by,
            added_at=entry.added_at,
            effective_at=entry.effective_at,
        )
    )


def remove_trusted(connection: Connection, party: str, account: str) -> bool:
    """Take an account off the list; False if it was not on it."""
    removed = connection.execute(
        delete(trusted_destinations).where(
            (trusted_destinations.c.party_code == party)
            & (trusted_destinations.c.account == account)
        )
    )
    return bool(removed.rowcount)


def spend_code(connection: Connection, user_id: int, counter: int) -> bool:
    """Use up the time step `counter` of the user's second factor; False if it (or a later
    one) was used already, by a sign-in or another confirmation."""
    spent = connection.execute(
        update(users)
        .where(
            (users.c.id == user_id)
            & or_(users.c.totp_last_counter.is_(None), users.c.totp_last_counter < counter)
        )
        .values(totp_last_counter=counter)
    )
    return bool(spent.rowcount)
