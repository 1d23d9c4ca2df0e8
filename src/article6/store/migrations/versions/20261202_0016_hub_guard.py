"""The hub's guard: whose transaction ids a registry numbers, and the operators' signed requests.

Revision ID: 20261202_0016
Revises: 20261202_0015
Create Date: 2026-12-02

`interop_peers.section_codes` lists, for each registry in the hub's directory, the codes its
Party sections number transactions under (the Article 6.4 mechanism registry numbers XXD's
`XXD01-...`): a registry proposes and asks only under its own codes (C6107).
`hub_operator_requests` keeps every administrative request an operator signed, by its nonce,
so a request is never accepted twice (C6108), and is the record of who asked the hub what.
"""

import sqlalchemy as sa
from alembic import op

revision = "20261202_0016"
down_revision = "20261202_0015"
branch_labels = None
depends_on = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("interop_peers") as batch:
        batch.add_column(sa.Column("section_codes", sa.Text(), nullable=False, server_default="[]"))
    op.create_table(
        "hub_operator_requests",
        sa.Column("nonce", sa.String(length=64), nullable=False),
        sa.Column("operator", sa.String(length=64), nullable=False),
        sa.Column("method", sa.String(length=10), nullable=False),
        sa.Column("path", sa.String(length=300), nullable=False),
        sa.Column("signed_at", WHEN, nullable=False),
        sa.Column("received_at", WHEN, nullable=False),
        sa.PrimaryKeyConstraint("nonce", name=op.f("pk_hub_operator_requests")),
    )


def downgrade() -> None:
    op.drop_table("hub_operator_requests")
    with op.batch_alter_table("interop_peers") as batch:
        batch.drop_column("section_codes")
