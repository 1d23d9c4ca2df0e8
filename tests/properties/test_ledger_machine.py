"""Random sequences of valid and invalid commands, run through the real services beside a tiny
reference model of the ledger.

The model knows, per serial range, the account holding it, its authorization, whether it was
first transferred and which pending request reserves it; from that it predicts whether each
command succeeds or which numbered check refuses it. After every step the registry must agree
with the model unit for unit, conserve units and pass `verify_registry`; a refused command must
leave the database exactly as it was.
"""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from copy import deepcopy
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)
from pydantic import BaseModel
from sqlalchemy import Connection, func, select, text

from article6.demo import world as demo
from article6.domain.access import Actor
from article6.domain.accounts import AccountKind, CancellationPurpose
from article6.domain.checks import CommandRefused
from article6.domain.nomenclature import ActivityType, FirstTransferDefinition, Purpose, Sector
from article6.services import approvals, authorizations, issuance, units
from article6.services import commands as c
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.services.views import Receipt
from article6.store.database import make_engine
from article6.store.journal import seal
from article6.store.schema import (
    accounts,
    holdings,
    idempotency_keys,
    journal_head,
    party_sections,
    transaction_blocks,
    transactions,
    unit_blocks,
)

NDC = demo.NDC_AUTHORIZATION  # NDC only, acquiring Party XXC, at most 60,000 units
CORSIA = demo.CORSIA_AUTHORIZATION  # OIMP, first transferred at use or cancellation
AT_AUTHORISATION = "XXA-OIMP-2025-002"  # OIMP, first transferred when linked
NDC_CAP = 60_000
ACTIVITY = "XXA-MA-0001"
UNDERLYING = 400_000  # the activity's Gold Standard range 500,001-900,000
ADMIN = {"XXA": demo.XXA_ADMIN, "XXC": demo.XXC_ADMIN}
ENTITY = {"XXA": demo.GREEN_GROUP_A, "XXC": demo.GREEN_C_ENTITY}
ENTITY_NAME = {"XXA": "Green Group A", "XXC": "Green C Entity"}
OTHER = {"XXA": "XXC", "XXC": "XXA"}
MO, AMO, ITMO = AccountKind.MO_HOLDING, AccountKind.AMO_HOLDING, AccountKind.ITMO_HOLDING
CANCELLATION_KINDS = {
    AccountKind.IMP_CANCELLATION,
    AccountKind.OP_CANCELLATION,
    AccountKind.OMGE_CANCELLATION,
    AccountKind.VOLUNTARY_CANCELLATION,
}


@dataclass(frozen=True)
class AuthorizationFacts:
    """What the model needs to know of an authorization to predict a movement."""

    ndc: bool
    imp: bool
    op: bool
    first_transfer: str  # "international", "authorisation" or "cancellation"
    parties: frozenset[str] | None = None  # None: any acquiring Party


FACTS = {
    NDC: AuthorizationFacts(True, False, False, "international", frozenset({"XXC"})),
    CORSIA: AuthorizationFacts(False, True, True, "cancellation"),
    AT_AUTHORISATION: AuthorizationFacts(False, True, True, "authorisation"),
}
AUTHORIZATIONS = sorted(FACTS)


class Refused(Exception):
    """The model's prediction: this check refuses the command."""


@dataclass
class Piece:
    registry: str
    first: int
    last: int
    account: str
    authorization: str | None
    first_transferred: bool
    reserved_by: str | None = None

    @property
    def quantity(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True)
class Place:
    """An account as the machine knows it."""

    identifier: str
    party: str
    entity: bool
    kind: AccountKind


@dataclass
class Movement:
    """A movement the machine asks for, with what the model needs to predict it."""

    service: Callable[..., Receipt]
    actor: Actor
    command: BaseModel  # its `units` are filled in by `LedgerMachine.move`
    action: str  # link, internal, international, use or cancel
    source: str
    destination: str
    selection_auth: str | None  # the authorization the units are selected by
    refusal: str | None = None  # a check that refuses before units are chosen
    authorization: str | None = None  # the one being linked
    acquiring_party: str | None = None
    purpose: CancellationPurpose | None = None
    identifier: str = ""  # once it awaits approval


