"""The table of initial reports (`store.initial_reports` reads and writes it)."""

from __future__ import annotations

from sqlalchemy import CheckConstraint, Column, Date, ForeignKey, Index, String, Table

from article6.store.schema import Id, Timestamp, metadata

initial_reports = Table(
    "initial_reports",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("party_code", String(3), ForeignKey("parties.code"), nullable=False),
    Column(
        "cooperative_approach_id",
        String(6),
        ForeignKey("cooperative_approaches.id"),
        nullable=False,
    ),
    Column("kind", String(10), nullable=False),
    Column("report_date", Date, nullable=False),
    Column("review_reference", String(500), nullable=False),
    Column("recorded_at", Timestamp, nullable=False),
    Column("recorded_by", String(200), nullable=False),
    CheckConstraint("kind IN ('initial', 'update')", name="kind_known"),
)
Index(
    "ix_initial_reports_approach",
    initial_reports.c.party_code,
    initial_reports.c.cooperative_approach_id,
    initial_reports.c.id,
)
