"""The protocol's messages, version 1.4: an envelope, a typed body, a signature (1.1 adds
the queries to the Article 6.4 mechanism registry and their answers; 1.2 the hold of a transfer
for the acquiring Party's acceptance, its withdrawal by the transferring registry, pages of the
mechanism registry's answers and the forwarding of registries' new keys; 1.3 the question
to the hub about where units are, answered at once; 1.4 pages carrying the whole history of
their serials, or saying that it was cut short).

Each body is a Pydantic model, a value both sides speak: the services that send or answer a
message build and read them, the protocol (`interop/`) carries them. `interop.schemas` turns
them into the JSON Schemas published in `docs/protocol/`, and every message is checked
against its schema on sending and on receipt.
Names follow the Kyoto DES (RULES.md 8.2) where it has one.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from article6.domain.identifiers import AUTHORIZATION_ID_LENGTH, AUTHORIZATION_ID_PATTERN
from article6.domain.protocol import VERSION, TransferStatus

Code = Field(pattern=r"^[A-Z][A-Z0-9]{1,4}$", description="A registry code, e.g. XXB01, IR, A64.")
Serial = Field(ge=1, le=10**18)


class Body(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


CURSOR = r"^s[0-9]{1,19}$"
"""A page's place in a pull (1.2): `s<serial>`, the answer continues after that serial."""


class Paged(Body):
    """A message with fields a later minor version added, left out when unset so that a peer of
    the earlier version, whose schema knows none of them, still takes the message (and the
    bytes the 6.4 registry signs are the same whichever version reads them)."""

    _LATER: tuple[str, ...] = ()

    @model_serializer(mode="wrap")
    def _without_unset_later_fields(self, handler: SerializerFunctionWrapHandler) -> object:
        dumped = handler(self)
        if isinstance(dumped, dict):
            for name in self._LATER:
                if dumped.get(name) is None:
                    dumped.pop(name, None)
        return dumped


class Envelope(Body):
    """Who sends what to whom, when: the part of every message the signature also covers."""

    protocol: Literal["article6-interop"] = "article6-interop"
    version: str = Field(default=VERSION, pattern=r"^[0-9]+\.[0-9]+$")
    message_type: str = Field(max_length=40)
    message_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9-]+$")
    from_registry: str = Code
    to_registry: str = Code
    sent_at: datetime
    in_reply_to: str | None = Field(default=None, max_length=64)


class Evaluation(Body):
    """One failed check and the unit blocks it concerns (DES `evaluationResult`)."""

    code: str = Field(pattern=r"^C[0-9]{4}$")
    detail: str = Field(max_length=2000)
    blocks: list[str] = Field(default_factory=list, max_length=1000)


class UnitBlock(Body):
    """A serial range with every identifier element and invariant attribute of its units."""

    originating_registry: str = Code
    first: int = Serial
    last: int = Serial
    unit_type: Literal["ITMO", "A6.4ER"] = "ITMO"
    cooperative_approach: str = Field(pattern=r"^CA[0-9]{4}$")
    first_transferring_party: str = Field(pattern=r"^[A-Z]{3}$")
    vintage: int = Field(ge=2021, le=2100)
    metric: str = Field(max_length=10)
    mitigation_type: str = Field(max_length=60)
    sector: str = Field(max_length=60)
    activity_type: str | None = Field(default=None, max_length=60)
    mitigation_activity: str = Field(max_length=40)
    gwp_values: str | None = Field(default=None, max_length=200)
    non_ghg_metric: str | None = Field(default=None, max_length=200)
    non_ghg_per_unit: str | None = Field(default=None, max_length=40)
    underlying_registry: str | None = Field(default=None, max_length=20)
    underlying_first: int | None = None
    authorization_id: str | None = Field(
        default=None, max_length=AUTHORIZATION_ID_LENGTH, pattern=AUTHORIZATION_ID_PATTERN
    )
    authorization_version: int | None = None
    first_transferred: bool = Field(description="Whether the units were first transferred before.")
    first_transfer_subtype: str | None = Field(
        default=None, max_length=80, description="Set when this transfer is their first transfer."
    )

    @property
    def label(self) -> str:
        return f"{self.originating_registry}-{self.first}-{self.last}"

    @property
    def quantity(self) -> int:
        return self.last - self.first + 1


