"""Account kinds, where they live (ARS or IR), what they may hold, and their seed-style names."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from article6.domain.wording import Words, words


class Container(StrEnum):
    ARS = "ARS"
    IR = "IR"


class AccountStatus(StrEnum):
    OPEN = "open"
    BLOCKED = "blocked"
    CLOSED = "closed"


class UnitState(StrEnum):
    """MO (ARS) -> AMO (ARS, authorized) -> ITMO (IR, first transferred) -> used | cancelled."""

    MO = "MO"
    AMO = "AMO"
    ITMO = "ITMO"
    USED = "used"
    CANCELLED = "cancelled"


class CancellationPurpose(StrEnum):
    """What a cancellation is for; each has its own account."""

    IMP = "IMP"
    OP = "OP"
    OMGE = "OMGE"
    VOLUNTARY = "voluntary"


class AccountKind(StrEnum):
    MO_HOLDING = "mo_holding"
    AMO_HOLDING = "amo_holding"
    ITMO_HOLDING = "itmo_holding"
    NDC_USE = "ndc_use"
    IMP_CANCELLATION = "imp_cancellation"
    OP_CANCELLATION = "op_cancellation"
    OMGE_CANCELLATION = "omge_cancellation"
    VOLUNTARY_CANCELLATION = "voluntary_cancellation"

    @property
    def container(self) -> Container:
        ars = (AccountKind.MO_HOLDING, AccountKind.AMO_HOLDING)
        return Container.ARS if self in ars else Container.IR

    @property
    def terminal(self) -> bool:
        """Use and cancellation accounts: nothing ever leaves them."""
        return self not in HOLDING_KINDS

    @property
    def per_cooperative_approach(self) -> bool:
        return self is not AccountKind.MO_HOLDING

    @property
    def party_only(self) -> bool:
        """Use and cancellation accounts belong to the Party; entities use the Party's."""
        return self.terminal

    @property
    def holds(self) -> UnitState:
        return {
            AccountKind.MO_HOLDING: UnitState.MO,
            AccountKind.AMO_HOLDING: UnitState.AMO,
            AccountKind.ITMO_HOLDING: UnitState.ITMO,
            AccountKind.NDC_USE: UnitState.USED,
        }.get(self, UnitState.CANCELLED)

    @property
    def label(self) -> Words:
        return {
            AccountKind.MO_HOLDING: words("MO Holding"),
            AccountKind.AMO_HOLDING: words("AMO Holding"),
            AccountKind.ITMO_HOLDING: words("ITMO Holding"),
            AccountKind.NDC_USE: words("NDC Use"),
            AccountKind.IMP_CANCELLATION: words("IMP Cancellation"),
            AccountKind.OP_CANCELLATION: words("OP Cancellation"),
            AccountKind.OMGE_CANCELLATION: words("OMGE Cancellation"),
            AccountKind.VOLUNTARY_CANCELLATION: words("Voluntary Cancellation"),
        }[self]

    @property
    def nomenclature_code(self) -> int | None:
        """Table 52(b) code; only 200 (use towards NDC) is confirmed, the rest follow the Kyoto
        numbering (1xx holding, 2xx use, 3xx cancellation) and are configuration to confirm."""
        return {
            AccountKind.ITMO_HOLDING: 100,
            AccountKind.NDC_USE: 200,
            AccountKind.IMP_CANCELLATION: 300,
            AccountKind.OP_CANCELLATION: 310,
            AccountKind.OMGE_CANCELLATION: 320,
            AccountKind.VOLUNTARY_CANCELLATION: 330,
        }.get(self)


HOLDING_KINDS = frozenset(
    {AccountKind.MO_HOLDING, AccountKind.AMO_HOLDING, AccountKind.ITMO_HOLDING}
)

CANCELLATION_ACCOUNT = {
    CancellationPurpose.IMP: AccountKind.IMP_CANCELLATION,
    CancellationPurpose.OP: AccountKind.OP_CANCELLATION,
    CancellationPurpose.OMGE: AccountKind.OMGE_CANCELLATION,
    CancellationPurpose.VOLUNTARY: AccountKind.VOLUNTARY_CANCELLATION,
}

PARTY_SECTION_KINDS = tuple(k for k in AccountKind if k.per_cooperative_approach)
ENTITY_KINDS_PER_APPROACH = (AccountKind.AMO_HOLDING, AccountKind.ITMO_HOLDING)


def account_name(
    party: str, kind: AccountKind, cooperative_approach: str | None, entity_name: str | None = None
) -> str:
    """The seed's naming: `XXA CA0001 ITMO Holding (IR)`, `XXA Green Group A MO Holding (ARS)`."""
    parts = [party]
    if entity_name:
        parts.append(entity_name)
    if cooperative_approach and kind.per_cooperative_approach:
        parts.append(cooperative_approach)
    parts.append(kind.label)
    return " ".join(parts) + f" ({kind.container.value})"


PARTY_HOLDER = "PARTY"
"""The holder of a Party's own accounts."""

PENDING = "PENDING"
ADAPTATION_FUND = "ADAPTATION_FUND"
MECHANISM_HOLDERS = frozenset({PENDING, ADAPTATION_FUND})
"""The Article 6.4 mechanism's pending and share-of-proceeds accounts: the host Party
administers them; no authorized entity stands behind them."""


def holding_entity(holder: str) -> str | None:
    """The authorized entity whose account this is, or None for an account the Party itself
    administers: only an entity's representatives move units out of the entity's accounts."""
    return None if holder == PARTY_HOLDER or holder in MECHANISM_HOLDERS else holder


@dataclass(frozen=True)
class Account:
    """An account as a command sees it: where it is, whose it is, what it may hold, and whether
    it is open."""

    id: int
    identifier: str
    party_code: str
    entity_id: int | None
    holder: str
    kind: str
    cooperative_approach_key: str
    status: str

    @property
    def entity(self) -> str | None:
        """The authorized entity behind the account, if any (`holding_entity`)."""
        return holding_entity(self.holder)
