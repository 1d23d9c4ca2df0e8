"""The language each user reads the pages and e-mails in.

Revision ID: 20261203_0033
Revises: 20261202_0029
Create Date: 2026-12-03

No user has chosen one yet: their pages follow the browser's Accept-Language and their e-mails
are English, as before.
"""

import sqlalchemy as sa
from alembic import op

revision = "20261203_0033"
down_revision = "20261202_0029"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("users", sa.Column("language", sa.String(length=8), nullable=True))


def downgrade() -> None:
    op.drop_column("users", "language")
