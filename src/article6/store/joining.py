"""Joining requests and enrolment links: the rows, read and written as domain records."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
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
    emailed_at: datetime | None = None
    email_error: str | None = None
    replaced_at: datetime | None = None


def insert_link(connection: Connection, link: EnrolmentLink) -> None:
    connection.execute(insert(enrolment_links).values(**asdict(link)))


def link_emailed(
    connection: Connection, token_hash: str, at: datetime | None, error: str | None
) -> None:
    """Record whether the link's e-mail left (at `at`) or why not (`error`)."""
    connection.execute(
        update(enrolment_links)
        .where(enrolment_links.c.token_hash == token_hash)
        .values(emailed_at=at, email_error=None if error is None else error[:500])
    )


def replace_links(connection: Connection, user_name: str, at: datetime) -> int:
    """A newer link replaces every unused link of the user; how many it replaced."""
    replaced = connection.execute(
        update(enrolment_links)
        .where(
            (enrolment_links.c.user_name == user_name)
            & enrolment_links.c.used_at.is_(None)
            & enrolment_links.c.replaced_at.is_(None)
        )
        .values(replaced_at=at)
    )
    return int(replaced.rowcount or 0)


def latest_links(connection: Connection, user_names: list[str]) -> dict[str, EnrolmentLink]:
    """Each named user's newest enrolment link (users without one are left out)."""
    if not user_names:
        return {}
    rows = connection.execute(
        select(enrolment_links).where(enrolment_links.c.user_name.in_(user_names))
    )
    latest: dict[str, EnrolmentLink] = {}
    for row in rows:
        found = EnrolmentLink(**dict(row._mapping))
        kept = latest.get(found.user_name)
        # the one no newer link replaced; among replaced ones (all used or replaced), the last
        if kept is None or (found.replaced_at is None, found.created_at) > (
            kept.replaced_at is None,
            kept.created_at,
        ):
            latest[found.user_name] = found
    return latest


def link(connection: Connection, token_hash: str) -> EnrolmentLink | None:
    row = connection.execute(
        select(enrolment_links).where(enrolment_links.c.token_hash == token_hash).with_for_update()
    ).first()
    return EnrolmentLink(**dict(row._mapping)) if row is not None else None


def use_link(connection: Connection, token_hash: str, at: datetime) -> None:
    connection.execute(
        update(enrolment_links).where(enrolment_links.c.token_hash == token_hash).values(used_at=at)
    )
