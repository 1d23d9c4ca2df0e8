"""Tables of the reports: frozen year-end holdings snapshots and submitted AEF versions.

Both are written once and never changed (the migration adds triggers that refuse UPDATE and
DELETE): a snapshot taken for a Party and year is what Table 4 reports for ever after, and a
submitted AEF version is superseded by a newer version, never edited. The rows are written
first and their header last, in the same transaction, because the header carries the rows'
count and digest; so the rows refer to their header by key, without a foreign key.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from article6.store.schema import Id, Timestamp, metadata

holdings_snapshots = Table(
    "holdings_snapshots",
    metadata,
    Column("party_code", String(3), ForeignKey("parties.code"), primary_key=True),
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("as_of", Timestamp, nullable=False),
    Column("taken_at", Timestamp, nullable=False),
    Column("taken_by", String(200), nullable=False),
    Column("row_count", Integer, nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("digest", String(64), nullable=False),
)

holdings_snapshot_rows = Table(
    "holdings_snapshot_rows",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("party_code", String(3), nullable=False),
    Column("year", Integer, nullable=False),
    Column("origin_registry_id", String(5), nullable=False),
    Column("serial_first", BigInteger, nullable=False),
    Column("serial_last", BigInteger, nullable=False),
    Column("cooperative_approach_id", String(6), nullable=False),
    Column("authorization_id", String(64)),
    Column("first_transferring_party", String(3), nullable=False),
    Column("vintage", Integer, nullable=False),
    Column("metric", String(10), nullable=False),
    Column("gwp_values", String(200)),
    Column("non_ghg_metric", String(200)),
    Column("non_ghg_per_unit", String(40)),
    Column("mitigation_type", String(60), nullable=False),
    Column("underlying_registry", String(20)),
    Column("underlying_first", BigInteger),
)
Index(
    "ix_holdings_snapshot_rows_snapshot",
    holdings_snapshot_rows.c.party_code,
    holdings_snapshot_rows.c.year,
    holdings_snapshot_rows.c.id,
)

aef_submissions = Table(
    "aef_submissions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("party_code", String(3), ForeignKey("parties.code"), nullable=False),
    Column("year", Integer, nullable=False),
    Column("version", String(12), nullable=False),
    Column("major", Integer, nullable=False),
    Column("minor", Integer, nullable=False),
    Column("date_of_submission", Date, nullable=False),
    Column("submitted_at", Timestamp, nullable=False),
    Column("submitted_by", String(200), nullable=False),
    Column("row_counts", JSON, nullable=False),
    Column("digest", String(64), nullable=False),
    UniqueConstraint("party_code", "year", "version", name="uq_aef_submissions_version"),
)

aef_submission_rows = Table(
    "aef_submission_rows",
    metadata,
    Column("party_code", String(3), primary_key=True),
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("version", String(12), primary_key=True),
    Column("table_number", Integer, primary_key=True, autoincrement=False),
    Column("row_number", Integer, primary_key=True, autoincrement=False),
    Column("cells", Text, nullable=False),
)
