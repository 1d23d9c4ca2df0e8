"""Notifications: the in-app inbox, each user's choices and e-mail address, the projector's
position in the journal.

Revision ID: 20261202_0025
Revises: 20261202_0023
Create Date: 2026-12-02

The projector starts at the journal's current head: a registry upgraded with history already
recorded does not notify anyone of it.
"""

import sqlalchemy as sa
from alembic import op

revision = "20261202_0025"
down_revision = "20261202_0023"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column("users", sa.Column("email", sa.String(length=254), nullable=True))
    op.create_table(
        "notification_position",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notification_position")),
    )
    op.execute(
        "INSERT INTO notification_position (id, seq) SELECT 1, COALESCE(MAX(seq), 0) FROM journal"
    )
    op.create_table(
        "notifications",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("user_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("journal_seq", sa.BigInteger(), nullable=False),
        sa.Column("subject", sa.String(length=200), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("read_at", WHEN, nullable=True),
        sa.Column("email_status", sa.String(length=10), nullable=False),
        sa.Column("email_attempts", sa.Integer(), nullable=False),
        sa.Column("email_next_at", WHEN, nullable=True),
        sa.Column("email_sent_at", WHEN, nullable=True),
        sa.Column("email_error", sa.String(length=500), nullable=True),
        sa.CheckConstraint(
            "email_status IN ('none', 'pending', 'sent', 'failed')",
            name=op.f("ck_notifications_email_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notifications_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notifications")),
        sa.UniqueConstraint("journal_seq", "user_id", "kind", name="uq_notifications_once"),
    )
    op.create_index("ix_notifications_user", "notifications", ["user_id", "id"])
    op.create_index("ix_notifications_email", "notifications", ["email_status", "email_next_at"])
    op.create_table(
        "notification_preferences",
        sa.Column("user_id", ID, nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_notification_preferences_user_id_users")
        ),
        sa.PrimaryKeyConstraint("user_id", "kind", name=op.f("pk_notification_preferences")),
    )


def downgrade() -> None:
    op.drop_table("notification_preferences")
    op.drop_index("ix_notifications_email", table_name="notifications")
    op.drop_index("ix_notifications_user", table_name="notifications")
    op.drop_table("notifications")
    op.drop_table("notification_position")
    with op.batch_alter_table("users") as batch:
        batch.drop_column("email")
