"""Account statements: an account's holdings at the start and end of a period and every
movement in between, read from the moved ranges, never the live blocks.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from pydantic import BaseModel

from article6.domain.access import Actor, Permission
from article6.domain.checks import Check, refuse
from article6.domain.identifiers import block_identifier
from article6.domain.wording import words
from article6.services.access import allow
from article6.services.context import Registry
from article6.services.views import UtcDateTime
from article6.store import replication, reports, statement_ledger

STATEMENT_LIMIT = 100_000


class StatementLine(BaseModel):
    date: UtcDateTime
    transaction: str
    kind: str
    counterpart: str | None
    quantity_in: int
    quantity_out: int
    balance: int
    units: list[str]


class Statement(BaseModel):
    account: str
    name: str
    party: str
    holder: str
    entity_name: str | None
    kind: str
    start: date
    end: date
    opening: int
    closing: int
    total_in: int
    total_out: int
    lines: list[StatementLine]
    generated_at: UtcDateTime
    replica_lag_seconds: float | None = None
    """Read from a replica this many seconds behind the registry's database (None: read from
    the database itself)."""


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def account_statement(
    registry: Registry, actor: Actor, account: str, start: date, end: date
) -> Statement:
    """Holdings at the start and end of [start, end] (whole UTC days) and every completed
    movement in between, from the moved ranges."""
    if end < start:
        raise refuse(Check.C1009, "end", words("the period ends before it starts"))
    with reports.reading(registry.read_engine) as connection:
        lag = replication.replay_lag(connection)
        row = statement_ledger.account(connection, account)
        if row is None:
            raise refuse(
                Check.C1012, "account", words("{account} is not an account", account=account)
            )
        allow(actor, Permission.READ, row.party_code)
        if actor.entity is not None and row.holder != actor.entity:
            raise refuse(Check.C4002, "account", words("an entity sees only its own accounts"))
        before = _day_start(start) - timedelta(microseconds=1)
        until = _day_start(end + timedelta(days=1)) - timedelta(microseconds=1)
        opening = statement_ledger.balance_at(connection, row.id, before)
        lines: list[StatementLine] = []
        balance = opening
        for moved in statement_ledger.account_movements(connection, row.id, before, until):
            units = moved.units
            size = units.size
            incoming = moved.destination_account_id == row.id
            unit = block_identifier(
                units.cooperative_approach,
                units.registry,
                units.first_transferring_party,
                units.first,
                units.last,
                units.vintage,
            )
            if not lines or lines[-1].transaction != moved.transaction:
                if len(lines) >= STATEMENT_LIMIT:
                    raise refuse(
                        Check.C1009, "end", words("the period has too many movements; shorten it")
                    )
                counterpart = moved.source_account if incoming else moved.destination_account
                lines.append(
                    StatementLine(
                        date=moved.finished_at,
                        transaction=moved.transaction,
                        kind=(
                            moved.cancellation_purpose
                            and f"{moved.kind} ({moved.cancellation_purpose})"
                        )
                        or moved.kind,
                        counterpart=counterpart,
                        quantity_in=0,
                        quantity_out=0,
                        balance=balance,
                        units=[],
                    )
                )
            line = lines[-1]
            if incoming:
                line.quantity_in += size
                balance += size
            else:
                line.quantity_out += size
                balance -= size
            line.balance = balance
            line.units.append(unit)
        closing = statement_ledger.balance_at(connection, row.id, until)
    return Statement(
        account=row.identifier,
        name=row.name,
        party=row.party_code,
        holder=row.holder,
        entity_name=row.entity_name,
        kind=row.kind,
        start=start,
        end=end,
        opening=opening,
        closing=closing,
        total_in=sum(line.quantity_in for line in lines),
        total_out=sum(line.quantity_out for line in lines),
        lines=lines,
        generated_at=registry.now(),
        replica_lag_seconds=lag,
    )
