"""Loading a movement for its rules (`domain.movements`): the Parties' participation, the
holdings locks, the blocks chosen and the marks over them, the authorization governing each
block, the entities' standing, the units already linked under a capped authorization; and
whether the approvals policy makes the movement wait for a second person.

Each piece is read once, whatever the number of blocks, in the fixed lock order: the holdings
rows first (ascending account id), then, when linking is capped, the authorization's rows.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection

from article6.domain.access import Actor, Role
from article6.domain.authorizations import Authorization
from article6.domain.blocks import Portion
from article6.domain.checks import Refusal
from article6.domain.first_transfer import Action
from article6.domain.movements import MovementContext
from article6.domain.transactions import TransactionKind
from article6.domain.unit_marks import UnitMark
from article6.services.block_choice import choose_with_marks
from article6.services.movement_requests import Movement
from article6.services.pipeline import deferred
from article6.store import approval_policies, holdings, participation, records, unit_marks
from article6.store import reconciliation as reconciliation_holds


def load_movement(
    connection: Connection,
    movement: Movement,
    clock: Callable[[], datetime],
    reserved: Callable[[Connection], list[Portion]] | None = None,
    with_hold: bool = False,
    policy: approval_policies.FourEyesAhead | None = None,
) -> MovementContext:
    """Read and lock what the movement's rules judge. `reserved` reads, under the holdings
    locks, the portions a waiting transaction reserved (an approval); otherwise the blocks are
    chosen here, and a refused choice is kept for its rule. `with_hold` reads the
    reconciliation hold (an approval takes no number, where a proposal reads the hold);
    `policy`, the approvals policy, with the locks."""
    participation_ahead = _participation_ahead(connection, movement)
    # The locks go with the next statement (the candidates, or the hold): it runs once they
    # are held.
    holdings.lock_holdings_later(connection, [movement.source.id, movement.destination.id], policy)
    hold = (
        reconciliation_holds.section_hold(connection, movement.source.party_code)
        if with_hold
        else None
    )
    # The entities' standing, for every approach they are authorized for, with the locks:
    # what the blocks chosen belong to is known only once they are.
    entity_standing = _standing_later(connection, movement)
    refused: tuple[Refusal, ...] = ()
    ahead: list[_ReadAhead] = []
    if reserved is None:

        def read_ahead(chosen: list[Portion]) -> None:
            ahead.append(_ReadAhead.send(connection, movement, chosen))

        chosen, refused = deferred(lambda: choose_with_marks(connection, movement, read_ahead))
        portions, marks = chosen if chosen is not None else ([], [])
    else:
        portions = reserved(connection)
        marks = _marks(connection, portions)
    if ahead and ahead[-1].portions == tuple(portions):
        governing = ahead[-1].governing()
    else:
        governing = _governing(connection, movement, portions)
    entity_status = _standing_of(entity_standing(), portions)
    participants, standing = participation_ahead()
    now = clock()  # under the locks: what the command is judged at stays true until it commits
    return MovementContext(
        action=movement.action,
        source=movement.source,
        destination=movement.destination,
        now=now,
        acquiring_party=movement.acquiring_party,
        authorization=movement.authorization,
        portions=tuple(portions),
        selection_refused=refused,
        governing=governing,
        marks=tuple(marks),
        entity_status=entity_status,
        participants=participants,
        participation=standing,
        linked=_linked(connection, movement, portions),
        hold=hold,
    )


@dataclass(frozen=True)
class _ReadAhead:
    """The authorizations for the portions chosen, sent with the marks over them, if any are
    read: one round trip for both."""

    portions: tuple[Portion, ...]
    governing: Callable[[], tuple[Authorization | None, ...]]

    @classmethod
    def send(
        cls, connection: Connection, movement: Movement, portions: list[Portion]
    ) -> _ReadAhead:
        return cls(tuple(portions), _governing_later(connection, movement, portions))


def _participation_ahead(
    connection: Connection, movement: Movement
) -> Callable[[], tuple[tuple[str, ...], dict[str, str | None]]]:
    """For an international transfer (C4004): the approach's participants, sent with the
    holdings locks, and both Parties' participation, read in the statement that takes them;
    call the result once they are taken."""
    acquiring = movement.acquiring_party
    if acquiring is None:
        return lambda: ((), {})
    transferring = movement.source.party_code
    members = records.participants_later(connection, movement.source.cooperative_approach_key)
    statuses = participation.participation_with_lock(connection, transferring, acquiring)

    def read() -> tuple[tuple[str, ...], dict[str, str | None]]:
        found = [status.value(connection) for status in statuses]
        return tuple(members()), {transferring: found[0], acquiring: found[1]}

    return read


def _marks(connection: Connection, portions: list[Portion]) -> list[UnitMark]:
    return unit_marks.active_over(
        connection, [(p.block.attributes.registry, p.first, p.last) for p in portions]
    )


def _governing(
    connection: Connection, movement: Movement, portions: list[Portion]
) -> tuple[Authorization | None, ...]:
    """The authorization each portion moves under: first-transferred units keep the version
    they were first transferred under, the rest follow the version in force (each version read
    once). Linking names its own (`MovementContext.authorization`)."""
    return _governing_later(connection, movement, portions)()


def _governing_later(
    connection: Connection, movement: Movement, portions: list[Portion]
) -> Callable[[], tuple[Authorization | None, ...]]:
    """`_governing`, its reads sent with the command's next statement; call the result."""
    if movement.action is Action.AUTHORIZATION:
        return lambda: tuple(None for _ in portions)
    found: dict[tuple[str, str, int | None], Callable[[], Authorization | None]] = {}
    keys: list[tuple[str, str, int | None] | None] = []
    for portion in portions:
        attributes = portion.block.attributes
        if attributes.authorization_id is None:
            keys.append(None)
            continue
        version = attributes.authorization_version if portion.block.first_transferred else None
        key = (attributes.first_transferring_party, attributes.authorization_id, version)
        if key not in found:
            found[key] = records.authorization_later(connection, key[0], key[1], version)
        keys.append(key)

    def governing() -> tuple[Authorization | None, ...]:
        received = {key: read() for key, read in found.items()}
        return tuple(None if key is None else received[key] for key in keys)

    return governing


def _standing_later(
    connection: Connection, movement: Movement
) -> Callable[[], dict[tuple[int, str], str]]:
    """The standing of the accounts' entities for every approach, sent with the command's next
    statement; call the result."""
    entity_ids = [
        account.entity_id
        for account in (movement.source, movement.destination)
        if account.entity_id is not None
    ]
    return records.entity_standing_later(connection, entity_ids)


def _standing_of(
    standing: dict[tuple[int, str], str], portions: list[Portion]
) -> dict[tuple[int, str], str]:
    """The standing for the approaches the portions belong to (what the rules judge)."""
    approaches = {p.block.attributes.cooperative_approach for p in portions}
    return {key: status for key, status in standing.items() if key[1] in approaches}


def _linked(connection: Connection, movement: Movement, portions: list[Portion]) -> int | None:
    """Units already linked under an authorization that caps them (C3007), its rows locked so
    that two links do not both pass on the same count."""
    authorization = movement.authorization
    if (
        movement.action is not Action.AUTHORIZATION
        or authorization is None
        or authorization.authorized_quantity is None
        or not portions
    ):
        return None
    records.lock_authorization(connection, authorization.party, authorization.authorization_id)
    return records.linked_quantity(connection, authorization.party, authorization.authorization_id)


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
