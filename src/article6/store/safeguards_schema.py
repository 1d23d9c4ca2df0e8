"""Tables of a Party's safeguards on units leaving its section, on the registry's one `metadata`
(created by migration 20261202_0027): what each section switched on, and its trusted
destinations. A trusted destination counts from its `effective_at` (the registry's delay after
it was added). The codes of signed confirmations are spent on the user's row
(`users.totp_last_counter`), as sign-in spends them, so no table of codes is kept."""

from __future__ import annotations

from sqlalchemy import Boolean, Column, ForeignKey, String, Table

from article6.store.schema import Timestamp, metadata

party_safeguards = Table(
    "party_safeguards",
    metadata,
    Column("party_code", String(3), ForeignKey("parties.code"), primary_key=True),
    Column("trusted_only", Boolean, nullable=False),
    Column("signed_confirmation", Boolean, nullable=False),
)

trusted_destinations = Table(
    "trusted_destinations",
    metadata,
    Column("party_code", String(3), ForeignKey("parties.code"), primary_key=True),
    Column("account", String(40), primary_key=True),
    Column("added_by", String(80), nullable=False),
    Column("added_at", Timestamp, nullable=False),
    Column("effective_at", Timestamp, nullable=False),
)
