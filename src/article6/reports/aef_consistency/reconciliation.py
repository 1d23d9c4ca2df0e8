"""Reconciliation (DR01–DR04): quantities balance per Party, per approach, per pair of Parties
(RULES.md 11.3; 2/CMA.3 annex paras 23 and 35)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator

from article6.domain.nomenclature import ActionType
from article6.domain.wording import Words, words
from article6.reports.aef_consistency.integrity import _sectors
from article6.reports.aef_consistency.model import (
    ENDING,
    AEFRow,
    Effect,
    Inconsistency,
    party_inconsistency,
)
from article6.reports.aef_consistency.world import UnitLife, World


def _balances(
    world: World, code: str, group: Callable[[AEFRow], Hashable], what: Words
) -> Iterator[Inconsistency]:
    """Per Party of the year and group: opening + authorized + acquired = transferred + used +
    cancelled + held, counted unit by unit over the year (`World.ledger`): each arrival and
    each departure counts (two departures of one day once), own units of a Party that reports
    no authorizations count as authorized in the year if not held before. Skipped for a Party
    whose previous year's AEF is not loaded (the opening is unknown)."""
    for aef in world.aefs:
        if aef.year != world.year or world.loaded(aef.party, aef.year - 1) is None:
            continue
        sides: dict[Hashable, list[int]] = defaultdict(lambda: [0, 0])
        rows: dict[Hashable, list[AEFRow]] = defaultdict(list)
        for life in world.ledger(aef.party, aef.year):
            key = group(life.segment.rows[0])
            arrived, left = _counts(life)
            sides[key][0] += arrived * life.segment.quantity
            sides[key][1] += left * life.segment.quantity
            if arrived != left:
                rows[key].extend((*(life.before or ()), *life.events, *life.after))
        for key, (arrived, left) in sides.items():
            if arrived != left:
                yield party_inconsistency(
                    code,
                    (aef.party,),
                    rows[key],
                    words(
                        "{party} {year}, {what} {key}: opening + authorized + acquired = {arrived}"
                        " but transferred + used + cancelled + held = {left}",
                        party=aef.party,
                        year=aef.year,
                        what=what,
                        key=key,
                        arrived=arrived,
                        left=left,
                    ),
                )


def _counts(life: UnitLife) -> tuple[int, int]:
    arrivals = sum(1 for e in life.events if e.effect is Effect.IN)
    departures = sum(1 for e in life.events if e.effect is Effect.OUT)
    opening = 1 if life.before else 0
    held = 1 if life.after else 0
    if life.implicit and not life.before and arrivals + opening < departures + held:
        arrivals += 1  # authorized in the year, unreported
    return opening + arrivals, departures + held


def dr01(world: World) -> Iterator[Inconsistency]:
    """DR01: per Party and per metric, sector and activity type (of the authorization),
    authorized + acquired = transferred + used + cancelled + held, over the year with the
    previous year-end holdings as opening balance."""

    def group(row: AEFRow) -> Hashable:
        found = world.authorization(row.authorization_key)
        if found is None:
            return words("{metric} / authorization not loaded", metric=row["metric"])
        return f"{row['metric']} / {_sectors(found)}"

    yield from _balances(world, "DR01", group, words("metric / sectors / activity types"))


def dr02(world: World) -> Iterator[Inconsistency]:
    """DR02: the balance of DR01 per cooperative approach."""
    yield from _balances(world, "DR02", lambda r: r["cooperative_approach_id"], words("approach"))


def dr03(world: World) -> Iterator[Inconsistency]:
    """DR03: per pair of Parties, approach, metric, sector and activity type, the quantity one
    reports transferring (first transfer or transfer) to the other in the year equals the
    quantity the other reports acquiring from it in the year; judged when both AEFs of the year
    are loaded. Grouping: (transferring Party, acquiring Party, approach, metric, sectors /
    activity types of the authorization)."""
    key: tuple[str, ...]
    sums: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0, 0])
    rows: dict[tuple[str, ...], list[AEFRow]] = defaultdict(list)
    for aef in world.aefs:
        if aef.year != world.year:
            continue
        for row in aef.rows(3):
            if row.units is None:
                continue
            if row.moves_to_party:
                pair, side = (row.party, row.to_party), 0
            elif row.action is ActionType.ACQUISITION and row.from_party:
                pair, side = (row.from_party, row.party), 1
            else:
                continue
            if any(world.loaded(p, world.year) is None for p in pair):
                continue
            found = world.authorization(row.authorization_key)
            key = (
                *pair,
                row["cooperative_approach_id"],
                row["metric"],
                _sectors(found) if found else "?",
            )
            sums[key][side] += row.units.quantity
            rows[key].append(row)
    for key, (transferred, acquired) in sums.items():
        if transferred != acquired:
            yield party_inconsistency(
                "DR03",
                key[:2],
                rows[key],
                words(
                    "{party} transferred {transferred} to {to} under {approach} ({metric},"
                    " {vintage}) in {year}, {to} acquired {acquired}",
                    party=key[0],
                    transferred=transferred,
                    to=key[1],
                    approach=key[2],
                    metric=key[3],
                    vintage=key[4],
                    year=world.year,
                    acquired=acquired,
                ),
            )


def dr04(world: World) -> Iterator[Inconsistency]:
    """DR04: per approach, the units used and cancelled are no more than those first
    transferred, each unit counted once over every loaded AEF; units of a first transferring
    Party with no loaded AEF are left out (their first transfer cannot be seen)."""
    ended: dict[str, int] = defaultdict(int)
    first: dict[str, int] = defaultdict(int)
    rows: dict[str, list[AEFRow]] = defaultdict(list)
    for segment in world.segments:
        endings = [
            r
            for r in segment.rows
            if r.table == 3 and r.action in ENDING and r.units and r.units.party in world.parties
        ]
        if not endings:
            continue
        approach = endings[0]["cooperative_approach_id"]
        ended[approach] += segment.quantity
        if any(r.action is ActionType.FIRST_TRANSFER for r in segment.rows):
            first[approach] += segment.quantity
        else:
            rows[approach].extend(endings)
    for approach, quantity in ended.items():
        if quantity > first[approach]:
            yield party_inconsistency(
                "DR04",
                (),
                rows[approach],
                words(
                    "{approach}: {quantity} units used or cancelled, {first} of them first"
                    " transferred",
                    approach=approach,
                    quantity=quantity,
                    first=first[approach],
                ),
            )
