"""Ledger invariants as code: recomputed by `article6 journal verify`, the tests and
reconciliation. Each returns sentences describing what is wrong; an empty list means sound."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, and_, case, func, select

from article6.domain.accounts import AccountKind
from article6.store.identity_witness import identity_witness
from article6.store.journal import verify_chain
from article6.store.journal_witness import witness
from article6.store.replay_compare import replay
from article6.store.schema import accounts, holdings, transaction_blocks, transactions, unit_blocks
from article6.store.unit_marks_witness import marks_witness

SIZE = unit_blocks.c.serial_last - unit_blocks.c.serial_first + 1
MOVED = transaction_blocks.c.serial_last - transaction_blocks.c.serial_first + 1


def _moved(connection: Connection, kind: str) -> int:
    """Units in the moved ranges of completed transactions of one kind."""
    return int(
        connection.execute(
            select(func.coalesce(func.sum(MOVED), 0))
            .select_from(transaction_blocks.join(transactions))
            .where(and_(transactions.c.kind == kind, transactions.c.status == "completed"))
        ).scalar_one()
    )


def conservation(connection: Connection) -> list[str]:
    """Units issued + acquired from other registries + held at the end of an imported history
    = units held + used + cancelled + transferred out to other registries (every unit still
    here is in one block)."""
    issued = _moved(connection, "issuance") + _moved(connection, "acquisition")
    issued += _moved(connection, "history_import")
    issued -= _moved(connection, "external_transfer")
    in_blocks = connection.execute(select(func.coalesce(func.sum(SIZE), 0))).scalar_one()
    if int(issued) != int(in_blocks):
        return [
            f"conservation: {issued} units issued or acquired and not transferred out, "
            f"but {in_blocks} units in blocks"
        ]
    return []


def holdings_match_blocks(connection: Connection) -> list[str]:
    blocks = (
        select(
            unit_blocks.c.account_id,
            func.sum(SIZE).label("held"),
            func.sum(case((unit_blocks.c.reserved_by.is_not(None), SIZE), else_=0)).label(
                "reserved"
            ),
        )
        .group_by(unit_blocks.c.account_id)
        .subquery()
    )
    rows = connection.execute(
        select(
            holdings.c.account_id,
            holdings.c.quantity,
            holdings.c.reserved,
            func.coalesce(blocks.c.held, 0),
            func.coalesce(blocks.c.reserved, 0),
        ).select_from(holdings.outerjoin(blocks, blocks.c.account_id == holdings.c.account_id))
    )
    problems = []
    for account_id, quantity, reserved, held, held_reserved in rows:
        if int(quantity) != int(held) or int(reserved) != int(held_reserved):
            problems.append(
                f"account {account_id}: holding {quantity} (reserved {reserved}) but "
                f"blocks hold {held} (reserved {held_reserved})"
            )
    orphans = connection.execute(
        select(func.count())
        .select_from(unit_blocks)
        .where(unit_blocks.c.account_id.not_in(select(holdings.c.account_id)))
    ).scalar_one()
    if orphans:
        problems.append(f"{orphans} blocks are in accounts without a holding")
    return problems


def _overlapping(ranges: Any) -> Any:
    """Ranges that start at or before the end of the previous range of the same registry."""
    previous = func.lag(ranges.c.serial_last).over(
        partition_by=ranges.c.registry_id, order_by=ranges.c.serial_first
    )
    ordered = select(
        ranges.c.registry_id, ranges.c.serial_first, previous.label("previous_last")
    ).subquery()
    return (
        select(ordered.c.registry_id, ordered.c.serial_first)
        .where(
            and_(
                ordered.c.previous_last.is_not(None),
                ordered.c.serial_first <= ordered.c.previous_last,
            )
        )
        .limit(20)
    )


def no_overlaps(connection: Connection) -> list[str]:
    rows = connection.execute(_overlapping(unit_blocks)).all()
    return [f"overlap in {r.registry_id} at serial {r.serial_first}" for r in rows]


def states_match_accounts(connection: Connection) -> list[str]:
    """Every block's state is the one its account kind holds; nothing left a terminal account."""
    problems = []
    rows = connection.execute(
        select(accounts.c.kind, unit_blocks.c.state, func.count())
        .select_from(unit_blocks.join(accounts))
        .group_by(accounts.c.kind, unit_blocks.c.state)
    )
    for kind, state, count in rows:
        if AccountKind(kind).holds.value != state:
            problems.append(f"{count} blocks in state {state} sit in {kind} accounts")
    terminal = [k.value for k in AccountKind if k.terminal]
    left = connection.execute(
        select(func.count())
        .select_from(transactions.join(accounts, accounts.c.id == transactions.c.source_account_id))
        .where(
            and_(
                accounts.c.kind.in_(terminal),
                transactions.c.status.in_(("completed", "awaiting_approval")),
            )
        )
    )
    count = left.scalar_one()
    if count:
        problems.append(f"{count} transactions took units out of a use or cancellation account")
    return problems


