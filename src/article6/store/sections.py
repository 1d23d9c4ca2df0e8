"""Party sections: the Party and section reads every command makes, opening a section, and the
counters that number serials, transactions and accounts (a transaction's number is taken on
the hot path, with the section and its reconciliation hold, in one statement)."""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, bindparam, func, select, update
from sqlalchemy.exc import NoResultFound

from article6.domain.reconciliation import ReconciliationHold
from article6.store import batches
from article6.store.reconciliation import hold, hold_of
from article6.store.schema import accounts, holdings, parties, party_sections


@dataclass(frozen=True)
class Party:
    """A Party the registry records, with its NDC implementation period and participation."""

    code: str
    name: str
    ndc_first_year: int
    ndc_last_year: int
    participation_status: str
    created_at: datetime


@dataclass(frozen=True)
class PartyWithSection(Party):
    """A Party with its section's registry identifier (None while it has no section), as the
    directory lists it and as a report names the registry holding its units."""

    registry_id: str | None = field(kw_only=True)


PARTIES_WITH_SECTIONS = select(parties, party_sections.c.registry_id).select_from(
    parties.outerjoin(party_sections)
)


def with_section(row: Row[Any]) -> PartyWithSection:
    values = row._mapping
    return PartyWithSection(**{f.name: values[f.name] for f in fields(PartyWithSection)})


@dataclass(frozen=True)
class PartySection:
    """A Party's section of the registry: its registry identifier, the counters that number its
    serials, transactions and accounts, how long its transactions may wait, and the
    reconciliation hold it carries, if any."""

    party_code: str
    registry_id: str
    next_serial: int
    next_transaction: int
    next_account: int
    pending_days: int
    opened_at: datetime
    reconciliation_id: str | None = None
    reconciliation_until: datetime | None = None
    acceptance_days: int | None = None
    """Days an incoming transfer waits for the Party's acceptance; None: accepted at once."""
    status: str = "open"

    @property
    def hold(self) -> ReconciliationHold | None:
        """The hold this section carries, overdue or not."""
        return hold_of(self)


def _section(row: Any) -> PartySection:
    """A section row (SQLAlchemy's, or a named tuple from `store.batches`) as the domain's."""
    values = row._asdict()
    return PartySection(**{name: values[name] for name in PartySection.__dataclass_fields__})


def party(connection: Connection, code: str) -> Party | None:
    row = connection.execute(select(parties).where(parties.c.code == code)).first()
    if row is None:
        return None
    values = row._mapping
    return Party(**{name: values[name] for name in Party.__dataclass_fields__})


def section(connection: Connection, code: str, lock: bool = False) -> PartySection | None:
    query = select(party_sections).where(party_sections.c.party_code == code)
    if lock:
        query = query.with_for_update()
    row = connection.execute(query).first()
    return _section(row) if row is not None else None


def next_number(connection: Connection, party_code: str, column: str, count: int = 1) -> int:
    """Take `count` numbers from a section's counter (serials, transactions, accounts).

    The UPDATE itself takes the row lock, so two writers never receive the same number.
    """
    value, _section = take_number(connection, party_code, column, count)
    return value


_TAKE_NUMBER: dict[str, Any] = {}


def take_number(
    connection: Connection, party_code: str, column: str, count: int = 1
) -> tuple[int, PartySection]:
    """Take numbers from a section's counter and read the section in the same round trip.

    One UPDATE … RETURNING (PostgreSQL and SQLite ≥ 3.35): the row lock it takes is held to
    commit, so callers take it as late as they can.
    """
    statement = _TAKE_NUMBER.get(column)
    if statement is None:
        counter = party_sections.c[column]
        statement = _TAKE_NUMBER[column] = (
            update(party_sections)
            .where(party_sections.c.party_code == bindparam("code"))
            .values({column: counter + bindparam("count")})
            .returning(*party_sections.c)
        )
    row = connection.execute(statement, {"code": party_code, "count": count}).one()
    return int(row._mapping[column]) - count, _section(row)


