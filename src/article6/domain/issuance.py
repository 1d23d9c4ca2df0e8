"""The rules of an issuance, over what its command loaded (`IssuanceContext`): the vintage and
quantity asked, the non-GHG measure, the activity's underlying units left (C2003), the
authorization named (C3002, C3008 …) and its authorized quantity (C3007), the account the units
go to. Each rule returns its refusals; the first that refuses decides."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from decimal import Decimal, InvalidOperation

from article6.domain import identifiers
from article6.domain.accounts import Account
from article6.domain.authorizations import Authorization
from article6.domain.blocks import UnitAttributes, quantity
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.first_transfer import Verdict, judge_issuance
from article6.domain.nomenclature import Metric, MitigationType
from article6.domain.wording import words


@dataclass(frozen=True)
class Activity:
    """A mitigation activity as issuance reads it: what its units carry, and the range of
    underlying unit IDs still free when it has one."""

    id: int
    identifier: str
    host_party: str
    cooperative_approach_id: str
    sector: str
    activity_type: str | None
    mitigation_type: str
    metric: str
    gwp_values: str | None
    non_ghg_metric: str | None
    underlying_registry: str | None
    underlying_next: int | None
    underlying_last: int | None


@dataclass(frozen=True)
class IssuanceContext:
    """An issuance's request and everything read for it: the activity (locked), the section's
    registry, the authorization named and the units issued or linked under it already when it
    caps them, and the account the units go to, or why there is none (`account_refused`)."""

    party: str
    registry_id: str
    activity: Activity
    vintage: int
    quantity: int
    now: datetime
    non_ghg_quantity: Decimal | None = None
    authorization_id: str | None = None
    authorization: Authorization | None = None
    linked: int | None = None
    account: Account | None = None
    account_refused: tuple[Refusal, ...] = ()


Rule = Callable[[IssuanceContext], list[Refusal]]


def _refusals(call: Callable[[], object]) -> list[Refusal]:
    try:
        call()
    except CommandRefused as refused:
        return refused.refusals
    return []


def vintage_allowed(context: IssuanceContext) -> list[Refusal]:
    """C1006: a vintage from 2021 to the registry's current year."""
    return _refusals(lambda: identifiers.vintage(context.vintage, context.now.year))


def quantity_allowed(context: IssuanceContext) -> list[Refusal]:
    """The quantity's bounds (`blocks.quantity`)."""
    return _refusals(lambda: quantity(context.quantity))


def measured(context: IssuanceContext) -> list[Refusal]:
    """C1008: a non-GHG activity's issuance gives its quantity in the activity's metric, and
    only then."""
    return _refusals(lambda: non_ghg_per_unit(context))


def underlying_left(context: IssuanceContext) -> list[Refusal]:
    """C2003: an activity with underlying unit IDs issues no more units than it has IDs left."""
    activity = context.activity
    first, last = activity.underlying_next, activity.underlying_last
    if first is None or last is None or first + context.quantity - 1 <= last:
        return []
    return [
        Refusal(
            Check.C2003,
            "quantity",
            words(
                "only {remaining} underlying {underlying_registry} units remain",
                remaining=last - first + 1,
                underlying_registry=activity.underlying_registry,
            ),
        )
    ]


def authorization_known(context: IssuanceContext) -> list[Refusal]:
    """C3002: the authorization named is one of the Party's."""
    if context.authorization_id is None or context.authorization is not None:
        return []
    return [
        Refusal(
            Check.C3002,
            "authorization_id",
            words(
                "{authorization_id} is not an authorization of {party}",
                authorization_id=context.authorization_id,
                party=context.party,
            ),
        )
    ]


def issued_under_authorization(context: IssuanceContext) -> list[Refusal]:
    """The units match the authorization, whose first transfer is at Issuance (C3002, C3006,
    C3008 …)."""
    if context.authorization is None:
        return []
    authorization = context.authorization
    return _refusals(lambda: judge_issuance(_carried(context), authorization))


def within_authorized_quantity(context: IssuanceContext) -> list[Refusal]:
    """C3007: issuance under an authorization never passes its authorized quantity."""
    authorization = context.authorization
    if authorization is None or authorization.authorized_quantity is None:
        return []
    linked = context.linked or 0
    if linked + context.quantity <= authorization.authorized_quantity:
        return []
    return [
        Refusal(
            Check.C3007,
            "quantity",
            words(
                "{linked} units are issued under the authorization already; {quantity} "
                "more would pass {authorized_quantity}",
                linked=linked,
                quantity=context.quantity,
                authorized_quantity=authorization.authorized_quantity,
            ),
        )
    ]


def account_found(context: IssuanceContext) -> list[Refusal]:
    """C4001, C4006: the units go to an open account of the right kind in the Party's section."""
    return list(context.account_refused)


ISSUANCE_RULES: tuple[Rule, ...] = (
    vintage_allowed,
    quantity_allowed,
    measured,
    underlying_left,
    authorization_known,
    issued_under_authorization,
    within_authorized_quantity,
    account_found,
)
"""An issuance's rules, in order; its number and the hold (C2006) come after them."""


def non_ghg_per_unit(context: IssuanceContext) -> str | None:
    """The non-GHG measure of one unit, for an activity measured in another metric."""
    activity = context.activity
    given = context.non_ghg_quantity
    if activity.metric != Metric.NON_GHG.value:
        if given is not None:
            raise CommandRefused(
                [Refusal(Check.C1008, "non_ghg_quantity", words("the activity is measured in GHG"))]
            )
        return None
    if given is None or given <= 0:
        raise CommandRefused(
            [
                Refusal(
                    Check.C1008,
                    "non_ghg_quantity",
                    words(
                        "give the quantity in {non_ghg_metric}",
                        non_ghg_metric=activity.non_ghg_metric,
                    ),
                )
            ]
        )
    try:
        return str((given / Decimal(context.quantity)).normalize())
    except InvalidOperation:
        raise CommandRefused(
            [Refusal(Check.C1008, "non_ghg_quantity", words("not a number"))]
        ) from None


def attributes_of(context: IssuanceContext) -> UnitAttributes:
    """What every unit issued carries (under the authorization named, when there is one)."""
    attributes = _carried(context)
    if context.authorization is None:
        return attributes
    return replace(
        attributes,
        authorization_id=context.authorization.authorization_id,
        authorization_version=context.authorization.version,
    )


def _carried(context: IssuanceContext) -> UnitAttributes:
    """What the activity gives every unit issued, before any authorization."""
    activity = context.activity
    return UnitAttributes(
        cooperative_approach=activity.cooperative_approach_id,
        registry=context.registry_id,
        first_transferring_party=context.party,
        vintage=context.vintage,
        metric=Metric(activity.metric),
        mitigation_type=MitigationType(activity.mitigation_type),
        sector=activity.sector,
        activity_type=activity.activity_type,
        mitigation_activity=activity.identifier,
        gwp_values=activity.gwp_values,
        non_ghg_metric=activity.non_ghg_metric,
        non_ghg_per_unit=non_ghg_per_unit(context),
        underlying_registry=activity.underlying_registry,
    )


def verdict_of(context: IssuanceContext) -> Verdict | None:
    """What the units are issued as under the authorization named (None: MOs), for a context
    whose rules have passed."""
    if context.authorization is None:
        return None
    return judge_issuance(_carried(context), context.authorization)
