"""Failed sign-ins remember the client address they came from.

Revision ID: 20261126_0011
Revises: 20261126_0010
Create Date: 2026-11-26

Throttling by name alone let one client try any number of names as fast as the server
answered. Each counted failure now records its client address (an IPv6 /64 as one address), and
the failures from one address within a window slow down its next attempt whatever name it
tries; (address, at) makes that one index range. Rows from before have no address.
"""

import sqlalchemy as sa
from alembic import op

revision = "20261126_0011"
down_revision = "20261126_0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.add_column(sa.Column("address", sa.String(length=45), nullable=True))
        batch_op.create_index("ix_sign_in_failures_address", ["address", "at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("sign_in_failures", schema=None) as batch_op:
        batch_op.drop_index("ix_sign_in_failures_address")
        batch_op.drop_column("address")
