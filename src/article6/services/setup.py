"""Commands that set up the registry's world: Parties and their sections, cooperative
approaches, mitigation activities, authorizations, authorized entities, account status and
approval policies. Each is one transaction and one journal entry."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Connection, Row, select, update

from article6.domain import identifiers
from article6.domain.access import Actor, Permission, permits
from article6.domain.accounts import (
    ENTITY_KINDS_PER_APPROACH,
    PARTY_SECTION_KINDS,
    AccountKind,
    AccountStatus,
    account_name,
)
from article6.domain.authorizations import Authorization, validate, validate_change
from article6.domain.checks import Check, CommandRefused, Refusal, refuse
from article6.domain.nomenclature import Metric
from article6.services import commands as c
from article6.services.context import Registry, execute
from article6.services.views import Receipt
from article6.store import journal, records
from article6.store.schema import (
    accounts,
    approval_policies,
    authorized_entities,
    cooperative_approach_parties,
    cooperative_approaches,
    entity_authorizations,
    mitigation_activities,
    parties,
)

PENDING_DAYS = 7


def allow(
    actor: Actor, permission: Permission, party: str | None, entity: str | None = None
) -> None:
    refusal = permits(actor, permission, party, entity)
    if refusal is not None:
        raise CommandRefused([refusal])


def section_of(
    connection: Connection, actor: Actor, party: str | None = None, lock: bool = False
) -> Row[Any]:
    """The actor's Party section; `lock` serialises commands that number records per section."""
    code = party or actor.party
    if code is None:
        raise refuse(Check.C4006, "party", "name the Party section to act in")
    row = records.section(connection, code, lock=lock)
    if row is None:
        raise refuse(Check.C1001, "party", f"{code} has no Party section in this registry")
    return row


def log(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    event: str,
    party: str | None,
    subject: str,
    body: dict[str, Any],
) -> None:
    journal.append(
        connection,
        actor=actor.label,
        event=event,
        party=party,
        subject=subject,
        body=body,
        at=registry.now(),
    )


def open_standard_accounts(
    connection: Connection, party: str, registry_id: str, cooperative_approach: str, at: datetime
) -> None:
    for kind in PARTY_SECTION_KINDS:
        records.open_account(
            connection,
            party_code=party,
            registry_id=registry_id,
            kind=kind,
            cooperative_approach=cooperative_approach,
            at=at,
            name=account_name(party, kind, cooperative_approach),
        )


def register_party(
    registry: Registry, actor: Actor, command: c.RegisterParty, idempotency_key: str | None = None
) -> Receipt:
    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        allow(actor, Permission.REGISTRY_SETUP, None)
        code = identifiers.party_code(command.code, "code")
        if not (
            identifiers.FIRST_VINTAGE <= command.ndc_first_year <= command.ndc_last_year <= 2100
        ):
            raise refuse(
                Check.C1009,
                "ndc_last_year",
                "the NDC implementation period runs from its first to its last year",
            )
        now = registry.now()
        if records.party(connection, code) is None:
            connection.execute(
                parties.insert().values(
                    code=code,
                    name=command.name,
                    ndc_first_year=command.ndc_first_year,
                    ndc_last_year=command.ndc_last_year,
                    participation_status="active",
                    created_at=now,
                )
            )
        registry_id = f"{code}{command.registry_number:02d}"
        if command.open_section and records.section(connection, code) is None:
            records.open_section(
                connection,
                party_code=code,
                registry_id=registry_id,
                next_serial=1,
                next_transaction=1,
                next_account=1,
                pending_days=PENDING_DAYS,
                opened_at=now,
            )
            records.open_account(
                connection,
                party_code=code,
                registry_id=registry_id,
                kind=AccountKind.MO_HOLDING,
                cooperative_approach=None,
                at=now,
                name=account_name(code, AccountKind.MO_HOLDING, None),
            )
            for ca_id in connection.execute(
                select(cooperative_approach_parties.c.cooperative_approach_id).where(
                    cooperative_approach_parties.c.party_code == code
                )
            ).scalars():
                open_standard_accounts(connection, code, registry_id, ca_id, now)
        log(
            connection,
            registry,
            actor,
            "PartyRegistered",
            code,
            code,
            command.model_dump(mode="json"),
        )
        return Receipt(command="RegisterParty", record=code, status="recorded")

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def register_cooperative_approach(
    registry: Registry,
    actor: Actor,
    command: c.RegisterCooperativeApproach,
    idempotency_key: str | None = None,
) -> Receipt:
    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        allow(actor, Permission.REGISTRY_SETUP, None)
        ca_id = identifiers.cooperative_approach_id(command.id, "id")
        now = registry.now()
        for index, code in enumerate(command.participating_parties):
            identifiers.party_code(code, f"participating_parties[{index}]")
            if records.party(connection, code) is None:
                raise refuse(
                    Check.C1001,
                    f"participating_parties[{index}]",
                    f"{code} is not a registered Party",
                )
        if records.cooperative_approach(connection, ca_id) is None:
            connection.execute(
                cooperative_approaches.insert().values(
                    id=ca_id, name=command.name, description=command.description, created_at=now
                )
            )
        known = set(records.participants(connection, ca_id))
        for code in sorted(set(command.participating_parties) - known):
            connection.execute(
                cooperative_approach_parties.insert().values(
                    cooperative_approach_id=ca_id, party_code=code
                )
            )
            section = records.section(connection, code)
            if section is not None:
                open_standard_accounts(connection, code, section.registry_id, ca_id, now)
        log(
            connection,
            registry,
            actor,
            "CooperativeApproachRegistered",
            None,
            ca_id,
            command.model_dump(mode="json"),
        )
        return Receipt(command="RegisterCooperativeApproach", record=ca_id, status="recorded")

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def approach_of_party(connection: Connection, ca_id: str, party: str, field: str) -> None:
    identifiers.cooperative_approach_id(ca_id, field)
    if records.cooperative_approach(connection, ca_id) is None:
        raise refuse(Check.C1002, field, f"{ca_id} is not a registered cooperative approach")
    if party not in records.participants(connection, ca_id):
        raise refuse(Check.C4004, field, f"{party} does not participate in {ca_id}")


