"""Pulls from the Article 6.4 mechanism registry: each query a registry sent (or the hub
forwarded) and what became of its answer.

Revision ID: 20261202_0032
Revises: 20261202_0025
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "20261202_0032"
down_revision = "20261202_0031"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "mechanism_pulls",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("query_id", sa.String(length=64), nullable=False),
        sa.Column("requesting_registry", sa.String(length=8), nullable=False),
        sa.Column("party", sa.String(length=3), nullable=True),
        sa.Column("query", sa.Text(), nullable=False),
        sa.Column("requested_by", sa.String(length=200), nullable=False),
        sa.Column("requested_at", WHEN, nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("answer", sa.Text(), nullable=True),
        sa.Column("checks", sa.Text(), nullable=True),
        sa.Column("answered_at", WHEN, nullable=True),
        sa.Column("fetched_at", WHEN, nullable=True),
        sa.CheckConstraint(
            "status IN ('requested', 'verified', 'refused', 'forwarded', 'answered')",
            name=op.f("ck_mechanism_pulls_status_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mechanism_pulls")),
        sa.UniqueConstraint("query_id", name=op.f("uq_mechanism_pulls_query_id")),
    )
    op.create_index("ix_mechanism_pulls_party", "mechanism_pulls", ["party", "id"])


def downgrade() -> None:
    op.drop_index("ix_mechanism_pulls_party", table_name="mechanism_pulls")
    op.drop_table("mechanism_pulls")
