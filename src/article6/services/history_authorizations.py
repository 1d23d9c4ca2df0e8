"""The authorizations of an imported history (its Tables 2) recorded as this registry's own,
with their original dates and versions, so the Party can act on the imported units at once:
each version not yet recorded here is read from its row, validated as any authorization is
(its refusals named by the file and row), recorded and journaled with its source file."""

from __future__ import annotations

from sqlalchemy import Connection

from article6.domain.access import Actor
from article6.domain.authorizations import Authorization, validate
from article6.domain.checks import Check, CommandRefused, Refusal
from article6.domain.nomenclature import (
    ActivityType,
    FirstTransferDefinition,
    Metric,
    Purpose,
    Sector,
)
from article6.domain.wording import words
from article6.reports.aef_consistency.model import AEFRow, day, integer
from article6.reports.aef_consistency.world import timeframe_years
from article6.reports.aef_spec import NA
from article6.reports.history_checks import ImportedYear
from article6.services.context import Registry
from article6.services.journal import log
from article6.store import records

REVOKED = "Revoked in this version."


def _text(row: AEFRow, key: str) -> str | None:
    value = row[key]
    return None if value in ("", NA) else value


def _listed(row: AEFRow, key: str) -> list[str]:
    return [p.strip() for p in (_text(row, key) or "").split(";") if p.strip()]


def authorization_of(row: AEFRow, party: str) -> Authorization:
    """A Table 2 row as an authorization version; ValueError names what cannot be read."""
    dated = day(row["date_of_authorization"])
    version = integer(row["version"])
    if dated is None or version is None:
        raise ValueError("the date of authorization and the version are needed")
    definition = _text(row, "first_transfer_definition")
    information = _text(row, "additional_information") or ""
    revoked = REVOKED in information
    information = information.replace(REVOKED, "").strip()
    return Authorization(
        party=party,
        authorization_id=row["authorization_id"],
        version=version,
        date_of_authorization=dated,
        cooperative_approach=row["cooperative_approach_id"],
        metric=Metric(row["metric"]),
        sectors=tuple(Sector(s) for s in _listed(row, "sectors")),
        purposes=Purpose(row["purposes"]),
        activity_types=tuple(ActivityType(a) for a in _listed(row, "activity_types")),
        authorized_quantity=integer(row["authorized_quantity"]),
        gwp_values=_text(row, "gwp_values"),
        non_ghg_metric=_text(row, "non_ghg_metric"),
        authorized_parties=tuple(_listed(row, "authorized_parties")),
        authorized_entities=tuple(_listed(row, "authorized_entities")),
        oimp_authorized=_text(row, "oimp_authorized"),
        timeframe=timeframe_years(row["timeframe"]),
        terms_and_conditions=_text(row, "terms_and_conditions"),
        first_transfer_definition=FirstTransferDefinition(definition) if definition else None,
        additional_information=information or None,
        revoked=revoked,
    )


def new_authorizations(
    connection: Connection, registry: Registry, party: str, years: list[ImportedYear]
) -> tuple[list[tuple[ImportedYear, Authorization]], list[Refusal]]:
    """The versions of the history's Tables 2 not recorded here, each once, oldest first; and
    the refusals of those that cannot be read or are not valid (C7010 and their own checks)."""
    found: dict[tuple[str, int], tuple[ImportedYear, Authorization]] = {}
    refused: list[Refusal] = []
    for one in years:
        for row in one.aef.rows(2):
            place = one.file.where(row.sheet, row.number)
            try:
                authorization = authorization_of(row, party)
                validate(authorization, registry.now().date())
            except ValueError as error:
                refused.append(
                    Refusal(
                        Check.C7010, place, words("authorization not read: {error}", error=error)
                    )
                )
                continue
            except CommandRefused as invalid:
                refused.extend(
                    Refusal(r.check, f"{place} ({r.field})", r.detail) for r in invalid.refusals
                )
                continue
            key = (authorization.authorization_id, authorization.version)
            if key in found:
                continue
            if records.authorization(connection, party, *key) is None:
                found[key] = (one, authorization)
    return sorted(found.values(), key=lambda f: (f[1].date_of_authorization, f[1].version)), refused


def record_authorizations(
    connection: Connection,
    registry: Registry,
    actor: Actor,
    recorded: list[tuple[ImportedYear, Authorization]],
) -> None:
    for one, authorization in recorded:
        records.insert_authorization(connection, authorization, registry.now(), actor.label)
        log(
            connection,
            registry,
            actor,
            "HistoryAuthorizationImported",
            authorization.party,
            f"authorization-{authorization.party}-{authorization.authorization_id}",
            {
                "authorization_id": authorization.authorization_id,
                "version": authorization.version,
                "date_of_authorization": authorization.date_of_authorization.isoformat(),
                "source": one.file.name,
                "sha256": one.file.sha256,
            },
        )
