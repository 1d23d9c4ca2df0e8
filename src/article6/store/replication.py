"""What a read replica says about itself: how far behind its primary the answer it gives is.

A streaming standby replays its primary's WAL; a report read there shows the ledger as of the
last transaction it replayed. The lag is that transaction's age while WAL received is still
waiting to be replayed, and nothing once the standby has replayed all it received (an idle
primary sends nothing new, so the last replayed transaction's age alone would overstate it).
"""

from __future__ import annotations

from sqlalchemy import Connection, text
from sqlalchemy.engine import Engine

from article6.store.database import is_postgres, make_engine

_LAG = text(
    "SELECT CASE WHEN NOT pg_is_in_recovery() THEN NULL"
    " WHEN pg_last_wal_receive_lsn() IS NOT DISTINCT FROM pg_last_wal_replay_lsn() THEN 0.0"
    " ELSE GREATEST(0.0, EXTRACT(EPOCH FROM clock_timestamp()"
    " - pg_last_xact_replay_timestamp()))::float END"
)


def make_read_engine(url: str) -> Engine:
    """An engine over a read replica. Every transaction on it is read-only: a standby refuses
    even to start one that says READ WRITE, which a pooled connection would otherwise ask for
    once a read-only report had used it and been reset."""
    engine = make_engine(url)
    if engine.dialect.name != "postgresql":
        return engine
    return engine.execution_options(postgresql_readonly=True)


def replay_lag(connection: Connection) -> float | None:
    """Seconds the server answering on `connection` is behind its primary; None when it is no
    replica (a primary, or SQLite)."""
    if not is_postgres(connection):
        return None
    lag = connection.execute(_LAG).scalar()
    return None if lag is None else float(lag)
