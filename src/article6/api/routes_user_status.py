"""Disabling and enabling users over HTTP: the secretariat's routes for anyone, a section's
for its own users (`services.user_status` decides who may, C4002, C4006)."""

from __future__ import annotations

from fastapi import APIRouter

from article6.api.routes_identity import UserName
from article6.api.routes_setup import IdempotencyKey
from article6.http.security import InSection, PartyCode, Registry_, RegistryWide
from article6.services import user_status
from article6.services.identity import UserView

router = APIRouter(prefix="/api/v1", tags=["identity"])


@router.post("/users/{user}/disable")
def disable_user(
    actor: RegistryWide, registry: Registry_, key: IdempotencyKey = None, user: str = UserName
) -> UserView:
    """The user signs in to nothing more; every session and token of theirs ends now."""
    return user_status.disable_user(registry, actor, user, idempotency_key=key)


@router.post("/users/{user}/enable")
def enable_user(
    actor: RegistryWide, registry: Registry_, key: IdempotencyKey = None, user: str = UserName
) -> UserView:
    return user_status.enable_user(registry, actor, user, idempotency_key=key)


@router.post("/parties/{party}/users/{user}/disable")
def disable_section_user(
    party: PartyCode,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
    user: str = UserName,
) -> UserView:
    """As the secretariat's, for a user of the section only."""
    return user_status.disable_user(registry, actor, user, idempotency_key=key)


@router.post("/parties/{party}/users/{user}/enable")
def enable_section_user(
    party: PartyCode,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
    user: str = UserName,
) -> UserView:
    return user_status.enable_user(registry, actor, user, idempotency_key=key)