class AuthorizationRecord(Body):
    """The authorization version the units are under (AEF Table 2 fields the checks need)."""

    party: str = Field(pattern=r"^[A-Z]{3}$")
    authorization_id: str = Field(
        max_length=AUTHORIZATION_ID_LENGTH, pattern=AUTHORIZATION_ID_PATTERN
    )
    version: int = Field(ge=1)
    date_of_authorization: str = Field(pattern=r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$")
    cooperative_approach: str = Field(pattern=r"^CA[0-9]{4}$")
    metric: str = Field(max_length=10)
    sectors: list[str] = Field(max_length=20)
    activity_types: list[str] = Field(default_factory=list, max_length=40)
    purposes: str = Field(max_length=20)
    authorized_quantity: int | None = None
    gwp_values: str | None = Field(default=None, max_length=200)
    non_ghg_metric: str | None = Field(default=None, max_length=200)
    authorized_parties: list[str] = Field(default_factory=list, max_length=200)
    authorized_entities: list[str] = Field(default_factory=list, max_length=200)
    oimp_authorized: str | None = Field(default=None, max_length=2000)
    timeframe_first: int | None = None
    timeframe_last: int | None = None
    first_transfer_definition: str | None = Field(default=None, max_length=30)
    revoked: bool = False


class TransferProposal(Body):
    """An external transfer (DES `ProposalTransaction`): sent by the transferring registry to
    the hub, which checks it and forwards it to the acquiring registry."""

    transaction_id: str = Field(max_length=40)
    transaction_type: Literal["external_transfer"] = "external_transfer"
    transferring_registry: str = Code
    acquiring_registry: str = Code
    transferring_party: str = Field(pattern=r"^[A-Z]{3}$")
    acquiring_party: str = Field(pattern=r"^[A-Z]{3}$")
    transferring_account: str = Field(max_length=40)
    acquiring_account: str = Field(max_length=40)
    quantity: int = Field(ge=1)
    expires_at: datetime
    blocks: list[UnitBlock] = Field(min_length=1, max_length=1000)
    authorizations: list[AuthorizationRecord] = Field(default_factory=list, max_length=1000)


class ProposalOutcome(StrEnum):
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class ProposalResponse(Body):
    """The acquiring registry's answer to a forwarded proposal."""

    transaction_id: str = Field(max_length=40)
    outcome: ProposalOutcome
    evaluation: list[Evaluation] = Field(default_factory=list, max_length=1000)


class AcceptanceHold(Body):
    """(1.2) The acquiring registry tells the hub that `acquiring_party` holds the transfer for
    its acceptance until `held_until`, later than the proposal's own deadline. The hub takes it
    only from the transfer's acquiring registry and up to its bound, keeps the transfer open
    until then, and sends the hold it took to both registries as its word."""

    transaction_id: str = Field(max_length=40)
    acquiring_party: str = Field(pattern=r"^[A-Z]{3}$")
    held_until: datetime


class TransferWithdrawal(Body):
    """(1.2) The transferring registry withdraws a transfer the acquiring registry has not yet
    accepted (its Party's decision, `reason`). The hub takes it only from the transferring
    registry; a transfer it still holds open is cancelled and both registries are told."""

    transaction_id: str = Field(max_length=40)
    transferring_party: str = Field(pattern=r"^[A-Z]{3}$")
    reason: str = Field(max_length=2000)


class StatusNotification(Body):
    """The hub's word on a transaction (DES `NotificationRequest`); final statuses are binding."""

    transaction_id: str = Field(max_length=40)
    status: TransferStatus
    evaluation: list[Evaluation] = Field(default_factory=list, max_length=1000)


class TransactionStatusQuery(Body):
    """Ask the hub for a transaction's status; it answers with a StatusNotification."""

    transaction_id: str = Field(max_length=40)


class ReconciliationPhase(StrEnum):
    TOTALS = "totals"
    UNIT_BLOCKS = "unit_blocks"
    AUDIT_TRAIL = "audit_trail"


class ReconciliationRequest(Body):
    """The hub asks a registry for one phase of reconciliation at a snapshot time."""

    reconciliation_id: str = Field(max_length=64)
    phase: ReconciliationPhase
    snapshot_at: datetime


class Total(Body):
    originating_registry: str = Code
    state: str = Field(max_length=20)
    quantity: int = Field(ge=0)


class TotalsReport(Body):
    """Units held per originating registry and state, the registry's own ledger verification,
    and its external transfers not yet final."""

    reconciliation_id: str = Field(max_length=64)
    totals: list[Total] = Field(max_length=100_000)
    pending_transfers: list[str] = Field(default_factory=list, max_length=100_000)
    ledger_problems: list[str] = Field(default_factory=list, max_length=1000)


class HeldBlock(Body):
    originating_registry: str = Code
    first: int = Serial
    last: int = Serial
    state: str = Field(max_length=20)
    reserved: bool = False


class UnitBlocksReport(Body):
    reconciliation_id: str = Field(max_length=64)
    blocks: list[HeldBlock] = Field(max_length=1_000_000)


class TrailEntry(Body):
    transaction_id: str = Field(max_length=40)
    direction: Literal["out", "in"]
    counterpart_registry: str = Code
    status: str = Field(max_length=20)
    ranges: list[HeldBlock] = Field(max_length=1000)


class AuditTrailReport(Body):
    reconciliation_id: str = Field(max_length=64)
    transfers: list[TrailEntry] = Field(max_length=100_000)


class ReconciliationStatus(StrEnum):
    COMPLETED = "completed"
    INCONSISTENT = "inconsistent"


class ReconciliationResult(Body):
    reconciliation_id: str = Field(max_length=64)
    status: ReconciliationStatus
    discrepancies: list[str] = Field(default_factory=list, max_length=1000)


class Notice(Body):
    """A notice from the hub (DES `ITLNotice`): for example a hold after a discrepancy."""

    notice_type: str = Field(max_length=40)
    text: str = Field(max_length=2000)
    blocks: list[str] = Field(default_factory=list, max_length=1000)


class JournalCheckpoint(Body):
    """A registry's signed journal head (entry `seq` has hash `hash`), sent to the hub, which
    keeps every one and refuses (keeping it as evidence) one that goes backwards or forks."""

    registry_id: str = Code
    seq: int = Field(ge=1, le=10**18)
    hash: str = Field(pattern=r"^[0-9a-f]{64}$")
    signed_at: str = Field(max_length=40, description="ISO 8601 UTC, as signed")
    public_key: str = Field(max_length=64)
    signature: str = Field(max_length=100)
    algorithm: Literal["Ed25519"] = "Ed25519"


class KeyAnnouncement(Body):
    """A registry's new signing key, sent to the hub in a message signed with its current key
    (the hub refuses any other); `proof` is the new key's own signature over the announcement,
    so nobody announces a key they do not hold. The hub verifies the registry's messages with
    the new key from then on, and its checkpoints by the key current at their time."""

    registry_id: str = Code
    previous_public_key: str = Field(max_length=64)
    public_key: str = Field(max_length=64)
    valid_from: str = Field(max_length=40, description="ISO 8601 UTC, whole seconds")
    proof: str = Field(max_length=100)
    algorithm: Literal["Ed25519"] = "Ed25519"


class QueryBy(StrEnum):
    """What a query to the mechanism registry selects A6.4ERs by."""

    ACCOUNT = "account"
    SERIAL = "serial"
    AUTHORIZATION = "authorization"


class MechanismHoldingsQuery(Paged):
    """A registry asks the Article 6.4 mechanism registry, through the hub, for the holdings
    and action history of authorized A6.4ERs (protocol 1.1). `party` limits the answer to
    that Party's authorizations; none (the IR's secretariat only) is registry-wide. `cursor`
    (1.2) asks for the page after a previous answer's `next_cursor`."""

    _LATER = ("cursor",)

    query_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9-]+$")
    requesting_registry: str = Code
    party: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    by: QueryBy
    account: str | None = Field(default=None, max_length=40)
    first: int | None = Field(default=None, ge=1, le=10**18)
    last: int | None = Field(default=None, ge=1, le=10**18)
    authorization_id: str | None = Field(
        default=None, max_length=AUTHORIZATION_ID_LENGTH, pattern=AUTHORIZATION_ID_PATTERN
    )
    limit: int = Field(default=500, ge=1, le=5000, description="Rows of each list at most.")
    asked_at: datetime
    cursor: str | None = Field(
        default=None, pattern=CURSOR, description="(1.2) The page after this cursor."
    )


