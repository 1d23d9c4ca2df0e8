"""A network of the hub and registries in one process, and the seed worlds of the
demonstration.

`Loopback` carries messages between parts running in one process (tests, and the in-process
demonstration); it can drop, duplicate or hold messages so the fault tests can exercise the
protocol (`interop.transport.HttpTransport` carries them between processes). `Network` steps
delivery explicitly: nothing happens until `settle()` is called, so the tests are
deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from enum import StrEnum
from typing import Any

from article6.demo.world import SECRETARIAT
from article6.domain.access import Actor, Role
from article6.domain.messages import Ack, AckResult
from article6.domain.nomenclature import ActivityType, MitigationType, Purpose, Sector
from article6.domain.protocol import HUB, MECHANISM_APPROACH, MECHANISM_REGISTRY
from article6.domain.protocol import Role as NodeRole
from article6.interop import directory
from article6.interop.directory import Peer
from article6.interop.hub import Hub
from article6.interop.node import RegistryNode
from article6.services import (
    authorizations,
    cooperative_approaches,
    issuance,
    mitigation_activities,
    parties,
    units,
)
from article6.services import commands as c
from article6.services.context import Registry
from article6.services.mechanism_issuance import IssueA64ERs, issue_a64ers, shares
from article6.services.reads import ledger

XXB_ADMIN = Actor("xxb.admin", Role.ADMINISTRATOR, "XXB")
APPROACH = "CA0001"
XXB_NDC = "XXB-NDC-1"


class Clock:
    """One clock for every part of a test network; time moves only when told to."""

    def __init__(self, start: datetime | None = None) -> None:
        self.moment = start or datetime(2026, 6, 1, 12, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, delta: timedelta) -> None:
        self.moment += delta


class Fate(StrEnum):
    DELIVER = "deliver"
    DROP = "drop"
    DUPLICATE = "duplicate"
    HOLD = "hold"


Interceptor = Callable[[Peer, dict[str, Any]], Fate]


@dataclass
class Loopback:
    """In-process transport to the `receive` of each part, by registry code."""

    receivers: dict[str, Callable[[Any], Ack]] = field(default_factory=dict)
    intercept: Interceptor | None = None
    held: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    log: list[tuple[str, str, str]] = field(default_factory=list)

    def post(self, peer: Peer, wire: dict[str, Any]) -> dict[str, Any]:
        fate = self.intercept(peer, wire) if self.intercept else Fate.DELIVER
        envelope = wire["envelope"]
        self.log.append((envelope["from_registry"], peer.registry_id, envelope["message_type"]))
        if fate is Fate.DROP:
            raise ConnectionError(f"dropped on the way to {peer.registry_id}")
        if fate is Fate.HOLD:
            self.held.append((peer.registry_id, wire))
            return Ack(result=AckResult.RECEIVED).model_dump(mode="json")
        receiver = self.receivers.get(peer.registry_id)
        if receiver is None:
            raise ConnectionError(f"{peer.registry_id} is not running")
        ack = receiver(wire)
        if fate is Fate.DUPLICATE:
            ack = receiver(wire)
        return ack.model_dump(mode="json")

    def release(self, reverse: bool = False) -> list[Ack]:
        """Deliver the held messages now, in order or in reverse order."""
        held, self.held = self.held, []
        if reverse:
            held.reverse()
        return [self.receivers[to](wire) for to, wire in held]


@dataclass
class Network:
    """The hub and the registries, connected through one transport."""

    hub: Hub
    nodes: dict[str, RegistryNode]
    transport: Any

    def connect(
        self, node: RegistryNode, issuer_codes: tuple[str, ...], base_url: str = ""
    ) -> None:
        """Enter a registry in the hub's directory (with the codes its sections number
        transactions under) and the hub in the registry's."""
        self.nodes[node.registry_id] = node
        directory.add_peer(
            self.hub.registry.engine,
            node.registry_id,
            node.identity.role,
            node.identity.public_key,
            base_url or f"loopback://{node.registry_id}",
            self.hub.now(),
            issuer_codes,
            directory.section_codes(node.registry.engine),
        )
        node.connect_hub(self.hub.identity.public_key, "loopback://HUB")
        introduce_mechanism(self.nodes.values())
        if isinstance(self.transport, Loopback):
            self.transport.receivers[node.registry_id] = node.receive
            self.transport.receivers[HUB] = self.hub.receive

    def restart(self, node: RegistryNode) -> RegistryNode:
        """The same registry, from its database, as after a crash and restart."""
        again = RegistryNode.open(node.registry, node.registry_id, node.identity.role)
        self.nodes[node.registry_id] = again
        if isinstance(self.transport, Loopback):
            self.transport.receivers[node.registry_id] = again.receive
        return again

    def settle(self, rounds: int = 50) -> int:
        """Deliver what is due, round after round, until nothing moves."""
        total = 0
        for _ in range(rounds):
            moved = self.hub.deliver_pending(self.transport)
            for node in list(self.nodes.values()):
                moved += node.deliver_pending(self.transport)
            total += moved
            if moved == 0:
                return total
        return total

    def reconcile(self, registries: list[str] | None = None) -> dict[str, tuple[str, list[str]]]:
        """Run a reconciliation with every registry (or those named) and return each result."""
        run = self.hub.start_reconciliation(registries)
        self.settle()
        return self.hub.reconciliation(run)


