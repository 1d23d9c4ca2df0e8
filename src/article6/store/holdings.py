"""Holdings: each account's maintained balance and reserved part, and the lock every command
takes first.

Locking discipline (PostgreSQL): a command first locks the holdings rows of every account it
touches, in ascending account id, then works on those accounts' blocks. All block changes of an
account happen under its holdings lock, so block reads after it are stable.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Label, bindparam, case, select, update

from article6.store import approval_policies, batches
from article6.store.schema import holdings

_LOCK_HOLDINGS = (
    select(holdings.c.account_id, holdings.c.quantity, holdings.c.reserved)
    .where(holdings.c.account_id.in_(bindparam("ids", expanding=True)))
    .order_by(holdings.c.account_id)
    .with_for_update()
)
_LOCK_TWO_HOLDINGS = (
    select(holdings.c.account_id)
    .where(holdings.c.account_id.in_([bindparam("account"), bindparam("other")]))
    .order_by(holdings.c.account_id)
    .with_for_update()
)
_LOCK_TWO_HOLDINGS_WITH_POLICY = (
    select(holdings.c.account_id, approval_policies.FOUR_EYES_OF)
    .where(holdings.c.account_id.in_([bindparam("account"), bindparam("other")]))
    .order_by(holdings.c.account_id)
    .with_for_update()
)
_CHANGE_HOLDING = (
    update(holdings)
    .where(holdings.c.account_id == bindparam("account"))
    .values(
        quantity=holdings.c.quantity + bindparam("add_quantity"),
        reserved=holdings.c.reserved + bindparam("add_reserved"),
    )
)

_CHANGE_TWO_HOLDINGS = (
    update(holdings)
    .where(holdings.c.account_id.in_([bindparam("account"), bindparam("other")]))
    .values(
        quantity=holdings.c.quantity
        + case(
            (holdings.c.account_id == bindparam("account"), bindparam("add_quantity")),
            else_=bindparam("other_quantity"),
        ),
        reserved=holdings.c.reserved
        + case(
            (holdings.c.account_id == bindparam("account"), bindparam("add_reserved")),
            else_=bindparam("other_reserved"),
        ),
    )
)


_RIDERS = "article6_lock_riders"  # the riders waiting for the command's holdings lock


@dataclass
class Rider:
    """A one-value read sent as a column of the statement that locks a movement's holdings
    (`lock_holdings_later`), not as a statement of its own: `column` a labelled scalar
    subquery of `parameters` (named apart from the lock's and the policy's). A command that
    takes no such lock reads it alone when its value is asked (`value`)."""

    column: Label[Any]
    parameters: dict[str, Any] = field(default_factory=dict)
    answer: batches.Answer | None = None

    def value(self, connection: Connection) -> Any:
        """The value read (None: no row), read now if no lock carried it."""
        if self.answer is None:
            return connection.execute(select(self.column), self.parameters).scalar()
        row = self.answer.first()
        return None if row is None else getattr(row, self.column.name)


def ride_with_lock(connection: Connection, rider: Rider) -> None:
    """Send the rider with the command's next holdings lock (`lock_holdings_later`)."""
    connection.info.setdefault(_RIDERS, []).append(rider)


def dismount(connection: Connection) -> None:
    """Forget the riders no lock carried (the connection goes back to the pool with its
    `info`): `database.unit_of_work` does when the command is done, refused or not."""
    connection.info.pop(_RIDERS, None)


_LOCKS_WITH_RIDERS: dict[tuple[bool, tuple[int, ...]], Any] = {}


def _lock_with_riders(with_policy: bool, riders: list[Rider]) -> Any:
    """The two-holdings lock with the policy and the riders' columns, built once per set."""
    key = (with_policy, tuple(id(rider.column) for rider in riders))
    statement = _LOCKS_WITH_RIDERS.get(key)
    if statement is None:
        base = _LOCK_TWO_HOLDINGS_WITH_POLICY if with_policy else _LOCK_TWO_HOLDINGS
        statement = _LOCKS_WITH_RIDERS[key] = base.add_columns(*(rider.column for rider in riders))
    return statement


def quantity_held(connection: Connection, account_id: int) -> int:
    """The units the account holds, read without taking its holdings lock."""
    held: int = connection.execute(
        select(holdings.c.quantity).where(holdings.c.account_id == account_id)
    ).scalar_one()
    return held


def lock_holdings(connection: Connection, account_ids: Iterable[int]) -> dict[int, Any]:
    """Lock the accounts' holdings rows in ascending id order and return them with the account."""
    rows = connection.execute(_LOCK_HOLDINGS, {"ids": sorted(set(account_ids))}).all()
    return {row.account_id: row for row in rows}


def lock_holdings_later(
    connection: Connection,
    account_ids: Iterable[int],
    policy: approval_policies.FourEyesAhead | None = None,
) -> None:
    """`lock_holdings` for one or two accounts (a movement's), sent with the command's next
    statement (`store.batches`): the statements after it in that round trip run once the locks
    are held, so what they read is as stable as if the lock had been a round trip of its own.
    A deadlock here fails that statement. With `policy`, the section's approvals policy is
    read in the same statement, as are the riders waiting (`ride_with_lock`)."""
    ids = sorted(set(account_ids))
    riders: list[Rider] = connection.info.pop(_RIDERS, None) or []
    if len(ids) > 2:
        lock_holdings(connection, ids)
        if policy is not None:
            policy.answer = approval_policies.four_eyes_later(connection, policy.party, policy.kind)
        return
    parameters: dict[str, Any] = {"account": ids[0], "other": ids[-1]}
    if policy is not None:
        parameters.update(party=policy.party, kind=policy.kind)
    for rider in riders:
        parameters.update(rider.parameters)
    statement = (
        _lock_with_riders(policy is not None, riders)
        if riders
        else _LOCK_TWO_HOLDINGS_WITH_POLICY
        if policy is not None
        else _LOCK_TWO_HOLDINGS
    )
    answer = batches.read_later(connection, statement, parameters)
    if policy is not None:
        policy.answer = answer
    for rider in riders:
        rider.answer = answer


def change_holding(
    connection: Connection, account_id: int, quantity: int = 0, reserved: int = 0
) -> None:
    change_holdings(connection, [(account_id, quantity, reserved)])


def change_holdings(connection: Connection, changes: list[tuple[int, int, int]]) -> None:
    """Add (quantity, reserved) to several holdings (already locked), with the command's next
    round trip (`store.batches`); a movement's two in one statement."""
    if len(changes) == 2 and changes[0][0] != changes[1][0]:
        (account, quantity, reserved), (other, other_quantity, other_reserved) = changes
        batches.later(
            connection,
            _CHANGE_TWO_HOLDINGS,
            {
                "account": account,
                "add_quantity": quantity,
                "add_reserved": reserved,
                "other": other,
                "other_quantity": other_quantity,
                "other_reserved": other_reserved,
            },
        )
        return
    batches.later(
        connection,
        _CHANGE_HOLDING,
        [
            {"account": account, "add_quantity": quantity, "add_reserved": reserved}
            for account, quantity, reserved in changes
        ],
    )
