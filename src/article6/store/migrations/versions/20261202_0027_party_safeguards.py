"""A Party's safeguards: trusted destinations and signed confirmation (issue #17).

Revision ID: 20261202_0027
Revises: 20261202_0025
Create Date: 2026-12-02

No section has anything switched on after the upgrade: transfers go on as before until a Party
Section Administrator chooses.
"""

import sqlalchemy as sa
from alembic import op

revision = "20261202_0027"
down_revision = "20261202_0032"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "party_safeguards",
        sa.Column("party_code", sa.String(length=3), nullable=False),
        sa.Column("trusted_only", sa.Boolean(), nullable=False),
        sa.Column("signed_confirmation", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_code"], ["parties.code"], name=op.f("fk_party_safeguards_party_code_parties")
        ),
        sa.PrimaryKeyConstraint("party_code", name=op.f("pk_party_safeguards")),
    )
    op.create_table(
        "trusted_destinations",
        sa.Column("party_code", sa.String(length=3), nullable=False),
        sa.Column("account", sa.String(length=40), nullable=False),
        sa.Column("added_by", sa.String(length=80), nullable=False),
        sa.Column("added_at", WHEN, nullable=False),
        sa.Column("effective_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["party_code"],
            ["parties.code"],
            name=op.f("fk_trusted_destinations_party_code_parties"),
        ),
        sa.PrimaryKeyConstraint("party_code", "account", name=op.f("pk_trusted_destinations")),
    )


def downgrade() -> None:
    op.drop_table("trusted_destinations")
    op.drop_table("party_safeguards")