def introduce_mechanism(nodes: Iterable[RegistryNode]) -> None:
    """Enter the mechanism registry's key in every other registry's directory: the key its
    signed answers to pull-and-view queries are checked with (C6008)."""
    everyone = list(nodes)
    for mechanism in everyone:
        if mechanism.identity.role is not NodeRole.MECHANISM:
            continue
        for node in everyone:
            if node is not mechanism:
                directory.add_peer(
                    node.registry.engine,
                    mechanism.registry_id,
                    NodeRole.MECHANISM,
                    mechanism.identity.public_key,
                    "",
                    node.now(),
                )


# --- seed worlds ----------------------------------------------------------------------------


def _party(registry: Registry, code: str, section: bool) -> None:
    parties.register_party(
        registry,
        SECRETARIAT,
        c.RegisterParty(
            code=code,
            name=f"Party {code}",
            ndc_first_year=2021,
            ndc_last_year=2030,
            open_section=section,
        ),
    )


def _approach(registry: Registry, approach: str, name: str, parties: list[str]) -> None:
    cooperative_approaches.register_cooperative_approach(
        registry,
        SECRETARIAT,
        c.RegisterCooperativeApproach(id=approach, name=name, participating_parties=parties),
    )


def accounts_of(registry: Registry, party: str) -> dict[str, str]:
    found = {}
    for account in ledger.accounts(registry, SECRETARIAT, party):
        holder = "Party" if account.holder == "PARTY" else account.entity_name or account.holder
        key = f"{party} {holder} {account.kind}"
        if account.cooperative_approach and account.cooperative_approach != APPROACH:
            key += f" {account.cooperative_approach}"
        found[key] = account.identifier
    return found


def seed_international(registry: Registry) -> dict[str, str]:
    """The IR with ARS: sections for XXA and XXC; XXB, whose registry is its own, is known."""
    _party(registry, "XXA", True)
    _party(registry, "XXC", True)
    _party(registry, "XXB", False)
    _party(registry, "XXD", False)
    _approach(registry, APPROACH, "Clean energy", ["XXA", "XXB", "XXC"])
    _approach(registry, MECHANISM_APPROACH, "Article 6.4 mechanism", ["XXA", "XXD"])
    return accounts_of(registry, "XXA") | accounts_of(registry, "XXC")


def seed_national(registry: Registry, issued: int = 1000, linked: int = 600) -> dict[str, str]:
    """XXB's own registry (XXB01): 1,000 MOs of a solar activity, 600 under an NDC
    authorization that names no Party (any Party may acquire them)."""
    _party(registry, "XXB", True)
    _party(registry, "XXA", False)
    _party(registry, "XXC", False)
    _approach(registry, APPROACH, "Clean energy", ["XXA", "XXB", "XXC"])
    activity = mitigation_activities.record_mitigation_activity(
        registry,
        XXB_ADMIN,
        c.RecordMitigationActivity(
            title="XXB wind farm",
            cooperative_approach=APPROACH,
            sector=Sector.ENERGY_GENERATION,
            activity_type=ActivityType.WIND,
            mitigation_type=MitigationType.EMISSION_REDUCTIONS,
        ),
    ).record
    authorizations.record_authorization(
        registry,
        XXB_ADMIN,
        c.RecordAuthorization(
            authorization_id=XXB_NDC,
            date_of_authorization=date(2025, 4, 1),
            cooperative_approach=APPROACH,
            sectors=[Sector.ENERGY_GENERATION],
            activity_types=[ActivityType.WIND],
            purposes=Purpose.NDC,
        ),
    )
    found = accounts_of(registry, "XXB")
    if issued:
        issuance.issue_units(
            registry,
            XXB_ADMIN,
            c.IssueUnits(mitigation_activity=activity, vintage=2024, quantity=issued),
        )
    if linked:
        units.link_authorization(
            registry,
            XXB_ADMIN,
            c.LinkAuthorization(
                account=found["XXB Party mo_holding"],
                authorization_id=XXB_NDC,
                units=c.UnitSelection(quantity=linked),
            ),
        )
    return found


