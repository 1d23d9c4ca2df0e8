"""Progression checks (IP01–IP04): an ITMO's life runs in the order and within the scope its
authorization sets, across every loaded AEF of every Party and year (RULES.md 11.3; 2/CMA.3
annex paras 1(f), 2, 18 and 20(a))."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from article6.domain.nomenclature import ActionType, FirstTransferDefinition
from article6.domain.wording import words
from article6.reports.aef_consistency.model import (
    ENDING,
    AEFRow,
    Inconsistency,
    day,
    inconsistency,
    integer,
)
from article6.reports.aef_consistency.single_table import needed_purpose
from article6.reports.aef_consistency.world import Segment, World, timeframe_years


def _came_in(segment: Segment, row: AEFRow) -> bool:
    """Whether the row's Party had the segment's units before the row's action: an acquisition
    or authorization it reports dated no later, or a year-end holding of an earlier year."""
    when = row.date or date.max
    for other in segment.rows:
        if other.party != row.party or other is row:
            continue
        if other.table == 4 and other.aef.year < row.aef.year:
            return True
        if (
            other.action in (ActionType.ACQUISITION, ActionType.AUTHORIZATION)
            and (other.date or date.max) <= when
        ):
            return True
    return False


def _first_transferred(segment: Segment, row: AEFRow) -> bool:
    when = row.date or date.max
    return any(
        other.action is ActionType.FIRST_TRANSFER
        and other.party == row.party
        and (other.date or date.max) <= when
        for other in segment.rows
    )


def _authorized(world: World, row: AEFRow) -> Inconsistency | None:
    """The row's own units need an authorization in a loaded Table 2, dated no later."""
    key = row.authorization_key
    versions = world.authorizations.get(key)
    if versions is None:
        if key[0] not in world.authorizing_parties:
            return None  # the authorizing Party's Table 2 is not loaded
        message = words(
            "authorization {authorization} ({approach}) is in no Table 2 of {party}",
            authorization=key[2],
            approach=key[1],
            party=key[0],
        )
        return inconsistency(code_for(row), (row,), message)
    first = min((day(v["date_of_authorization"]) or date.max) for v in versions)
    if row.date is not None and first > row.date:
        return inconsistency(
            code_for(row),
            (row, versions[0]),
            words(
                "{action} on {day} before its authorization of {authorized}",
                action=row["action_type"],
                day=row["action_date"],
                authorized=versions[0]["date_of_authorization"],
            ),
        )
    return None


def code_for(row: AEFRow) -> str:
    return "IP02" if row.action in ENDING or needed_purpose(row) else "IP01"


def _seen(found: dict[int, Inconsistency], row: AEFRow, finding: Inconsistency | None) -> None:
    if finding is not None and id(row) not in found:
        found[id(row)] = finding


def ip01(world: World) -> Iterator[Inconsistency]:
    """IP01: transferred ITMOs were authorized and/or acquired first. A first transfer or
    transfer to another Party of the Party's own units follows their authorization (Table 2,
    dated no later); of other units, their acquisition by the Party (or a year-end holding of
    an earlier year)."""
    found: dict[int, Inconsistency] = {}
    for segment in world.segments:
        for row in segment.rows:
            if not row.moves_to_party or id(row) in found:
                continue
            units = row.units
            if units is None:
                continue
            if units.party == row.party:
                _seen(found, row, _authorized(world, row))
            elif not _came_in(segment, row):
                _seen(
                    found,
                    row,
                    inconsistency(
                        "IP01",
                        (row,),
                        words(
                            "{party} transfers units it had not acquired before {day}",
                            party=row.party,
                            day=row["action_date"],
                        ),
                    ),
                )
    yield from found.values()


