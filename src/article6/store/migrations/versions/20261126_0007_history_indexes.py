"""Indexes for history reads: a Party's acquisitions, and the moved ranges around a serial.

Revision ID: 20261126_0007
Revises: 20261126_0006
Create Date: 2026-11-26

`transactions_of` reads the newest transactions that brought units into a Party's accounts
through (destination account, id), newest first, as it reads the Party's own through (Party,
id). `unit_history` looks for the moved ranges containing a serial from either end: ranges
starting at or before it (registry, first serial) or ending at or after it (registry, last
serial), whichever the planner finds narrower; on PostgreSQL a GiST index on (registry, serial
range) finds them in one descent (btree_gist is there since 20261126_0002). Like the exclusion
constraint, it exists only in the migrations: SQLAlchemy Core cannot declare it portably.
"""

from alembic import op

revision = "20261126_0007"
down_revision = "20261126_0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        "ix_transactions_destination_id",
        "transactions",
        ["destination_account_id", "id"],
    )
    op.create_index(
        "ix_transaction_blocks_last",
        "transaction_blocks",
        ["registry_id", "serial_last"],
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(
            "CREATE INDEX ix_transaction_blocks_range ON transaction_blocks USING gist "
            "(registry_id, int8range(serial_first, serial_last, '[]'))"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX ix_transaction_blocks_range")
    op.drop_index("ix_transaction_blocks_last", table_name="transaction_blocks")
    op.drop_index("ix_transactions_destination_id", table_name="transactions")
