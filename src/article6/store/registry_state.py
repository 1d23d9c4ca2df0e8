"""What an operator watches, read from the tables: the same figures whichever server process
answers the scrape, and true across restarts (a process's own counters are neither)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import Connection, func, select, text

from article6.store.database import aware
from article6.store.interop_schema import inbox, outbox
from article6.store.migrate import alembic_config
from article6.store.outbox_messages import PENDING
from article6.store.schema import journal_pending, party_sections, transactions


@dataclass(frozen=True)
class Queue:
    """How many items wait, and since when the oldest has waited (None: nothing waits)."""

    depth: int
    oldest: datetime | None


@dataclass(frozen=True)
class RegistryState:
    transactions: dict[tuple[str, str], int]
    """Transactions by (kind, status)."""
    outbox: Queue
    inbox_received: int
    journal_pending: Queue
    hold_until: datetime | None
    """The end of the reconciliation hold on the sections, if one is placed."""


def read(connection: Connection) -> RegistryState:
    counted = connection.execute(
        select(transactions.c.kind, transactions.c.status, func.count()).group_by(
            transactions.c.kind, transactions.c.status
        )
    ).all()
    waiting = connection.execute(
        select(func.count(), func.min(outbox.c.created_at)).where(outbox.c.status == PENDING)
    ).one()
    pending = connection.execute(
        select(func.count(), func.min(journal_pending.c.recorded_at))
    ).one()
    return RegistryState(
        transactions={(str(kind), str(status)): int(n) for kind, status, n in counted},
        outbox=Queue(int(waiting[0]), aware(waiting[1])),
        inbox_received=int(
            connection.execute(select(func.count()).select_from(inbox)).scalar_one()
        ),
        journal_pending=Queue(int(pending[0]), aware(pending[1])),
        hold_until=aware(
            connection.execute(select(func.max(party_sections.c.reconciliation_until))).scalar()
        ),
    )


def schema_revision(connection: Connection) -> str | None:
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def newest_revision() -> str | None:
    """The head of the migrations this code ships: the schema it expects."""
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def known_revision(revision: str) -> bool:
    """Whether this code ships the migration `revision`: one it does not know is newer, applied
    by a newer release during a rolling upgrade."""
    try:
        return ScriptDirectory.from_config(alembic_config()).get_revision(revision) is not None
    except CommandError:
        return False