def ip02(world: World) -> Iterator[Inconsistency]:
    """IP02: used or cancelled ITMOs were authorized, and acquired first if another Party first
    transferred them (an authorization is judged only when its Party's Table 2 is loaded)."""
    found: dict[int, Inconsistency] = {}
    for segment in world.segments:
        for row in segment.rows:
            if row.table != 3 or not (row.action in ENDING or needed_purpose(row)):
                continue
            if id(row) in found:
                continue
            units = row.units
            if units is None:
                continue
            if units.party == row.party:
                _seen(found, row, _authorized(world, row))
            elif not _came_in(segment, row):
                _seen(
                    found,
                    row,
                    inconsistency(
                        "IP02",
                        (row,),
                        words(
                            "{party} uses or cancels units of {owner} it had not acquired",
                            party=row.party,
                            owner=units.party,
                        ),
                    ),
                )
    yield from found.values()


def ip03(world: World) -> Iterator[Inconsistency]:
    """IP03: first transfers are reported as such. The first transferring Party's transfer of
    its units to another Party, before any first transfer of them, is their first transfer;
    so is its use or cancellation for OIMP of units whose authorization defines the first
    transfer at use or cancellation (2/CMA.3 annex para 2(b))."""
    found: dict[int, Inconsistency] = {}
    for segment in world.segments:
        for row in segment.rows:
            units = row.units
            if row.table != 3 or units is None or units.party != row.party or id(row) in found:
                continue
            if row.action is ActionType.TRANSFER and row.to_party:
                if not _first_transferred(segment, row):
                    found[id(row)] = inconsistency(
                        "IP03",
                        (row,),
                        words(
                            "{party} reports the first transfer of its units to {to} as a Transfer",
                            party=row.party,
                            to=row.to_party,
                        ),
                    )
            elif row.action in ENDING and needed_purpose(row) in ("IMP", "OP"):
                authorization = world.authorization(row.authorization_key, row.date)
                if (
                    authorization is not None
                    and authorization["first_transfer_definition"]
                    == FirstTransferDefinition.USE_OR_CANCELLATION
                    and not _first_transferred(segment, row)
                ):
                    found[id(row)] = inconsistency(
                        "IP03",
                        (row, authorization),
                        words(
                            "{action} of units first transferred at use or cancellation, with no"
                            " first transfer reported",
                            action=row["action_type"],
                        ),
                    )
    yield from found.values()


def ip04(world: World) -> Iterator[Inconsistency]:
    """IP04: a use or cancellation stays within its authorization's scope: the action date (and
    a use's NDC year) within the authorized timeframe (field 15, read as the lowest and highest
    year it names), and the units used or cancelled under one authorization, counted once each
    over every loaded AEF, within its authorized quantity (field 5, latest version)."""
    for row in world.unit_rows:
        if row.table != 3 or row.action not in ENDING:
            continue
        authorization = world.authorization(row.authorization_key, row.date)
        if authorization is None:
            continue
        frame = timeframe_years(authorization["timeframe"])
        years = [y for y in (row.date.year if row.date else None, integer(row["ndc_year"])) if y]
        if frame and any(not frame[0] <= y <= frame[1] for y in years):
            yield inconsistency(
                "IP04",
                (row, authorization),
                words(
                    "{action} outside the authorized timeframe {first}-{last}",
                    action=row["action_type"],
                    first=frame[0],
                    last=frame[1],
                ),
            )
    ended: dict[tuple[str, str, str], int] = defaultdict(int)
    rows: dict[tuple[str, str, str], list[AEFRow]] = defaultdict(list)
    for segment in world.segments:
        keys = {r.authorization_key for r in segment.rows if r.table == 3 and r.action in ENDING}
        for key in keys:
            ended[key] += segment.quantity
            rows[key].extend(
                r for r in segment.rows if r.action in ENDING and r.authorization_key == key
            )
    for key, quantity in ended.items():
        authorization = world.authorization(key)
        limit = integer(authorization["authorized_quantity"]) if authorization else None
        if authorization is not None and limit is not None and quantity > limit:
            yield inconsistency(
                "IP04",
                (authorization, *rows[key]),
                words(
                    "{quantity} units used or cancelled under authorization {authorization}, more"
                    " than the {limit} authorized",
                    quantity=quantity,
                    authorization=key[2],
                    limit=limit,
                ),
            )
