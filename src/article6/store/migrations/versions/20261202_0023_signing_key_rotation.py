"""Rotation of a registry's signing key: the keys it retired, and the hub's record of every
registry's keys.

Revision ID: 20261202_0023
Revises: 20261202_0019
Create Date: 2026-12-02

A rotated key is retired, not forgotten: the checkpoints it signed must still verify, by the
key that was current at their time, and none it signs after its retirement may. Additive: two
new tables, nothing existing changes (docs/operations.md, "Upgrades").
"""

import sqlalchemy as sa
from alembic import op

revision = "20261202_0023"
down_revision = "20261202_0019"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "retired_signing_keys",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_retired_signing_keys")),
        sa.UniqueConstraint("public_key", name=op.f("uq_retired_signing_keys_public_key")),
    )
    op.create_table(
        "hub_registry_keys",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("registry_id", sa.String(length=8), nullable=False),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("valid_from", sa.DateTime(timezone=True), nullable=True),
        sa.Column("retired_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("announced_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hub_registry_keys")),
    )
    op.create_index(
        "ix_hub_registry_keys_registry", "hub_registry_keys", ["registry_id"], unique=False
    )


def downgrade() -> None:
    op.drop_index("ix_hub_registry_keys_registry", table_name="hub_registry_keys")
    op.drop_table("hub_registry_keys")
    op.drop_table("retired_signing_keys")
