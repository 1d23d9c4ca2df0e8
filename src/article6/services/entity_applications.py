"""An entity applies to a Party to be authorized (its identity details and documents, no account
needed); the Party's administrator approves it, which records the entity with its accounts, or
declines with a reason. Documents are kept in the database and their SHA-256 digests journaled,
so what was shown at approval can be proven later."""

from __future__ import annotations

import base64
import binascii
import hashlib
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import Connection

from article6.domain.access import Actor, Permission, permits_review
from article6.domain.checks import Check, CommandRefused, Refusal, refuse
from article6.domain.wording import words
from article6.services import commands as c
from article6.services.access import allow
from article6.services.authorized_entities import record_entity
from article6.services.context import Registry
from article6.services.identity import journal_event
from article6.services.joining import EMAIL_PATTERN
from article6.services.views import UtcDateTime
from article6.settings import Settings
from article6.store import entity_applications, sections
from article6.store.database import unit_of_work
from article6.store.entity_applications import StoredApplication

DOCUMENT_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg", "text/plain"})
APPLICANT = "entity application (public)"


class AttachedDocument(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    file_name: str = Field(min_length=1, max_length=200)
    content_type: str = Field(max_length=100)
    content_base64: str = Field(description="The document, base64-encoded")


class EntityApplication(BaseModel):
    """An entity's application to a Party, submitted without an account."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str = Field(min_length=1, max_length=200)
    country_of_incorporation: str = Field(pattern="^[A-Z]{3}$")
    identification_number: str = Field(min_length=1, max_length=100)
    cooperative_approach: str = Field(pattern="^CA[0-9]{4}$")
    contact_email: str = Field(pattern=EMAIL_PATTERN, max_length=254)
    documents: list[AttachedDocument] = Field(default_factory=list, max_length=5)


class ApplicationReview(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    decision: Literal["approve", "decline"]
    reason: str | None = Field(default=None, max_length=2000)


class DocumentView(BaseModel):
    id: int
    file_name: str
    content_type: str
    size: int
    sha256: str


class ApplicationView(BaseModel):
    id: int
    party: str
    name: str
    country_of_incorporation: str
    identification_number: str
    cooperative_approach: str
    contact_email: str
    status: str
    submitted_at: UtcDateTime
    reviewed_by: str | None
    reviewed_at: UtcDateTime | None
    reason: str | None
    entity: str | None
    documents: list[DocumentView]


def _views(connection: Connection, rows: list[StoredApplication]) -> list[ApplicationView]:
    attached = entity_applications.documents(connection, [r.id for r in rows])
    return [
        ApplicationView(
            id=r.id,
            party=r.party_code,
            name=r.name,
            country_of_incorporation=r.country_of_incorporation,
            identification_number=r.identification_number,
            cooperative_approach=r.cooperative_approach,
            contact_email=r.contact_email,
            status=r.status,
            submitted_at=r.submitted_at,
            reviewed_by=r.reviewed_by,
            reviewed_at=r.reviewed_at,
            reason=r.reason,
            entity=r.entity,
            documents=[
                DocumentView(**{k: getattr(d, k) for k in DocumentView.model_fields})
                for d in attached
                if d.application_id == r.id
            ],
        )
        for r in rows
    ]


def decoded(document: AttachedDocument, index: int, limit: int) -> bytes | Refusal:
    """The document's bytes, or why it is refused (C1025)."""
    field = f"documents.{index}"
    if document.content_type not in DOCUMENT_TYPES:
        return Refusal(
            Check.C1025,
            field,
            words("a document is one of: {types}", types=", ".join(sorted(DOCUMENT_TYPES))),
        )
    try:
        content = base64.b64decode(document.content_base64, validate=True)
    except (binascii.Error, ValueError):
        return Refusal(Check.C1025, field, words("the document is not valid base64"))
    if not content or len(content) > limit:
        return Refusal(
            Check.C1025,
            field,
            words(
                "a document has 1 to {limit:,} bytes; this has {content_length:,}",
                limit=limit,
                content_length=len(content),
            ),
        )
    return content


def submit(
    registry: Registry, settings: Settings, party: str, application: EntityApplication
) -> ApplicationView:
    """Record an application to `party` with its documents; journaled with each digest."""
    contents: list[bytes] = []
    refusals: list[Refusal] = []
    for index, document in enumerate(application.documents):
        outcome = decoded(document, index, settings.max_document_bytes)
        if isinstance(outcome, Refusal):
            refusals.append(outcome)
        else:
            contents.append(outcome)
    if refusals:
        raise CommandRefused(refusals)
    with unit_of_work(registry.engine) as connection:
        section = sections.section(connection, party)
        if section is None or section.status != "open":
            raise refuse(
                Check.C1001,
                "party",
                words("{party} has no open section to apply to", party=party),
            )
        now = registry.now()
        values = application.model_dump(mode="json", exclude={"documents"})
        application_id = entity_applications.insert_application(
            connection, {**values, "party_code": party, "status": "pending", "submitted_at": now}
        )
        digests = []
        for document, content in zip(application.documents, contents, strict=True):
            digest = hashlib.sha256(content).hexdigest()
            entity_applications.insert_document(
                connection,
                {
                    "application_id": application_id,
                    "file_name": document.file_name,
                    "content_type": document.content_type,
                    "size": len(content),
                    "sha256": digest,
                    "content": content,
                },
            )
            digests.append({"file_name": document.file_name, "sha256": digest})
        journal_event(
            connection,
            registry,
            APPLICANT,
            "EntityApplied",
            f"{party}/{application_id}",
            {**values, "application": application_id, "documents": digests},
            party,
        )
        return _views(connection, [_stored(connection, application_id)])[0]


def _stored(connection: Connection, application_id: int) -> StoredApplication:
    stored = entity_applications.application(connection, application_id)
    if stored is None:
        raise LookupError("the application vanished inside its own command")
    return stored


def applications(registry: Registry, actor: Actor, party: str) -> list[ApplicationView]:
    """A Party's applications, newest first, for its administrators (and the secretariat)."""
    allow(actor, Permission.ADMINISTER, party)
    with unit_of_work(registry.engine, read_only=True) as connection:
        return _views(connection, entity_applications.applications(connection, party))


class DocumentFile(BaseModel):
    """A stored document as it is served: its original name and type, and its bytes."""

    file_name: str
    content_type: str
    content: bytes


def document(
    registry: Registry, actor: Actor, party: str, application_id: int, document_id: int
) -> DocumentFile:
    """One document of an application to `party`, for the Party's administrators (and the
    secretariat): another Party's, or one that does not exist, is unknown (C1012). Served only
    while its SHA-256 is the one journaled when it was attached; otherwise refused (C1026) and
    the refusal journaled, so tampering with the stored copy shows. A download served is
    journaled too (who, which document, when), for the auditors."""
    allow(actor, Permission.ADMINISTER, party)
    with unit_of_work(registry.engine) as connection:
        stored = entity_applications.application(connection, application_id)
        found = entity_applications.document(connection, document_id)
        if (
            stored is None
            or stored.party_code != party
            or found is None
            or found.application_id != application_id
        ):
            raise refuse(
                Check.C1012,
                "document",
                words(
                    "{document_id} is not a document of application {application_id} to {party}",
                    document_id=document_id,
                    application_id=application_id,
                    party=party,
                ),
            )
        content = entity_applications.document_content(connection, document_id) or b""
        attached = [d.id for d in entity_applications.documents(connection, [application_id])]
        journaled = entity_applications.journaled_digests(connection, f"{party}/{application_id}")
        index = attached.index(document_id)
        expected = journaled[index] if index < len(journaled) else None
        digest = hashlib.sha256(content).hexdigest()
        if digest != expected or found.sha256 != expected:
            journal_event(
                connection,
                registry,
                actor.label,
                "EntityDocumentRefused",
                f"{party}/{application_id}",
                {
                    "application": application_id,
                    "document": document_id,
                    "journaled_sha256": expected,
                    "stored_sha256": digest,
                },
                party,
            )
            mismatch = Refusal(
                Check.C1026,
                "document",
                words(
                    "{file_name} is not the document journaled when it was attached: it is not "
                    "served",
                    file_name=found.file_name,
                ),
            )
        else:
            journal_event(
                connection,
                registry,
                actor.label,
                "EntityDocumentDownloaded",
                f"{party}/{application_id}",
                {
                    "application": application_id,
                    "document": document_id,
                    "file_name": found.file_name,
                    "sha256": digest,
                    "size": len(content),
                },
                party,
            )
            return DocumentFile(
                file_name=found.file_name, content_type=found.content_type, content=content
            )
    raise CommandRefused([mismatch])


def review(
    registry: Registry, actor: Actor, party: str, application_id: int, decision: ApplicationReview
) -> ApplicationView:
    """Approve (the entity recorded with its accounts and its authorization for the approach,
    dated today) or decline with a reason: once, by the Party's own administrator (C4027)."""
    refusal = permits_review(actor, party)
    if refusal is not None:
        raise CommandRefused([refusal])
    if decision.decision == "decline" and not (decision.reason or "").strip():
        raise refuse(Check.C4027, "reason", words("a declined application says why"))
    with unit_of_work(registry.engine) as connection:
        stored = entity_applications.application(connection, application_id, lock=True)
        if stored is None or stored.party_code != party:
            raise refuse(
                Check.C1012,
                "application",
                words(
                    "{application_id} is not an application to {party}",
                    application_id=application_id,
                    party=party,
                ),
            )
        if stored.status != "pending":
            raise refuse(
                Check.C4027,
                "application",
                words(
                    "application {application_id} was already {status}",
                    application_id=application_id,
                    status=stored.status,
                ),
            )
        now = registry.now()
        entity = None
        if decision.decision == "approve":
            receipt = record_entity(
                connection,
                registry,
                actor,
                c.RecordAuthorizedEntity(
                    name=stored.name,
                    country_of_incorporation=stored.country_of_incorporation,
                    identification_number=stored.identification_number,
                    cooperative_approach=stored.cooperative_approach,
                    date_of_authorization=date.fromisoformat(now.date().isoformat()),
                    additional_information=words(
                        "approved on application {application_id}", application_id=application_id
                    ),
                ),
            )
            entity = receipt.record
        status = "approved" if entity is not None else "declined"
        entity_applications.review(
            connection, application_id, status, actor.label, now, decision.reason, entity
        )
        journal_event(
            connection,
            registry,
            actor.label,
            "EntityApplicationReviewed",
            f"{party}/{application_id}",
            {
                "application": application_id,
                "status": status,
                "reason": decision.reason,
                "entity": entity,
            },
            party,
        )
        return _views(connection, [_stored(connection, application_id)])[0]
