"""Commands commit in parallel on PostgreSQL: pending journal entries and numbering sequences.

Revision ID: 20261126_0008
Revises: 20261126_0007
Create Date: 2026-11-26

A command used to hold two shared rows from when it took them to its commit: the journal head
and its section's transaction counter, so commands committed one at a time. Now a command
writes its journal entry to `journal_pending`, sealed onto the chain just after commit
(`store/journal.py`), and on PostgreSQL takes its transaction number from a sequence per Party
section (`transaction_numbers_<party>`), which never waits. SQLite keeps the counter column:
its writers are serialised anyway.
"""

import sqlalchemy as sa
from alembic import op

revision = "20261126_0008"
down_revision = "20261126_0007"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "journal_pending",
        sa.Column("id", Id, autoincrement=True, nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("event", sa.String(length=60), nullable=False),
        sa.Column("party_code", sa.String(length=3), nullable=True),
        sa.Column("subject", sa.String(length=80), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_pending")),
    )
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        sections = bind.execute(sa.text("SELECT party_code, next_transaction FROM party_sections"))
        for party_code, next_transaction in sections:
            op.execute(
                f"CREATE SEQUENCE transaction_numbers_{party_code.lower()} "
                f"START WITH {int(next_transaction)}"
            )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        sections = bind.execute(sa.text("SELECT party_code FROM party_sections"))
        for (party_code,) in sections:
            sequence = f"transaction_numbers_{party_code.lower()}"
            op.execute(
                sa.text(
                    f"UPDATE party_sections SET next_transaction = nextval('{sequence}') "
                    "WHERE party_code = :code"
                ).bindparams(code=party_code)
            )
            op.execute(f"DROP SEQUENCE {sequence}")
    op.drop_table("journal_pending")
