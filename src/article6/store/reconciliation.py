"""The reconciliation hold (C2006) on the Party section rows: placed, read, lifted.

The hold is written on every section of the registry, a section opened during it included
(`sections.open_section`), because the statement that numbers each transaction
(`sections.take_transaction_number`) reads the section row already; that is where commands are
refused, at no extra statement. A stored hold past its deadline refuses nothing (see
`ReconciliationHold.in_force`); it stays on the rows until it is lifted and journaled.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, select, update

from article6.domain.reconciliation import ReconciliationHold
from article6.store.schema import party_sections

_HOLD = (party_sections.c.reconciliation_id, party_sections.c.reconciliation_until)


def hold_of(row: Any) -> ReconciliationHold | None:
    """The hold a section row carries, if any, overdue or not."""
    if row.reconciliation_id is None:
        return None
    return ReconciliationHold(row.reconciliation_id, row.reconciliation_until)


def hold(connection: Connection) -> ReconciliationHold | None:
    """The hold stored on the registry's sections, if any, overdue or not: what placing and
    lifting work on."""
    row = connection.execute(
        select(*_HOLD).where(party_sections.c.reconciliation_id.is_not(None)).limit(1)
    ).first()
    return hold_of(row) if row is not None else None


def in_force(connection: Connection, now: datetime) -> ReconciliationHold | None:
    """The reconciliation holding this registry at `now`, if any: what refuses commands."""
    found = hold(connection)
    return found if found is not None and found.in_force(now) else None


def refuse_if_held(connection: Connection, party_code: str, now: datetime) -> None:
    """Refuse (C2006) while a reconciliation holds the registry at `now`: for a command that
    moves units without taking a transaction number (approving a pending transaction). Call it
    after the command's `holdings.lock_holdings`, for the reason `place` gives."""
    found = section_hold(connection, party_code)
    if found is not None and found.in_force(now):
        raise found.refusal()


def section_hold(connection: Connection, party_code: str) -> ReconciliationHold | None:
    """The hold a Party's section carries, overdue or not, for a command that judges it itself
    (C2006)."""
    row = connection.execute(
        select(*_HOLD).where(party_sections.c.party_code == party_code)
    ).first()
    return hold_of(row) if row is not None else None


def place(connection: Connection, new: ReconciliationHold) -> None:
    """Hold every section for a reconciliation; the caller takes its snapshot afterwards, in the
    same database transaction.

    The hold and the snapshot must cut the stream of commands at one point: each command is
    either wholly in the snapshot or refused. Every command that changes holdings or unit blocks
    locks its holdings rows (`holdings.lock_holdings`, SELECT … FOR UPDATE) before it takes its
    transaction number, where the hold is read. On PostgreSQL (READ COMMITTED) this therefore
    first takes the holdings table in EXCLUSIVE mode: that waits for every command holding
    holdings rows to commit (its writes are then in the snapshot, whose statements start after
    the lock), and every later command waits at its own row lock until the hold is committed,
    then reads the hold when it numbers and is refused. Plain reads do not conflict with the
    lock, so queries go on. On SQLite every writer, this one included, begins with BEGIN
    IMMEDIATE: commands are serialised against the snapshot already. A section opened meanwhile
    is held too: opening one takes the holdings table the same way (`sections.open_section`).

    Call it before changing any section row in the transaction (an older hold is replaced by
    placing over it, not lifted first): a command the lock waits for may still need its section
    row for a number, and would otherwise wait for this transaction in turn."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("LOCK TABLE holdings IN EXCLUSIVE MODE")
    connection.execute(
        update(party_sections).values(
            reconciliation_id=new.reconciliation_id, reconciliation_until=new.until
        )
    )


def lift(connection: Connection) -> None:
    connection.execute(
        update(party_sections)
        .where(party_sections.c.reconciliation_id.is_not(None))
        .values(reconciliation_id=None, reconciliation_until=None)
    )
