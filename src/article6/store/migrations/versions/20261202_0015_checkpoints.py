"""The journal's signed checkpoints: the registry's own, its signing key when it has no
protocol identity, and at the hub every registry's.

Revision ID: 20261202_0015
Revises: 20261202_0014
Create Date: 2026-12-02

The journal's head lives in the database, so whoever can write the database can rewrite the
chain and every hash after an edit. A checkpoint signed by the registry's key and kept outside
the database (a file the operator keeps apart, and the hub) fixes the head at a moment;
`article6 journal verify --checkpoints` then shows that the chain still passes through it.
"""

import sqlalchemy as sa
from alembic import op

revision = "20261202_0015"
down_revision = "20261202_0014"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "checkpoint_key",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("private_key", sa.Text(), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_checkpoint_key")),
    )
    op.create_table(
        "journal_checkpoints",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_checkpoints")),
    )
    op.create_table(
        "hub_journal_checkpoints",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("registry_id", sa.String(length=8), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("signed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=100), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("verdict", sa.String(length=20), nullable=False),
        sa.Column("detail", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_journal_checkpoints")),
    )
    op.create_index(
        "ix_hub_journal_checkpoints_registry",
        "hub_journal_checkpoints",
        ["registry_id", "seq"],
        unique=False,
    )


def downgrade() -> None:
    op.drop_index("ix_hub_journal_checkpoints_registry", table_name="hub_journal_checkpoints")
    op.drop_table("hub_journal_checkpoints")
    op.drop_table("journal_checkpoints")
    op.drop_table("checkpoint_key")
