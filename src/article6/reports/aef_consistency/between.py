"""Checks between reports and Parties (IRC01, IPC01): the AEFs serve the annual information
and agree with each other (RULES.md 11.3; 2/CMA.3 annex para 23(c)–(f), (h))."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator

from article6.domain.nomenclature import ActionType, Metric
from article6.domain.wording import Words, words
from article6.reports.aef_consistency.model import (
    UNIT_IDENTIFIER,
    AEFRow,
    Inconsistency,
    in_turn,
    inconsistency,
    integer,
    party_inconsistency,
)
from article6.reports.aef_consistency.world import World

_NUMBER = re.compile(r"^\d+(\.\d+)?$")


def derivation_problems(row: AEFRow) -> list[Words]:
    """What keeps a Table 3 or 4 row out of the annual aggregates."""
    problems: list[Words] = []
    if row.table == 3 and row.action is None:
        problems.append(
            words(
                "action type {action_type!r} is not one of the nomenclature's",
                action_type=row["action_type"],
            )
        )
    if row.units is None:
        first, last = row["first_id"], row["last_id"]
        if UNIT_IDENTIFIER.match(first) and UNIT_IDENTIFIER.match(last):
            problems.append(
                words(
                    "First ID {first} and Last ID {last} are not one range", first=first, last=last
                )
            )
        else:
            problems.append(
                words(
                    "First ID {first!r} and Last ID {last!r} do not name a range",
                    first=first,
                    last=last,
                )
            )
    elif row.quantity is None:
        problems.append(
            words("quantity {quantity!r} is not a whole number", quantity=row["quantity"])
        )
    elif row.quantity != row.units.quantity:
        problems.append(
            words(
                "quantity {quantity} is not the range's {units} units",
                quantity=row.quantity,
                units=row.units.quantity,
            )
        )
    if integer(row["vintage"]) is None or len(row["vintage"]) != 4:
        problems.append(words("vintage {vintage!r} is not a year", vintage=row["vintage"]))
    if row["metric"] not in (Metric.GHG, Metric.NON_GHG):
        problems.append(words("metric {metric!r} is not GHG or non-GHG", metric=row["metric"]))
    elif row["metric"] == Metric.NON_GHG and not _NUMBER.match(
        row["non_ghg_quantity"].replace(",", "")
    ):
        problems.append(
            words("non-GHG quantity {quantity!r} is not a number", quantity=row["non_ghg_quantity"])
        )
    if not row["cooperative_approach_id"]:
        problems.append(words("no cooperative approach"))
    return problems


def irc01(world: World) -> Iterator[Inconsistency]:
    """IRC01: the annual aggregates of 2/CMA.3 annex para 23(c)–(f), (h) (quantities first
    transferred, transferred, acquired, held, cancelled, used, by approach, vintage and
    metric) can be derived from the AEF.

    Interpretation: every Table 3 and Table 4 row can be counted: a known action type, a unit
    range (First ID ≤ Last ID, both full identifiers of one range or both serials), a quantity
    that is the range's size, a vintage year, a metric (with a non-GHG quantity when non-GHG)
    and an approach. A row that cannot is left out of every other check.
    """
    for aef in world.aefs:
        for table in (3, 4):
            for row in aef.rows(table):
                problems = derivation_problems(row)
                if problems:
                    yield inconsistency("IRC01", (row,), in_turn(problems))


def ipc01(world: World) -> Iterator[Inconsistency]:
    """IPC01: a transfer and its acquisition match in both Parties' reports.

    Interpretation: every unit a Party reports first transferring or transferring to another
    Party is reported by that Party as acquired from the first (and the reverse), in any loaded
    year of the counterpart (an action on 31/12 may be acquired on 1/1). Judged only when the
    counterpart's AEF for the row's year is loaded.
    """
    found: dict[int, Inconsistency] = {}
    for segment in world.segments:
        for row in segment.rows:
            if id(row) in found or row.table != 3:
                continue
            match: Callable[[AEFRow, AEFRow], bool]
            if row.moves_to_party:
                other, match = row.to_party, _acquisition_of
            elif row.action is ActionType.ACQUISITION and row.from_party:
                other, match = row.from_party, _transfer_of
            else:
                continue
            if world.loaded(other, row.aef.year) is None:
                continue
            if not any(match(row, candidate) for candidate in segment.rows):
                said = dict(other=other, party=row.party, action=row["action_type"])
                message = (
                    words(
                        "{other} reports no acquisition matching {party}'s {action} of these units",
                        **said,
                    )
                    if row.moves_to_party
                    else words(
                        "{other} reports no transfer matching {party}'s {action} of these units",
                        **said,
                    )
                )
                found[id(row)] = party_inconsistency("IPC01", (other,), (row,), message)
    yield from found.values()


def _acquisition_of(transfer: AEFRow, candidate: AEFRow) -> bool:
    return (
        candidate.action is ActionType.ACQUISITION
        and candidate.party == transfer.to_party
        and candidate.from_party == transfer.party
    )


def _transfer_of(acquisition: AEFRow, candidate: AEFRow) -> bool:
    return (
        candidate.moves_to_party
        and candidate.party == acquisition.from_party
        and candidate.to_party == acquisition.party
    )
