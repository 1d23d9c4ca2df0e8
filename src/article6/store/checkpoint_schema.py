"""Tables of the journal's signed checkpoints, on the registry's one `metadata`.

A registry keeps the checkpoints it signed (the latest is in its public report) and, when it
has no protocol identity, the key it signs them with. The hub keeps every checkpoint each
registry sent it, with its verdict: one that goes backwards, forks or is not signed by the
registry's key is kept as evidence, never dropped.
"""

from __future__ import annotations

from sqlalchemy import BigInteger, Column, Index, Integer, String, Table, Text

from article6.store.schema import Id, Timestamp, metadata

checkpoint_key = Table(
    "checkpoint_key",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("private_key", Text, nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

journal_checkpoints = Table(
    "journal_checkpoints",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("signed_at", Timestamp, nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("signature", String(100), nullable=False),
)

hub_journal_checkpoints = Table(
    "hub_journal_checkpoints",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("registry_id", String(8), nullable=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
    Column("signed_at", Timestamp, nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("signature", String(100), nullable=False),
    Column("received_at", Timestamp, nullable=False),
    Column("verdict", String(20), nullable=False),
    Column("detail", Text),
)
Index(
    "ix_hub_journal_checkpoints_registry",
    hub_journal_checkpoints.c.registry_id,
    hub_journal_checkpoints.c.seq,
)

# A registry's signing keys it rotated away from: the public half only, with when it was current,
# so that checkpoints it signed then still verify and none it signs later does.
retired_signing_keys = Table(
    "retired_signing_keys",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("public_key", String(64), nullable=False, unique=True),
    Column("valid_from", Timestamp),
    Column("retired_at", Timestamp, nullable=False),
)

# At the hub, every key a registry announced (and the one it followed), with when it was current
# by the registry's announcement; `retired_at` is empty for the registry's current key.
hub_registry_keys = Table(
    "hub_registry_keys",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("registry_id", String(8), nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("valid_from", Timestamp),
    Column("retired_at", Timestamp),
    Column("announced_at", Timestamp, nullable=False),
)
Index("ix_hub_registry_keys_registry", hub_registry_keys.c.registry_id, unique=False)
