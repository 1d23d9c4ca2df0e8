"""A Party's acceptance of incoming transfers: `party_sections.acceptance_days`.

Revision ID: 20261202_0031
Revises: 20261202_0025
Create Date: 2026-12-02

Empty (the default, and every section upgraded) accepts incoming transfers at once, as before;
a number of days makes them wait that long for the acquiring Party's acceptance, their units
reserved in the transferring account, after which they are returned (issue #18).
"""

import sqlalchemy as sa
from alembic import op

revision = "20261202_0031"
down_revision = "20261202_0030"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("party_sections", sa.Column("acceptance_days", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("party_sections") as batch:
        batch.drop_column("acceptance_days")
