"""The registry's directory for the API: Parties and their sections, cooperative approaches,
mitigation activities, authorizations (current and every version) and authorized entities.
Each list applies the same access rule as the commands."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from article6.domain.access import Actor, Permission
from article6.domain.checks import Check, refuse
from article6.domain.wording import words
from article6.services.access import allow
from article6.services.context import Registry
from article6.services.views import UtcDateTime
from article6.store import account_register, party_directory, records
from article6.store.database import unit_of_work
from article6.store.records import RecordedAuthorization


class PartyView(BaseModel):
    code: str
    name: str
    ndc_first_year: int
    ndc_last_year: int
    participation_status: str
    registry_id: str | None


class ApproachView(BaseModel):
    id: str
    name: str
    description: str | None
    participating_parties: list[str]


class ActivityView(BaseModel):
    identifier: str
    title: str
    host_party: str
    cooperative_approach: str
    sector: str
    activity_type: str | None
    mitigation_type: str
    metric: str
    underlying_registry: str | None
    underlying_first: int | None
    underlying_last: int | None
    recorded_at: UtcDateTime


class AuthorizationView(BaseModel):
    party: str
    authorization_id: str
    version: int
    date_of_authorization: date
    cooperative_approach: str
    authorized_quantity: int | None
    metric: str
    sectors: list[str]
    activity_types: list[str]
    purposes: str
    authorized_parties: list[str]
    authorized_entities: list[str]
    oimp_authorized: str | None
    timeframe_first: int | None
    timeframe_last: int | None
    first_transfer_definition: str | None
    revoked: bool
    recorded_at: UtcDateTime
    recorded_by: str


class EntityApproval(BaseModel):
    cooperative_approach: str
    date_of_authorization: date
    status: str
    conditions: str | None


class EntityView(BaseModel):
    identifier: str
    party: str
    name: str
    country_of_incorporation: str
    identification_number: str
    approvals: list[EntityApproval]


def parties_list(registry: Registry, actor: Actor) -> list[PartyView]:
    allow(actor, Permission.READ, None)
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = party_directory.parties_with_sections(connection)
        return [
            PartyView(
                code=r.code,
                name=r.name,
                ndc_first_year=r.ndc_first_year,
                ndc_last_year=r.ndc_last_year,
                participation_status=r.participation_status,
                registry_id=r.registry_id,
            )
            for r in rows
        ]


def approaches_list(
    registry: Registry, actor: Actor, party: str | None = None
) -> list[ApproachView]:
    allow(actor, Permission.READ, None)
    with unit_of_work(registry.engine, read_only=True) as connection:
        return [
            ApproachView(
                id=r.id,
                name=r.name,
                description=r.description,
                participating_parties=records.participants(connection, r.id),
            )
            for r in party_directory.approaches(connection, party)
        ]


def activities(
    registry: Registry,
    actor: Actor,
    party: str,
    cooperative_approach: str | None = None,
    identifier: str | None = None,
) -> list[ActivityView]:
    allow(actor, Permission.READ, party)
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = party_directory.activities(connection, party, cooperative_approach, identifier)
        if identifier is not None and not rows:
            raise refuse(
                Check.C1012,
                "activity",
                words(
                    "{identifier} is not an activity of {party}", identifier=identifier, party=party
                ),
            )
        return [
            ActivityView(
                identifier=r.identifier,
                title=r.title,
                host_party=r.host_party,
                cooperative_approach=r.cooperative_approach_id,
                sector=r.sector,
                activity_type=r.activity_type,
                mitigation_type=r.mitigation_type,
                metric=r.metric,
                underlying_registry=r.underlying_registry,
                underlying_first=r.underlying_first,
                underlying_last=r.underlying_last,
                recorded_at=r.recorded_at,
            )
            for r in rows
        ]


def _authorization_view(r: RecordedAuthorization) -> AuthorizationView:
    definition = r.first_transfer_definition
    return AuthorizationView(
        party=r.party,
        authorization_id=r.authorization_id,
        version=r.version,
        date_of_authorization=r.date_of_authorization,
        cooperative_approach=r.cooperative_approach,
        authorized_quantity=r.authorized_quantity,
        metric=r.metric.value,
        sectors=[s.value for s in r.sectors],
        activity_types=[a.value for a in r.activity_types],
        purposes=r.purposes.value,
        authorized_parties=list(r.authorized_parties),
        authorized_entities=list(r.authorized_entities),
        oimp_authorized=r.oimp_authorized,
        timeframe_first=r.timeframe[0] if r.timeframe else None,
        timeframe_last=r.timeframe[1] if r.timeframe else None,
        first_transfer_definition=definition.value if definition else None,
        revoked=r.revoked,
        recorded_at=r.recorded_at,
        recorded_by=r.recorded_by,
    )


def authorizations_list(
    registry: Registry,
    actor: Actor,
    party: str,
    cooperative_approach: str | None = None,
    purposes: str | None = None,
    authorization_id: str | None = None,
) -> list[AuthorizationView]:
    """The current version of each authorization, or every version of one."""
    allow(actor, Permission.READ, party)
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = party_directory.authorizations_of(
            connection,
            party,
            cooperative_approach=cooperative_approach,
            purposes=purposes,
            authorization_id=authorization_id,
        )
        if authorization_id is not None and not rows:
            raise refuse(
                Check.C1012,
                "authorization_id",
                words(
                    "{authorization_id} is not an authorization", authorization_id=authorization_id
                ),
            )
        return [_authorization_view(r) for r in rows]


def entities_list(
    registry: Registry, actor: Actor, party: str, identifier: str | None = None
) -> list[EntityView]:
    allow(actor, Permission.READ, party)
    with unit_of_work(registry.engine, read_only=True) as connection:
        rows = party_directory.entities_of(connection, party, actor.entity, identifier)
        if identifier is not None and not rows:
            raise refuse(
                Check.C1012,
                "entity",
                words("{identifier} is not an entity you can see", identifier=identifier),
            )
        found = []
        for r in rows:
            approvals = party_directory.approvals_of(connection, r.id)
            found.append(
                EntityView(
                    identifier=r.identifier,
                    party=r.party_code,
                    name=r.name,
                    country_of_incorporation=r.country_of_incorporation,
                    identification_number=r.identification_number,
                    approvals=[
                        EntityApproval(
                            cooperative_approach=a.cooperative_approach_id,
                            date_of_authorization=a.date_of_authorization,
                            status=a.status,
                            conditions=a.conditions,
                        )
                        for a in approvals
                    ],
                )
            )
        return found


class PayeeView(BaseModel):
    """Who holds an account, as a payer checks it before confirming a transfer (the payee
    check of the EU and UK registries): the holder's name, the Party, whether it is open."""

    account: str
    holder: str
    party: str
    party_name: str
    status: str


def payees(registry: Registry, actor: Actor, identifiers: list[str]) -> dict[str, PayeeView]:
    """The holders of the accounts named that this registry keeps, any Party's; an account it
    does not keep is left out (another registry's, or a mistyped number)."""
    allow(actor, Permission.READ, None)
    with unit_of_work(registry.engine, read_only=True) as connection:
        found = account_register.accounts_named(connection, [i for i in identifiers if i])
        parties = {r.code: r.name for r in party_directory.parties_with_sections(connection)}
        views = {}
        for identifier, account in found.items():
            holder = parties.get(account.party_code, account.party_code)
            if account.entity is not None:
                rows = party_directory.entities_of(
                    connection, account.party_code, None, account.entity
                )
                holder = rows[0].name if rows else account.entity
            views[identifier] = PayeeView(
                account=identifier,
                holder=holder,
                party=account.party_code,
                party_name=parties.get(account.party_code, account.party_code),
                status=account.status,
            )
        return views
