"""Enrolment links: made for a nominated administrator when a section opens, and made anew on
request for any user who has not enrolled a second factor yet (the old link lost, expired or
never received). A new link replaces every unused one of the user; each is e-mailed to the
user (`enrolment_mail`) and journaled."""

from __future__ import annotations

import secrets
from datetime import timedelta

from pydantic import BaseModel
from sqlalchemy import Connection

from article6.domain.access import Actor
from article6.domain.checks import Check, refuse
from article6.domain.wording import words
from article6.services.context import Registry
from article6.services.enrolment_mail import LinkToSend, SentLink, send_links
from article6.services.identity import journal_event, may_manage, token_hash, user_row
from article6.services.views import UtcDateTime
from article6.settings import Settings
from article6.store import identity, joining
from article6.store.database import aware, unit_of_work
from article6.store.joining import EnrolmentLink


class LinkStatus(BaseModel):
    """Where a user's newest enrolment link stands, for the secretariat's page."""

    user: str
    created_at: UtcDateTime
    expires_at: UtcDateTime
    emailed: bool
    email_error: str | None
    used: bool
    expired: bool


def make_link(
    connection: Connection,
    registry: Registry,
    settings: Settings,
    actor_label: str,
    user: identity.UserRecord,
    party: str | None,
) -> LinkToSend:
    """A new link for `user`, replacing their unused ones, journaled (without its secret)."""
    now = registry.now()
    replaced = joining.replace_links(connection, user.name, now)
    token = secrets.token_urlsafe(32)
    hashed = token_hash(settings, token)
    expires = now + timedelta(hours=settings.enrolment_link_hours)
    joining.insert_link(
        connection,
        EnrolmentLink(
            token_hash=hashed,
            user_name=user.name,
            created_at=now,
            expires_at=expires,
            used_at=None,
        ),
    )
    journal_event(
        connection,
        registry,
        actor_label,
        "EnrolmentLinkSent",
        user.name,
        {"email": user.email, "expires_at": expires.isoformat(), "replaced": replaced},
        party,
    )
    return LinkToSend(
        user=user.name,
        display_name=user.display_name,
        email=user.email,
        language=user.language,
        party=party,
        token=token,
        token_hash=hashed,
        expires_at=expires,
    )


def send_new_link(
    registry: Registry,
    settings: Settings,
    actor: Actor,
    user_name: str,
    base_url: str | None = None,
) -> SentLink:
    """A new enrolment link for a user who has not enrolled a second factor (C1033), by whoever
    manages the user (the secretariat, or their section's administrator: C4006); the previous
    link stops working."""
    with unit_of_work(registry.engine) as connection:
        row = user_row(connection, user_name, lock=True)
        may_manage(connection, actor, row)
        if row.totp_enrolled_at is not None:
            raise refuse(
                Check.C1033,
                "user",
                words(
                    "{user} has already enrolled a second factor: an enrolment link is only for "
                    "a user who has not (reset their second factor first)",
                    user=user_name,
                ),
            )
        if row.disabled:
            raise refuse(
                Check.C1033,
                "user",
                words("{user} is disabled: enable them before sending a link", user=user_name),
            )
        made = make_link(connection, registry, settings, actor.label, row, actor.party)
    return send_links(registry, settings, actor.label, [made], base_url)[0]


def link_statuses(registry: Registry, user_names: list[str]) -> dict[str, LinkStatus]:
    """The newest link of each named user (read for the secretariat's joining page)."""
    with unit_of_work(registry.engine, read_only=True) as connection:
        found = joining.latest_links(connection, user_names)
    now = registry.now()
    return {
        name: LinkStatus(
            user=name,
            created_at=link.created_at,
            expires_at=link.expires_at,
            emailed=link.emailed_at is not None,
            email_error=link.email_error,
            used=link.used_at is not None,
            expired=aware(link.expires_at) <= now,
        )
        for name, link in found.items()
    }
