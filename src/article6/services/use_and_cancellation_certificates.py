"""Certificates of use and cancellation: the record of a completed use or cancellation that its
Party, or the entity that made it, can print. Each carries a number (the transaction and a
digest of what the certificate states) that anyone can check against the ledger on the public
verification page (`services.certificate_verification`).
"""

from __future__ import annotations

import hashlib
import json

from pydantic import BaseModel
from sqlalchemy import Connection

from article6.domain.access import Actor, Permission
from article6.domain.accounts import CancellationPurpose
from article6.domain.checks import Check, refuse
from article6.domain.identifiers import block_identifier
from article6.domain.nomenclature import ActionType
from article6.domain.transactions import CANCELLATION_ACTION
from article6.domain.wording import Sentence, words
from article6.services.access import allow
from article6.services.context import Registry
from article6.services.report_access import reporting_party
from article6.services.views import UtcDateTime
from article6.store import reports, statement_ledger


class Certificate(BaseModel):
    transaction: str
    kind: str
    action: str
    party: str
    party_name: str
    by: str
    entity: str | None
    entity_name: str | None
    purpose: Sentence
    ndc_year: int | None
    cancellation_purpose: str | None
    date: UtcDateTime
    quantity: int
    units: list[str]
    first_transfer: bool
    initiator: str
    approver: str | None
    issued_at: UtcDateTime
    number: str = ""
    """The certificate number, `<transaction>.<digest>`: see `certificate_number`."""


CERTIFIED_KINDS = ("use", "cancellation")


def certificate(registry: Registry, actor: Actor, transaction: str) -> Certificate:
    """The certificate of a completed use or cancellation: who, which units, for what, when."""
    with reports.reading(registry.engine) as connection:
        row = statement_ledger.transaction(connection, transaction)
        if row is None:
            raise refuse(
                Check.C1012,
                "transaction",
                words("{transaction} is not a transaction", transaction=transaction),
            )
        allow(actor, Permission.READ, row.party_code)
        if actor.entity is not None and row.using_entity != actor.entity:
            raise refuse(
                Check.C4002, "transaction", words("an entity sees only its own certificates")
            )
        return certificate_of(registry, connection, row)


def certified(row: statement_ledger.CertifiedTransaction) -> bool:
    """Whether the transaction has a certificate: a completed use or cancellation."""
    return row.kind in CERTIFIED_KINDS and row.status == "completed" and row.finished_at is not None


def certificate_of(
    registry: Registry, connection: Connection, row: statement_ledger.CertifiedTransaction
) -> Certificate:
    """The certificate of a completed use or cancellation as the ledger says it now; no access
    check (the public verification page compares it, and shows only what it states)."""
    finished = row.finished_at  # a completed transaction has finished
    if not certified(row) or finished is None:
        raise refuse(
            Check.C4007,
            "transaction",
            words(
                "{identifier} is a {status} {kind}; certificates are for completed uses and "
                "cancellations",
                identifier=row.identifier,
                status=row.status,
                kind=row.kind,
            ),
        )
    party = reporting_party(connection, row.party_code)
    ranges = statement_ledger.transaction_ranges(connection, row.id)
    named = row.cancellation_purpose or ""  # every cancellation names its purpose
    action, subtype = (
        (ActionType.USE, None)
        if row.kind == "use"
        else CANCELLATION_ACTION[CancellationPurpose(named)]
    )
    if row.kind == "use":
        purpose = words(
            "Use towards the NDC of {party} for {ndc_year}",
            party=row.party_code,
            ndc_year=row.ndc_year,
        )
    else:
        purpose = {
            "IMP": words("Use for other international mitigation purposes"),
            "OP": words("Cancellation for other purposes"),
            "OMGE": words("Voluntary cancellation to deliver OMGE"),
            "voluntary": words("Voluntary cancellation"),
        }[named]
        if row.purpose:
            purpose = words("{purpose}: {details}", purpose=purpose, details=row.purpose)
    found = Certificate(
        transaction=row.identifier,
        kind=row.kind,
        action=action.value + (f" ({subtype})" if subtype else ""),
        party=row.party_code,
        party_name=party.name,
        by=row.using_entity_name or party.name,
        entity=row.using_entity,
        entity_name=row.using_entity_name,
        purpose=purpose,
        ndc_year=row.ndc_year,
        cancellation_purpose=row.cancellation_purpose,
        date=finished,
        quantity=row.quantity,
        units=[
            block_identifier(
                r.cooperative_approach,
                r.registry,
                r.first_transferring_party,
                r.first,
                r.last,
                r.vintage,
            )
            for r in ranges
        ],
        first_transfer=row.first_transfer,
        initiator=row.initiator,
        approver=row.approver,
        issued_at=registry.now(),
    )
    return found.model_copy(update={"number": certificate_number(found)})


def certificate_number(found: Certificate) -> str:
    """`<transaction>.<digest>`: the digest covers what the certificate states (kind, Party,
    entity, purpose, date, quantity, units), so a number whose transaction or digest was
    altered, or whose transaction the ledger no longer records as stated, matches nothing;
    and 128 bits of it cannot be guessed, so the public page shows nothing to someone who
    knows only a transaction's identifier."""
    stated = [
        found.transaction,
        found.kind,
        found.action,
        found.party,
        found.entity,
        found.purpose,
        found.date.isoformat(),
        found.quantity,
        found.units,
    ]
    digest = hashlib.sha256(json.dumps(stated, separators=(",", ":")).encode()).hexdigest()
    return f"{found.transaction}.{digest[:32]}"