def build(
    hub_registry: Registry,
    ir_registry: Registry,
    national_registry: Registry,
    mechanism_registry: Registry | None = None,
    transport: Any | None = None,
) -> tuple[Network, dict[str, str]]:
    """The hub, the IR, XXB's registry and (if given) the Article 6.4 mechanism registry,
    seeded and connected; returns the account ids by `<Party> <holder> <kind> [<approach>]`."""
    # A test network reconciles whenever its test says: no minimum interval between runs.
    hub = Hub.open(hub_registry, reconciliation_interval=timedelta(0))
    network = Network(hub, {}, transport if transport is not None else Loopback())
    accounts = seed_international(ir_registry) | seed_national(national_registry)
    ir = RegistryNode.open(ir_registry, "IR", NodeRole.INTERNATIONAL)
    national = RegistryNode.open(national_registry, "XXB01", NodeRole.NATIONAL)
    network.connect(ir, ("XXA01", "XXC01"))
    network.connect(national, ("XXB01",))
    if mechanism_registry is not None:
        accounts |= seed_mechanism(mechanism_registry)
        mechanism = RegistryNode.open(mechanism_registry, MECHANISM_REGISTRY, NodeRole.MECHANISM)
        network.connect(mechanism, (MECHANISM_REGISTRY,))
    return network, accounts


# --- the mechanism registry's seed ---------------------------------------------------------

HOST = "XXD"
A64_NDC = "XXD-A64-NDC-1"


def seed_mechanism(registry: Registry, issued: int = 1000) -> dict[str, str]:
    """The mechanism registry: host Party XXD, 1,000 A6.4ERs issued (50 SOP, 20 OMGE), 930
    distributed to XXD's holding, 400 of them authorized by XXD for NDC use."""

    host = Actor("xxd.admin", Role.ADMINISTRATOR, HOST)
    for code, section in ((HOST, True), ("XXA", False)):
        parties.register_party(
            registry,
            SECRETARIAT,
            c.RegisterParty(
                code=code,
                name=f"Party {code}",
                ndc_first_year=2021,
                ndc_last_year=2030,
                open_section=section,
            ),
        )
    cooperative_approaches.register_cooperative_approach(
        registry,
        SECRETARIAT,
        c.RegisterCooperativeApproach(
            id=MECHANISM_APPROACH, name="Article 6.4 mechanism", participating_parties=[HOST, "XXA"]
        ),
    )
    issue_a64ers(
        registry,
        SECRETARIAT,
        IssueA64ERs(
            host_party=HOST,
            activity="A64-XXD-0001",
            sector=Sector.ENERGY_GENERATION,
            activity_type=ActivityType.SOLAR,
            vintage=2025,
            quantity=issued,
        ),
    )
    found = accounts_of(registry, HOST)
    sop, omge = shares(issued)
    units.transfer_units(
        registry,
        host,
        c.TransferUnits(
            source_account=found["XXD PENDING mo_holding"],
            destination_account=found["XXD Party mo_holding"],
            units=c.UnitSelection(quantity=issued - sop - omge),
        ),
    )
    authorizations.record_authorization(
        registry,
        host,
        c.RecordAuthorization(
            authorization_id=A64_NDC,
            date_of_authorization=date(2025, 6, 1),
            cooperative_approach=MECHANISM_APPROACH,
            sectors=[Sector.ENERGY_GENERATION],
            activity_types=[ActivityType.SOLAR],
            purposes=Purpose.NDC,
        ),
    )
    units.link_authorization(
        registry,
        host,
        c.LinkAuthorization(
            account=found["XXD Party mo_holding"],
            authorization_id=A64_NDC,
            units=c.UnitSelection(quantity=400),
        ),
    )
    return accounts_of(registry, HOST)
