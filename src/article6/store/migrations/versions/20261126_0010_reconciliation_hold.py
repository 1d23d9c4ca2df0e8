"""The reconciliation hold (C2006): which reconciliation is in progress, and until when.

Revision ID: 20261126_0010
Revises: 20261126_0009
Create Date: 2026-11-26

From the hub's request for totals until its result, a registry refuses every transaction
(the ITL's check 3016). The hold is kept on each Party section row because the statement that
numbers a transaction reads that row already: the check adds no statement to a command. Both
columns are empty when no reconciliation is in progress.
"""

import sqlalchemy as sa
from alembic import op

revision = "20261126_0010"
down_revision = "20261126_0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("party_sections", sa.Column("reconciliation_id", sa.String(length=64)))
    op.add_column("party_sections", sa.Column("reconciliation_until", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("party_sections", schema=None) as batch_op:
        batch_op.drop_column("reconciliation_until")
        batch_op.drop_column("reconciliation_id")
