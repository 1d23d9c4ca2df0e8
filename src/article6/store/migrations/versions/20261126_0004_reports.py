"""Reports: frozen year-end holdings snapshots and submitted AEF versions.

Revision ID: 20261126_0004
Revises: 20261126_0002
Create Date: 2026-11-26

Snapshots and submissions are written once: triggers refuse any UPDATE or DELETE of them, so a
Table 4 taken for a Party and year, and a submitted AEF version, never change.
"""

import sqlalchemy as sa
from alembic import op

revision = "20261126_0004"
down_revision = "20261126_0002"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
FROZEN = ("holdings_snapshots", "holdings_snapshot_rows", "aef_submissions", "aef_submission_rows")


def upgrade() -> None:
    op.create_table(
        "holdings_snapshots",
        sa.Column("party_code", sa.String(length=3), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_by", sa.String(length=200), nullable=False),
        sa.Column("row_count", sa.Integer(), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_code"], ["parties.code"], name=op.f("fk_holdings_snapshots_party_code_parties")
        ),
        sa.PrimaryKeyConstraint("party_code", "year", name=op.f("pk_holdings_snapshots")),
    )
    op.create_table(
        "holdings_snapshot_rows",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("party_code", sa.String(length=3), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("origin_registry_id", sa.String(length=5), nullable=False),
        sa.Column("serial_first", sa.BigInteger(), nullable=False),
        sa.Column("serial_last", sa.BigInteger(), nullable=False),
        sa.Column("cooperative_approach_id", sa.String(length=6), nullable=False),
        sa.Column("authorization_id", sa.String(length=64), nullable=True),
        sa.Column("first_transferring_party", sa.String(length=3), nullable=False),
        sa.Column("vintage", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=10), nullable=False),
        sa.Column("gwp_values", sa.String(length=200), nullable=True),
        sa.Column("non_ghg_metric", sa.String(length=200), nullable=True),
        sa.Column("non_ghg_per_unit", sa.String(length=40), nullable=True),
        sa.Column("mitigation_type", sa.String(length=60), nullable=False),
        sa.Column("underlying_registry", sa.String(length=20), nullable=True),
        sa.Column("underlying_first", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_holdings_snapshot_rows")),
    )
    op.create_index(
        "ix_holdings_snapshot_rows_snapshot",
        "holdings_snapshot_rows",
        ["party_code", "year", "id"],
        unique=False,
    )
    op.create_table(
        "aef_submissions",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("party_code", sa.String(length=3), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("version", sa.String(length=12), nullable=False),
        sa.Column("major", sa.Integer(), nullable=False),
        sa.Column("minor", sa.Integer(), nullable=False),
        sa.Column("date_of_submission", sa.Date(), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_by", sa.String(length=200), nullable=False),
        sa.Column("row_counts", sa.JSON(), nullable=False),
        sa.Column("digest", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_code"], ["parties.code"], name=op.f("fk_aef_submissions_party_code_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_aef_submissions")),
        sa.UniqueConstraint("party_code", "year", "version", name="uq_aef_submissions_version"),
    )
    op.create_table(
        "aef_submission_rows",
        sa.Column("party_code", sa.String(length=3), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("version", sa.String(length=12), nullable=False),
        sa.Column("table_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("row_number", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("cells", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint(
            "party_code",
            "year",
            "version",
            "table_number",
            "row_number",
            name=op.f("pk_aef_submission_rows"),
        ),
    )
    if op.get_bind().dialect.name == "postgresql":
        for table in FROZEN:
            op.execute(
                f"CREATE TRIGGER {table}_frozen BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION article6_append_only()"
            )
    else:
        for table in FROZEN:
            for operation in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{operation.lower()} BEFORE {operation} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, 'article6: {table} is append-only'); END"
                )


def downgrade() -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    for table in FROZEN:
        if postgres:
            op.execute(f"DROP TRIGGER {table}_frozen ON {table}")
        else:
            op.execute(f"DROP TRIGGER {table}_no_update")
            op.execute(f"DROP TRIGGER {table}_no_delete")
    op.drop_table("aef_submission_rows")
    op.drop_table("aef_submissions")
    op.drop_index("ix_holdings_snapshot_rows_snapshot", table_name="holdings_snapshot_rows")
    op.drop_table("holdings_snapshot_rows")
    op.drop_table("holdings_snapshots")
