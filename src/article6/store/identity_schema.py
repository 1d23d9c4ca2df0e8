"""Identity tables: users, their role grants per Party section, sessions, API tokens and failed
sign-ins. Defined on the registry's one `metadata`, created only by migration 20261126_0003
(and changed by the later ones named below).

Secrets are never stored in the clear except the TOTP seed (needed to compute codes): passwords
as argon2id hashes, session and token values as keyed hashes.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    UniqueConstraint,
    false,
)

from article6.store.schema import Id, Timestamp, metadata

users = Table(
    "users",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("name", String(80), nullable=False, unique=True),
    Column("display_name", String(200), nullable=False),
    Column("password_hash", String(200), nullable=False),
    Column("totp_secret", String(64)),
    Column("totp_enrolled_at", Timestamp),
    Column("totp_last_counter", Integer),
    Column("failed_sign_ins", Integer, nullable=False),
    Column("last_failure_at", Timestamp),
    Column("locked_until", Timestamp),
    Column("disabled", Boolean, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    # The name of whoever created the account (since 20261202_0013; none before, when the
    # journal did not say).
    Column("created_by", String(80)),
    # Set by an administrator's reset: the user may only change their password (since 0014).
    Column("password_change_required", Boolean, nullable=False, server_default=false()),
    Column("password_changed_at", Timestamp),
    # Where notifications chosen by e-mail are sent (since 20261202_0025); none until set.
    Column("email", String(254)),
    # The language the user reads the pages and e-mails in (since 20261203_0033); none until
    # chosen: then the browser's Accept-Language decides the pages, English the e-mails.
    Column("language", String(8)),
)

role_grants = Table(
    "role_grants",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("role", String(20), nullable=False),
    # "" for a registry-wide role (secretariat, registry-wide auditor), else the Party code.
    Column("party_key", String(3), nullable=False),
    Column("entity", String(40)),
    Column("granted_at", Timestamp, nullable=False),
    Column("granted_by", String(200), nullable=False),
    UniqueConstraint("user_id", "party_key", name="uq_role_grants_user_party"),
)

user_sessions = Table(
    "user_sessions",
    metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("user_id", Id, ForeignKey("users.id"), nullable=False),
    Column("kind", String(10), nullable=False),  # "session" (browser cookie) or "token" (API)
    Column("csrf_hash", String(64)),
    Column("label", String(200)),
    Column("created_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp, nullable=False),
    Column("revoked_at", Timestamp),
)
Index("ix_user_sessions_user", user_sessions.c.user_id)

sign_in_failures = Table(
    "sign_in_failures",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("user_name", String(80), nullable=False),
    Column("reason", String(40), nullable=False),
    Column("at", Timestamp, nullable=False),
    # The client address the attempt came from (an IPv6 /64 as a whole), since 20261126_0011.
    Column("address", String(45)),
)
Index("ix_sign_in_failures_user", sign_in_failures.c.user_name, sign_in_failures.c.at)
Index("ix_sign_in_failures_address", sign_in_failures.c.address, sign_in_failures.c.at)
