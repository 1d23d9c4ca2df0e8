"""Transaction kinds and the status machine (RULES.md 9.4, after the Kyoto DES)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from article6.domain.accounts import CancellationPurpose
from article6.domain.checks import Check, refuse
from article6.domain.nomenclature import ActionSubtype, ActionType
from article6.domain.wording import words


class TransactionKind(StrEnum):
    ISSUANCE = "issuance"
    AUTHORIZATION = "authorization"
    INTERNAL_TRANSFER = "internal_transfer"
    INTERNATIONAL_TRANSFER = "international_transfer"
    USE = "use"
    CANCELLATION = "cancellation"
    FIRST_TRANSFER_RECORD = "first_transfer_record"
    EXTERNAL_TRANSFER = "external_transfer"
    ACQUISITION = "acquisition"
    SHARE_OF_PROCEEDS = "share_of_proceeds"
    MANDATORY_OMGE_CANCELLATION = "mandatory_omge_cancellation"
    HISTORY_IMPORT = "history_import"


class TransactionStatus(StrEnum):
    AWAITING_APPROVAL = "awaiting_approval"
    AWAITING_ACCEPTANCE = "awaiting_acceptance"
    PROPOSED = "proposed"
    CHECKED = "checked"
    COMPLETED = "completed"
    REJECTED = "rejected"
    TERMINATED = "terminated"
    CANCELLED = "cancelled"

    @property
    def final(self) -> bool:
        return self in FINAL_STATUSES

    @property
    def des_code(self) -> int | None:
        """The Kyoto DES status code, for tooling modelled on the DES."""
        return {
            TransactionStatus.PROPOSED: 1,
            TransactionStatus.CHECKED: 2,
            TransactionStatus.COMPLETED: 4,
            TransactionStatus.TERMINATED: 5,
            TransactionStatus.REJECTED: 6,
            TransactionStatus.CANCELLED: 7,
            TransactionStatus.AWAITING_APPROVAL: 0,
        }.get(self)


FINAL_STATUSES = frozenset(
    {
        TransactionStatus.COMPLETED,
        TransactionStatus.REJECTED,
        TransactionStatus.TERMINATED,
        TransactionStatus.CANCELLED,
    }
)

TRANSITIONS: dict[TransactionStatus, frozenset[TransactionStatus]] = {
    TransactionStatus.AWAITING_APPROVAL: frozenset(
        {
            TransactionStatus.PROPOSED,
            TransactionStatus.AWAITING_ACCEPTANCE,
            TransactionStatus.REJECTED,
            TransactionStatus.CANCELLED,
        }
    ),
    # A transfer to another Party that waits for the acquiring Party: accepted (completed),
    # refused (rejected) or, past its deadline, returned to the transferring account (cancelled).
    TransactionStatus.AWAITING_ACCEPTANCE: frozenset(
        {TransactionStatus.COMPLETED, TransactionStatus.REJECTED, TransactionStatus.CANCELLED}
    ),
    TransactionStatus.PROPOSED: frozenset(
        {TransactionStatus.CHECKED, TransactionStatus.TERMINATED, TransactionStatus.CANCELLED}
    ),
    TransactionStatus.CHECKED: frozenset(
        {TransactionStatus.COMPLETED, TransactionStatus.TERMINATED, TransactionStatus.CANCELLED}
    ),
}


def advance(current: TransactionStatus, target: TransactionStatus, field: str) -> TransactionStatus:
    """Move along the status machine or refuse with C4007."""
    if target not in TRANSITIONS.get(current, frozenset()):
        raise refuse(
            Check.C4007,
            field,
            words("a transaction {current} cannot become {target}", current=current, target=target),
        )
    return target


CANCELLATION_ACTION: dict[CancellationPurpose, tuple[ActionType, ActionSubtype | None]] = {
    CancellationPurpose.IMP: (ActionType.USE, None),
    CancellationPurpose.OP: (ActionType.CANCELLATION, ActionSubtype.OTHER_CANCELLATIONS),
    CancellationPurpose.OMGE: (ActionType.VOLUNTARY_CANCELLATION, ActionSubtype.VOLUNTARY_OMGE),
    CancellationPurpose.VOLUNTARY: (ActionType.VOLUNTARY_CANCELLATION, None),
}
"""How each cancellation is reported in AEF Table 3: a use for IMP (e.g. CORSIA) is a Use;
a cancellation for OP is a Cancellation; OMGE and plain voluntary cancellations are Voluntary
Cancellations."""


@dataclass(frozen=True)
class TransactionRecord:
    """A transaction as a command writes it: one row of the append-only history."""

    identifier: str
    party_code: str
    kind: str
    status: str
    quantity: int
    initiator: str
    initiator_user: str | None
    created_at: datetime
    source_account_id: int | None = None
    destination_account_id: int | None = None
    cancellation_purpose: str | None = None
    acquiring_party: str | None = None
    purpose: str | None = None
    first_transfer_reason: str | None = None
    mechanism_subtype: str | None = None
    counterpart: str | None = None
    transferring_party: str | None = None
    ndc_year: int | None = None
    using_entity_id: int | None = None
    authorization_id: str | None = None
    first_transfer: bool = False
    approver: str | None = None
    reason: str | None = None
    proposed_at: datetime | None = None
    checked_at: datetime | None = None
    finished_at: datetime | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class StoredTransaction(TransactionRecord):
    """A transaction as the history holds it: the record written, and the id it was stored
    under, which its moved ranges, reservations and messages point to."""

    id: int = field(kw_only=True)

    @property
    def source(self) -> int:
        """The account the units leave: a movement's, never an issuance's or arrival's."""
        if self.source_account_id is None:
            raise LookupError(f"{self.identifier} moves no units out of an account")
        return self.source_account_id

    @property
    def destination(self) -> int:
        """The account the units go to: every movement's within the registry."""
        if self.destination_account_id is None:
            raise LookupError(f"{self.identifier} moves no units into an account here")
        return self.destination_account_id


@dataclass(frozen=True)
class TransactionChange:
    """What a later step writes on a transaction's row: its new status and, where given, the
    times, approver and reason; a field left `None` keeps the column as it is."""

    status: str
    reason: str | None = None
    approver: str | None = None
    first_transfer: bool | None = None
    proposed_at: datetime | None = None
    checked_at: datetime | None = None
    finished_at: datetime | None = None
    expires_at: datetime | None = None


@dataclass(frozen=True)
class Completion:
    """What approving a waiting transaction changes on its row."""

    approver: str | None
    at: datetime
    first_transfer: bool
    status: str = TransactionStatus.COMPLETED.value
