"""Enrolment links e-mailed and replaced; entities recorded from an imported history.

Revision ID: 20261203_0035
Revises: 20261203_0033
Create Date: 2026-12-03

An enrolment link now says whether it was e-mailed (when, or why not) and whether a newer link
replaced it. An authorized entity recorded from a history's Table 5 names the file it came from
and that file's SHA-256; the entities recorded before stay unmarked (recorded here).
"""

import sqlalchemy as sa
from alembic import op

revision = "20261203_0035"
down_revision = "20261203_0033"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("enrolment_links") as table:
        table.add_column(sa.Column("emailed_at", sa.DateTime(timezone=True), nullable=True))
        table.add_column(sa.Column("email_error", sa.String(length=500), nullable=True))
        table.add_column(sa.Column("replaced_at", sa.DateTime(timezone=True), nullable=True))
    with op.batch_alter_table("authorized_entities") as table:
        table.add_column(sa.Column("imported_source", sa.String(length=200), nullable=True))
        table.add_column(sa.Column("imported_sha256", sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("authorized_entities") as table:
        table.drop_column("imported_sha256")
        table.drop_column("imported_source")
    with op.batch_alter_table("enrolment_links") as table:
        table.drop_column("replaced_at")
        table.drop_column("email_error")
        table.drop_column("emailed_at")