def verdict(movement: Movement, piece: Piece) -> tuple[str | None, bool, bool]:
    """What the movement does to units like `piece`: (authorization, first transferred, is this
    their first transfer), or Refused with the check that stops it."""
    action = movement.action
    if action == "internal":
        return piece.authorization, piece.first_transferred, False
    if action == "link":
        assert movement.authorization is not None
        at_link = FACTS[movement.authorization].first_transfer == "authorisation"
        return movement.authorization, at_link, at_link
    assert piece.authorization is not None
    facts = FACTS[piece.authorization]
    done = piece.first_transferred
    if action == "international":
        if facts.parties is not None and movement.acquiring_party not in facts.parties:
            raise Refused("C3004")
        if not done and not facts.ndc:
            raise Refused("C3008")
        return piece.authorization, True, not done
    if action == "use":
        if not facts.ndc:
            raise Refused("C3003")
        if not done:
            raise Refused("C3008")
        return piece.authorization, True, False
    purpose = movement.purpose
    if (purpose is CancellationPurpose.IMP and not facts.imp) or (
        purpose is CancellationPurpose.OP and not facts.op
    ):
        raise Refused("C3003")
    if done:
        return piece.authorization, True, False
    if facts.first_transfer == "cancellation":
        return piece.authorization, True, True
    if purpose in (CancellationPurpose.IMP, CancellationPurpose.OP):
        raise Refused("C3008")
    return piece.authorization, False, False


def merged_runs(rows: Any) -> list[tuple[Any, ...]]:
    """Adjacent ranges with the same holder and status as one run, so that differently split
    but equal ledgers compare equal."""
    runs: list[list[Any]] = []
    for registry, first, last, *key in rows:
        if runs and runs[-1][0] == registry and runs[-1][2] + 1 == first and runs[-1][3:] == key:
            runs[-1][2] = last
        else:
            runs.append([registry, first, last, *key])
    return [tuple(r) for r in runs]


@dataclass
class Model:
    """The reference ledger: serial ranges with their holder and first-transfer status."""

    places: dict[str, Place]
    pieces: list[Piece] = field(default_factory=list)
    next_serial: int = 1
    underlying_left: int = UNDERLYING
    linked: dict[str, int] = field(default_factory=dict)
    pending: list[Movement] = field(default_factory=list)
    finished: list[str] = field(default_factory=list)

    def pool(self, account: str, authorization: str | None, reserved: bool = False) -> list[Piece]:
        return [
            p
            for p in self.pieces
            if p.account == account
            and (authorization is None or p.authorization == authorization)
            and (p.reserved_by is not None) == reserved
        ]

    def free(self, account: str, authorization: str | None) -> int:
        return sum(p.quantity for p in self.pool(account, authorization))

    def reserved(self, account: str, authorization: str | None = None) -> int:
        return sum(p.quantity for p in self.pool(account, authorization, reserved=True))

    def held(self, account: str) -> int:
        return sum(p.quantity for p in self.pieces if p.account == account)

    def total(self, kinds: set[AccountKind] | None = None) -> int:
        return sum(
            p.quantity for p in self.pieces if kinds is None or self.places[p.account].kind in kinds
        )

    def filled(self, kinds: set[AccountKind], **where: Any) -> list[tuple[str, str | None]]:
        """(account, authorization) pools of these kinds with units free to move."""
        found = {
            (p.account, p.authorization)
            for p in self.pieces
            if p.reserved_by is None
            and self.places[p.account].kind in kinds
            and all(getattr(self.places[p.account], k) == v for k, v in where.items())
        }
        return sorted(found, key=lambda pool: (pool[0], pool[1] or ""))

    def carve(self, registry: str, first: int, last: int) -> list[Piece]:
        """Split pieces so that exactly [first, last] is covered by whole pieces; return those."""
        covered: list[Piece] = []
        kept: list[Piece] = []
        for p in self.pieces:
            if p.registry != registry or p.last < first or p.first > last:
                kept.append(p)
                continue
            if p.first < first:
                kept.append(replace(p, last=first - 1))
            if p.last > last:
                kept.append(replace(p, first=last + 1))
            covered.append(replace(p, first=max(p.first, first), last=min(p.last, last)))
        assert sum(p.quantity for p in covered) == last - first + 1, (
            f"{registry} [{first}, {last}] is not wholly in the model's ledger"
        )
        self.pieces = kept + covered
        return covered

    def runs(self) -> list[tuple[Any, ...]]:
        ordered = sorted(self.pieces, key=lambda p: (p.registry, p.first))
        return merged_runs(
            (
                p.registry,
                p.first,
                p.last,
                p.account,
                p.authorization,
                p.first_transferred,
                p.reserved_by,
                self.places[p.account].kind.holds.value,
            )
            for p in ordered
        )


@dataclass(frozen=True)
class Ask:
    """How many units a movement asks for: a share of its pool (over 100 overdraws), or serial
    ranges inside one piece; `pick` chooses among candidates."""

    share: int = 100
    by_ranges: bool = False
    pick: int = 0
    exact: int | None = None


asks = st.builds(
    Ask,
    share=st.integers(min_value=1, max_value=125),
    by_ranges=st.booleans(),
    pick=st.integers(min_value=0, max_value=10_000),
)
strays = st.integers(min_value=0, max_value=9).map(lambda n: n == 0)  # 1 in 10: any pool


