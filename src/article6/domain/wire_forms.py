"""The unit blocks and authorizations as a transfer proposal carries them, in both directions
(RULES.md 8.2, 8.4).

The transferring registry writes its blocks and their authorizations in these forms
(`services.external_transfers`), the acquiring registry reads them back
(`services.acquisitions`), and the hub and the acquiring
registry both judge a carried block by the authorization carried with it (C6104, C3004).
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from article6.domain.accounts import UnitState
from article6.domain.authorizations import Authorization
from article6.domain.blocks import UnitAttributes, UnitBlock
from article6.domain.checks import Check, CommandRefused, refuse
from article6.domain.first_transfer import Action, judge
from article6.domain.messages import AuthorizationRecord, TransferProposal
from article6.domain.messages import UnitBlock as BlockMessage
from article6.domain.nomenclature import (
    ActivityType,
    FirstTransferDefinition,
    Metric,
    MitigationType,
    Purpose,
    Sector,
)
from article6.domain.protocol import MECHANISM_REGISTRY


def unit_type(attributes: UnitAttributes) -> Literal["ITMO", "A6.4ER"]:
    return "A6.4ER" if attributes.registry == MECHANISM_REGISTRY else "ITMO"


def block_message(block: UnitBlock, subtype: str | None) -> BlockMessage:
    a = block.attributes
    return BlockMessage(
        originating_registry=a.registry,
        first=block.first,
        last=block.last,
        unit_type=unit_type(a),
        cooperative_approach=a.cooperative_approach,
        first_transferring_party=a.first_transferring_party,
        vintage=a.vintage,
        metric=a.metric.value,
        mitigation_type=a.mitigation_type.value,
        sector=a.sector,
        activity_type=a.activity_type,
        mitigation_activity=a.mitigation_activity,
        gwp_values=a.gwp_values,
        non_ghg_metric=a.non_ghg_metric,
        non_ghg_per_unit=a.non_ghg_per_unit,
        underlying_registry=a.underlying_registry,
        underlying_first=block.underlying_first,
        authorization_id=a.authorization_id,
        authorization_version=a.authorization_version,
        first_transferred=block.first_transferred,
        first_transfer_subtype=subtype,
    )


def authorization_record(a: Authorization) -> AuthorizationRecord:
    return AuthorizationRecord(
        party=a.party,
        authorization_id=a.authorization_id,
        version=a.version,
        date_of_authorization=a.date_of_authorization.isoformat(),
        cooperative_approach=a.cooperative_approach,
        metric=a.metric.value,
        sectors=[s.value for s in a.sectors],
        activity_types=[t.value for t in a.activity_types],
        purposes=a.purposes.value,
        authorized_quantity=a.authorized_quantity,
        gwp_values=a.gwp_values,
        non_ghg_metric=a.non_ghg_metric,
        authorized_parties=list(a.authorized_parties),
        authorized_entities=list(a.authorized_entities),
        oimp_authorized=a.oimp_authorized,
        timeframe_first=a.timeframe[0] if a.timeframe else None,
        timeframe_last=a.timeframe[1] if a.timeframe else None,
        first_transfer_definition=a.first_transfer_definition.value
        if a.first_transfer_definition
        else None,
        revoked=a.revoked,
    )


def authorization_of(record: AuthorizationRecord) -> Authorization:
    return Authorization(
        party=record.party,
        authorization_id=record.authorization_id,
        version=record.version,
        date_of_authorization=date.fromisoformat(record.date_of_authorization),
        cooperative_approach=record.cooperative_approach,
        metric=Metric(record.metric),
        sectors=tuple(Sector(s) for s in record.sectors),
        purposes=Purpose(record.purposes),
        activity_types=tuple(ActivityType(t) for t in record.activity_types),
        authorized_quantity=record.authorized_quantity,
        gwp_values=record.gwp_values,
        non_ghg_metric=record.non_ghg_metric,
        authorized_parties=tuple(record.authorized_parties),
        authorized_entities=tuple(record.authorized_entities),
        oimp_authorized=record.oimp_authorized,
        timeframe=(record.timeframe_first, record.timeframe_last)
        if record.timeframe_first is not None and record.timeframe_last is not None
        else None,
        first_transfer_definition=FirstTransferDefinition(record.first_transfer_definition)
        if record.first_transfer_definition
        else None,
        revoked=record.revoked,
    )


def domain_block(message: BlockMessage, account_id: int = 0) -> UnitBlock:
    """The block a message describes, as it stood before this transfer."""
    attributes = UnitAttributes(
        cooperative_approach=message.cooperative_approach,
        registry=message.originating_registry,
        first_transferring_party=message.first_transferring_party,
        vintage=message.vintage,
        metric=Metric(message.metric),
        mitigation_type=MitigationType(message.mitigation_type),
        sector=message.sector,
        activity_type=message.activity_type,
        mitigation_activity=message.mitigation_activity,
        gwp_values=message.gwp_values,
        non_ghg_metric=message.non_ghg_metric,
        non_ghg_per_unit=message.non_ghg_per_unit,
        underlying_registry=message.underlying_registry,
        authorization_id=message.authorization_id,
        authorization_version=message.authorization_version,
    )
    state = (
        UnitState.ITMO
        if message.first_transferred
        else (UnitState.AMO if message.authorization_id else UnitState.MO)
    )
    return UnitBlock(
        id=0,
        first=message.first,
        last=message.last,
        attributes=attributes,
        state=state,
        account_id=account_id,
        first_transferred=message.first_transferred,
        underlying_first=message.underlying_first,
    )


def find_authorization(
    proposal: TransferProposal, block: BlockMessage
) -> AuthorizationRecord | None:
    return next(
        (
            a
            for a in proposal.authorizations
            if a.party == block.first_transferring_party
            and a.authorization_id == block.authorization_id
            and a.version == block.authorization_version
        ),
        None,
    )


def authorized_transfer(proposal: TransferProposal, block: BlockMessage, code: Check) -> None:
    """The authorization carried with the block allows its transfer to the acquiring Party."""
    record = find_authorization(proposal, block)
    try:
        judge(
            Action.INTERNATIONAL_TRANSFER,
            domain_block(block),
            authorization_of(record) if record is not None else None,
            proposal.acquiring_party,
        )
    except CommandRefused as refused:
        raise refuse(code, f"blocks:{block.label}", refused.refusals[0].detail) from None
