"""Initial reports: per cooperative approach, the Party's initial report (its date and the
reference to the Article 6 technical expert review report) and its updates.

Revision ID: 20261202_0030
Revises: 20261202_0025
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "20261202_0030"
down_revision = "20261202_0025"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "initial_reports",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("party_code", sa.String(length=3), nullable=False),
        sa.Column("cooperative_approach_id", sa.String(length=6), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.Column("report_date", sa.Date(), nullable=False),
        sa.Column("review_reference", sa.String(length=500), nullable=False),
        sa.Column("recorded_at", WHEN, nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.CheckConstraint(
            "kind IN ('initial', 'update')", name=op.f("ck_initial_reports_kind_known")
        ),
        sa.ForeignKeyConstraint(
            ["party_code"], ["parties.code"], name=op.f("fk_initial_reports_party_code_parties")
        ),
        sa.ForeignKeyConstraint(
            ["cooperative_approach_id"],
            ["cooperative_approaches.id"],
            name=op.f("fk_initial_reports_cooperative_approach_id_cooperative_approaches"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_initial_reports")),
    )
    op.create_index(
        "ix_initial_reports_approach",
        "initial_reports",
        ["party_code", "cooperative_approach_id", "id"],
    )


def downgrade() -> None:
    op.drop_index("ix_initial_reports_approach", table_name="initial_reports")
    op.drop_table("initial_reports")
