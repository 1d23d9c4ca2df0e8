"""Which action is a unit's first transfer (2/CMA.3 annex para 2), and what each action does
to a unit block's state. Pure rules: the services load the blocks and authorizations, ask
here, and write what the answer says.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from article6.domain.accounts import UnitState
from article6.domain.authorizations import Authorization
from article6.domain.blocks import UnitAttributes, UnitBlock
from article6.domain.checks import Check, refuse
from article6.domain.nomenclature import ActionSubtype, FirstTransferDefinition
from article6.domain.wording import words


class Action(StrEnum):
    ISSUANCE = "issuance"
    AUTHORIZATION = "authorization"
    INTERNAL_TRANSFER = "internal_transfer"
    INTERNATIONAL_TRANSFER = "international_transfer"
    USE = "use"
    CANCELLATION_IMP = "cancellation_imp"
    CANCELLATION_OP = "cancellation_op"
    CANCELLATION_OMGE = "cancellation_omge"
    CANCELLATION_VOLUNTARY = "cancellation_voluntary"
    FIRST_TRANSFER_RECORD = "first_transfer_record"

    @property
    def cancels(self) -> bool:
        return self.value.startswith("cancellation_")


@dataclass(frozen=True)
class Verdict:
    """What an action does to one block: its new state, and the first-transfer subtype if this
    action is the block's first transfer."""

    state: UnitState
    first_transfer: ActionSubtype | None = None


def first_transfer_at(authorization: Authorization, action: Action) -> ActionSubtype | None:
    """The first-transfer subtype if `action` is the first transfer of units not yet first
    transferred under `authorization`, else None.

    NDC purposes: the first international transfer. OIMP purposes: the event the first
    transferring Party specified. With both, whichever comes first.
    """
    definition = (
        authorization.first_transfer_definition if authorization.purposes.covers_oimp else None
    )
    if action is Action.INTERNATIONAL_TRANSFER and authorization.purposes.covers_ndc:
        return ActionSubtype.FIRST_TRANSFER_TO_ANOTHER_PARTY
    if action is Action.ISSUANCE and definition is FirstTransferDefinition.ISSUANCE:
        return ActionSubtype.ISSUANCE
    if action is Action.AUTHORIZATION and definition is FirstTransferDefinition.AUTHORISATION:
        return ActionSubtype.AUTHORIZATION
    if action.cancels and definition is FirstTransferDefinition.USE_OR_CANCELLATION:
        return ActionSubtype.USE_OR_CANCELLATION
    return None


def judge(
    action: Action,
    block: UnitBlock,
    authorization: Authorization | None,
    acquiring_party: str | None = None,
    field: str = "units",
) -> Verdict:
    """Decide what `action` does to `block`, or refuse with the numbered check that fails."""
    where = f"{field}:{block.attributes.registry}-{block.first}-{block.last}"
    if block.state in (UnitState.USED, UnitState.CANCELLED):
        raise refuse(Check.C5002, where, words("used or cancelled units never move again"))
    if action is Action.INTERNAL_TRANSFER:
        return Verdict(block.state)
    if action is Action.AUTHORIZATION:
        return _link(block, authorization, where)
    if authorization is None or block.state is UnitState.MO:
        raise refuse(
            Check.C3001,
            where,
            words("these MOs have no linked authorization; they cannot leave the ARS"),
        )
    if authorization.revoked:
        raise refuse(
            Check.C3002,
            where,
            words(
                "authorization {authorization_id} is revoked",
                authorization_id=authorization.authorization_id,
            ),
        )
    done = block.first_transferred
    if action is Action.INTERNATIONAL_TRANSFER:
        if acquiring_party is not None and not authorization.admits_party(acquiring_party):
            raise refuse(
                Check.C3004,
                where,
                words(
                    "authorization {authorization_id} does not name {acquiring_party} among "
                    "its authorized Parties",
                    authorization_id=authorization.authorization_id,
                    acquiring_party=acquiring_party,
                ),
            )
        if done:
            return Verdict(UnitState.ITMO)
        subtype = first_transfer_at(authorization, action)
        if subtype is None:
            raise refuse(
                Check.C3008,
                where,
                words(
                    "the authorization does not cover NDC use, so an international transfer "
                    "cannot be these units' first transfer; it happens at "
                    "{first_transfer_definition}",
                    first_transfer_definition=authorization.first_transfer_definition,
                ),
            )
        return Verdict(UnitState.ITMO, subtype)
    if action is Action.USE:
        if not authorization.purposes.covers_ndc:
            raise refuse(
                Check.C3003,
                where,
                words("purposes {purposes} do not include NDC", purposes=authorization.purposes),
            )
        if not done:
            raise refuse(
                Check.C3008,
                where,
                words("only ITMOs already first transferred can be used towards an NDC"),
            )
        return Verdict(UnitState.USED)
    if action is Action.FIRST_TRANSFER_RECORD:
        return _record(block, authorization, where)
    if action is Action.CANCELLATION_IMP and not authorization.purposes.covers_imp:
        raise refuse(
            Check.C3003,
            where,
            words(
                "purposes {purposes} do not include IMP or OIMP", purposes=authorization.purposes
            ),
        )
    if action is Action.CANCELLATION_OP and not authorization.purposes.covers_op:
        raise refuse(
            Check.C3003,
            where,
            words("purposes {purposes} do not include OP or OIMP", purposes=authorization.purposes),
        )
    if done:
        return Verdict(UnitState.CANCELLED)
    subtype = first_transfer_at(authorization, action)
    if subtype is None and action in (Action.CANCELLATION_IMP, Action.CANCELLATION_OP):
        raise refuse(
            Check.C3008,
            where,
            words(
                "these units are not first transferred and the authorization's first "
                "transfer is {first_transfer_definition}, not at use or cancellation",
                first_transfer_definition=authorization.first_transfer_definition,
            ),
        )
    return Verdict(UnitState.CANCELLED, subtype)


