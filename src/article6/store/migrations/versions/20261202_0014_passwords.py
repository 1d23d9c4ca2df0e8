"""Passwords can be changed and reset: a reset password must be changed at the next sign-in.

Revision ID: 20261202_0014
Revises: 20261202_0013
Create Date: 2026-12-02

An administrator's reset gives a user a temporary password that lets them do nothing but
choose their own (`password_change_required`); `password_changed_at` is when the password was
last set by its user or an administrator. Existing users keep their passwords and owe no
change.
"""

import sqlalchemy as sa
from alembic import op

revision = "20261202_0014"
down_revision = "20261202_0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                "password_change_required",
                sa.Boolean(),
                nullable=False,
                server_default=sa.false(),
            )
        )
        batch_op.add_column(
            sa.Column("password_changed_at", sa.DateTime(timezone=True), nullable=True)
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("password_changed_at")
        batch_op.drop_column("password_change_required")
