"""Marks on unit ranges named in an inconsistency.

Revision ID: 20261202_0018
Revises: 20261202_0017
Create Date: 2026-12-02

`unit_marks` keeps every mark the secretariat set on a range of units after a consistency check
(or a notice from the hub or a file), and its lifting: marked units do not move until the mark
is lifted (C2010). Rows are never deleted. The index on (registry, first serial) serves the
overlap query every movement runs.
"""

import sqlalchemy as sa
from alembic import op

revision = "20261202_0018"
down_revision = "20261202_0017"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)
ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "unit_marks",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("registry_id", sa.String(length=5), nullable=False),
        sa.Column("serial_first", sa.BigInteger(), nullable=False),
        sa.Column("serial_last", sa.BigInteger(), nullable=False),
        sa.Column("inconsistency_code", sa.String(length=8), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("marked_by", sa.String(length=200), nullable=False),
        sa.Column("marked_at", WHEN, nullable=False),
        sa.Column("lifted_by", sa.String(length=200), nullable=True),
        sa.Column("lifted_at", WHEN, nullable=True),
        sa.Column("lift_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "serial_first >= 1 AND serial_first <= serial_last",
            name=op.f("ck_unit_marks_range_ordered"),
        ),
        sa.CheckConstraint(
            "source IN ('check', 'hub', 'file')", name=op.f("ck_unit_marks_source_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_marks")),
    )
    op.create_index(
        "ix_unit_marks_range", "unit_marks", ["registry_id", "serial_first"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_unit_marks_range", table_name="unit_marks")
    op.drop_table("unit_marks")
