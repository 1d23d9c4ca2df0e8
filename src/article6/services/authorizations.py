"""A Party's authorizations of ITMOs: each change is a new version, checked against the
previous one and the quantity already linked to it, never an edit."""

from __future__ import annotations

from sqlalchemy import Connection

from article6.domain.access import Actor, Delegable, Permission
from article6.domain.authorizations import Authorization, validate, validate_change
from article6.domain.checks import Check, CommandRefused, Refusal, refuse
from article6.domain.wording import words
from article6.services import commands as c
from article6.services.access import allow_delegable, section_of
from article6.services.context import Registry, execute
from article6.services.cooperative_approaches import approach_of_party
from article6.services.journal import log
from article6.services.views import Receipt
from article6.store import records, sections


def record_authorization(
    registry: Registry,
    actor: Actor,
    command: c.RecordAuthorization,
    idempotency_key: str | None = None,
) -> Receipt:
    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        section = section_of(connection, actor, lock=True)
        party = section.party_code
        allow_delegable(connection, actor, Permission.ADMINISTER, Delegable.AUTHORIZATION, party)
        records.lock_authorization(connection, party, command.authorization_id)
        previous = records.current_authorization(connection, party, command.authorization_id)
        timeframe = None
        if command.timeframe_first is not None or command.timeframe_last is not None:
            if command.timeframe_first is None or command.timeframe_last is None:
                raise refuse(
                    Check.C1009,
                    "timeframe_last",
                    words("a timeframe has both a first and a last year"),
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
        validate(authorization, registry.now().date())
        approach_of_party(connection, command.cooperative_approach, party, "cooperative_approach")
        problems: list[Refusal] = []
        for index, code in enumerate(command.authorized_parties):
            if sections.party(connection, code) is None:
                problems.append(
                    Refusal(
                        Check.C1001,
                        f"authorized_parties[{index}]",
                        words("{code} is not a registered Party", code=code),
                    )
                )
        for index, entity_identifier in enumerate(command.authorized_entities):
            if records.entity(connection, entity_identifier) is None:
                problems.append(
                    Refusal(
                        Check.C1012,
                        f"authorized_entities[{index}]",
                        words(
                            "{entity_identifier} is not a recorded entity",
                            entity_identifier=entity_identifier,
                        ),
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