class HeldA64ER(Body):
    """A range of authorized A6.4ERs as the mechanism registry holds it."""

    first: int = Serial
    last: int = Serial
    account: str = Field(max_length=40)
    account_kind: str = Field(max_length=30)
    party: str = Field(pattern=r"^[A-Z]{3}$", description="The account's Party.")
    host_party: str = Field(pattern=r"^[A-Z]{3}$")
    state: str = Field(max_length=10)
    vintage: int = Field(ge=2021, le=2100)
    mitigation_activity: str = Field(max_length=40)
    authorization_id: str = Field(
        max_length=AUTHORIZATION_ID_LENGTH, pattern=AUTHORIZATION_ID_PATTERN
    )
    authorization_version: int | None = None
    first_transferred: bool


class A64ERAction(Body):
    """One action on A6.4ERs of the answer: a transaction and the range it moved."""

    transaction_id: str = Field(max_length=40)
    kind: str = Field(max_length=30)
    subtype: str | None = Field(default=None, max_length=100)
    status: str = Field(max_length=20)
    at: datetime
    first: int = Serial
    last: int = Serial
    from_state: str | None = Field(default=None, max_length=10)
    to_state: str = Field(max_length=10)
    source_account: str | None = Field(default=None, max_length=40)
    destination_account: str | None = Field(default=None, max_length=40)
    authorization_id: str | None = Field(default=None, max_length=AUTHORIZATION_ID_LENGTH)