class LedgerMachine(RuleBasedStateMachine):
    """Drives the services on a fresh registry per example and checks it against the model."""

    def __init__(self, databases: Databases, origin: Origin | None = None) -> None:
        super().__init__()
        self.databases = databases
        self.last_keyed: tuple[Callable[..., Receipt], Actor, BaseModel, str, Receipt] | None = None
        if origin is not None:  # each example starts from a copy of the origin
            self.url = databases.copy(origin.url)
            self.open()
            self.world, self.model, self.keys = origin.world, deepcopy(origin.model), origin.keys
            return
        self.url = databases.origin
        self.open()
        self.world = demo.build_world(self.registry)
        authorizations.record_authorization(
            self.registry,
            demo.XXA_ADMIN,
            c.RecordAuthorization(
                authorization_id=AT_AUTHORISATION,
                date_of_authorization=date(2025, 4, 1),
                cooperative_approach=demo.APPROACH,
                sectors=[Sector.ENERGY_GENERATION],
                activity_types=[ActivityType.SOLAR],
                purposes=Purpose.OIMP,
                oimp_authorized="CORSIA",
                first_transfer_definition=FirstTransferDefinition.AUTHORISATION,
            ),
        )
        places = {
            view.identifier: Place(
                view.identifier, party, view.holder != "PARTY", AccountKind(view.kind)
            )
            for party, actor in ADMIN.items()
            for view in ledger.accounts(self.registry, actor, party)
        }
        self.model = Model(places)
        self.model.finished.append(self.world.receipts[0].record)
        self.issued(self.account("XXA", False, MO), 1, demo.ISSUED)
        self.keys = 0
        self.opening()
        self.registry_agrees_with_model()

    def origin(self) -> Origin:
        """Close this registry and keep it, with the model, as every example's start."""
        self.close()
        return Origin(self.url, self.world, deepcopy(self.model), self.keys)

    def open(self) -> None:
        self.registry = Registry(make_engine(self.url))
        # The machine's own reads share one connection (kept open, it also spares SQLite a
        # checkpoint each time a command's connection closes).
        self.observer = self.registry.engine.connect().execution_options(sqlite_begin="DEFERRED")

    @contextmanager
    def observing(self) -> Iterator[Connection]:
        with self.observer.begin():
            yield self.observer

    def close(self) -> None:
        self.observer.close()
        self.registry.engine.dispose()

    def opening(self) -> None:
        """Give every kind of pool some units, so that random steps mostly find something."""
        for authorization, quantity in ((NDC, 30_000), (CORSIA, 20_000), (AT_AUTHORISATION, 9_000)):
            self.link(False, authorization, Ask(exact=quantity))
        xxa_amo, xxa_itmo = self.account("XXA", False, AMO), self.account("XXA", False, ITMO)
        for authorization in (NDC, CORSIA):
            self.internal(xxa_amo, authorization, False, Ask(exact=4_000))
        self.international(xxa_amo, NDC, False, False, Ask(exact=12_000))
        self.international(xxa_itmo, AT_AUTHORISATION, True, False, Ask(exact=3_000))
        self.issue(True, 2023, 5_000)

    def teardown(self) -> None:
        self.close()
        if self.url != self.databases.origin:
            self.databases.drop(self.url)

    # -- helpers ------------------------------------------------------------------------------

    def account(self, party: str, entity: bool, kind: AccountKind | str) -> str:
        holder = ENTITY_NAME[party] if entity else "Party"
        return self.world[f"{party} {holder} {AccountKind(kind).value}"]

    def choose(
        self, kinds: set[AccountKind], pick: int, stray: bool, **where: Any
    ) -> tuple[str, str | None]:
        """A pool with free units, or (stray, or none left) any pool, likely empty."""
        candidates = self.model.filled(kinds, **where)
        if stray or not candidates:
            candidates = [
                (place.identifier, None if place.kind is MO else authorization)
                for place in self.model.places.values()
                if place.kind in kinds and all(getattr(place, k) == v for k, v in where.items())
                for authorization in AUTHORIZATIONS
            ]
        return candidates[pick % len(candidates)]

    def issued(self, account: str, first: int, last: int) -> None:
        self.model.pieces.append(Piece("XXA01", first, last, account, None, False))
        self.model.next_serial = last + 1
        self.model.underlying_left -= last - first + 1

    def selection(
        self, source: str, authorization: str | None, ask: Ask
    ) -> tuple[c.UnitSelection, int, str | None]:
        """The units to ask for, how many, and the check the model expects to refuse them."""
        pool = self.model.pool(source, authorization)
        if ask.by_ranges and ask.exact is None and pool:
            piece = pool[ask.pick % len(pool)]
            size = max(1, piece.quantity * min(ask.share, 100) // 100)
            first = piece.first + ask.pick % (piece.quantity - size + 1)
            serials = c.SerialRange(registry=piece.registry, first=first, last=first + size - 1)
            return c.UnitSelection(ranges=[serials], authorization_id=authorization), size, None
        free = self.model.free(source, authorization)
        wanted = ask.exact or (
            max(1, free * ask.share // 100) if ask.share <= 100 else free + ask.share - 100
        )
        problem = None
        if wanted > free:
            reserved = self.model.reserved(source, authorization)
            problem = "C2002" if wanted <= free + reserved else "C2001"
        return c.UnitSelection(quantity=wanted, authorization_id=authorization), wanted, problem

    def fingerprint(self) -> tuple[Any, ...]:
        """What a command may change; a refused command must leave it identical. Every change
        is journaled, moves units (holdings, blocks) or adds rows (transactions, keys). The
        journal is sealed first: the sealer may still be chaining an earlier command's entry."""
        seal(self.registry.engine)
        with self.observing() as connection:
            rows = tuple(
                tuple(connection.execute(select(t).order_by(*t.primary_key.columns)).all())
                for t in (journal_head, holdings, unit_blocks, party_sections)
            )
            counts = tuple(
                connection.execute(select(func.count()).select_from(t)).scalar_one()
                for t in (transactions, transaction_blocks, idempotency_keys)
            )
        return rows, counts

    def send(
        self,
        service: Callable[..., Receipt],
        actor: Actor,
        command: BaseModel,
        expected: str | None,
        keyed: bool = False,
    ) -> Receipt | None:
        """Run a command; it must succeed, or be refused by `expected` and change nothing."""
        key = None
        if keyed:
            self.keys += 1
            key = f"machine-{self.keys}"
        before = self.fingerprint() if expected is not None else None
        try:
            receipt = service(self.registry, actor, command, idempotency_key=key)
        except CommandRefused as refused:
            assert expected is not None, f"{command!r} was refused: {refused}"
            assert set(refused.codes) == {expected}, f"expected {expected}, got {refused}"
            assert self.fingerprint() == before, f"refused {command!r} changed the database"
            return None
        assert expected is None, f"{command!r} should be refused by {expected}: {receipt}"
        if key is not None:
            self.last_keyed = (service, actor, command, key, receipt)
        return receipt

    def move(self, movement: Movement, ask: Ask) -> None:
        """Choose units, predict the outcome, send the command and follow it in the model."""
        selection, wanted, problem = self.selection(movement.source, movement.selection_auth, ask)
        command = movement.command.model_copy(update={"units": selection})
        movement = replace(movement, command=command)
        expected = movement.refusal or problem
        if expected is None:
            try:
                verdict(movement, self.model.pool(movement.source, movement.selection_auth)[0])
            except Refused as refused:
                expected = str(refused)
        over_cap = self.model.linked.get(NDC, 0) + wanted > NDC_CAP
        if expected is None and movement.authorization == NDC and over_cap:
            expected = "C3007"
        receipt = self.send(movement.service, movement.actor, command, expected, keyed=True)
        if receipt is None:
            return
        assert receipt.transaction is not None
        assert receipt.transaction.quantity == wanted
        if movement.actor.entity is not None:
            assert receipt.status == "awaiting_approval", "an entity's request awaits approval"
            self.reserve(replace(movement, identifier=receipt.record), wanted)
            return
        assert receipt.status == "completed"
        self.complete(receipt, movement)
        if movement.authorization is not None:
            linked = self.model.linked.get(movement.authorization, 0)
            self.model.linked[movement.authorization] = linked + wanted

    def complete(self, receipt: Receipt, movement: Movement) -> None:
        """Follow the ranges the registry moved: each must have been in the source pool, and
        marked a first transfer exactly when the model says it is one."""
        assert receipt.transaction is not None
        reservation = movement.identifier or None
        for moved in receipt.transaction.ranges:
            for piece in self.model.carve(moved.registry, moved.first, moved.last):
                assert piece.account == movement.source, f"{moved} was not in {movement.source}"
                assert piece.reserved_by == reservation, f"{moved} reserved by {piece.reserved_by}"
                if movement.selection_auth is not None:
                    assert piece.authorization == movement.selection_auth
                authorization, first_transferred, first_transfer = verdict(movement, piece)
                assert (moved.first_transfer_subtype is not None) == first_transfer, (
                    f"{moved}: the model says first transfer {first_transfer}"
                )
                assert moved.to_state == self.model.places[movement.destination].kind.holds.value
                piece.account = movement.destination
                piece.authorization = authorization
                piece.first_transferred = first_transferred
                piece.reserved_by = None
        assert not any(p.reserved_by == receipt.record for p in self.model.pieces)
        self.model.finished.append(receipt.record)

    def reserve(self, movement: Movement, wanted: int) -> None:
        """Follow the units a request awaiting approval reserved."""
        with self.observing() as connection:
            rows = connection.execute(
                select(
                    unit_blocks.c.registry_id, unit_blocks.c.serial_first, unit_blocks.c.serial_last
                )
                .join(transactions, transactions.c.id == unit_blocks.c.reserved_by)
                .where(transactions.c.identifier == movement.identifier)
            ).all()
        assert sum(last - first + 1 for _, first, last in rows) == wanted
        for registry, first, last in rows:
            for piece in self.model.carve(registry, first, last):
                assert piece.account == movement.source and piece.reserved_by is None
                if movement.selection_auth is not None:
                    assert piece.authorization == movement.selection_auth
                piece.reserved_by = movement.identifier
        self.model.pending.append(movement)

    def release(self, pending: Movement) -> None:
        for piece in self.model.pieces:
            if piece.reserved_by == pending.identifier:
                piece.reserved_by = None
        self.model.pending.remove(pending)
        self.model.finished.append(pending.identifier)

    # -- the movements, with their parameters chosen -------------------------------------------

    def link(self, entity: bool, authorization: str, ask: Ask) -> None:
        at_link = FACTS[authorization].first_transfer == "authorisation"
        command = c.LinkAuthorization(
            account=self.account("XXA", entity, MO),
            authorization_id=authorization,
            units=c.UnitSelection(),
        )
        movement = Movement(
            units.link_authorization,
            demo.XXA_ADMIN,
            command,
            "link",
            command.account,
            self.account("XXA", entity, ITMO if at_link else AMO),
            None,
            authorization=authorization,
        )
        self.move(movement, ask)

    def internal(self, source: str, authorization: str | None, by_entity: bool, ask: Ask) -> None:
        place = self.model.places[source]
        destination = self.account(place.party, not place.entity, place.kind)
        command = c.TransferUnits(
            source_account=source, destination_account=destination, units=c.UnitSelection()
        )
        actor = ENTITY[place.party] if by_entity and place.entity else ADMIN[place.party]
        # Only the entity's representatives move units from its accounts.
        refusal = "C4002" if place.entity and not by_entity else None
        self.move(
            Movement(
                units.transfer_units,
                actor,
                command,
                "internal",
                source,
                destination,
                authorization,
                refusal=refusal,
            ),
            ask,
        )

    def international(
        self, source: str, authorization: str | None, to_entity: bool, by_entity: bool, ask: Ask
    ) -> None:
        place = self.model.places[source]
        other = OTHER[place.party]
        destination = self.account(other, to_entity, ITMO)
        command = c.TransferInternationally(
            source_account=source, destination_account=destination, units=c.UnitSelection()
        )
        actor = ENTITY[place.party] if by_entity and place.entity else ADMIN[place.party]
        # Only the entity's representatives move units from its accounts.
        refusal = "C4002" if place.entity and not by_entity else None
        movement = Movement(
            units.transfer_internationally,
            actor,
            command,
            "international",
            source,
            destination,
            authorization,
            acquiring_party=other,
            refusal=refusal,
        )
        self.move(movement, ask)

    # -- rules: issuance ----------------------------------------------------------------------

    @rule(
        to_entity=st.booleans(),
        vintage=st.integers(min_value=2021, max_value=2025),
        quantity=st.one_of(st.integers(1, 5_000), st.integers(5_000, 150_000)),
    )
    def issue(self, to_entity: bool, vintage: int, quantity: int) -> None:
        account = self.account("XXA", to_entity, MO)
        command = c.IssueUnits(
            mitigation_activity=ACTIVITY,
            vintage=vintage,
            quantity=quantity,
            account=account if to_entity else None,
        )
        expected = "C2003" if quantity > self.model.underlying_left else None
        receipt = self.send(issuance.issue_units, demo.XXA_ADMIN, command, expected)
        if receipt is None:
            return
        assert receipt.transaction is not None
        (issued,) = receipt.transaction.ranges
        first = self.model.next_serial
        last = first + quantity - 1
        assert (issued.registry, issued.first, issued.last) == ("XXA01", first, last), (
            "serials continue where the last issuance ended"
        )
        self.issued(account, first, last)
        self.model.finished.append(receipt.record)

    # -- rules: movements ---------------------------------------------------------------------

    @rule(entity=st.booleans(), authorization=st.sampled_from(AUTHORIZATIONS), ask=asks)
    def link_authorization(self, entity: bool, authorization: str, ask: Ask) -> None:
        self.link(entity, authorization, ask)

    @rule(ask=asks, stray=strays, by_entity=st.booleans())
    def transfer_internally(self, ask: Ask, stray: bool, by_entity: bool) -> None:
        source, authorization = self.choose({MO, AMO, ITMO}, ask.pick, stray)
        self.internal(source, authorization, by_entity, ask)

    @rule(ask=asks, stray=strays, to_entity=st.booleans(), by_entity=st.booleans())
    def transfer_internationally(
        self, ask: Ask, stray: bool, to_entity: bool, by_entity: bool
    ) -> None:
        source, authorization = self.choose({AMO, ITMO}, ask.pick, stray)
        self.international(source, authorization, to_entity, by_entity, ask)

    @rule(ask=asks, stray=strays, year=st.integers(2021, 2030))
    def use_towards_ndc(self, ask: Ask, stray: bool, year: int) -> None:
        source, authorization = self.choose({ITMO}, ask.pick, stray, entity=False)
        party = self.model.places[source].party
        command = c.UseTowardsNDC(source_account=source, ndc_year=year, units=c.UnitSelection())
        destination = self.account(party, False, AccountKind.NDC_USE)
        self.move(
            Movement(
                units.use_towards_ndc,
                ADMIN[party],
                command,
                "use",
                source,
                destination,
                authorization,
            ),
            ask,
        )

    @rule(
        ask=asks,
        stray=strays,
        purpose=st.sampled_from(list(CancellationPurpose)),
        by_entity=st.booleans(),
    )
    def cancel(self, ask: Ask, stray: bool, purpose: CancellationPurpose, by_entity: bool) -> None:
        source, authorization = self.choose({AMO, ITMO}, ask.pick, stray)
        place = self.model.places[source]
        command = c.CancelUnits(
            source_account=source,
            purpose=purpose,
            purpose_text="CORSIA" if purpose.value in ("IMP", "OP") else None,
            units=c.UnitSelection(),
        )
        actor = ENTITY[place.party] if by_entity and place.entity else ADMIN[place.party]
        # Only the entity's representatives move units from its accounts.
        refusal = "C4002" if place.entity and not by_entity else None
        destination = self.account(place.party, False, f"{purpose.value.lower()}_cancellation")
        movement = Movement(
            units.cancel_units,
            actor,
            command,
            "cancel",
            source,
            destination,
            authorization,
            purpose=purpose,
            refusal=refusal,
        )
        self.move(movement, ask)

    # -- rules: requests awaiting approval ----------------------------------------------------

    @precondition(lambda self: self.model.pending)
    @rule(pick=st.integers(0, 100), who=st.sampled_from(["admin", "initiator", "other Party"]))
    def approve(self, pick: int, who: str) -> None:
        pending = self.model.pending[pick % len(self.model.pending)]
        actor, expected = {
            "admin": (ADMIN[pending.actor.party or ""], None),
            "initiator": (pending.actor, "C4002"),
            "other Party": (ADMIN[OTHER[pending.actor.party or ""]], "C4006"),
        }[who]
        command = c.ApproveTransaction(transaction=pending.identifier)
        receipt = self.send(approvals.approve_transaction, actor, command, expected)
        if receipt is not None:
            assert receipt.status == "completed"
            self.complete(receipt, pending)
            self.model.pending.remove(pending)

    @precondition(lambda self: self.model.pending)
    @rule(pick=st.integers(0, 100), by_initiator=st.booleans())
    def reject(self, pick: int, by_initiator: bool) -> None:
        pending = self.model.pending[pick % len(self.model.pending)]
        actor = pending.actor if by_initiator else ADMIN[pending.actor.party or ""]
        command = c.RejectTransaction(transaction=pending.identifier, reason="not now")
        expected = "C4002" if by_initiator else None  # entities do not approve
        receipt = self.send(approvals.reject_transaction, actor, command, expected)
        if receipt is not None:
            assert receipt.status == "rejected"
            self.release(pending)

    @precondition(lambda self: self.model.pending)
    @rule(pick=st.integers(0, 100), by_initiator=st.booleans())
    def withdraw(self, pick: int, by_initiator: bool) -> None:
        pending = self.model.pending[pick % len(self.model.pending)]
        actor = pending.actor if by_initiator else ADMIN[pending.actor.party or ""]
        command = c.WithdrawTransaction(transaction=pending.identifier)
        expected = None if by_initiator else "C4002"  # only the initiator withdraws
        receipt = self.send(approvals.withdraw_transaction, actor, command, expected)
        if receipt is not None:
            assert receipt.status == "cancelled"
            self.release(pending)

    @rule(pick=st.integers(0, 100), unknown=strays)
    def approve_what_is_not_pending(self, pick: int, unknown: bool) -> None:
        identifier = self.model.finished[pick % len(self.model.finished)]
        if unknown:
            identifier, expected = "XXA01-99999999", "C1012"
        else:
            expected = "C4007"
        command = c.ApproveTransaction(transaction=identifier)
        self.send(approvals.approve_transaction, ADMIN[identifier[:3]], command, expected)

    # -- rules: commands that must be refused -------------------------------------------------

    def refusal_cases(self) -> list[tuple[Callable[..., Receipt], Actor, BaseModel, str]]:
        a, one = self.account, c.UnitSelection(quantity=1)
        xxa, xxc, green_a = demo.XXA_ADMIN, demo.XXC_ADMIN, demo.GREEN_GROUP_A

        def internal(source: str, destination: str, units_: c.UnitSelection = one) -> Any:
            return c.TransferUnits(
                source_account=source, destination_account=destination, units=units_
            )

        def abroad(source: str, destination: str) -> Any:
            return c.TransferInternationally(
                source_account=source, destination_account=destination, units=one
            )

        def cancel(source: str, purpose: str, text: str | None = None) -> Any:
            return c.CancelUnits(
                source_account=source,
                purpose=CancellationPurpose(purpose),
                purpose_text=text,
                units=one,
            )

        def use(source: str, year: int) -> Any:
            return c.UseTowardsNDC(source_account=source, ndc_year=year, units=one)

        def issue(actor: Actor = xxa, **change: Any) -> Any:
            command = c.IssueUnits(mitigation_activity=ACTIVITY, vintage=2024, quantity=100)
            return issuance.issue_units, actor, command.model_copy(update=change)

        def link(account: str, authorization: str) -> Any:
            return c.LinkAuthorization(account=account, authorization_id=authorization, units=one)

        mo, amo, itmo = a("XXA", False, MO), a("XXA", False, AMO), a("XXA", False, ITMO)
        xxc_itmo, green_a_mo = a("XXC", False, ITMO), a("XXA", True, MO)
        beyond = c.UnitSelection(quantity=self.model.held(mo) + 1)
        nowhere = c.UnitSelection(ranges=[c.SerialRange(registry="XXA01", first=10**9, last=10**9)])
        transfer, international = units.transfer_units, units.transfer_internationally
        return [
            (*issue(quantity=0), "C1005"),
            (*issue(quantity=-7), "C1005"),
            (*issue(vintage=2020), "C1006"),
            (*issue(vintage=self.registry.now().year + 1), "C1006"),
            (*issue(authorization_id=NDC), "C3008"),  # NDC units are first transferred later
            (*issue(account=amo), "C4001"),  # MOs are issued into MO accounts
            (*issue(xxc), "C1012"),  # another Party's mitigation activity
            (*issue(green_a), "C4002"),  # entities do not issue
            (transfer, xxa, internal(mo, amo), "C4001"),  # to another account kind
            (transfer, xxa, internal(mo, mo), "C4001"),  # to the same account
            (transfer, xxa, internal(itmo, xxc_itmo), "C4001"),  # internal, to another Party
            (transfer, xxa, internal(mo, green_a_mo, beyond), "C2001"),  # too many units
            (transfer, xxa, internal(mo, green_a_mo, nowhere), "C2001"),  # serials not held
            (international, xxa, abroad(mo, xxc_itmo), "C3001"),  # MOs leave the ARS
            (units.cancel_units, xxa, cancel(mo, "voluntary"), "C3001"),  # MOs cancelled
            (international, xxa, abroad(amo, itmo), "C4001"),  # inside one Party
            (international, xxa, abroad(amo, a("XXC", False, AMO)), "C4001"),  # not into ITMOs
            (transfer, xxc, internal(mo, green_a_mo), "C4006"),  # another Party's section
            (transfer, green_a, internal(mo, green_a_mo), "C4002"),  # entity, Party's units
            (units.use_towards_ndc, xxc, use(a("XXC", True, ITMO), 2025), "C4003"),  # by entity
            (units.use_towards_ndc, xxc, use(xxc_itmo, 2020), "C5001"),  # before the NDC period
            (units.use_towards_ndc, xxc, use(xxc_itmo, 2031), "C5001"),  # after it
            (units.use_towards_ndc, xxa, use(amo, 2025), "C4001"),  # AMOs are not used
            (transfer, xxc, internal(a("XXC", False, "ndc_use"), xxc_itmo), "C5002"),
            (units.cancel_units, xxa, cancel(a("XXA", False, "imp_cancellation"), "OMGE"), "C5002"),
            (
                international,
                xxa,
                abroad(a("XXA", False, "voluntary_cancellation"), xxc_itmo),
                "C5002",
            ),
            (units.cancel_units, xxa, cancel(amo, "IMP", "  "), "C5004"),  # IMP names its purpose
            (units.link_authorization, xxa, link(amo, NDC), "C4001"),  # only MOs are linked
            (units.link_authorization, xxa, link(mo, "XXA-UNKNOWN-001"), "C3002"),
            (units.link_authorization, green_a, link(green_a_mo, CORSIA), "C4002"),
        ]

    @rule(pick=st.integers(0, 1_000), keyed=st.booleans())
    def refused(self, pick: int, keyed: bool) -> None:
        cases = self.refusal_cases()
        service, actor, command, expected = cases[pick % len(cases)]
        self.send(service, actor, command, expected, keyed)

    # -- rules: idempotency -------------------------------------------------------------------

    @precondition(lambda self: self.last_keyed is not None)
    @rule()
    def replay(self) -> None:
        """The same request with the same key answers the first outcome and changes nothing."""
        assert self.last_keyed is not None
        service, actor, command, key, receipt = self.last_keyed
        before = self.fingerprint()
        assert service(self.registry, actor, command, idempotency_key=key) == receipt
        assert self.fingerprint() == before

    @precondition(lambda self: self.last_keyed is not None)
    @rule()
    def reuse_key_for_another_request(self) -> None:
        assert self.last_keyed is not None
        service, actor, command, key, _ = self.last_keyed
        other = command.model_copy(update={"units": c.UnitSelection(quantity=999_999_999)})
        before = self.fingerprint()
        with pytest.raises(CommandRefused) as refused:
            service(self.registry, actor, other, idempotency_key=key)
        assert refused.value.codes == ["C1010"]
        assert self.fingerprint() == before

    # -- after every step ---------------------------------------------------------------------

    @invariant()
    def registry_agrees_with_model(self) -> None:
        # Every invariant, and the history replayed from the first transaction: the blocks and
        # holdings it rebuilds (reservations of pending transactions included) are the live ones.
        assert ledger.verify_registry(self.registry) == []
        views = [
            view
            for party, actor in ADMIN.items()
            for view in ledger.accounts(self.registry, actor, party)
        ]
        for view in views:
            assert (view.quantity, view.reserved) == (
                self.model.held(view.identifier),
                self.model.reserved(view.identifier),
            ), view.identifier
        issued = self.model.next_serial - 1
        used = sum(v.quantity for v in views if v.kind == AccountKind.NDC_USE.value)
        cancelled = sum(v.quantity for v in views if AccountKind(v.kind) in CANCELLATION_KINDS)
        held = sum(v.quantity for v in views if not AccountKind(v.kind).terminal)
        assert issued == held + used + cancelled == self.model.total()
        assert used == self.model.total({AccountKind.NDC_USE})
        assert cancelled == self.model.total(CANCELLATION_KINDS)
        assert self.ledger_runs() == self.model.runs()

    def ledger_runs(self) -> list[tuple[Any, ...]]:
        """The registry's unit blocks in the model's terms."""
        with self.observing() as connection:
            rows = connection.execute(
                select(
                    unit_blocks.c.registry_id,
                    unit_blocks.c.serial_first,
                    unit_blocks.c.serial_last,
                    accounts.c.identifier,
                    unit_blocks.c.authorization_id,
                    unit_blocks.c.first_transferred,
                    transactions.c.identifier,
                    unit_blocks.c.state,
                )
                .select_from(
                    unit_blocks.join(accounts, accounts.c.id == unit_blocks.c.account_id).outerjoin(
                        transactions, transactions.c.id == unit_blocks.c.reserved_by
                    )
                )
                .order_by(unit_blocks.c.registry_id, unit_blocks.c.serial_first)
            ).all()
        return merged_runs((r[0], r[1], r[2], r[3], r[4], bool(r[5]), r[6], r[7]) for r in rows)


@dataclass(frozen=True)
class Origin:
    """The registry every example starts from, and the model of it."""

    url: str
    world: demo.DemoWorld
    model: Model
    keys: int


@dataclass
class Databases:
    """The database under test, and copies of it for each example."""

    backend: str
    origin: str
    copy: Callable[[str], str]
    drop: Callable[[str], None]


@pytest.fixture
def databases(database_url: str, tmp_path: Path, postgres_databases: Any) -> Databases:
    if database_url.startswith("sqlite"):

        def copy(url: str) -> str:
            path = tmp_path / f"example-{uuid.uuid4().hex[:8]}.db"
            for suffix in ("", "-wal"):
                source = Path(url.removeprefix("sqlite:///") + suffix)
                if source.exists():
                    shutil.copy(source, str(path) + suffix)
            return f"sqlite:///{path}"

        def drop(url: str) -> None:
            for suffix in ("", "-wal", "-shm"):
                Path(url.removeprefix("sqlite:///") + suffix).unlink(missing_ok=True)

        return Databases("sqlite", database_url, copy, drop)

    def copy_database(url: str) -> str:
        name = f"article6_test_{uuid.uuid4().hex[:12]}"
        template = url.rsplit("/", 1)[-1]
        with postgres_databases.admin.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
        postgres_databases.created.append(name)
        return str(postgres_databases.url(name))

    return Databases("postgres", database_url, copy_database, postgres_databases.drop)


BUDGET = {"sqlite": (12, 25), "postgres": (3, 20)}  # examples, steps per example


def test_ledger_follows_the_model(databases: Databases) -> None:
    origin = LedgerMachine(databases).origin()
    examples, steps = BUDGET[databases.backend]
    run_state_machine_as_test(
        lambda: LedgerMachine(databases, origin),
        settings=settings(
            max_examples=examples,
            stateful_step_count=steps,
            deadline=None,
            print_blob=True,
            suppress_health_check=[HealthCheck.too_slow],
        ),
    )
