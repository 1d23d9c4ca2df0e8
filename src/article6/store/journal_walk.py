"""The journal chain walked a stretch at a time, read only: each stretch is recomputed from
the hash its walker carries, so a long chain is verified in short read transactions, with its
progress known between them, and nothing is sealed or written (`journal.verify_chain` seals
first and walks it whole, for the command line)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Connection, func, select

from article6.store.journal import GENESIS, check_entries
from article6.store.schema import journal, journal_head, journal_pending


@dataclass(frozen=True)
class ChainHead:
    """Where the chain ends when a walk starts, and what is still waiting to be sealed."""

    seq: int
    hash: str
    pending: int


@dataclass(frozen=True)
class Stretch:
    """How far a walk got: the last entry checked and its hash, and the breaks found."""

    seq: int
    hash: str
    problems: tuple[str, ...]


START = Stretch(0, GENESIS, ())


def head(connection: Connection) -> ChainHead:
    row = connection.execute(select(journal_head.c.seq, journal_head.c.hash)).one()
    waiting = connection.execute(select(func.count()).select_from(journal_pending)).scalar_one()
    return ChainHead(int(row.seq), str(row.hash), int(waiting))


def walk(connection: Connection, after: Stretch, last: int, size: int) -> Stretch:
    """Check up to `size` entries after `after.seq`, not beyond `last`."""
    rows = connection.execute(
        select(journal)
        .where(journal.c.seq > after.seq, journal.c.seq <= last)
        .order_by(journal.c.seq)
        .limit(size)
    ).all()
    problems, previous, seq = check_entries(rows, after.hash, after.seq)
    if not rows and seq < last:
        problems.append(f"journal entries {seq + 1} to {last} are missing")
        seq = last
    return Stretch(seq, previous, tuple(problems))
