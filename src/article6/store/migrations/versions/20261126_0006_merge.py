"""Join the identity, reports and interoperability branches into one history.

Revision ID: 20261126_0006
Revises: 20261126_0003, 20261126_0004, 20261126_0005
Create Date: 2026-11-26
"""

revision = "20261126_0006"
down_revision = ("20261126_0003", "20261126_0004", "20261126_0005")
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Nothing to change: the three branches touch different tables."""


def downgrade() -> None:
    """Nothing to undo."""
