"""One meaning per column: `transactions.purpose` keeps only the purpose a cancellation names.

Revision ID: 20261202_0019
Revises: 20261202_0018
Create Date: 2026-12-02

`purpose` held four things by the transaction's kind: the purpose a cancellation names (AEF
Table 3 field 22, e.g. CORSIA), the reason of a manual first-transfer record, the A6.4 action
subtype of a share of proceeds or a mandatory OMGE cancellation in the mechanism registry, and
the other registry's account a transfer between registries went to ("to <account> in
<registry>") or came from ("<transaction> from <account> in <registry>"). Each moves to its own
column by kind: `first_transfer_reason`, `mechanism_subtype`, `counterpart` (the text without
its leading "to "). Most rows moved are final, so the guard that keeps final transactions
unchanged is lifted for this one move inside the migration's transaction and restored after
(as 20261202_0017 does); only these four columns change.
"""

import sqlalchemy as sa
from alembic import op

revision = "20261202_0019"
down_revision = "20261202_0018"
branch_labels = None
depends_on = None

FINAL = "('completed', 'rejected', 'terminated', 'cancelled')"
SQLITE_GUARD = (
    f"CREATE TRIGGER transactions_final_no_update BEFORE UPDATE ON transactions "
    f"WHEN OLD.status IN {FINAL} "
    f"BEGIN SELECT RAISE(ABORT, 'article6: a final transaction cannot change'); END"
)
"""The guard exactly as 20261126_0002 created it."""

MECHANISM_KINDS = "('share_of_proceeds', 'mandatory_omge_cancellation')"

UPGRADE = (
    "UPDATE transactions SET first_transfer_reason = purpose, purpose = NULL "
    "WHERE kind = 'first_transfer_record' AND purpose IS NOT NULL",
    "UPDATE transactions SET mechanism_subtype = purpose, purpose = NULL "
    f"WHERE kind IN {MECHANISM_KINDS} AND purpose IS NOT NULL",
    "UPDATE transactions SET counterpart = SUBSTR(purpose, 4), purpose = NULL "
    "WHERE kind = 'external_transfer' AND purpose LIKE 'to %'",
    "UPDATE transactions SET counterpart = purpose, purpose = NULL "
    "WHERE kind = 'acquisition' AND purpose IS NOT NULL",
)
DOWNGRADE = (
    "UPDATE transactions SET purpose = first_transfer_reason "
    "WHERE first_transfer_reason IS NOT NULL",
    "UPDATE transactions SET purpose = mechanism_subtype WHERE mechanism_subtype IS NOT NULL",
    "UPDATE transactions SET purpose = 'to ' || counterpart "
    "WHERE kind = 'external_transfer' AND counterpart IS NOT NULL",
    "UPDATE transactions SET purpose = counterpart "
    "WHERE kind = 'acquisition' AND counterpart IS NOT NULL",
)


def _with_the_guard_lifted(statements: tuple[str, ...]) -> None:
    postgres = op.get_bind().dialect.name == "postgresql"
    if postgres:
        op.execute("ALTER TABLE transactions DISABLE TRIGGER transactions_final")
    else:
        op.execute("DROP TRIGGER transactions_final_no_update")
    for statement in statements:
        op.execute(statement)
    if postgres:
        op.execute("ALTER TABLE transactions ENABLE TRIGGER transactions_final")
    else:
        op.execute(SQLITE_GUARD)


def upgrade() -> None:
    # Plain ALTER TABLE: a batch rebuild of `transactions` would drop its guard triggers.
    op.add_column("transactions", sa.Column("first_transfer_reason", sa.String(length=2000)))
    op.add_column("transactions", sa.Column("mechanism_subtype", sa.String(length=100)))
    op.add_column("transactions", sa.Column("counterpart", sa.String(length=200)))
    _with_the_guard_lifted(UPGRADE)


def downgrade() -> None:
    _with_the_guard_lifted(DOWNGRADE)
    op.drop_column("transactions", "counterpart")
    op.drop_column("transactions", "mechanism_subtype")
    op.drop_column("transactions", "first_transfer_reason")