def record_mitigation_activity(
    registry: Registry,
    actor: Actor,
    command: c.RecordMitigationActivity,
    idempotency_key: str | None = None,
) -> Receipt:
    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        section = section_of(connection, actor, lock=True)
        party = section.party_code
        allow(actor, Permission.ADMINISTER, party)
        approach_of_party(connection, command.cooperative_approach, party, "cooperative_approach")
        non_ghg = command.metric is Metric.NON_GHG
        if non_ghg != bool(command.non_ghg_metric):
            raise refuse(
                Check.C1008,
                "non_ghg_metric",
                "name a non-GHG metric if and only if the metric is non-GHG",
            )
        underlying = (
            command.underlying_registry,
            command.underlying_first,
            command.underlying_last,
        )
        if any(v is not None for v in underlying) and (
            None in underlying
            or not 0 < (command.underlying_first or 0) <= (command.underlying_last or 0)
        ):
            raise refuse(
                Check.C1005,
                "underlying_first",
                "an underlying registry comes with its first and last unit IDs, first <= last",
            )
        count = connection.execute(
            select(mitigation_activities.c.id).where(mitigation_activities.c.host_party == party)
        ).all()
        identifier = f"{party}-MA-{len(count) + 1:04d}"
        connection.execute(
            mitigation_activities.insert().values(
                identifier=identifier,
                title=command.title,
                host_party=party,
                cooperative_approach_id=command.cooperative_approach,
                sector=command.sector.value,
                activity_type=command.activity_type.value if command.activity_type else None,
                mitigation_type=command.mitigation_type.value,
                metric=command.metric.value,
                gwp_values=command.gwp_values,
                non_ghg_metric=command.non_ghg_metric,
                underlying_registry=command.underlying_registry.value
                if command.underlying_registry
                else None,
                underlying_first=command.underlying_first,
                underlying_last=command.underlying_last,
                underlying_next=command.underlying_first,
                description=command.description,
                recorded_at=registry.now(),
                recorded_by=actor.label,
            )
        )
        log(
            connection,
            registry,
            actor,
            "MitigationActivityRecorded",
            party,
            identifier,
            command.model_dump(mode="json"),
        )
        return Receipt(command="RecordMitigationActivity", record=identifier, status="recorded")

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def record_authorization(
    registry: Registry,
    actor: Actor,
    command: c.RecordAuthorization,
    idempotency_key: str | None = None,
) -> Receipt:
    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        section = section_of(connection, actor, lock=True)
        party = section.party_code
        allow(actor, Permission.ADMINISTER, party)
        records.lock_authorization(connection, party, command.authorization_id)
        previous = records.current_authorization(connection, party, command.authorization_id)
        timeframe = None
        if command.timeframe_first is not None or command.timeframe_last is not None:
            if command.timeframe_first is None or command.timeframe_last is None:
                raise refuse(
                    Check.C1009, "timeframe_last", "a timeframe has both a first and a last year"
                )
            timeframe = (command.timeframe_first, command.timeframe_last)
        authorization = Authorization(
            party=party,
            authorization_id=command.authorization_id,
            version=previous.version + 1 if previous else 1,
            date_of_authorization=command.date_of_authorization,
            cooperative_approach=command.cooperative_approach,
            metric=command.metric,
            sectors=tuple(command.sectors),
            purposes=command.purposes,
            activity_types=tuple(command.activity_types),
            authorized_quantity=command.authorized_quantity,
            gwp_values=command.gwp_values,
            non_ghg_metric=command.non_ghg_metric,
            authorized_parties=tuple(command.authorized_parties),
            authorized_entities=tuple(command.authorized_entities),
            oimp_authorized=command.oimp_authorized,
            timeframe=timeframe,
            terms_and_conditions=command.terms_and_conditions,
            first_transfer_definition=command.first_transfer_definition,
            additional_information=command.additional_information,
            revoked=command.revoked,
        )
        validate(authorization)
        approach_of_party(connection, command.cooperative_approach, party, "cooperative_approach")
        problems: list[Refusal] = []
        for index, code in enumerate(command.authorized_parties):
            if records.party(connection, code) is None:
                problems.append(
                    Refusal(
                        Check.C1001,
                        f"authorized_parties[{index}]",
                        f"{code} is not a registered Party",
                    )
                )
        for index, entity_identifier in enumerate(command.authorized_entities):
            if records.entity(connection, entity_identifier) is None:
                problems.append(
                    Refusal(
                        Check.C1012,
                        f"authorized_entities[{index}]",
                        f"{entity_identifier} is not a recorded entity",
                    )
                )
        if problems:
            raise CommandRefused(problems)
        if previous is not None:
            validate_change(
                previous,
                authorization,
                records.linked_quantity(connection, party, command.authorization_id),
            )
        records.insert_authorization(connection, authorization, registry.now(), actor.label)
        event = "AuthorizationChanged" if previous else "AuthorizationRecorded"
        log(
            connection,
            registry,
            actor,
            event,
            party,
            f"{command.authorization_id} v{authorization.version}",
            command.model_dump(mode="json"),
        )
        return Receipt(
            command="RecordAuthorization",
            record=f"{command.authorization_id} v{authorization.version}",
            status="recorded",
        )

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def record_authorized_entity(
    registry: Registry,
    actor: Actor,
    command: c.RecordAuthorizedEntity,
    idempotency_key: str | None = None,
) -> Receipt:
    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        section = section_of(connection, actor, lock=True)
        party = section.party_code
        allow(actor, Permission.ADMINISTER, party)
        identifiers.party_code(command.country_of_incorporation, "country_of_incorporation")
        approach_of_party(connection, command.cooperative_approach, party, "cooperative_approach")
        now = registry.now()
        existing = connection.execute(
            select(authorized_entities).where(
                (authorized_entities.c.party_code == party)
                & (authorized_entities.c.name == command.name)
            )
        ).first()
        if existing is None:
            number = (
                len(
                    connection.execute(
                        select(authorized_entities.c.id).where(
                            authorized_entities.c.party_code == party
                        )
                    ).all()
                )
                + 1
            )
            identifier = f"{party}-E{number:04d}"
            entity_id = connection.execute(
                authorized_entities.insert()
                .values(
                    identifier=identifier,
                    party_code=party,
                    name=command.name,
                    country_of_incorporation=command.country_of_incorporation,
                    identification_number=command.identification_number,
                    recorded_at=now,
                )
                .returning(authorized_entities.c.id)
            ).scalar_one()
            records.open_account(
                connection,
                party_code=party,
                registry_id=section.registry_id,
                kind=AccountKind.MO_HOLDING,
                cooperative_approach=None,
                at=now,
                entity_id=entity_id,
                holder=identifier,
                name=account_name(party, AccountKind.MO_HOLDING, None, command.name),
            )
        else:
            entity_id, identifier = existing.id, existing.identifier
        if (
            records.entity_authorization(connection, entity_id, command.cooperative_approach)
            is not None
        ):
            raise refuse(
                Check.C3005,
                "cooperative_approach",
                f"{identifier} is already authorized for {command.cooperative_approach}",
            )
        connection.execute(
            entity_authorizations.insert().values(
                entity_id=entity_id,
                cooperative_approach_id=command.cooperative_approach,
                date_of_authorization=command.date_of_authorization,
                conditions=command.conditions,
                change_and_revocation_conditions=command.change_and_revocation_conditions,
                additional_information=command.additional_information,
                status="active",
                status_changed_at=now,
            )
        )
        for kind in ENTITY_KINDS_PER_APPROACH:
            records.open_account(
                connection,
                party_code=party,
                registry_id=section.registry_id,
                kind=kind,
                cooperative_approach=command.cooperative_approach,
                at=now,
                entity_id=entity_id,
                holder=identifier,
                name=account_name(party, kind, command.cooperative_approach, command.name),
            )
        log(
            connection,
            registry,
            actor,
            "AuthorizedEntityRecorded",
            party,
            identifier,
            command.model_dump(mode="json"),
        )
        return Receipt(command="RecordAuthorizedEntity", record=identifier, status="active")

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def set_entity_status(
    registry: Registry, actor: Actor, command: c.SetEntityStatus, idempotency_key: str | None = None
) -> Receipt:
    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        entity = records.entity(connection, command.entity)
        if entity is None:
            raise refuse(Check.C1012, "entity", f"{command.entity} is not a recorded entity")
        allow(actor, Permission.ADMINISTER, entity.party_code)
        current = records.entity_authorization(connection, entity.id, command.cooperative_approach)
        if current is None:
            raise refuse(
                Check.C3005,
                "cooperative_approach",
                f"{command.entity} is not authorized for {command.cooperative_approach}",
            )
        if current.status == "revoked":
            raise refuse(Check.C3005, "status", "a revoked entity authorization is final")
        connection.execute(
            update(entity_authorizations)
            .where(
                (entity_authorizations.c.entity_id == entity.id)
                & (entity_authorizations.c.cooperative_approach_id == command.cooperative_approach)
            )
            .values(status=command.status, status_changed_at=registry.now())
        )
        log(
            connection,
            registry,
            actor,
            "EntityStatusChanged",
            entity.party_code,
            command.entity,
            command.model_dump(mode="json"),
        )
        return Receipt(command="SetEntityStatus", record=command.entity, status=command.status)

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def set_account_status(
    registry: Registry,
    actor: Actor,
    command: c.SetAccountStatus,
    idempotency_key: str | None = None,
) -> Receipt:
    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        account = records.account(connection, command.account)
        if account is None:
            raise refuse(Check.C1012, "account", f"{command.account} is not an account")
        allow(actor, Permission.ADMINISTER, account.party_code)
        if account.status == AccountStatus.CLOSED.value:
            raise refuse(Check.C4001, "status", "a closed account stays closed")
        if command.status is AccountStatus.CLOSED:
            from article6.store.schema import holdings

            held = connection.execute(
                select(holdings.c.quantity).where(holdings.c.account_id == account.id)
            ).scalar_one()
            if held and not AccountKind(account.kind).terminal:
                raise refuse(
                    Check.C4001,
                    "status",
                    f"the account still holds {held} units; transfer them first",
                )
        connection.execute(
            update(accounts).where(accounts.c.id == account.id).values(status=command.status.value)
        )
        log(
            connection,
            registry,
            actor,
            "AccountStatusChanged",
            account.party_code,
            command.account,
            command.model_dump(mode="json"),
        )
        return Receipt(
            command="SetAccountStatus", record=command.account, status=command.status.value
        )

    return execute(registry, actor, command, handle, Receipt, idempotency_key)


def set_approval_policy(
    registry: Registry,
    actor: Actor,
    command: c.SetApprovalPolicy,
    idempotency_key: str | None = None,
) -> Receipt:
    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        section = section_of(connection, actor)
        allow(actor, Permission.ADMINISTER, section.party_code)
        key = (approval_policies.c.party_code == section.party_code) & (
            approval_policies.c.kind == command.kind.value
        )
        if connection.execute(select(approval_policies).where(key)).first() is None:
            connection.execute(
                approval_policies.insert().values(
                    party_code=section.party_code,
                    kind=command.kind.value,
                    four_eyes=command.four_eyes,
                )
            )
        else:
            connection.execute(
                update(approval_policies).where(key).values(four_eyes=command.four_eyes)
            )
        log(
            connection,
            registry,
            actor,
            "ApprovalPolicySet",
            section.party_code,
            command.kind.value,
            command.model_dump(mode="json"),
        )
        return Receipt(
            command="SetApprovalPolicy",
            record=command.kind.value,
            status="four-eyes" if command.four_eyes else "single",
        )

    return execute(registry, actor, command, handle, Receipt, idempotency_key)
