"""Who transferred the units a registry acquired from another registry.

Revision ID: 20261202_0017
Revises: 20261202_0016
Create Date: 2026-12-02

An acquisition from another registry has no source account here, yet the acquiring Party's AEF
reports the transferring Party (Table 3 field 20). `transactions.transferring_party` keeps the
Party the transfer proposal named. Acquisitions recorded before are completed, so the guard
that keeps final transactions unchanged is lifted for this one backfill (inside the migration's
transaction) and only the new, empty column is filled, from the proposal each acquisition
answered (`external_transfers.proposal`); nothing recorded before changes.
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "20261202_0017"
down_revision = "20261202_0016"
branch_labels = None
depends_on = None

FINAL = "('completed', 'rejected', 'terminated', 'cancelled')"
SQLITE_GUARD = (
    f"CREATE TRIGGER transactions_final_no_update BEFORE UPDATE ON transactions "
    f"WHEN OLD.status IN {FINAL} "
    f"BEGIN SELECT RAISE(ABORT, 'article6: a final transaction cannot change'); END"
)
"""The guard exactly as 20261126_0002 created it."""


def upgrade() -> None:
    # Plain ALTER TABLE: a batch rebuild of `transactions` would drop its guard triggers.
    op.add_column("transactions", sa.Column("transferring_party", sa.String(length=3)))
    bind = op.get_bind()
    arrived = bind.execute(
        sa.text(
            "SELECT local_transaction, proposal FROM external_transfers "
            "WHERE direction = 'in' AND local_transaction IS NOT NULL"
        )
    ).all()
    named = [
        {"party": party, "identifier": identifier}
        for identifier, proposal in arrived
        if (party := json.loads(proposal).get("transferring_party"))
    ]
    if not named:
        return
    postgres = bind.dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE transactions DISABLE TRIGGER transactions_final")
    else:
        op.execute("DROP TRIGGER transactions_final_no_update")
    bind.execute(
        sa.text(
            "UPDATE transactions SET transferring_party = :party "
            "WHERE identifier = :identifier AND kind = 'acquisition' "
            "AND transferring_party IS NULL"
        ),
        named,
    )
    if postgres:
        op.execute("ALTER TABLE transactions ENABLE TRIGGER transactions_final")
    else:
        op.execute(SQLITE_GUARD)


def downgrade() -> None:
    op.drop_column("transactions", "transferring_party")
