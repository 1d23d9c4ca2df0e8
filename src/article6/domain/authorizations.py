"""Authorizations (AEF Table 2): what the first transferring Party allowed, version by version."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from article6.domain import identifiers
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.nomenclature import (
    ActivityType,
    FirstTransferDefinition,
    Metric,
    Purpose,
    Sector,
)
from article6.domain.wording import words

MAX_TEXT = 2000


@dataclass(frozen=True)
class Authorization:
    """One version of an authorization. A change is a new version, never an edit."""

    party: str
    authorization_id: str
    version: int
    date_of_authorization: date
    cooperative_approach: str
    metric: Metric
    sectors: tuple[Sector, ...]
    purposes: Purpose
    activity_types: tuple[ActivityType, ...] = ()
    authorized_quantity: int | None = None
    gwp_values: str | None = None
    non_ghg_metric: str | None = None
    authorized_parties: tuple[str, ...] = ()
    authorized_entities: tuple[str, ...] = ()
    oimp_authorized: str | None = None
    timeframe: tuple[int, int] | None = None
    terms_and_conditions: str | None = None
    first_transfer_definition: FirstTransferDefinition | None = None
    additional_information: str | None = None
    revoked: bool = False

    @property
    def version_label(self) -> str:
        """The AEF's `X.Y` rendering of the version."""
        return f"{self.version}.0"

    def admits_party(self, party: str) -> bool:
        return not self.authorized_parties or party in self.authorized_parties

    def admits_entity(self, entity: str) -> bool:
        return not self.authorized_entities or entity in self.authorized_entities

    def admits_vintage(self, vintage: int) -> bool:
        return self.timeframe is None or self.timeframe[0] <= vintage <= self.timeframe[1]


def undated(value: date, today: date, field: str = "date_of_authorization") -> Refusal | None:
    """Why `value` cannot be the date of an authorization (of units or of an entity), or None:
    it is not in the future, nor before decision 2/CMA.3 applies."""
    earliest = date(identifiers.FIRST_VINTAGE, 1, 1)
    if earliest <= value <= today:
        return None
    return Refusal(
        Check.C1009,
        field,
        words(
            "{value} is not a date from {earliest} (decision 2/CMA.3 applies from "
            "{first_vintage}) to today ({today})",
            value=value,
            earliest=earliest,
            first_vintage=identifiers.FIRST_VINTAGE,
            today=today,
        ),
    )


def validate(authorization: Authorization, today: date) -> None:
    """Every field rule of an authorization record; raises with all failures at once. `today`
    is the registry's date: an authorization is not dated in the future."""
    problems: list[Refusal] = []

    def check(ok: bool, code: Check, name: str, detail: str) -> None:
        if not ok:
            problems.append(Refusal(code, name, detail))

    a = authorization
    formats: tuple[tuple[Callable[[str, str], str], str, str], ...] = (
        (identifiers.authorization_id, a.authorization_id, "authorization_id"),
        (identifiers.cooperative_approach_id, a.cooperative_approach, "cooperative_approach"),
        (identifiers.party_code, a.party, "party"),
    )
    for validator, value, name in formats:
        try:
            validator(value, name)
        except CommandRefused as refused:
            problems.extend(refused.refusals)
    check(a.version >= 1, Check.C1004, "version", words("the version is a positive integer"))
    dated = undated(a.date_of_authorization, today)
    if dated is not None:
        problems.append(dated)
    check(
        a.authorized_quantity is None or a.authorized_quantity > 0,
        Check.C1005,
        "authorized_quantity",
        words("an authorized quantity, when given, is positive"),
    )
    non_ghg = a.metric is Metric.NON_GHG
    check(
        non_ghg == bool(a.non_ghg_metric),
        Check.C1008,
        "non_ghg_metric",
        words("a non-GHG metric is named if and only if the metric is non-GHG"),
    )
    check(len(a.sectors) > 0, Check.C1007, "sectors", words("at least one sector is named"))
    covers_oimp = a.purposes.covers_oimp
    check(
        not covers_oimp or a.first_transfer_definition is not None,
        Check.C1007,
        "first_transfer_definition",
        words(
            "an authorization for OIMP defines its first transfer: Authorisation, "
            "Issuance or Use or Cancellation"
        ),
    )
    check(
        covers_oimp or a.first_transfer_definition is None,
        Check.C1007,
        "first_transfer_definition",
        words("a first-transfer definition applies only to OIMP"),
    )
    check(
        not covers_oimp or bool(a.oimp_authorized),
        Check.C5004,
        "oimp_authorized",
        words("an authorization for OIMP names the purpose (for example CORSIA)"),
    )
    check(
        covers_oimp or not a.oimp_authorized,
        Check.C5004,
        "oimp_authorized",
        words("OIMP authorized by the Party applies only when the purposes cover OIMP"),
    )
    if a.timeframe is not None:
        first, last = a.timeframe
        check(
            identifiers.FIRST_VINTAGE <= first <= last <= 2100,
            Check.C1009,
            "timeframe",
            words(
                "timeframe {first} - {last} is not a period from {first_vintage} on",
                first=first,
                last=last,
                first_vintage=identifiers.FIRST_VINTAGE,
            ),
        )
    for index, party in enumerate(a.authorized_parties):
        check(
            bool(identifiers.PARTY_CODE.match(party)),
            Check.C1001,
            f"authorized_parties[{index}]",
            words("{party} is not a Party code", party=identifiers.quoted(party)),
        )
    for name, text in (
        ("gwp_values", a.gwp_values),
        ("non_ghg_metric", a.non_ghg_metric),
        ("oimp_authorized", a.oimp_authorized),
        ("terms_and_conditions", a.terms_and_conditions),
        ("additional_information", a.additional_information),
    ):
        check(
            text is None or len(text) <= MAX_TEXT,
            Check.C1011,
            name,
            words("at most {max_text} characters", max_text=MAX_TEXT),
        )
    if problems:
        raise CommandRefused(problems)


def validate_change(previous: Authorization, proposed: Authorization, linked_quantity: int) -> None:
    """A new version keeps the identity of the authorization (C3009)."""
    problems: list[Refusal] = []
    if proposed.party != previous.party:
        problems.append(
            Refusal(Check.C3009, "party", words("a new version stays with the authorizing Party"))
        )
    if proposed.cooperative_approach != previous.cooperative_approach:
        problems.append(
            Refusal(
                Check.C3009,
                "cooperative_approach",
                words(
                    "a new version cannot move the authorization to another cooperative approach"
                ),
            )
        )
    if proposed.metric != previous.metric and linked_quantity > 0:
        problems.append(
            Refusal(Check.C3009, "metric", words("the metric cannot change once units are linked"))
        )
    if proposed.date_of_authorization < previous.date_of_authorization:
        problems.append(
            Refusal(
                Check.C3009,
                "date_of_authorization",
                words(
                    "a new version is dated on or after the version it changes "
                    "({date_of_authorization})",
                    date_of_authorization=previous.date_of_authorization,
                ),
            )
        )
    if proposed.authorized_quantity is not None and proposed.authorized_quantity < linked_quantity:
        problems.append(
            Refusal(
                Check.C3009,
                "authorized_quantity",
                words(
                    "{linked_quantity} units are already linked; the authorized quantity "
                    "cannot be lower",
                    linked_quantity=linked_quantity,
                ),
            )
        )
    if problems:
        raise CommandRefused(problems)
