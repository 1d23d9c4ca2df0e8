"""Joining requests and enrolment links: the rows, read and written as domain records."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert, select, update

from article6.store.joining_schema import enrolment_links, joining_requests


@dataclass(frozen=True)
class StoredJoiningRequest:
    """A Party's request for a section, as submitted and as reviewed."""

    id: int
    party_code: str
    party_name: str
    ndc_first_year: int
    ndc_last_year: int
    focal_point_name: str
    focal_point_email: str
    administrators: list[dict[str, str]]
    terms_version: str
    status: str
    submitted_at: datetime
    reviewed_by: str | None
    reviewed_at: datetime | None
    reason: str | None


def _request(row: Any) -> StoredJoiningRequest:
    values = dict(row._mapping)
    values["administrators"] = json.loads(values["administrators"])
    return StoredJoiningRequest(**values)


def insert_request(connection: Connection, values: dict[str, Any]) -> int:
    values = {**values, "administrators": json.dumps(values["administrators"])}
    inserted = connection.execute(
        insert(joining_requests).values(**values).returning(joining_requests.c.id)
    )
    return int(inserted.scalar_one())


def request(
    connection: Connection, request_id: int, lock: bool = False
) -> StoredJoiningRequest | None:
    query = select(joining_requests).where(joining_requests.c.id == request_id)
    if lock:
        query = query.with_for_update()
    row = connection.execute(query).first()
    return _request(row) if row is not None else None


def requests(connection: Connection, status: str | None = None) -> list[StoredJoiningRequest]:
    query = select(joining_requests).order_by(joining_requests.c.id.desc())
    if status is not None:
        query = query.where(joining_requests.c.status == status)
    return [_request(row) for row in connection.execute(query)]


def review(
    connection: Connection,
    request_id: int,
    status: str,
    by: str,
    at: datetime,
    reason: str | None,
) -> None:
    connection.execute(
        update(joining_requests)
        .where(joining_requests.c.id == request_id)
        .values(status=status, reviewed_by=by, reviewed_at=at, reason=reason)
    )


@dataclass(frozen=True)
class EnrolmentLink:
    """A one-time link to set one's own password and second factor, kept only as a hash."""

    token_hash: str
    user_name: str
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None


def insert_link(connection: Connection, link: EnrolmentLink) -> None:
    connection.execute(
        insert(enrolment_links).values(
            token_hash=link.token_hash,
            user_name=link.user_name,
            created_at=link.created_at,
            expires_at=link.expires_at,
            used_at=link.used_at,
        )
    )


def link(connection: Connection, token_hash: str) -> EnrolmentLink | None:
    row = connection.execute(
        select(enrolment_links).where(enrolment_links.c.token_hash == token_hash).with_for_update()
    ).first()
    return EnrolmentLink(**dict(row._mapping)) if row is not None else None


def use_link(connection: Connection, token_hash: str, at: datetime) -> None:
    connection.execute(
        update(enrolment_links).where(enrolment_links.c.token_hash == token_hash).values(used_at=at)
    )