class AttestedHoldings(Paged):
    """What the mechanism registry signs: the query it answers, for whom, when, and what it
    holds. The hub carries it unchanged, so only the mechanism registry can have made it.
    `next_cursor` (1.2) is set when more holdings follow: a query with it as `cursor` asks for
    the next page, itself signed and checked. `history` is every action on the page's serials
    (1.4: never cut at `limit`); `history_truncated` (1.4) says, when set, that it was cut
    short at the protocol's bound, so the page is not shown as a whole history."""

    _LATER = ("next_cursor", "history_truncated")

    mechanism_registry: str = Code
    addressee: str = Code
    query: MechanismHoldingsQuery
    answered_at: datetime
    holdings: list[HeldA64ER] = Field(max_length=10_000)
    history: list[A64ERAction] = Field(max_length=10_000)
    next_cursor: str | None = Field(
        default=None, pattern=CURSOR, description="(1.2) Set when more holdings follow."
    )
    history_truncated: Literal[True] | None = Field(
        default=None,
        description="(1.4) True when the history of the page's serials was cut short.",
    )


class MechanismHoldingsAnswer(Body):
    """The mechanism registry's answer to a `MechanismHoldingsQuery` (protocol 1.1):
    `signature` is its Ed25519 signature, base64, over the canonical JSON of `attested`."""

    attested: AttestedHoldings
    signature: str = Field(max_length=100)


LOCATION_QUERY_RANGES = 5000
"""Ranges a question about where units are may ask about at most (1.3)."""


class AskedRange(Body):
    """A range of units a registry asks the hub about: originating registry and serials."""

    originating_registry: str = Code
    first: int = Serial
    last: int = Serial


class UnitLocationQuery(Body):
    """A registry asks the hub whether any of these ranges is held or issued in another
    registry (protocol 1.3), before it records units the hub never saw move: a Party's
    imported history. Sent to `POST /interop/v1/unit-locations`, answered at once."""

    query_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9-]+$")
    requesting_registry: str = Code
    purpose: Literal["history_import"] = "history_import"
    ranges: list[AskedRange] = Field(min_length=1, max_length=LOCATION_QUERY_RANGES)
    asked_at: datetime


class Elsewhere(Body):
    """Part of an asked range the hub knows in another registry: `held` (or another state the
    registry reported: used, cancelled, in transit) or `issued` (units of a code that registry
    issues under, never recorded as leaving it)."""

    registry: str = Code
    first: int = Serial
    last: int = Serial
    state: str = Field(max_length=20)


class LocatedRange(Body):
    """One asked range, as asked, with what of it the hub knows elsewhere (none: nothing)."""

    originating_registry: str = Code
    first: int = Serial
    last: int = Serial
    elsewhere: list[Elsewhere] = Field(default_factory=list, max_length=1000)


class UnitLocationAnswer(Body):
    """The hub's answer to a `UnitLocationQuery` (1.3): for whom, when, and each range asked,
    in the order asked. Signed as every message, by the hub."""

    query_id: str = Field(min_length=8, max_length=64, pattern=r"^[A-Za-z0-9-]+$")
    addressee: str = Code
    answered_at: datetime
    ranges: list[LocatedRange] = Field(max_length=LOCATION_QUERY_RANGES)


MESSAGE_TYPES: dict[str, type[Body]] = {
    model.__name__: model
    for model in (
        TransferProposal,
        ProposalResponse,
        StatusNotification,
        TransactionStatusQuery,
        AcceptanceHold,
        TransferWithdrawal,
        ReconciliationRequest,
        TotalsReport,
        UnitBlocksReport,
        AuditTrailReport,
        ReconciliationResult,
        Notice,
        JournalCheckpoint,
        KeyAnnouncement,
        MechanismHoldingsQuery,
        MechanismHoldingsAnswer,
        UnitLocationQuery,
        UnitLocationAnswer,
    )
}


class AckResult(StrEnum):
    RECEIVED = "received"
    DUPLICATE = "duplicate"
    INVALID = "invalid"


class Ack(Body):
    """The synchronous HTTP answer: receipt, not business outcome (that comes as a message)."""

    result: AckResult
    message_id: str | None = None
    evaluation: list[Evaluation] = Field(default_factory=list)
