"""A Party's delegations to the secretariat over HTTP: the Party's administrators delegate and
revoke, kind by kind; the section's readers and the secretariat read them."""

from __future__ import annotations

from fastapi import APIRouter

from article6.domain.access import Delegable
from article6.http.security import InSection, PartyCode, Registry_
from article6.services import delegations
from article6.services.delegations import DelegationChange, DelegationView

router = APIRouter(prefix="/api/v1", tags=["registry"])


@router.get("/parties/{party}/delegations")
def list_delegations(
    party: PartyCode, actor: InSection, registry: Registry_
) -> list[DelegationView]:
    """Every delegation of the Party, in force or revoked, newest first."""
    return delegations.delegations_of(registry, actor, party)


@router.put("/parties/{party}/delegations/{kind}")
def delegate(
    party: PartyCode, kind: Delegable, actor: InSection, registry: Registry_
) -> DelegationView:
    """Delegate one kind of action to the secretariat (the Party's administrators only)."""
    return delegations.delegate(registry, actor, DelegationChange(party=party, kind=kind))


@router.delete("/parties/{party}/delegations/{kind}")
def revoke(
    party: PartyCode, kind: Delegable, actor: InSection, registry: Registry_
) -> DelegationView:
    """Revoke a delegation: the secretariat is refused that kind from now on (C4023)."""
    return delegations.revoke(registry, actor, DelegationChange(party=party, kind=kind))
