"""Single-table checks (STC01–STC04): each row of a Party's Table 3 against its own AEF and the
authorization it names (RULES.md 11.3; 2/CMA.3 annex paras 2, 18–20 and 4/CMA.6 annex II)."""

from __future__ import annotations

from collections.abc import Iterator

from article6.domain.nomenclature import ActionSubtype, ActionType, FirstTransferDefinition
from article6.domain.wording import words
from article6.reports.aef_consistency.model import AEFRow, Inconsistency, inconsistency, integer
from article6.reports.aef_consistency.world import World, purposes_of
from article6.reports.aef_spec import NA


def _actions(world: World) -> Iterator[AEFRow]:
    for aef in world.aefs:
        yield from aef.rows(3)


def stc01(world: World) -> Iterator[Inconsistency]:
    """STC01: every action falls in the reported year (Table 1 field 3): its action date, read
    as dd/mm/yyyy or an ISO 8601 UTC time, lies in that calendar year."""
    for row in _actions(world):
        if row.date is None:
            yield inconsistency(
                "STC01",
                (row,),
                words("the action date {day!r} is not a date", day=row["action_date"]),
            )
        elif row.date.year != row.aef.year:
            yield inconsistency(
                "STC01",
                (row,),
                words(
                    "the action of {day} is outside {year}",
                    day=row["action_date"],
                    year=row.aef.year,
                ),
            )


def needed_purpose(row: AEFRow) -> str | None:
    """The purpose a use or cancellation needs its authorization to cover: a use with an NDC
    year is towards the NDC, any other use is for IMP (CORSIA and the like, field 22); a
    cancellation other than for OMGE is for OP; a voluntary cancellation (OMGE, other
    cancellations) needs none (2/CMA.3 annex para 1(f), 4/CMA.6 annex II Table 3 fields 22-25)."""
    if row.action is ActionType.USE:
        return "NDC" if integer(row["ndc_year"]) is not None else "IMP"
    if row.action is ActionType.CANCELLATION and row.subtype not in (
        ActionSubtype.MANDATORY_OMGE,
        ActionSubtype.VOLUNTARY_OMGE,
    ):
        return "OP"
    if (
        row.action is ActionType.FIRST_TRANSFER
        and row.subtype is ActionSubtype.USE_OR_CANCELLATION
        and row["purpose"] not in ("", NA)
    ):
        return "OIMP"
    return None


def stc02(world: World) -> Iterator[Inconsistency]:
    """STC02: the purpose of a use or cancellation is within the authorized purposes (Table 2
    field 11 of the version in force on the action date; `needed_purpose` says which)."""
    for row in _actions(world):
        needed = needed_purpose(row)
        if needed is None:
            continue
        found = world.authorization(row.authorization_key, row.date)
        if found is None:
            continue
        covered = purposes_of(found["purposes"])
        if not covered:
            continue
        ok = bool(covered & {"IMP", "OP"}) if needed == "OIMP" else needed in covered
        if not ok:
            yield inconsistency(
                "STC02",
                (row, found),
                words(
                    "a {action} for {needed} under an authorization for {purposes}",
                    action=row["action_type"],
                    needed=needed,
                    purposes=found["purposes"],
                ),
            )


def stc03(world: World) -> Iterator[Inconsistency]:
    """STC03: a use towards the NDC is for a calendar year (field 25) within the Party's NDC
    implementation period (Table 1 fields 7 and 8)."""
    for aef in world.aefs:
        first = integer(aef.submission.get("ndc_first_year", ""))
        last = integer(aef.submission.get("ndc_last_year", ""))
        if first is None or last is None:
            continue
        for row in aef.rows(3):
            year = integer(row["ndc_year"])
            if row.action is ActionType.USE and year is not None and not first <= year <= last:
                yield inconsistency(
                    "STC03",
                    (row,),
                    words(
                        "a use towards the NDC for {year}, outside the NDC period {first}-{last}",
                        year=year,
                        first=first,
                        last=last,
                    ),
                )


DEFINED_AS = {
    FirstTransferDefinition.AUTHORISATION.value: {ActionSubtype.AUTHORIZATION},
    FirstTransferDefinition.ISSUANCE.value: {ActionSubtype.ISSUANCE},
    FirstTransferDefinition.USE_OR_CANCELLATION.value: {
        ActionSubtype.USE_OR_CANCELLATION,
        ActionSubtype.MANDATORY_OMGE,
        ActionSubtype.VOLUNTARY_OMGE,
        ActionSubtype.OTHER_CANCELLATIONS,
    },
}


def stc04(world: World) -> Iterator[Inconsistency]:
    """STC04: a first transfer is the action its authorization defines as first transfer.

    Interpretation (2/CMA.3 annex para 2(b)): units authorized for the NDC are first
    transferred by their first international transfer (subtype "First transfer to another
    Party", read also as "First international transfer"); units authorized for OIMP at the
    authorization's Table 2 field 18 (Authorisation, Issuance, Use or Cancellation); an
    authorization for both allows either. A first transfer without a subtype is not judged.
    """
    for row in _actions(world):
        if row.action is not ActionType.FIRST_TRANSFER or row.subtype is None:
            continue
        found = world.authorization(row.authorization_key, row.date)
        if found is None:
            continue
        covered = purposes_of(found["purposes"])
        allowed: set[ActionSubtype] = set()
        if "NDC" in covered:
            allowed.add(ActionSubtype.FIRST_TRANSFER_TO_ANOTHER_PARTY)
        if covered & {"IMP", "OP"}:
            allowed |= DEFINED_AS.get(found["first_transfer_definition"], set())
        if allowed and row.subtype not in allowed:
            definition = found["first_transfer_definition"]
            yield inconsistency(
                "STC04",
                (row, found),
                words(
                    "a first transfer by {subtype} under an authorization for {purposes} whose"
                    " first transfer is {definition}",
                    subtype=row["action_subtype"],
                    purposes=found["purposes"],
                    definition=definition,
                )
                if definition not in ("", NA)
                else words(
                    "a first transfer by {subtype} under an authorization for {purposes} whose"
                    " first transfer is the first international",
                    subtype=row["action_subtype"],
                    purposes=found["purposes"],
                ),
            )
