"""The journal as witness of the marks on unit ranges.

A mark stops units moving, so whoever can write the database could otherwise free marked units
(`UPDATE unit_marks SET lifted_at = …`), mark others, or change what a mark says, and nothing
would show it. Every mark and every lift is made through the services with its journal entry
(`UnitsMarked`, `UnitMarkLifted`); replayed in order they give the marks the table must hold.
"""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import Connection, select

from article6.domain.access import name_in
from article6.store.journal_witness import journal_entries
from article6.store.schema import unit_marks

WITNESSING = ("UnitsMarked", "UnitMarkLifted")
MOST_DIFFERENCES = 10


def _journaled(connection: Connection) -> dict[int, tuple[Any, ...]]:
    found: dict[int, tuple[Any, ...]] = {}
    for page in journal_entries(connection, WITNESSING):
        for row in page:
            body = json.loads(row.body)
            if row.event == "UnitsMarked":
                found[int(body["mark"])] = (
                    body["registry"],
                    int(body["first"]),
                    int(body["last"]),
                    body["inconsistency_code"],
                    body["reason"],
                    body["source"],
                    name_in(row.actor),
                    None,
                    None,
                )
            elif int(body["mark"]) in found:
                mark = found[int(body["mark"])]
                found[int(body["mark"])] = (*mark[:7], name_in(row.actor), body["reason"])
    return found


def _held(connection: Connection) -> dict[int, tuple[Any, ...]]:
    rows = connection.execute(select(unit_marks).order_by(unit_marks.c.id))
    return {
        int(row.id): (
            row.registry_id,
            int(row.serial_first),
            int(row.serial_last),
            row.inconsistency_code,
            row.reason,
            row.source,
            row.marked_by,
            row.lifted_by if row.lifted_at is not None else None,
            row.lift_reason if row.lifted_at is not None else None,
        )
        for row in rows
    }


def marks_witness(connection: Connection) -> list[str]:
    """Each mark as the journal tells it, against the table; empty when they agree."""
    journaled, held = _journaled(connection), _held(connection)
    problems = []
    for mark_id in sorted(journaled.keys() | held.keys()):
        told, kept = journaled.get(mark_id), held.get(mark_id)
        if told == kept:
            continue
        if told is None:
            problems.append(f"mark {mark_id} is in unit_marks but no journal entry made it")
        elif kept is None:
            problems.append(f"mark {mark_id} of the journal is missing from unit_marks")
        else:
            problems.append(f"mark {mark_id} differs from its journal entries: {kept} != {told}")
    return problems[:MOST_DIFFERENCES]
