"""The registry's world over HTTP: Parties and sections, cooperative approaches, mitigation
activities, authorizations (with versions), authorized entities, account status and
approval policies. Handlers parse, call the service, shape the reply."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Header, Path, Query
from pydantic import Field

from article6.domain.accounts import AccountStatus
from article6.domain.identifiers import AUTHORIZATION_ID_LENGTH, AUTHORIZATION_ID_PATTERN
from article6.http.security import AnyRole, InSection, Paged, PartyCode, Registry_, RegistryWide
from article6.services import (
    accounts,
    authorizations,
    authorized_entities,
    cooperative_approaches,
    directory,
    mitigation_activities,
    parties,
)
from article6.services import commands as c
from article6.services.views import Receipt

router = APIRouter(prefix="/api/v1", tags=["registry"])

IdempotencyKey = Annotated[
    str | None,
    Header(
        alias="Idempotency-Key",
        min_length=1,
        max_length=200,
        description="Replays of the same request with this key return the first outcome",
    ),
]
ApproachFilter = Annotated[
    str | None, Query(pattern="^CA[0-9]{4}$", description="Cooperative approach ID")
]
AuthorizationPath = Annotated[
    str,
    Path(
        pattern=AUTHORIZATION_ID_PATTERN,
        max_length=AUTHORIZATION_ID_LENGTH,
        description="The authorization ID; one with `/` (`1006.4/2810`) is sent as it is or "
        "percent-encoded (`1006.4%2F2810`)",
    ),
]
RecordPath = Annotated[str, Path(min_length=1, max_length=40)]


class EntityStatus(c.Command):
    cooperative_approach: c.ApproachId
    status: str = Field(pattern="^(active|suspended|revoked)$")


class AccountStatusChange(c.Command):
    status: AccountStatus


@router.get("/parties")
def list_parties(actor: AnyRole, registry: Registry_, page: Paged) -> list[directory.PartyView]:
    return page(directory.parties_list(registry, actor))


@router.post("/parties", status_code=201)
def register_party(
    command: c.RegisterParty, actor: RegistryWide, registry: Registry_, key: IdempotencyKey = None
) -> Receipt:
    """Register a Party and (by default) open its section with its standard accounts."""
    return parties.register_party(registry, actor, command, key)


@router.get("/cooperative-approaches")
def list_approaches(
    actor: AnyRole,
    registry: Registry_,
    party: Annotated[str | None, Query(pattern="^[A-Z]{3}$")] = None,
) -> list[directory.ApproachView]:
    return directory.approaches_list(registry, actor, party)


@router.post("/cooperative-approaches", status_code=201)
def register_approach(
    command: c.RegisterCooperativeApproach,
    actor: RegistryWide,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    return cooperative_approaches.register_cooperative_approach(registry, actor, command, key)


@router.get("/parties/{party}/mitigation-activities")
def list_activities(
    party: PartyCode,
    actor: InSection,
    registry: Registry_,
    page: Paged,
    cooperative_approach: ApproachFilter = None,
) -> list[directory.ActivityView]:
    return page(directory.activities(registry, actor, party, cooperative_approach))


@router.get("/parties/{party}/mitigation-activities/{activity}")
def activity_detail(
    party: PartyCode, activity: RecordPath, actor: InSection, registry: Registry_
) -> directory.ActivityView:
    return directory.activities(registry, actor, party, identifier=activity)[0]


@router.post("/parties/{party}/mitigation-activities", status_code=201)
def record_activity(
    party: PartyCode,
    command: c.RecordMitigationActivity,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    return mitigation_activities.record_mitigation_activity(registry, actor, command, key)


@router.get("/parties/{party}/authorizations")
def list_authorizations(
    party: PartyCode,
    actor: InSection,
    registry: Registry_,
    page: Paged,
    cooperative_approach: ApproachFilter = None,
    purposes: Annotated[str | None, Query(max_length=20)] = None,
) -> list[directory.AuthorizationView]:
    """The current version of each authorization of the Party."""
    return page(
        directory.authorizations_list(registry, actor, party, cooperative_approach, purposes)
    )


# `:path`: an authorization ID may hold `/` (Thailand's `1006.4/2810`), and the server decodes
# `%2F` before routing, so the parameter takes the segments up to `/versions`.
@router.get("/parties/{party}/authorizations/{authorization_id:path}/versions")
def authorization_versions(
    party: PartyCode, authorization_id: AuthorizationPath, actor: InSection, registry: Registry_
) -> list[directory.AuthorizationView]:
    return directory.authorizations_list(registry, actor, party, authorization_id=authorization_id)


@router.post("/parties/{party}/authorizations", status_code=201)
def record_authorization(
    party: PartyCode,
    command: c.RecordAuthorization,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    """Record an authorization; recording the same ID again makes a new version."""
    return authorizations.record_authorization(registry, actor, command, key)


@router.get("/parties/{party}/entities")
def list_entities(
    party: PartyCode, actor: InSection, registry: Registry_, page: Paged
) -> list[directory.EntityView]:
    return page(directory.entities_list(registry, actor, party))


@router.get("/parties/{party}/entities/{entity}")
def entity_detail(
    party: PartyCode, entity: RecordPath, actor: InSection, registry: Registry_
) -> directory.EntityView:
    return directory.entities_list(registry, actor, party, entity)[0]


@router.post("/parties/{party}/entities", status_code=201)
def record_entity(
    party: PartyCode,
    command: c.RecordAuthorizedEntity,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    return authorized_entities.record_authorized_entity(registry, actor, command, key)


@router.post("/parties/{party}/entities/{entity}/status")
def set_entity_status(
    party: PartyCode,
    entity: RecordPath,
    command: EntityStatus,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    return authorized_entities.set_entity_status(
        registry,
        actor,
        c.SetEntityStatus(
            entity=entity, cooperative_approach=command.cooperative_approach, status=command.status
        ),
        key,
    )


@router.post("/parties/{party}/accounts", status_code=201)
def open_account(
    party: PartyCode,
    command: c.OpenAccount,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    """Open an account of the section: for the Party, or one of its entities active for the
    approach (C4029)."""
    return accounts.open_account(registry, actor, command, key)


@router.post("/parties/{party}/accounts/{account}/status")
def set_account_status(
    party: PartyCode,
    account: RecordPath,
    command: AccountStatusChange,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    return accounts.set_account_status(
        registry, actor, c.SetAccountStatus(account=account, status=command.status), key
    )


@router.post("/parties/{party}/approval-policies")
def set_approval_policy(
    party: PartyCode,
    command: c.SetApprovalPolicy,
    actor: InSection,
    registry: Registry_,
    key: IdempotencyKey = None,
) -> Receipt:
    """Require a second person (initiator != approver) for one kind of transaction."""
    return parties.set_approval_policy(registry, actor, command, key)