def transaction_sequence(party_code: str) -> str:
    """The name of a section's transaction-number sequence (PostgreSQL)."""
    if not re.fullmatch(r"[A-Z0-9]{1,8}", party_code):
        raise ValueError(f"not a Party code: {party_code!r}")
    return f"transaction_numbers_{party_code.lower()}"


def open_section(connection: Connection, opened: PartySection) -> None:
    """Insert a Party section with its counters (on PostgreSQL, its transaction sequence).

    A section opened during a reconciliation carries its hold like every other section, or
    commands there would not be refused (C2006). On PostgreSQL the holdings table is taken first
    as any holdings writer takes it (opening the section's accounts does anyway): a hold being
    placed then either commits before the hold is read here, or waits for this section to
    commit and holds it with the rest (see `store.reconciliation.place`)."""
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("LOCK TABLE holdings IN ROW EXCLUSIVE MODE")
    current = hold(connection)
    if current is not None:
        opened = replace(
            opened, reconciliation_id=current.reconciliation_id, reconciliation_until=current.until
        )
    connection.execute(party_sections.insert().values(**asdict(opened)))
    if connection.dialect.name == "postgresql":
        sequence = transaction_sequence(opened.party_code)
        start = opened.next_transaction
        connection.exec_driver_sql(f"CREATE SEQUENCE {sequence} START WITH {start}")


_NUMBERED_SECTION: dict[str, Any] = {}
"""Per Party: its next transaction number and its section row, one statement compiled once and
sent through `store.batches` (no SQLAlchemy work per execution)."""


def _no_section() -> Exception:
    return NoResultFound("no such Party section")


def take_transaction_number(
    connection: Connection, party_code: str, now: datetime
) -> tuple[int, PartySection]:
    """The next transaction number of a section, and the section, in one round trip; refused
    (C2006) while a reconciliation holds the registry at `now` (a hold past its deadline
    refuses nothing, even before `lift_overdue` clears it).

    PostgreSQL: from the section's sequence, which holds no lock, so commands of one Party
    commit in parallel; a command rolled back after numbering leaves a gap. SQLite: from the
    counter row (writers are serialised there anyway, and numbers stay gapless).

    Every transaction takes its number here, so the section row this reads carries the hold
    (see `store.reconciliation.place`): the check costs no statement."""
    number, row = number_transaction(connection, party_code)
    held = row.hold
    if held is not None and held.in_force(now):
        raise held.refusal()
    return number, row


def number_transaction(connection: Connection, party_code: str) -> tuple[int, PartySection]:
    """The next transaction number of a section and the section row with its hold, unjudged:
    for a command that checks the hold (C2006) itself before it writes."""
    if connection.dialect.name != "postgresql":
        number, row = take_number(connection, party_code, "next_transaction")
    else:
        statement = _NUMBERED_SECTION.get(party_code)
        if statement is None:
            counter = func.nextval(transaction_sequence(party_code)).label("transaction_number")
            statement = _NUMBERED_SECTION[party_code] = select(counter, party_sections).where(
                party_sections.c.party_code == party_code
            )
        numbered = batches.read_later(connection, statement, {}, missing=_no_section).all()[0]
        number, row = int(numbered.transaction_number), _section(numbered)
    return number, row


def next_transaction_number(connection: Connection, party_code: str, now: datetime) -> int:
    number, _section = take_transaction_number(connection, party_code, now)
    return number


def set_status(connection: Connection, party_code: str, status: str) -> None:
    connection.execute(
        update(party_sections)
        .where(party_sections.c.party_code == party_code)
        .values(status=status)
    )


def units_held(connection: Connection, party_code: str) -> int:
    """Units in the section's holding accounts (those retired into use and cancellation accounts
    stay there as the record and do not count)."""
    terminal = accounts.c.kind.like("%_use") | accounts.c.kind.like("%_cancellation")
    total = connection.execute(
        select(func.coalesce(func.sum(holdings.c.quantity), 0))
        .select_from(holdings.join(accounts))
        .where(accounts.c.party_code == party_code, ~terminal)
    ).scalar_one()
    return int(total)
