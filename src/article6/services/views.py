"""What the services answer: receipts of commands and read models of the ledger."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel
from sqlalchemy import Connection

from article6.domain.access import Role, name_in
from article6.domain.identifiers import block_identifier
from article6.domain.transactions import StoredTransaction
from article6.domain.wording import Sentence, words
from article6.store import delegations, history, records
from article6.store.delegations import Delegation
from article6.store.history import RecordedRange


def as_utc(moment: datetime) -> datetime:
    """SQLite hands back naive datetimes; every instant the registry stores is UTC."""
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


UtcDateTime = Annotated[datetime, AfterValidator(as_utc)]
"""An instant with its time zone, so the wire format is always RFC 3339."""


class MovedRange(BaseModel):
    registry: str
    first: int
    last: int
    quantity: int
    identifier: str
    cooperative_approach: str
    first_transferring_party: str
    vintage: int
    authorization_id: str | None
    authorization_version: int | None
    from_state: str | None
    to_state: str
    first_transfer_subtype: str | None


class TransactionView(BaseModel):
    identifier: str
    kind: str
    status: str
    party: str
    quantity: int
    source_account: str | None
    destination_account: str | None
    acquiring_party: str | None
    cancellation_purpose: str | None
    # The purpose a cancellation names (e.g. CORSIA)
    purpose: str | None
    # Why a first transfer was recorded by hand
    first_transfer_reason: str | None
    # The A6.4 subtype of a share of proceeds or mandatory OMGE cancellation
    mechanism_subtype: str | None
    # The other registry's account a transfer between registries went to or came from
    counterpart: str | None
    ndc_year: int | None
    using_entity: str | None
    authorization_id: str | None
    first_transfer: bool
    initiator: str
    approver: str | None
    reason: str | None
    created_at: UtcDateTime
    proposed_at: UtcDateTime | None
    checked_at: UtcDateTime | None
    finished_at: UtcDateTime | None
    expires_at: UtcDateTime | None
    ranges: list[MovedRange]
    # Set when the secretariat started it under the Party's delegation: "XXA delegated
    # issuance (delegation 3, by xxa.admin, 2026-12-02)"; None when the Party's own users did.
    under_delegation: str | None = None


class Receipt(BaseModel):
    """The outcome of a command: what it recorded, and the transaction if units moved."""

    command: str
    record: str
    status: str
    transaction: TransactionView | None = None
    warnings: list[Sentence] = []
    """What the registry advises about the completed command (C3010: no initial report)."""


def moved_range(row: RecordedRange) -> MovedRange:
    """A moved range as a transaction's view shows it: read from the history, or as a command
    plans to write it (`MovedUnits.recorded`), so a receipt and a later read show the same."""
    return MovedRange(
        registry=row.registry_id,
        first=row.serial_first,
        last=row.serial_last,
        quantity=row.serial_last - row.serial_first + 1,
        identifier=block_identifier(
            row.cooperative_approach_id,
            row.registry_id,
            row.first_transferring_party,
            row.serial_first,
            row.serial_last,
            row.vintage,
        ),
        cooperative_approach=row.cooperative_approach_id,
        first_transferring_party=row.first_transferring_party,
        vintage=row.vintage,
        authorization_id=row.authorization_id,
        authorization_version=row.authorization_version,
        from_state=row.from_state,
        to_state=row.to_state,
        first_transfer_subtype=row.first_transfer_subtype,
    )


def transaction_view(connection: Connection, row: StoredTransaction) -> TransactionView:
    return transaction_views(connection, [row])[0]


def _delegated(connection: Connection, rows: Sequence[StoredTransaction]) -> dict[str, str]:
    """How each transaction the secretariat started names its delegation; only the
    secretariat acts under one, so a page of others' transactions costs no read."""
    started = [r.identifier for r in rows if f"({Role.SECRETARIAT.value}, " in r.initiator]
    if not started:
        return {}
    found = delegations.of_transactions(connection, started)
    return {identifier: delegation_note(d) for identifier, d in found.items()}


def delegation_note(delegation: Delegation) -> str:
    """How a transaction names the delegation it was done under."""
    return words(
        "{party} delegated {kind} (delegation {delegation}, by {by}, {on:%Y-%m-%d})",
        party=delegation.party_code,
        kind=delegation.kind.replace("_", " "),
        delegation=delegation.id,
        by=name_in(delegation.delegated_by),
        on=delegation.delegated_at,
    )


def transaction_views(
    connection: Connection, rows: Sequence[StoredTransaction]
) -> list[TransactionView]:
    """Views of several transactions with their accounts and moved ranges read once for all,
    so a page of history costs a few queries, not a few per transaction."""
    names = history.accounts_by_id(
        connection,
        [
            i
            for row in rows
            for i in (row.source_account_id, row.destination_account_id)
            if i is not None
        ],
    )
    entities = {
        entity_id: records.entity_by_id(connection, entity_id)
        for entity_id in {row.using_entity_id for row in rows if row.using_entity_id}
    }
    ranges = history.moved_ranges_of(connection, [row.id for row in rows])
    delegated = _delegated(connection, rows)
    views = []
    for row in rows:
        entity = entities.get(row.using_entity_id) if row.using_entity_id else None
        views.append(
            TransactionView(
                identifier=row.identifier,
                kind=row.kind,
                status=row.status,
                party=row.party_code,
                quantity=row.quantity,
                source_account=names[row.source_account_id].identifier
                if row.source_account_id
                else None,
                destination_account=names[row.destination_account_id].identifier
                if row.destination_account_id
                else None,
                acquiring_party=row.acquiring_party,
                cancellation_purpose=row.cancellation_purpose,
                purpose=row.purpose,
                first_transfer_reason=row.first_transfer_reason,
                mechanism_subtype=row.mechanism_subtype,
                counterpart=row.counterpart,
                ndc_year=row.ndc_year,
                using_entity=entity.identifier if entity is not None else None,
                authorization_id=row.authorization_id,
                first_transfer=row.first_transfer,
                initiator=row.initiator,
                approver=row.approver,
                reason=row.reason,
                created_at=row.created_at,
                proposed_at=row.proposed_at,
                checked_at=row.checked_at,
                finished_at=row.finished_at,
                expires_at=row.expires_at,
                ranges=[moved_range(r) for r in ranges.get(row.id, [])],
                under_delegation=delegated.get(row.identifier),
            )
        )
    return views


def transaction_receipt(connection: Connection, command: str, identifier: str) -> Receipt:
    row = history.transaction(connection, identifier)
    if row is None:
        raise LookupError(f"transaction {identifier} vanished inside its own command")
    view = transaction_view(connection, row)
    return Receipt(command=command, record=identifier, status=view.status, transaction=view)
