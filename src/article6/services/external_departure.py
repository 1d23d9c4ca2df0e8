"""The proposal of a checked transfer to another registry, as it leaves for the hub: decided in
full (`Departure.of`) before anything is written, then written (`depart`) as this registry's
record of the transfer and an outbox row, through the one port (`services.ports`), in the
command's own database transaction."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import Connection

from article6.domain.accounts import Account
from article6.domain.authorizations import Authorization
from article6.domain.blocks import UnitBlock
from article6.domain.first_transfer import Verdict
from article6.domain.messages import AuthorizationRecord, TransferProposal
from article6.domain.messages import UnitBlock as BlockMessage
from article6.domain.protocol import HUB, TransferStatus
from article6.domain.wire_forms import authorization_record, block_message
from article6.services import ports
from article6.services.external_transfer_status import OUT
from article6.services.pipeline import JournalEntry
from article6.store import external_transfers
from article6.store.external_transfers import ExternalTransfer


@dataclass(frozen=True)
class Destination:
    """Where a transfer to another registry goes: the acquiring registry, account and Party."""

    registry: str
    account: str
    party: str


@dataclass(frozen=True)
class Departure:
    """The proposal leaving for the hub and this registry's record of the transfer."""

    record: ExternalTransfer
    proposal: TransferProposal

    @classmethod
    def of(
        cls,
        *,
        here: str,
        destination: Destination,
        identifier: str,
        source: Account,
        reserved: list[tuple[UnitBlock, Verdict, Authorization | None]],
        expires_at: datetime,
        now: datetime,
    ) -> Departure:
        """The proposal of the reserved units, each with its verdict: a first transfer names
        the authorization the units are first transferred under."""
        blocks: list[BlockMessage] = []
        authorizations: dict[tuple[str, str, int], AuthorizationRecord] = {}
        for block, verdict, authorization in reserved:
            if authorization is not None:
                if verdict.first_transfer is not None:
                    block = replace(
                        block,
                        attributes=replace(
                            block.attributes,
                            authorization_id=authorization.authorization_id,
                            authorization_version=authorization.version,
                        ),
                    )
                key = (authorization.party, authorization.authorization_id, authorization.version)
                authorizations[key] = authorization_record(authorization)
            subtype = verdict.first_transfer.value if verdict.first_transfer else None
            blocks.append(block_message(block, subtype))
        quantity = sum(block.quantity for block, _, _ in reserved)
        proposal = TransferProposal(
            transaction_id=identifier,
            transferring_registry=here,
            acquiring_registry=destination.registry,
            transferring_party=source.party_code,
            acquiring_party=destination.party,
            transferring_account=source.identifier,
            acquiring_account=destination.account,
            quantity=quantity,
            expires_at=expires_at,
            blocks=blocks,
            authorizations=list(authorizations.values()),
        )
        record = ExternalTransfer(
            transaction_id=identifier,
            direction=OUT,
            counterpart_registry=destination.registry,
            local_account=source.identifier,
            counterpart_account=destination.account,
            quantity=quantity,
            status=TransferStatus.PROPOSED.value,
            expires_at=expires_at,
            proposal=proposal.model_dump_json(),
            local_transaction=identifier,
            created_at=now,
            updated_at=now,
        )
        return cls(record, proposal)

    def entry(self, source: Account) -> JournalEntry:
        """The journal entry of the proposal leaving."""
        proposal = self.proposal
        return JournalEntry(
            "ExternalTransferProposed",
            source.party_code,
            proposal.transaction_id,
            {
                "quantity": proposal.quantity,
                "source": source.identifier,
                "acquiring_registry": proposal.acquiring_registry,
                "acquiring_account": proposal.acquiring_account,
                "ranges": [[b.originating_registry, b.first, b.last] for b in proposal.blocks],
            },
        )


def depart(connection: Connection, departure: Departure) -> None:
    """Write the transfer's record and its proposal to the outbox."""
    record = departure.record
    external_transfers.insert_transfer(connection, record)
    ports.send_message(
        connection,
        to=HUB,
        body=departure.proposal,
        now=record.created_at,
        expires_at=record.expires_at,
    )
