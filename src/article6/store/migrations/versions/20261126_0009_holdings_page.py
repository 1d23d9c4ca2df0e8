"""Indexes for an account's page: its blocks in id order, and its outgoing transactions.

Revision ID: 20261126_0009
Revises: 20261126_0008
Create Date: 2026-11-26

An account's page (API `/parties/{party}/blocks?account=…` and `/transactions?account=…`, the
web account page) pages its blocks and its history by id. With only (account, first serial) to
go on, the database read every block of the account and sorted them for each page (5,000 blocks
an account at 10^6 blocks); on (account, id) a page is one ordered index range. An account's
history walks its incoming transactions down (destination account, id) since 20261126_0007 and
now its outgoing ones down (source account, id); before, one `OR` over both walked the whole
ledger backwards for an account with no recent transactions (about a second at 5 x 10^6).
"""

from alembic import op

revision = "20261126_0009"
down_revision = "20261126_0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_unit_blocks_account_id", "unit_blocks", ["account_id", "id"])
    op.create_index("ix_transactions_source_id", "transactions", ["source_account_id", "id"])


def downgrade() -> None:
    op.drop_index("ix_transactions_source_id", table_name="transactions")
    op.drop_index("ix_unit_blocks_account_id", table_name="unit_blocks")
