"""The authorized entities of an imported history (its Tables 5) recorded as the Party's own
entity records, so an entity that acted before the section went live is known here at once:
each marked with the file it came from and that file's SHA-256, journaled, and never recorded
twice. An entity already recorded here under the same identity (country of incorporation and
identification number) is the same entity: only an authorization for an approach it lacks is
added; one recorded under the same name with another identity is refused (C7011)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from article6.domain.access import Actor
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.wording import words
from article6.reports.aef_consistency.model import AEFRow, day
from article6.reports.aef_spec import NA
from article6.reports.history_checks import ImportedYear
from article6.services.authorized_entities import authorize_entity, next_identifier, open_entity
from article6.services.context import Registry
from article6.services.cooperative_approaches import approach_of_party
from article6.services.journal import log
from article6.store import entities, records
from article6.store.sections import section


@dataclass(frozen=True)
class ImportedEntity:
    """One entity's authorization for one approach, as a history's Table 5 row gives it."""

    year: ImportedYear
    place: str
    name: str
    country: str
    number: str
    approach: str
    authorized_on: date
    conditions: str | None
    change_conditions: str | None
    information: str | None

    @property
    def identity(self) -> tuple[str, str]:
        return self.country, self.number


def _text(row: AEFRow, key: str) -> str | None:
    value = row[key].strip()
    return None if value in ("", NA) else value


def _read(connection: Connection, party: str, one: ImportedYear, row: AEFRow) -> ImportedEntity:
    """A Table 5 row as an entity's authorization; CommandRefused (C7011) names what is wrong."""
    place = one.file.where(row.sheet, row.number)
    name, country, number = row["name"].strip(), row["country_of_incorporation"].strip(), ""
    number = row["identification_number"].strip()
    dated = day(row["date_of_authorization"])
    if not name or not country or not number or dated is None:
        raise CommandRefused(
            [
                Refusal(
                    Check.C7011,
                    place,
                    words(
                        "an entity needs its name, country of incorporation, identification "
                        "number and date of authorization"
                    ),
                )
            ]
        )
    approach = row["cooperative_approach_id"].strip()
    try:
        approach_of_party(connection, approach, party, "cooperative_approach_id")
    except CommandRefused as refused:
        raise CommandRefused(
            [Refusal(Check.C7011, place, r.detail) for r in refused.refusals]
        ) from None
    return ImportedEntity(
        year=one,
        place=place,
        name=name,
        country=country,
        number=number,
        approach=approach,
        authorized_on=dated,
        conditions=_text(row, "conditions"),
        change_conditions=_text(row, "change_and_revocation_conditions"),
        information=_text(row, "additional_information"),
    )


def new_entities(
    connection: Connection, party: str, years: list[ImportedYear]
) -> tuple[list[ImportedEntity], list[Refusal]]:
    """The entity authorizations of the history's Tables 5 not recorded here yet, each once
    (the first year that names it), and the refusals of those that cannot be recorded."""
    found: dict[tuple[str, str, str], ImportedEntity] = {}
    names: dict[str, tuple[str, str]] = {}
    refused: list[Refusal] = []
    for one in years:
        for row in one.aef.rows(5):
            try:
                entity = _read(connection, party, one, row)
            except CommandRefused as unread:
                refused.extend(unread.refusals)
                continue
            named = names.setdefault(entity.name, entity.identity)
            recorded = entities.entity_named(connection, party, entity.name)
            if named != entity.identity or (
                recorded is not None
                and (recorded.country_of_incorporation, recorded.identification_number)
                != entity.identity
            ):
                refused.append(
                    Refusal(
                        Check.C7011,
                        entity.place,
                        words(
                            "{name} is already an entity of {party} with another country of "
                            "incorporation or identification number",
                            name=entity.name,
                            party=party,
                        ),
                    )
                )
                continue
            key = (*entity.identity, entity.approach)
            if key in found:
                continue
            same = entities.entity_identified(connection, party, *entity.identity)
            if same is not None and records.entity_authorization(
                connection, same.id, entity.approach
            ):
                continue  # already recorded: an import adds nothing twice
            found[key] = entity
    return list(found.values()), refused


def record_entities(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    party: str,
    found: list[ImportedEntity],
) -> list[str]:
    """Record each entity (if new, with its MO holding account, marked imported) and its
    authorization for the approach (with its accounts), journaled; their identifiers."""
    opened = section(connection, party, lock=True)
    if opened is None:
        raise LookupError(f"{party} has no section: the import checked it has")
    now = registry.now()
    recorded: list[str] = []
    for entity in found:
        same = entities.entity_identified(connection, party, *entity.identity)
        source, sha256 = entity.year.file.name, entity.year.file.sha256
        if same is None:
            entity_id, identifier = open_entity(
                connection,
                opened.registry_id,
                entities.EntityRecord(
                    identifier=next_identifier(connection, party),
                    party_code=party,
                    name=entity.name,
                    country_of_incorporation=entity.country,
                    identification_number=entity.number,
                    recorded_at=now,
                    imported_source=source[:200],
                    imported_sha256=sha256,
                ),
            )
        else:
            entity_id, identifier = same.id, same.identifier
        authorize_entity(
            connection,
            party,
            opened.registry_id,
            entity_id,
            identifier,
            entity.name,
            entities.EntityApproval(
                entity_id=entity_id,
                cooperative_approach_id=entity.approach,
                date_of_authorization=entity.authorized_on,
                conditions=entity.conditions,
                change_and_revocation_conditions=entity.change_conditions,
                additional_information=entity.information,
                status="active",
                status_changed_at=now,
            ),
        )
        log(
            connection,
            registry,
            actor,
            "HistoryEntityImported",
            party,
            identifier,
            {
                "identifier": identifier,
                "name": entity.name,
                "country_of_incorporation": entity.country,
                "identification_number": entity.number,
                "cooperative_approach": entity.approach,
                "date_of_authorization": entity.authorized_on.isoformat(),
                "new_entity": same is None,
                "source": source,
                "sha256": sha256,
            },
        )
        recorded.append(identifier)
    return recorded
