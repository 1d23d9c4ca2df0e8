"""Entities' applications to a Party and the documents attached to them (kept in the database,
with their SHA-256)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from article6.store.joining_schema import entity_applications, entity_documents
from article6.store.schema import journal, journal_pending


@dataclass(frozen=True)
class StoredApplication:
    """An entity's application to a Party, as submitted and as reviewed."""

    id: int
    party_code: str
    name: str
    country_of_incorporation: str
    identification_number: str
    cooperative_approach: str
    contact_email: str
    status: str
    submitted_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None
    reason: str | None
    entity: str | None


@dataclass(frozen=True)
class StoredDocument:
    """A document attached to an application (its content read only when asked for)."""

    id: int
    application_id: int
    file_name: str
    content_type: str
    size: int
    sha256: str


def insert_application(connection: Connection, values: dict[str, Any]) -> int:
    inserted = connection.execute(
        insert(entity_applications).values(**values).returning(entity_applications.c.id)
    )
    return int(inserted.scalar_one())


def insert_document(connection: Connection, values: dict[str, Any]) -> None:
    connection.execute(insert(entity_documents).values(**values))


def application(
    connection: Connection, application_id: int, lock: bool = False
) -> StoredApplication | None:
    query = select(entity_applications).where(entity_applications.c.id == application_id)
    if lock:
        query = query.with_for_update()
    row = connection.execute(query).first()
    return StoredApplication(**dict(row._mapping)) if row is not None else None


def applications(connection: Connection, party: str) -> list[StoredApplication]:
    rows = connection.execute(
        select(entity_applications)
        .where(entity_applications.c.party_code == party)
        .order_by(entity_applications.c.id.desc())
    )
    return [StoredApplication(**dict(row._mapping)) for row in rows]


def documents(connection: Connection, application_ids: list[int]) -> list[StoredDocument]:
    columns = [c for c in entity_documents.c if c.name != "content"]
    rows = connection.execute(
        select(*columns)
        .where(entity_documents.c.application_id.in_(application_ids))
        .order_by(entity_documents.c.id)
    )
    return [StoredDocument(**dict(row._mapping)) for row in rows]


def document_content(connection: Connection, document_id: int) -> bytes | None:
    row = connection.execute(
        select(entity_documents.c.content).where(entity_documents.c.id == document_id)
    ).first()
    return bytes(row[0]) if row is not None else None


def review(
    connection: Connection,
    application_id: int,
    status: str,
    by: str,
    at: datetime,
    reason: str | None,
    entity: str | None,
) -> None:
    connection.execute(
        update(entity_applications)
        .where(entity_applications.c.id == application_id)
        .values(status=status, reviewed_by=by, reviewed_at=at, reason=reason, entity=entity)
    )


def document(connection: Connection, document_id: int) -> StoredDocument | None:
    columns = [c for c in entity_documents.c if c.name != "content"]
    row = connection.execute(select(*columns).where(entity_documents.c.id == document_id)).first()
    return StoredDocument(**dict(row._mapping)) if row is not None else None


def journaled_digests(connection: Connection, subject: str) -> list[str]:
    """The documents' SHA-256 digests as `EntityApplied` journaled them, in the order they were
    attached (the entry is read from the chain, or from the entries not chained yet)."""
    for table in (journal, journal_pending):
        body = connection.execute(
            select(table.c.body).where(table.c.subject == subject, table.c.event == "EntityApplied")
        ).scalar()
        if body is not None:
            return [str(d.get("sha256", "")) for d in json.loads(body).get("documents", [])]
    return []
