"""ITMO integrity (II01–II07): what an ITMO is and who reports it never changes over its life
(RULES.md 11.3; 2/CMA.3 annex paras 18, 20(a) and 29–35 on tracking, 6/CMA.4 annex I para 5
on the unique identifier).

Checks that follow a unit through its life read `World.segments`: each elementary range of
serials with the rows (of every loaded AEF, Tables 3 and 4) that cover it.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Hashable, Iterator

from article6.domain.nomenclature import ActionType
from article6.domain.wording import Words, words
from article6.reports.aef_consistency.model import (
    ENDING,
    UNIT_IDENTIFIER,
    AEFRow,
    Inconsistency,
    in_turn,
    inconsistency,
    integer,
)
from article6.reports.aef_consistency.world import World, listed
from article6.reports.aef_spec import NA


def differing(
    world: World, code: str, attribute: Callable[[AEFRow], Hashable | None], what: Words
) -> Iterator[Inconsistency]:
    """Rows covering the same units that disagree on `attribute` (None: the row says nothing),
    one finding per disagreement (the first row of each value names it)."""
    seen: set[frozenset[int]] = set()
    for segment in world.segments:
        values: dict[Hashable, list[AEFRow]] = defaultdict(list)
        for row in segment.rows:
            value = attribute(row)
            if value is not None:
                values[value].append(row)
        if len(values) < 2:
            continue
        rows = [r for group in values.values() for r in group]
        key = frozenset(id(group[0]) for group in values.values())
        if key in seen:
            continue
        seen.add(key)
        shown = in_turn(v if isinstance(v, str) else str(v) for v in values)
        yield inconsistency(
            code,
            rows,
            words("the same units have different {what}: {shown}", what=what, shown=shown),
        )


def ii01(world: World) -> Iterator[Inconsistency]:
    """II01: a Party reports only cooperative approaches it participates in.

    Interpretation: a Party participates in an approach if one of its loaded Table 2 rows names
    it, or the latest version of another Party's authorization under it lists the Party among
    the authorized Parties or leaves that field blank (any Party, 4/CMA.6 annex II Table 2
    field 12). An approach no loaded Table 2 names can be judged only for units the reporting
    Party itself first transfers (it must have authorized them). Tables 3, 4 and 5 are read.
    """
    participants: dict[str, set[str]] = defaultdict(set)
    open_to_all: set[str] = set()
    for (party, approach, _), versions in world.authorizations.items():
        participants[approach].add(party)
        named = listed(versions[-1]["authorized_parties"])
        if named:
            participants[approach].update(p.upper() for p in named)
        else:
            open_to_all.add(approach)
    for aef in world.aefs:
        outside: dict[str, list[AEFRow]] = defaultdict(list)
        for table in (3, 4, 5):
            for row in aef.rows(table):
                approach = row["cooperative_approach_id"]
                if not approach or approach in open_to_all:
                    continue
                if approach in participants:
                    if aef.party not in participants[approach]:
                        outside[approach].append(row)
                elif table != 5 and row.authorization_key[0] == aef.party:
                    outside[approach].append(row)
        for approach, rows in outside.items():
            yield inconsistency(
                "II01",
                rows,
                words(
                    "{party} reports {approach} but neither authorized it nor is named an"
                    " authorized Party of it",
                    party=aef.party,
                    approach=approach,
                ),
            )


ONCE = frozenset({ActionType.AUTHORIZATION, ActionType.FIRST_TRANSFER, *ENDING})


def ii02(world: World) -> Iterator[Inconsistency]:
    """II02: the same action on the same ITMOs is reported only once across all reports and
    Parties.

    Interpretation: a unit is authorized, first transferred, used or cancelled (each type on
    its own) at most once in its life, whoever reports it and in whichever year; a transfer or
    acquisition may recur, so two of them are the same action only if the same Party reports
    the same type, date and counterpart on the same units.
    """
    seen: set[frozenset[int]] = set()
    for segment in world.segments:
        actions: dict[tuple[str, ...], list[AEFRow]] = defaultdict(list)
        for row in segment.rows:
            if row.table != 3 or row.action is None:
                continue
            if row.action in ONCE:
                key: tuple[str, ...] = (row.action.value,)
            else:
                key = (
                    row.action.value,
                    row.party,
                    row["action_date"],
                    row.to_party,
                    row.from_party,
                )
            actions[key].append(row)
        for key, rows in actions.items():
            if len(rows) < 2:
                continue
            ids = frozenset(id(r) for r in rows)
            if ids in seen:
                continue
            seen.add(ids)
            yield inconsistency(
                "II02",
                rows,
                words(
                    "the same {action} of the same units is reported {times} times",
                    action=key[0],
                    times=len(rows),
                ),
            )


def ii03(world: World) -> Iterator[Inconsistency]:
    """II03: an ITMO's sector and activity type stay the same throughout its life.

    Interpretation: an ITMO's sectors and activity types are those of the authorization it is
    reported under (Table 2 fields 9 and 10, looked up by authorizing Party, approach and
    authorization ID); the rows covering the same units must point to authorizations that
    agree, and the versions of one authorization under which units are reported must agree.
    """

    def scope(row: AEFRow) -> Hashable | None:
        found = world.authorization(row.authorization_key)
        if found is None:
            return None
        return _sectors(found)

    yield from differing(world, "II03", scope, words("sectors and activity types"))
    used = {row.authorization_key for row in world.unit_rows}
    for key, versions in world.authorizations.items():
        scopes = {_sectors(v) for v in versions}
        if key in used and len(scopes) > 1:
            yield inconsistency(
                "II03",
                versions,
                words(
                    "the versions of authorization {authorization} ({approach}) change the"
                    " sectors or activity types of units already reported under it",
                    authorization=key[2],
                    approach=key[1],
                ),
            )


def _sectors(row: AEFRow) -> str:
    sectors = ", ".join(_as_written(row["sectors"]))
    activities = ", ".join(_as_written(row["activity_types"]))
    return f"{sectors or '-'} / {activities or '-'}"


def _as_written(text: str) -> list[str]:
    """A multi-valued cell's values as written, in a canonical order."""
    if not text or text == NA:
        return []
    values = {p.strip().lower(): p.strip() for p in re.split(r"[;,]", text) if p.strip()}
    return [values[k] for k in sorted(values)]