def first_transfers_once(connection: Connection) -> list[str]:
    """No unit is first transferred twice, and every first-transferred block is on record."""
    problems = []
    ranges = (
        select(
            transaction_blocks.c.registry_id,
            transaction_blocks.c.serial_first,
            transaction_blocks.c.serial_last,
        )
        .select_from(transaction_blocks.join(transactions))
        .where(
            and_(
                transaction_blocks.c.first_transfer_subtype.is_not(None),
                transactions.c.status == "completed",
            )
        )
        .subquery()
    )
    rows = connection.execute(_overlapping(ranges)).all()
    problems += [
        f"units of {r.registry_id} from serial {r.serial_first} were first transferred twice"
        for r in rows
    ]
    recorded = connection.execute(
        select(func.coalesce(func.sum(ranges.c.serial_last - ranges.c.serial_first + 1), 0))
    ).scalar_one()
    flagged = connection.execute(
        select(func.coalesce(func.sum(SIZE), 0)).where(unit_blocks.c.first_transferred.is_(True))
    ).scalar_one()
    # Units acquired from, or transferred out to, other registries are all first transferred.
    recorded += _moved(connection, "acquisition") - _moved(connection, "external_transfer")
    if int(recorded) != int(flagged):
        problems.append(
            f"{flagged} units are marked first transferred but {recorded} first "
            f"transfers are on record"
        )
    return problems


def reservations_consistent(connection: Connection) -> list[str]:
    rows = connection.execute(
        select(
            transactions.c.identifier,
            transactions.c.status,
            transactions.c.quantity,
            func.coalesce(func.sum(SIZE), 0),
        )
        .select_from(
            transactions.outerjoin(unit_blocks, unit_blocks.c.reserved_by == transactions.c.id)
        )
        .where(
            transactions.c.status.in_(
                ("awaiting_approval", "awaiting_acceptance", "proposed", "checked")
            )
        )
        .group_by(
            transactions.c.id,
            transactions.c.identifier,
            transactions.c.status,
            transactions.c.quantity,
        )
    )
    problems = [
        f"pending {identifier} reserves {reserved} units, not {quantity}"
        for identifier, _status, quantity, reserved in rows
        if int(reserved) != int(quantity)
    ]
    stray = connection.execute(
        select(func.count())
        .select_from(unit_blocks.join(transactions, transactions.c.id == unit_blocks.c.reserved_by))
        .where(transactions.c.status.in_(("completed", "rejected", "terminated", "cancelled")))
    ).scalar_one()
    if stray:
        problems.append(f"{stray} blocks stay reserved by finished transactions")
    return problems


def ledger(connection: Connection) -> list[str]:
    return (
        conservation(connection)
        + holdings_match_blocks(connection)
        + no_overlaps(connection)
        + states_match_accounts(connection)
        + first_transfers_once(connection)
        + reservations_consistent(connection)
    )


def everything(connection: Connection) -> list[str]:
    """The invariants, the history replayed against the live tables, the history, who may act
    and the marks on units against the journal's record of them, and the chain."""
    return (
        ledger(connection)
        + replay(connection)
        + witness(connection)
        + identity_witness(connection)
        + marks_witness(connection)
        + verify_chain(connection)
    )
