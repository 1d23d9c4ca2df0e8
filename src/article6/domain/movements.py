"""The rules a movement of units is checked against: pure functions over everything its command
loaded (`MovementContext`), in the order the catalogue gives them. Each returns the refusals it
finds, none when the movement passes it; the first rule that refuses decides the outcome.

A movement is a transfer, a use, a cancellation, the link of an authorization or the record of a
first transfer, proposed or approved. What each portion of a block becomes is the domain's
verdict (`first_transfer.judge`) under the authorization that governs it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from article6.domain.accounts import Account, AccountKind, AccountStatus
from article6.domain.authorizations import Authorization
from article6.domain.blocks import Portion
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.first_transfer import Action, Verdict, judge
from article6.domain.reconciliation import ReconciliationHold
from article6.domain.unit_marks import UnitMark, refuse_marked
from article6.domain.wording import words

MAX_REFUSALS = 20
"""A refusal names at most this many portions; the first are enough to act on."""


@dataclass(frozen=True)
class MovementContext:
    """Everything a movement is judged on, read and locked by its command before any rule runs.

    `portions` are the parts of blocks chosen to move, or none when the choice itself was
    refused (`selection_refused`, reported in its place among the rules); `governing` gives the
    authorization each portion moves under; `entity_status` the standing of the accounts'
    entities per cooperative approach; `linked` the units already linked under the movement's
    authorization when it caps them (C3007); `hold` the reconciliation hold, for an approval
    (a proposal reads it when it takes its number)."""

    action: Action
    source: Account
    destination: Account
    now: datetime
    acquiring_party: str | None = None
    authorization: Authorization | None = None
    portions: tuple[Portion, ...] = ()
    selection_refused: tuple[Refusal, ...] = ()
    governing: tuple[Authorization | None, ...] = ()
    marks: tuple[UnitMark, ...] = ()
    entity_status: Mapping[tuple[int, str], str] | None = None
    participants: tuple[str, ...] = ()
    participation: Mapping[str, str | None] | None = None
    linked: int | None = None
    hold: ReconciliationHold | None = None

    @property
    def quantity(self) -> int:
        return sum(p.quantity for p in self.portions)


@dataclass(frozen=True)
class Judged:
    """A portion that may move: what it becomes, and the authorization it moves under."""

    portion: Portion
    verdict: Verdict
    authorization: Authorization | None


Rule = Callable[[MovementContext], list[Refusal]]


def _open(account: Account, field: str) -> list[Refusal]:
    if account.status == AccountStatus.OPEN.value:
        return []
    return [
        Refusal(
            Check.C4001,
            field,
            words(
                "account {account} is {status}", account=account.identifier, status=account.status
            ),
        )
    ]


def source_open(context: MovementContext) -> list[Refusal]:
    """C4001: units leave only an open account."""
    return _open(context.source, "source_account")


def destination_open(context: MovementContext) -> list[Refusal]:
    """C4001: units enter only an open account."""
    return _open(context.destination, "destination_account")


def distinct_accounts(context: MovementContext) -> list[Refusal]:
    """C4001: a movement goes somewhere else."""
    if context.source.id != context.destination.id:
        return []
    return [
        Refusal(Check.C4001, "destination_account", words("source and destination are the same"))
    ]


def parties_participate(context: MovementContext) -> list[Refusal]:
    """C4004 for international transfers: both Parties participate actively in the approach."""
    if context.acquiring_party is None:
        return []
    approach = context.source.cooperative_approach_key
    standing = context.participation or {}
    for party, field in (
        (context.source.party_code, "source_account"),
        (context.acquiring_party, "destination_account"),
    ):
        if party not in context.participants or standing.get(party) != "active":
            return [
                Refusal(
                    Check.C4004,
                    field,
                    words(
                        "{party} does not participate actively in {approach}",
                        party=party,
                        approach=approach,
                    ),
                )
            ]
    return []


def not_held(context: MovementContext) -> list[Refusal]:
    """C2006: no transaction while a reconciliation holds the registry."""
    if context.hold is None or not context.hold.in_force(context.now):
        return []
    return context.hold.refusal().refusals


def units_chosen(context: MovementContext) -> list[Refusal]:
    """C1005, C2001, C2002, C2007 …: what the choice of blocks found wrong."""
    return list(context.selection_refused)


def units_may_move(context: MovementContext) -> list[Refusal]:
    """Per portion, in order: C2010 (marked units), the domain's verdict on the action
    (C5002, C3001 …), C3005 (the entities' authorization); every portion refused is named."""
    problems: list[Refusal] = []
    for index in range(len(context.portions)):
        try:
            _judge(context, index)
        except CommandRefused as refused:
            problems.extend(refused.refusals)
    return problems[:MAX_REFUSALS]


def destination_holds(context: MovementContext) -> list[Refusal]:
    """C4001 and C2004: the destination account holds what the units become, of its approach."""
    destination = context.destination
    holds = AccountKind(destination.kind).holds
    for judged in judge_all(context):
        portion, verdict = judged.portion, judged.verdict
        if verdict.state is not holds:
            return [
                Refusal(
                    Check.C4001,
                    "destination_account",
                    words(
                        "units {registry}-{first} become {state}, which a {label} account cannot "
                        "hold",
                        registry=portion.block.attributes.registry,
                        first=portion.first,
                        state=verdict.state,
                        label=AccountKind(destination.kind).label,
                    ),
                )
            ]
        approach = portion.block.attributes.cooperative_approach
        if destination.cooperative_approach_key and destination.cooperative_approach_key != (
            approach
        ):
            return [
                Refusal(
                    Check.C2004,
                    "destination_account",
                    words(
                        "the destination account is for {cooperative_approach_key}, the units "
                        "for {approach}",
                        cooperative_approach_key=destination.cooperative_approach_key,
                        approach=approach,
                    ),
                )
            ]
    return []


def within_authorized_quantity(context: MovementContext) -> list[Refusal]:
    """C3007: linking never passes the authorization's authorized quantity."""
    authorization = context.authorization
    if (
        context.action is not Action.AUTHORIZATION
        or authorization is None
        or authorization.authorized_quantity is None
        or context.linked is None
    ):
        return []
    wanted = context.quantity
    if context.linked + wanted <= authorization.authorized_quantity:
        return []
    return [
        Refusal(
            Check.C3007,
            "units",
            words(
                "{linked:,} units are linked already; {wanted:,} more would pass the "
                "authorized quantity of {authorized_quantity:,}",
                linked=context.linked,
                wanted=wanted,
                authorized_quantity=authorization.authorized_quantity,
            ),
        )
    ]


PROPOSAL_RULES: tuple[Rule, ...] = (
    source_open,
    destination_open,
    distinct_accounts,
    parties_participate,
    units_chosen,
    units_may_move,
    destination_holds,
    within_authorized_quantity,
)
"""A new movement's rules, in order; its number and the hold (C2006) come after them."""

APPROVAL_RULES: tuple[Rule, ...] = (
    source_open,
    destination_open,
    parties_participate,
    not_held,
    units_may_move,
    destination_holds,
)
"""An approval's rules: every check of the proposal runs again on the reserved units."""

EXTERNAL_PROPOSAL_RULES: tuple[Rule, ...] = (
    source_open,
    parties_participate,
    units_chosen,
    units_may_move,
)
"""A transfer to another registry's rules, in order: the units leave this registry, so there is
no destination account here to judge; its number and the hold (C2006) come after them."""

EXTERNAL_APPROVAL_RULES: tuple[Rule, ...] = (
    source_open,
    parties_participate,
    not_held,
    units_may_move,
)
"""The approval of a transfer to another registry: its proposal's rules run again on the
reserved units, with the hold (C2006) in the approval's place."""


def judge_all(context: MovementContext) -> list[Judged]:
    """Each portion with its verdict, for a context whose rules have passed (`units_may_move`
    raises otherwise)."""
    return [_judge(context, index) for index in range(len(context.portions))]


def _judge(context: MovementContext, index: int) -> Judged:
    portion = context.portions[index]
    linking = context.action is Action.AUTHORIZATION
    authorization = context.authorization if linking else context.governing[index]
    if not linking:
        _not_marked(context, portion)
    verdict = judge(context.action, portion.block, authorization, context.acquiring_party)
    if linking and verdict.first_transfer is not None:
        _not_marked(context, portion)
    _entities_admitted(context, portion, authorization)
    return Judged(portion, verdict, authorization)


def _not_marked(context: MovementContext, portion: Portion) -> None:
    """C2010, before any other check of the portion: marked units are not transferred, used,
    cancelled or first transferred. Linking an authorization to marked MOs is checked only when
    the link is their first transfer: otherwise the units stay in the Party's hands, and the
    mark goes on stopping them."""
    if not context.marks:
        return
    registry = portion.block.attributes.registry
    where = f"units:{registry}-{portion.first}-{portion.last}"
    refusal = refuse_marked(where, registry, portion.first, portion.last, context.marks)
    if refusal is not None:
        raise CommandRefused([refusal])


def _entities_admitted(
    context: MovementContext, portion: Portion, authorization: Authorization | None
) -> None:
    """C3005: an entity moves units only while active for their approach and, when an
    authorization governs them, named by it."""
    block = portion.block
    where = f"units:{block.attributes.registry}-{block.first}-{block.last}"
    approach = block.attributes.cooperative_approach
    standing = context.entity_status or {}
    for account in (context.source, context.destination):
        if account.entity_id is None:
            continue
        status = standing.get((account.entity_id, approach))
        if status != "active":
            raise CommandRefused(
                [
                    Refusal(
                        Check.C3005,
                        where,
                        words(
                            "entity {holder} is {status} for {approach}",
                            holder=account.holder,
                            status=status,
                            approach=approach,
                        )
                        if status
                        else words(
                            "entity {holder} is not authorized for {approach}",
                            holder=account.holder,
                            approach=approach,
                        ),
                    )
                ]
            )
        if authorization is not None and not authorization.admits_entity(account.holder):
            raise CommandRefused(
                [
                    Refusal(
                        Check.C3005,
                        where,
                        words(
                            "authorization {authorization_id} does not name entity {holder}",
                            authorization_id=authorization.authorization_id,
                            holder=account.holder,
                        ),
                    )
                ]
            )
