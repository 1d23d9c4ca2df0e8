"""Tables of joining and delegation, on the registry's one `metadata` (created by migration
20261202_0029).

A Party's request to join and an entity's application to a Party arrive without an account, so
they are kept apart from the records they lead to until someone reviews them. An enrolment link
is stored only as a keyed hash, like a session. A delegation is never deleted: revoking it
dates it, so who could act when stays readable.
"""

from __future__ import annotations

from sqlalchemy import (
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Table,
    Text,
)

from article6.store.schema import Id, Timestamp, metadata

REVIEW_STATES = "status IN ('pending', 'opened', 'declined')"

joining_requests = Table(
    "joining_requests",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("party_code", String(3), nullable=False),
    Column("party_name", String(200), nullable=False),
    Column("ndc_first_year", Integer, nullable=False),
    Column("ndc_last_year", Integer, nullable=False),
    Column("focal_point_name", String(200), nullable=False),
    Column("focal_point_email", String(254), nullable=False),
    # [{"name", "display_name", "email"}, ...] as JSON text: the nominated administrators.
    Column("administrators", Text, nullable=False),
    Column("terms_version", String(20), nullable=False),
    Column("status", String(10), nullable=False),
    Column("submitted_at", Timestamp, nullable=False),
    Column("reviewed_by", String(200)),
    Column("reviewed_at", Timestamp),
    Column("reason", Text),
    CheckConstraint(REVIEW_STATES, name="status_known"),
)

enrolment_links = Table(
    "enrolment_links",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_name", String(80), nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp, nullable=False),
    Column("used_at", Timestamp),
    # Whether the link was e-mailed to its user (when, or why not), and when a newer link
    # replaced it (a replaced link is refused like a used one).
    Column("emailed_at", Timestamp),
    Column("email_error", String(500)),
    Column("replaced_at", Timestamp),
)

delegations = Table(
    "delegations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("party_code", String(3), ForeignKey("parties.code"), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("delegated_by", String(200), nullable=False),
    Column("delegated_at", Timestamp, nullable=False),
    Column("revoked_by", String(200)),
    Column("revoked_at", Timestamp),
)
Index("ix_delegations_party_code", delegations.c.party_code, delegations.c.kind)

delegated_transactions = Table(
    "delegated_transactions",
    metadata,
    Column("transaction", String(40), primary_key=True),
    Column("delegation_id", Id, ForeignKey("delegations.id"), nullable=False),
)

entity_applications = Table(
    "entity_applications",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("party_code", String(3), ForeignKey("parties.code"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("country_of_incorporation", String(3), nullable=False),
    Column("identification_number", String(100), nullable=False),
    Column("cooperative_approach", String(6), nullable=False),
    Column("contact_email", String(254), nullable=False),
    Column("status", String(10), nullable=False),
    Column("submitted_at", Timestamp, nullable=False),
    Column("reviewed_by", String(200)),
    Column("reviewed_at", Timestamp),
    Column("reason", Text),
    Column("entity", String(20)),
    CheckConstraint("status IN ('pending', 'approved', 'declined')", name="status_known"),
)

entity_documents = Table(
    "entity_documents",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("application_id", Id, ForeignKey("entity_applications.id"), nullable=False),
    Column("file_name", String(200), nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("size", Integer, nullable=False),
    Column("sha256", String(64), nullable=False),
    Column("content", LargeBinary, nullable=False),
)
