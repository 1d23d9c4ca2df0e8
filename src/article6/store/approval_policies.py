"""Approval policies: per section and kind of transaction, whether a Party user's movement
waits for a second person (four eyes). Read on every movement, so that statement is built
once."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, bindparam, select, update

from article6.store import batches
from article6.store.schema import approval_policies

_FOUR_EYES = select(approval_policies.c.four_eyes).where(
    (approval_policies.c.party_code == bindparam("party"))
    & (approval_policies.c.kind == bindparam("kind"))
)

FOUR_EYES_OF = _FOUR_EYES.scalar_subquery().label("four_eyes")
"""The policy as a column of another read (parameters `party`, `kind`): the holdings locks."""


@dataclass
class FourEyesAhead:
    """The section's policy for a kind of transaction, read with the holdings locks
    (`holdings.lock_holdings_later`): no statement of its own."""

    party: str
    kind: str
    answer: batches.Answer | None = None

    def asks(self) -> bool:
        """Whether it asks four eyes (no policy: it does not)."""
        row = self.answer.first() if self.answer is not None else None
        return row is not None and bool(row.four_eyes)


def four_eyes(connection: Connection, party: str, kind: str) -> bool:
    """Whether the section asks four eyes for this kind (no policy: it does not)."""
    policy = connection.execute(_FOUR_EYES, {"party": party, "kind": kind}).scalar()
    return bool(policy)


def four_eyes_later(connection: Connection, party: str, kind: str) -> batches.Answer:
    """`four_eyes`, sent with the command's next statement: a row `(True,)` when it asks."""
    return batches.read_later(connection, _FOUR_EYES, {"party": party, "kind": kind})


def set_policy(connection: Connection, party: str, kind: str, four_eyes: bool) -> None:
    """Record the section's policy for a kind of transaction, replacing any earlier one."""
    key = (approval_policies.c.party_code == party) & (approval_policies.c.kind == kind)
    if connection.execute(select(approval_policies).where(key)).first() is None:
        connection.execute(
            approval_policies.insert().values(party_code=party, kind=kind, four_eyes=four_eyes)
        )
    else:
        connection.execute(update(approval_policies).where(key).values(four_eyes=four_eyes))
