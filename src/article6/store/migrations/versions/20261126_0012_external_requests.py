"""Where an external transfer awaiting the Party's approval is to go.

Revision ID: 20261126_0012
Revises: 20261126_0011
Create Date: 2026-11-26

An authorized entity's transfer to another registry, or a Party user's under a four-eyes policy
for external transfers, waits for a second person before its proposal leaves for the hub. Its
units are reserved by the transaction as for any pending transaction; this table keeps the
acquiring registry and account until approval builds and sends the proposal.
"""

import sqlalchemy as sa
from alembic import op

revision = "20261126_0012"
down_revision = "20261126_0011"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "external_requests",
        sa.Column("transaction_id", ID, nullable=False),
        sa.Column("acquiring_registry", sa.String(length=8), nullable=False),
        sa.Column("acquiring_account", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_external_requests_transaction_id_transactions"),
        ),
        sa.PrimaryKeyConstraint("transaction_id", name=op.f("pk_external_requests")),
    )


def downgrade() -> None:
    op.drop_table("external_requests")
