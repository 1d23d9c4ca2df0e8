"""Interoperability: identity and peers, outbox and inbox, transfers between registries, and the
hub's transactions, unit register and reconciliation runs.

Revision ID: 20261126_0005
Revises: 20261126_0002
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "20261126_0005"
down_revision = "20261126_0002"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "interop_identity",
        sa.Column("registry_id", sa.String(length=8), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("private_key", sa.Text(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("registry_id", name=op.f("pk_interop_identity")),
    )
    op.create_table(
        "interop_peers",
        sa.Column("registry_id", sa.String(length=8), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("base_url", sa.String(length=300), nullable=False),
        sa.Column("issuer_codes", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("added_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("registry_id", name=op.f("pk_interop_peers")),
    )
    op.create_table(
        "outbox",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("message_type", sa.String(length=40), nullable=False),
        sa.Column("to_registry", sa.String(length=8), nullable=False),
        sa.Column("in_reply_to", sa.String(length=64), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("next_attempt_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=True),
        sa.Column("delivered_at", WHEN, nullable=True),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("message_id", name=op.f("uq_outbox_message_id")),
    )
    op.create_index("ix_outbox_status", "outbox", ["status", "next_attempt_at"], unique=False)
    op.create_table(
        "inbox",
        sa.Column("message_id", sa.String(length=64), nullable=False),
        sa.Column("from_registry", sa.String(length=8), nullable=False),
        sa.Column("message_type", sa.String(length=40), nullable=False),
        sa.Column("sent_at", WHEN, nullable=False),
        sa.Column("received_at", WHEN, nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("message_id", name=op.f("pk_inbox")),
    )
    op.create_table(
        "external_transfers",
        sa.Column("transaction_id", sa.String(length=40), nullable=False),
        sa.Column("direction", sa.String(length=3), nullable=False),
        sa.Column("counterpart_registry", sa.String(length=8), nullable=False),
        sa.Column("local_account", sa.String(length=40), nullable=False),
        sa.Column("counterpart_account", sa.String(length=40), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("proposal", sa.Text(), nullable=False),
        sa.Column("local_transaction", sa.String(length=40), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("updated_at", WHEN, nullable=False),
        sa.Column("last_query_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("transaction_id", name=op.f("pk_external_transfers")),
    )
    op.create_index("ix_external_transfers_status", "external_transfers", ["status"], unique=False)
    op.create_table(
        "hub_transactions",
        sa.Column("transaction_id", sa.String(length=40), nullable=False),
        sa.Column("transferring_registry", sa.String(length=8), nullable=False),
        sa.Column("acquiring_registry", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("proposal", sa.Text(), nullable=False),
        sa.Column("evaluation", sa.Text(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("finished_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("transaction_id", name=op.f("pk_hub_transactions")),
    )
    op.create_index("ix_hub_transactions_status", "hub_transactions", ["status"], unique=False)
    op.create_table(
        "hub_unit_locations",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("originating_registry", sa.String(length=8), nullable=False),
        sa.Column("serial_first", sa.BigInteger(), nullable=False),
        sa.Column("serial_last", sa.BigInteger(), nullable=False),
        sa.Column("registry_id", sa.String(length=8), nullable=False),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("transaction_id", sa.String(length=40), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_unit_locations")),
    )
    op.create_index(
        "ix_hub_unit_locations_serial",
        "hub_unit_locations",
        ["originating_registry", "serial_first"],
        unique=False,
    )
    op.create_table(
        "hub_reconciliations",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("reconciliation_id", sa.String(length=64), nullable=False),
        sa.Column("registry_id", sa.String(length=8), nullable=False),
        sa.Column("phase", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("discrepancies", sa.Text(), nullable=False),
        sa.Column("started_at", WHEN, nullable=False),
        sa.Column("finished_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_reconciliations")),
        sa.UniqueConstraint("reconciliation_id", "registry_id", name="uq_hub_reconciliations_run"),
    )


def downgrade() -> None:
    for index, table in (
        ("ix_hub_unit_locations_serial", "hub_unit_locations"),
        ("ix_hub_transactions_status", "hub_transactions"),
        ("ix_external_transfers_status", "external_transfers"),
        ("ix_outbox_status", "outbox"),
    ):
        op.drop_index(index, table_name=table)
    for table in (
        "hub_reconciliations",
        "hub_unit_locations",
        "hub_transactions",
        "external_transfers",
        "inbox",
        "outbox",
        "interop_peers",
        "interop_identity",
    ):
        op.drop_table(table)
