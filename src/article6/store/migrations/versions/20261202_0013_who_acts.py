"""Who acted, by identity: the user who initiated a transaction, and who created each user.

Revision ID: 20261202_0013
Revises: 20261126_0012
Create Date: 2026-12-02

Four eyes compared the initiator's label ("name (role, scope)"), so a user whose role changed
could approve their own request; `transactions.initiator_user` keeps the initiating user's name,
which never changes, and approval and withdrawal compare that. `users.created_by` names the
creator of each account: under four eyes no one approves a request of an account they made, or
that made theirs (the creator set its first password).

Transactions still awaiting approval get their initiator's name from the label (final ones
cannot change); users get their creator from the journal's UserCreated entries.
"""

import sqlalchemy as sa
from alembic import op

revision = "20261202_0013"
down_revision = "20261126_0012"
branch_labels = None
depends_on = None


def name_in(label: str) -> str:
    """The user name at the front of an actor label "name (role, scope)"."""
    return label.rsplit(" (", 1)[0][:80]


def upgrade() -> None:
    # Plain ALTER TABLE: a batch rebuild of `transactions` would drop its guard triggers.
    op.add_column("transactions", sa.Column("initiator_user", sa.String(length=80), nullable=True))
    op.add_column("users", sa.Column("created_by", sa.String(length=80), nullable=True))
    bind = op.get_bind()
    waiting = bind.execute(
        sa.text("SELECT id, initiator FROM transactions WHERE status = 'awaiting_approval'")
    ).all()
    for row in waiting:
        bind.execute(
            sa.text("UPDATE transactions SET initiator_user = :name WHERE id = :id"),
            {"name": name_in(row.initiator), "id": row.id},
        )
    created = bind.execute(
        sa.text("SELECT actor, subject FROM journal WHERE event = 'UserCreated' ORDER BY seq")
    ).all()
    for row in created:
        bind.execute(
            sa.text("UPDATE users SET created_by = :creator WHERE name = :name"),
            {"creator": name_in(row.actor), "name": row.subject},
        )


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_column("created_by")
    op.drop_column("transactions", "initiator_user")
