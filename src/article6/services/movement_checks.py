"""Judging a movement: the domain's verdict on each portion under the authorization that
governs it, the secretariat's marks on the units (C2010), the entities' authorizations
(C3005), the Parties' participation (C4004), what the destination may hold (C4001, C2004),
the authorized quantity (C3007), and whether the approvals policy makes the movement wait for
a second person."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Row

from article6.domain.access import Actor, Role
from article6.domain.accounts import AccountKind
from article6.domain.authorizations import Authorization
from article6.domain.blocks import Portion, UnitBlock
from article6.domain.checks import Check, CommandRefused, Refusal, refuse
from article6.domain.first_transfer import Action, Verdict, judge
from article6.domain.transactions import TransactionKind
from article6.domain.unit_marks import UnitMark, refuse_marked
from article6.services.movement_requests import Movement
from article6.store import approval_policies, participation, records, unit_marks


class Authorizations:
    """Authorization versions met while judging one command, loaded once each."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.cache: dict[tuple[str, str, int | None], Authorization | None] = {}

    def governing(self, block: UnitBlock) -> Authorization | None:
        """First-transferred units keep the version they were first transferred under; the rest
        follow the version in force."""
        attributes = block.attributes
        if attributes.authorization_id is None:
            return None
        version = attributes.authorization_version if block.first_transferred else None
        key = (attributes.first_transferring_party, attributes.authorization_id, version)
        if key not in self.cache:
            row = records.authorization_row(self.connection, key[0], key[1], version)
            self.cache[key] = records.to_authorization(row) if row is not None else None
        return self.cache[key]


class EntityApprovals:
    """The approvals, per cooperative approach, of the entities holding the two accounts of a
    movement: one query per approach met, however many blocks move."""

    def __init__(self, connection: Connection, movement: Movement) -> None:
        self.connection = connection
        self.entity_ids = [
            account.entity_id
            for account in (movement.source, movement.destination)
            if account.entity_id is not None
        ]
        self.cache: dict[str, dict[int, Row[Any]]] = {}

    def of(self, entity_id: int, approach: str) -> Row[Any] | None:
        if approach not in self.cache:
            self.cache[approach] = records.entity_authorizations_for(
                self.connection, self.entity_ids, approach
            )
        return self.cache[approach].get(entity_id)


def judge_all(
    connection: Connection, movement: Movement, portions: list[Portion]
) -> list[tuple[Portion, Verdict, Authorization | None]]:
    authorizations = Authorizations(connection)
    approvals = EntityApprovals(connection, movement)
    marks = unit_marks.active_over(
        connection, [(p.block.attributes.registry, p.first, p.last) for p in portions]
    )
    judged = []
    problems: list[Refusal] = []
    for portion in portions:
        block = portion.block
        authorization = (
            movement.authorization
            if movement.action is Action.AUTHORIZATION
            else authorizations.governing(block)
        )
        try:
            linking = movement.action is Action.AUTHORIZATION
            if not linking:
                _not_marked(marks, portion)
            verdict = judge(movement.action, block, authorization, movement.acquiring_party)
            if linking and verdict.first_transfer is not None:
                _not_marked(marks, portion)
            _entities_admitted(approvals, movement, block, authorization)
        except CommandRefused as refused:
            problems.extend(refused.refusals)
            continue
        judged.append((portion, verdict, authorization))
    if problems:
        raise CommandRefused(problems[:20])
    return judged


def _not_marked(marks: list[UnitMark], portion: Portion) -> None:
    """C2010, before any other check of the portion: marked units are not transferred, used,
    cancelled or first transferred. Linking an authorization to marked MOs is checked only when
    the link is their first transfer: otherwise the units stay in the Party's hands, and the
    mark goes on stopping them."""
    if not marks:
        return
    registry = portion.block.attributes.registry
    where = f"units:{registry}-{portion.first}-{portion.last}"
    refusal = refuse_marked(where, registry, portion.first, portion.last, marks)
    if refusal is not None:
        raise CommandRefused([refusal])


def _entities_admitted(
    approvals: EntityApprovals,
    movement: Movement,
    block: UnitBlock,
    authorization: Authorization | None,
) -> None:
    where = f"units:{block.attributes.registry}-{block.first}-{block.last}"
    for account in (movement.source, movement.destination):
        if account.entity_id is None:
            continue
        approval = approvals.of(account.entity_id, block.attributes.cooperative_approach)
        if approval is None or approval.status != "active":
            status = approval.status if approval is not None else "not authorized"
            raise refuse(
                Check.C3005,
                where,
                f"entity {account.holder} is {status} for {block.attributes.cooperative_approach}",
            )
        if authorization is not None and not authorization.admits_entity(account.holder):
            raise refuse(
                Check.C3005,
                where,
                f"authorization {authorization.authorization_id} "
                f"does not name entity {account.holder}",
            )


def needs_approval(
    connection: Connection, actor: Actor, movement: Movement, kind: TransactionKind | None = None
) -> bool:
    """An authorized entity's movement always waits for the Party; a Party user's waits when the
    section's policy asks four eyes for its kind of transaction (`kind`, when the transaction
    is recorded under another kind than the movement's, as an external transfer is)."""
    if actor.role is Role.ENTITY:
        return True
    return approval_policies.four_eyes(
        connection, movement.source.party_code, (kind or movement.kind).value
    )


def check_parties(connection: Connection, movement: Movement) -> None:
    """C4004 for international transfers: both Parties participate actively in the approach."""
    if movement.acquiring_party is None:
        return
    approach = movement.source.cooperative_approach_key
    members = records.participants(connection, approach)
    for party, field in (
        (movement.source.party_code, "source_account"),
        (movement.acquiring_party, "destination_account"),
    ):
        status = participation.participation_status(connection, party)
        if party not in members or status != "active":
            raise refuse(Check.C4004, field, f"{party} does not participate actively in {approach}")


def check_destination(movement: Movement, judged: list[tuple[Portion, Verdict, Any]]) -> None:
    holds = AccountKind(movement.destination.kind).holds
    for portion, verdict, _ in judged:
        if verdict.state is not holds:
            raise refuse(
                Check.C4001,
                "destination_account",
                f"units {portion.block.attributes.registry}-{portion.first} become "
                f"{verdict.state}, which a {AccountKind(movement.destination.kind).label}"
                f" account cannot hold",
            )
        if (
            movement.destination.cooperative_approach_key
            and movement.destination.cooperative_approach_key
            != portion.block.attributes.cooperative_approach
        ):
            raise refuse(
                Check.C2004,
                "destination_account",
                f"the destination account is for "
                f"{movement.destination.cooperative_approach_key}, the units for "
                f"{portion.block.attributes.cooperative_approach}",
            )


def check_authorized_quantity(
    connection: Connection, movement: Movement, portions: list[Portion]
) -> None:
    authorization = movement.authorization
    if (
        movement.action is not Action.AUTHORIZATION
        or authorization is None
        or authorization.authorized_quantity is None
    ):
        return
    records.lock_authorization(connection, authorization.party, authorization.authorization_id)
    linked = records.linked_quantity(
        connection, authorization.party, authorization.authorization_id
    )
    wanted = sum(p.quantity for p in portions)
    if linked + wanted > authorization.authorized_quantity:
        raise refuse(
            Check.C3007,
            "units",
            f"{linked} units are linked already; {wanted} more would pass the "
            f"authorized quantity of {authorization.authorized_quantity}",
        )
