"""Checks within a Party's submissions (ISC01–ISC04): its year's Table 3 carries its holdings
from the previous year's Table 4 to this year's (RULES.md 11.3; 2/CMA.3 annex paras 20(a) and
23 on annual information, 4/CMA.6 annex II Table 4).

Each reads `World.ledger(party, year)`: per segment of the Party's units, the previous year's
holding, the year's arrivals (authorization, acquisition) and departures (transfer, first
transfer to another Party, use, cancellation) in date order, and the year-end holding.
Interpretation shared by all four: a Party that reports no "Authorization" rows (older
submissions) holds its own units (it is their first transferring Party) without reporting how
they arrived; a check that needs the previous year's Table 4 is skipped for a Party whose
previous year's AEF is not loaded.
"""

from __future__ import annotations

from collections.abc import Iterator

from article6.domain.wording import Words, words
from article6.reports.aef_consistency.model import Effect, Inconsistency, party_inconsistency
from article6.reports.aef_consistency.world import UnitLife, World


def _checked(world: World) -> Iterator[tuple[str, UnitLife]]:
    for aef in world.aefs:
        if aef.year == world.year:
            for life in world.ledger(aef.party, aef.year):
                yield aef.party, life


def _units(life: UnitLife) -> Words:
    segment = life.segment
    return words(
        "{registry} serials {first}-{last} ({quantity} units)",
        registry=segment.registry,
        first=segment.first,
        last=segment.last,
        quantity=segment.quantity,
    )


def final(life: UnitLife) -> bool | None:
    """Whether the year's actions leave the units held (None: no action, unknown opening)."""
    if life.events:
        return life.events[-1].effect is Effect.IN
    return life.opening


def isc01(world: World) -> Iterator[Inconsistency]:
    """ISC01: the year-end holdings include every ITMO authorized or acquired in the year and
    not then used, cancelled or transferred (the last of its year's actions is an arrival)."""
    for party, life in _checked(world):
        if life.events and life.events[-1].effect is Effect.IN and not life.after:
            yield party_inconsistency(
                "ISC01",
                (party,),
                (life.events[-1],),
                words(
                    "{party}'s holdings leave out {units} it last acquired or authorized",
                    party=party,
                    units=_units(life),
                ),
            )


def isc02(world: World) -> Iterator[Inconsistency]:
    """ISC02: every ITMO held at the end of the previous year is held again, or used,
    cancelled or transferred in this year."""
    for party, life in _checked(world):
        if life.before and not life.after and not any(e.effect is Effect.OUT for e in life.events):
            yield party_inconsistency(
                "ISC02",
                (party,),
                life.before,
                words(
                    "{party} held {units} at the end of {previous} and reports neither holding nor"
                    " moving them in {year}",
                    party=party,
                    units=_units(life),
                    previous=world.year - 1,
                    year=world.year,
                ),
            )


def isc03(world: World) -> Iterator[Inconsistency]:
    """ISC03: the new holdings are the previous holdings plus this year's actions: replaying the
    year's arrivals and departures on the previous Table 4 gives exactly this Table 4, unit by
    unit (skipped without the previous year's AEF)."""
    for party, life in _checked(world):
        if life.before is None:
            continue
        expected = final(life)
        if expected is None or expected == bool(life.after):
            continue
        if life.implicit and not life.events and not life.before:
            continue  # own units authorized in the year, unreported (see the module)
        rows = (*life.before, *life.events, *life.after)
        said = dict(party=party, units=_units(life), year=world.year)
        message = (
            words(
                "{party} holds {units} at the end of {year}, which its previous holdings and this"
                " year's actions do not give",
                **said,
            )
            if life.after
            else words(
                "{party} does not hold {units} at the end of {year}, which its previous"
                " holdings and this year's actions do not give",
                **said,
            )
        )
        yield party_inconsistency("ISC03", (party,), rows, message)


def isc04(world: World) -> Iterator[Inconsistency]:
    """ISC04: no transfer (or use or cancellation) of ITMOs not held at the time: held at the
    end of the previous year, or acquired or authorized in the year before the departure.
    Without the previous year's AEF only a departure after a departure is judged."""
    for party, life in _checked(world):
        held = life.opening
        for event in life.events:
            if event.effect is Effect.IN:
                held = True
                continue
            if held is False:
                yield party_inconsistency(
                    "ISC04",
                    (party,),
                    (*(life.before or ()), event),
                    words(
                        "{party} reports a {action} of {units} it did not hold, acquire or"
                        " authorize before",
                        party=party,
                        action=event["action_type"],
                        units=_units(life),
                    ),
                )
            held = False
