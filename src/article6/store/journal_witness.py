"""The journal as witness of the history replay reads.

Replay rebuilds the live tables from `transactions` and `transaction_blocks`; those are
append-only by database triggers, but not hash-chained, so someone who drops the triggers could
rewrite them together with the live tables. The journal is chained, and its head is signed and
kept outside the database (checkpoints). Each completed movement's entry names the ranges it
moved (registry, serials, state after, first-transfer subtype) and the destination account; an
issuance's entry names its range, account, state and vintage; an acquisition's its ranges and
account. Here every such entry is compared with the moved ranges of its transaction.

Entries are read in keyset pages of the journal; each page's transactions in one query.
Transactions without an entry (loaded in bulk, not through the services) are not looked for.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, select

from article6.store.schema import accounts, journal, transaction_blocks, transactions

PAGE = 5000
WITNESSING = ("TransactionCompleted", "UnitsIssued", "UnitsAcquired")
MOST_DIFFERENCES = 10


def journal_entries(connection: Connection, events: Sequence[str]) -> Iterator[Sequence[Any]]:
    """The journal's entries of these events, in keyset pages in the order of the chain."""
    last = 0
    query = (
        select(journal.c.seq, journal.c.actor, journal.c.event, journal.c.subject, journal.c.body)
        .where(journal.c.event.in_(events))
        .order_by(journal.c.seq)
        .limit(PAGE)
    )
    while True:
        rows = connection.execute(query.where(journal.c.seq > last)).all()
        if rows:
            yield rows
        if len(rows) < PAGE:
            return
        last = rows[-1].seq


def _moved(connection: Connection, identifiers: list[str]) -> dict[str, list[Any]]:
    found: dict[str, list[Any]] = {}
    rows = connection.execute(
        select(
            transactions.c.identifier,
            accounts.c.identifier.label("destination"),
            transaction_blocks.c.registry_id,
            transaction_blocks.c.serial_first,
            transaction_blocks.c.serial_last,
            transaction_blocks.c.to_state,
            transaction_blocks.c.first_transfer_subtype,
            transaction_blocks.c.vintage,
        )
        .select_from(
            transaction_blocks.join(transactions).outerjoin(
                accounts, accounts.c.id == transactions.c.destination_account_id
            )
        )
        .where(transactions.c.identifier.in_(identifiers))
        .order_by(transaction_blocks.c.id)
    )
    for row in rows:
        found.setdefault(row.identifier, []).append(row)
    return found


def _witnessed(event: str, body: dict[str, Any]) -> tuple[str | None, list[list[Any]]]:
    """(destination account, sorted ranges) as the entry tells them."""
    if event == "UnitsIssued":
        return body.get("account"), [
            [body.get("first"), body.get("last"), body.get("state"), body.get("vintage")]
        ]
    if event == "UnitsAcquired":
        return body.get("account"), sorted([r[0], r[1], r[2]] for r in body.get("ranges", []))
    ranges = sorted([r[0], r[1], r[2], r[3], r[4]] for r in body.get("ranges", []))
    return body.get("destination"), ranges


def _recorded(event: str, rows: list[Any]) -> tuple[str | None, list[list[Any]]]:
    """(destination account, sorted ranges) as the moved ranges hold them."""
    destination = rows[0].destination if rows else None
    if event == "UnitsIssued":
        return destination, [
            [r.serial_first, r.serial_last, r.to_state, r.vintage] for r in rows[:1]
        ]
    if event == "UnitsAcquired":
        return destination, sorted([r.registry_id, r.serial_first, r.serial_last] for r in rows)
    return destination, sorted(
        [r.registry_id, r.serial_first, r.serial_last, r.to_state, r.first_transfer_subtype]
        for r in rows
    )


def witness(connection: Connection) -> list[str]:
    """A sentence for each transaction whose moved ranges are not what its journal entry says."""
    problems: list[str] = []
    for page in journal_entries(connection, WITNESSING):
        moved = _moved(connection, sorted({row.subject for row in page if row.subject}))
        for row in page:
            told = _witnessed(row.event, json.loads(row.body))
            held = _recorded(row.event, moved.get(row.subject, []))
            if told != held:
                problems.append(
                    f"history: the moved ranges of {row.subject} are not what journal entry "
                    f"{row.seq} ({row.event}) records: {_first_difference(told, held)}"
                )
                if len(problems) >= MOST_DIFFERENCES:
                    return problems
    return problems


def _first_difference(
    told: tuple[str | None, list[list[Any]]], held: tuple[str | None, list[list[Any]]]
) -> str:
    if told[0] != held[0]:
        return f"the journal names account {told[0]}, the history {held[0]}"
    return f"the journal has {told[1]}, the history {held[1]}"
