"""Ledger guards: no overlapping serial ranges, an append-only journal and ledger.

Revision ID: 20261126_0002
Revises: 20261126_0001
Create Date: 2026-11-26

The database itself refuses what the services must never do: overlapping serial ranges of one
originating registry (PostgreSQL exclusion constraint), and any update or delete of journal
entries, moved ranges, or transactions that reached a final status.
"""

import sqlalchemy as sa
from alembic import op

revision = "20261126_0002"
down_revision = "20261126_0001"
branch_labels = None
depends_on = None

GENESIS = "0" * 64
FINAL = "('completed', 'rejected', 'terminated', 'cancelled')"

POSTGRES = [
    "CREATE EXTENSION IF NOT EXISTS btree_gist",
    "ALTER TABLE unit_blocks ADD CONSTRAINT ex_unit_blocks_no_overlap EXCLUDE USING gist "
    "(registry_id WITH =, int8range(serial_first, serial_last, '[]') WITH &&)",
    """CREATE FUNCTION article6_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN RAISE EXCEPTION 'article6: % is append-only', TG_TABLE_NAME; END $$""",
    f"""CREATE FUNCTION article6_final_transaction() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'DELETE' OR OLD.status IN {FINAL} THEN
        RAISE EXCEPTION 'article6: transaction % is final and cannot change', OLD.identifier;
      END IF;
      RETURN NEW;
    END $$""",
    "CREATE TRIGGER journal_append_only BEFORE UPDATE OR DELETE ON journal "
    "FOR EACH ROW EXECUTE FUNCTION article6_append_only()",
    "CREATE TRIGGER transaction_blocks_append_only BEFORE UPDATE OR DELETE ON transaction_blocks "
    "FOR EACH ROW EXECUTE FUNCTION article6_append_only()",
    "CREATE TRIGGER transactions_final BEFORE UPDATE OR DELETE ON transactions "
    "FOR EACH ROW EXECUTE FUNCTION article6_final_transaction()",
]

OVERLAP = (
    "WHEN EXISTS (SELECT 1 FROM (SELECT id, serial_last FROM unit_blocks "
    "WHERE registry_id = NEW.registry_id AND serial_first <= NEW.serial_last AND id IS NOT NEW.id "
    "ORDER BY serial_first DESC LIMIT 1) AS below WHERE below.serial_last >= NEW.serial_first) "
    "BEGIN SELECT RAISE(ABORT, 'article6: overlapping serial range'); END"
)

SQLITE = [
    "CREATE TRIGGER unit_blocks_no_overlap_insert BEFORE INSERT ON unit_blocks " + OVERLAP,
    "CREATE TRIGGER unit_blocks_no_overlap_update BEFORE UPDATE OF serial_first, serial_last "
    "ON unit_blocks " + OVERLAP,
    "CREATE TRIGGER journal_no_update BEFORE UPDATE ON journal "
    "BEGIN SELECT RAISE(ABORT, 'article6: journal is append-only'); END",
    "CREATE TRIGGER journal_no_delete BEFORE DELETE ON journal "
    "BEGIN SELECT RAISE(ABORT, 'article6: journal is append-only'); END",
    "CREATE TRIGGER transaction_blocks_no_update BEFORE UPDATE ON transaction_blocks "
    "BEGIN SELECT RAISE(ABORT, 'article6: transaction_blocks is append-only'); END",
    "CREATE TRIGGER transaction_blocks_no_delete BEFORE DELETE ON transaction_blocks "
    "BEGIN SELECT RAISE(ABORT, 'article6: transaction_blocks is append-only'); END",
    f"CREATE TRIGGER transactions_final_no_update BEFORE UPDATE ON transactions "
    f"WHEN OLD.status IN {FINAL} "
    f"BEGIN SELECT RAISE(ABORT, 'article6: a final transaction cannot change'); END",
    "CREATE TRIGGER transactions_no_delete BEFORE DELETE ON transactions "
    "BEGIN SELECT RAISE(ABORT, 'article6: transactions are never deleted'); END",
]


def upgrade() -> None:
    statements = POSTGRES if op.get_bind().dialect.name == "postgresql" else SQLITE
    for statement in statements:
        op.execute(statement)
    op.execute(
        sa.text("INSERT INTO journal_head (id, seq, hash) VALUES (1, 0, :genesis)").bindparams(
            genesis=GENESIS
        )
    )


def downgrade() -> None:
    op.execute("DELETE FROM journal_head")
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER transactions_final ON transactions")
        op.execute("DROP TRIGGER transaction_blocks_append_only ON transaction_blocks")
        op.execute("DROP TRIGGER journal_append_only ON journal")
        op.execute("DROP FUNCTION article6_final_transaction()")
        op.execute("DROP FUNCTION article6_append_only()")
        op.execute("ALTER TABLE unit_blocks DROP CONSTRAINT ex_unit_blocks_no_overlap")
    else:
        for name in (
            "journal_no_update",
            "journal_no_delete",
            "transaction_blocks_no_update",
            "transaction_blocks_no_delete",
            "transactions_final_no_update",
            "transactions_no_delete",
        ):
            op.execute(f"DROP TRIGGER {name}")