def ii04(world: World) -> Iterator[Inconsistency]:
    """II04: an ITMO's metric stays the same: every row covering the same units gives the same
    metric, and it is the metric of the authorization the row names (Table 2 field 6)."""
    yield from differing(world, "II04", lambda r: r["metric"] or None, words("metrics"))
    for row in world.unit_rows:
        found = world.authorization(row.authorization_key, row.date)
        if (
            found is not None
            and found["metric"]
            and row["metric"]
            and found["metric"] != row["metric"]
        ):
            yield inconsistency(
                "II04",
                (row, found),
                words(
                    "the row's metric {metric} is not its authorization's {authorized}",
                    metric=row["metric"],
                    authorized=found["metric"],
                ),
            )


def ii05(world: World) -> Iterator[Inconsistency]:
    """II05: an ITMO's underlying units stay the same: rows covering the same units name the
    same underlying registry and the same underlying unit for each serial (the offset between
    First unit ID and First ID), or all say NA."""

    def underlying(row: AEFRow) -> Hashable | None:
        registry = row["underlying_registry"]
        if not registry:
            return None
        if registry == NA:
            return words("no underlying unit")
        first = integer(row["first_unit_id"])
        units = row.units
        if first is None or units is None:
            return words("{registry} (unit IDs unreadable)", registry=registry)
        return words(
            "{registry} unit = serial {offset:+d}", registry=registry, offset=first - units.first
        )

    yield from differing(world, "II05", underlying, words("underlying units"))


def ii06(world: World) -> Iterator[Inconsistency]:
    """II06: the using or cancelling Party or entity is covered by the authorization.

    Interpretation: on a use or cancellation (and a first transfer at use or cancellation), the
    using Party is field 23, or the reporting Party for a use towards its NDC; it must be the
    authorizing Party or one of the authorized Parties (Table 2 field 12; blank: any Party).
    The using entity (field 24) must be one of the authorized entities (field 13; blank: any),
    compared by ID or name, case-insensitively. The authorization is the version in force on
    the action date.
    """
    for row in world.unit_rows:
        if row.table != 3 or not (
            row.action in ENDING
            or (row.action is ActionType.FIRST_TRANSFER and row["using_party"] not in ("", NA))
        ):
            continue
        key = row.authorization_key
        found = world.authorization(key, row.date)
        if found is None:
            continue
        party = row["using_party"]
        if party in ("", NA):
            party = row.party if row.action is ActionType.USE else ""
        parties = listed(found["authorized_parties"])
        if party and parties and party.lower() not in parties and party != key[0]:
            yield inconsistency(
                "II06",
                (row, found),
                words("{party} uses or cancels units it is not authorized for", party=party),
            )
        entity = row["using_entity"]
        entities = listed(found["authorized_entities"])
        if entity not in ("", NA) and entities and entity.lower() not in entities:
            yield inconsistency(
                "II06",
                (row, found),
                words(
                    "the entity {entity} uses or cancels units it is not authorized for",
                    entity=entity,
                ),
            )


def ii07(world: World) -> Iterator[Inconsistency]:
    """II07: an ITMO's cooperative approach stays the same: the approach of every row covering
    the same units is the same, and it is the approach in the unique identifier's prefix."""
    for row in world.unit_rows:
        written = UNIT_IDENTIFIER.match(row["first_id"])
        if written and written[1] != row["cooperative_approach_id"]:
            yield inconsistency(
                "II07",
                (row,),
                words(
                    "the row says {approach} but its unit identifiers begin with {written}",
                    approach=row["cooperative_approach_id"],
                    written=written[1],
                ),
            )
    yield from differing(
        world,
        "II07",
        lambda r: r["cooperative_approach_id"] or None,
        words("cooperative approaches"),
    )