def _link(block: UnitBlock, authorization: Authorization | None, where: str) -> Verdict:
    if authorization is None:
        raise refuse(Check.C3002, where, words("no authorization given"))
    if block.state is not UnitState.MO:
        raise refuse(Check.C2004, where, words("only MOs not yet authorized can be linked"))
    if authorization.revoked:
        raise refuse(
            Check.C3002,
            where,
            words(
                "authorization {authorization_id} is revoked",
                authorization_id=authorization.authorization_id,
            ),
        )
    matches(block.attributes, authorization, where)
    subtype = first_transfer_at(authorization, Action.AUTHORIZATION)
    if subtype is not None:
        return Verdict(UnitState.ITMO, subtype)
    if (
        authorization.first_transfer_definition is FirstTransferDefinition.ISSUANCE
        and not authorization.purposes.covers_ndc
    ):
        raise refuse(
            Check.C3008,
            where,
            words(
                "this authorization's first transfer is at Issuance: issue the units "
                "directly under it instead of linking existing MOs"
            ),
        )
    return Verdict(UnitState.AMO)


def matches(attributes: UnitAttributes, authorization: Authorization, where: str) -> None:
    """The units are of the kind the authorization covers: its Party, cooperative approach,
    metric, sectors and timeframe."""
    if attributes.cooperative_approach != authorization.cooperative_approach:
        raise refuse(
            Check.C2004,
            where,
            words(
                "units of {cooperative_approach} cannot take an authorization of "
                "{authorization_cooperative_approach}",
                cooperative_approach=attributes.cooperative_approach,
                authorization_cooperative_approach=authorization.cooperative_approach,
            ),
        )
    if attributes.first_transferring_party != authorization.party:
        raise refuse(
            Check.C3002, where, words("only the Party where the MOs occurred authorizes them")
        )
    if attributes.metric != authorization.metric:
        raise refuse(
            Check.C2004,
            where,
            words(
                "units measured in {metric} cannot take an authorization in {authorization_metric}",
                metric=attributes.metric,
                authorization_metric=authorization.metric,
            ),
        )
    if attributes.sector not in authorization.sectors:
        raise refuse(
            Check.C2004, where, words("sector {sector} is not authorized", sector=attributes.sector)
        )
    if not authorization.admits_vintage(attributes.vintage) and authorization.timeframe:
        first, last = authorization.timeframe
        raise refuse(
            Check.C3006,
            where,
            words(
                "vintage {vintage} is outside the authorized timeframe {first}-{last}",
                vintage=attributes.vintage,
                first=first,
                last=last,
            ),
        )


def judge_issuance(
    attributes: UnitAttributes, authorization: Authorization, where: str = "authorization_id"
) -> Verdict:
    """Issuing directly under an authorization is only for a first transfer at Issuance."""
    if authorization.revoked:
        raise refuse(
            Check.C3002,
            where,
            words(
                "authorization {authorization_id} is revoked",
                authorization_id=authorization.authorization_id,
            ),
        )
    matches(attributes, authorization, where)
    subtype = first_transfer_at(authorization, Action.ISSUANCE)
    if subtype is None:
        raise refuse(
            Check.C3008,
            where,
            words(
                "this authorization's first transfer is not at Issuance: issue MOs and "
                "link the authorization to them"
            ),
        )
    return Verdict(UnitState.ITMO, subtype)


def _record(block: UnitBlock, authorization: Authorization, where: str) -> Verdict:
    """The administrators' manual recording of a first transfer the registry did not see happen
    (for example after a new version moved the first transfer to Authorisation)."""
    if block.first_transferred:
        raise refuse(Check.C3008, where, words("these units were already first transferred"))
    definition = authorization.first_transfer_definition
    if not authorization.purposes.covers_oimp or definition is None:
        raise refuse(
            Check.C3008,
            where,
            words(
                "for NDC purposes the first transfer is the first international "
                "transfer, which the registry records itself"
            ),
        )
    if definition is FirstTransferDefinition.USE_OR_CANCELLATION:
        raise refuse(
            Check.C3008,
            where,
            words(
                "the first transfer is at use or cancellation, which the registry records itself"
            ),
        )
    subtype = (
        ActionSubtype.AUTHORIZATION
        if definition is FirstTransferDefinition.AUTHORISATION
        else ActionSubtype.ISSUANCE
    )
    return Verdict(UnitState.ITMO, subtype)
