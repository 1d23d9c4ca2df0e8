"""The action kinds each Party has delegated to the secretariat, and the transactions done
under a delegation. A delegation is revoked by dating it, never deleted."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, insert, select, update

from article6.store.joining_schema import delegated_transactions, delegations


@dataclass(frozen=True)
class Delegation:
    """One kind of action a Party delegated to the secretariat: by whom, when, and its
    revocation if any."""

    id: int
    party_code: str
    kind: str
    delegated_by: str
    delegated_at: datetime
    revoked_by: str | None = None
    revoked_at: datetime | None = None


def in_force(connection: Connection, party: str) -> dict[str, int]:
    """The kinds `party` has delegated and not revoked, each with its delegation's id."""
    rows = connection.execute(
        select(delegations.c.kind, delegations.c.id).where(
            delegations.c.party_code == party, delegations.c.revoked_at.is_(None)
        )
    )
    return {str(kind): int(id_) for kind, id_ in rows}


def history(connection: Connection, party: str) -> list[Delegation]:
    """Every delegation of `party`, newest first."""
    rows = connection.execute(
        select(delegations)
        .where(delegations.c.party_code == party)
        .order_by(delegations.c.id.desc())
    )
    return [Delegation(**dict(row._mapping)) for row in rows]


def delegate(connection: Connection, party: str, kind: str, by: str, at: datetime) -> int:
    inserted = connection.execute(
        insert(delegations)
        .values(party_code=party, kind=kind, delegated_by=by, delegated_at=at)
        .returning(delegations.c.id)
    )
    return int(inserted.scalar_one())


def revoke(connection: Connection, delegation_id: int, by: str, at: datetime) -> None:
    connection.execute(
        update(delegations)
        .where(delegations.c.id == delegation_id)
        .values(revoked_by=by, revoked_at=at)
    )


def record_transaction(connection: Connection, transaction: str, delegation_id: int) -> None:
    """Note that `transaction` was started by the secretariat under `delegation_id`."""
    connection.execute(
        insert(delegated_transactions).values(transaction=transaction, delegation_id=delegation_id)
    )


def of_transaction(connection: Connection, transaction: str) -> Delegation | None:
    """The delegation a transaction was started under, if it was."""
    return of_transactions(connection, [transaction]).get(transaction)


def of_transactions(connection: Connection, transactions: list[str]) -> dict[str, Delegation]:
    """The delegations these transactions were started under, by transaction (those started
    under none are absent)."""
    rows = connection.execute(
        select(delegated_transactions.c.transaction, delegations)
        .select_from(delegated_transactions.join(delegations))
        .where(delegated_transactions.c.transaction.in_(transactions))
    )
    names = Delegation.__dataclass_fields__
    return {
        str(row._mapping["transaction"]): Delegation(**{n: row._mapping[n] for n in names})
        for row in rows
    }
