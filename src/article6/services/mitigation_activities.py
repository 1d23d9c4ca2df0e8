"""Mitigation activities a Party hosts under a cooperative approach: numbered per Party, with
the underlying registry's unit IDs where the units come from one."""

from __future__ import annotations

from sqlalchemy import Connection

from article6.domain.access import Actor, Permission
from article6.domain.checks import Check, refuse
from article6.domain.nomenclature import Metric
from article6.domain.wording import words
from article6.services import commands as c
from article6.services.access import allow, section_of
from article6.services.context import Registry, execute
from article6.services.cooperative_approaches import approach_of_party
from article6.services.journal import log
from article6.services.views import Receipt
from article6.store import activities


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
                words("name a non-GHG metric if and only if the metric is non-GHG"),
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
                words(
                    "an underlying registry comes with its first and last unit IDs, first <= last"
                ),
            )
        count = activities.hosted_count(connection, party)
        identifier = f"{party}-MA-{count + 1:04d}"
        activities.insert_activity(
            connection,
            activities.ActivityRecord(
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
            ),
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
