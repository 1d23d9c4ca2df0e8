"""registry core schema

Revision ID: 20261126_0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "20261126_0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "cooperative_approaches",
        sa.Column("id", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cooperative_approaches")),
    )
    op.create_table(
        "idempotency_keys",
        sa.Column("scope", sa.String(length=200), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("request_hash", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("scope", "key", name=op.f("pk_idempotency_keys")),
    )
    op.create_table(
        "journal",
        sa.Column(
            "seq",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=False,
            nullable=False,
        ),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("event", sa.String(length=60), nullable=False),
        sa.Column("party_code", sa.String(length=3), nullable=True),
        sa.Column("subject", sa.String(length=80), nullable=True),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("previous_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_journal")),
        sa.UniqueConstraint("hash", name=op.f("uq_journal_hash")),
    )
    with op.batch_alter_table("journal", schema=None) as batch_op:
        batch_op.create_index("ix_journal_subject", ["subject"], unique=False)

    op.create_table(
        "journal_head",
        sa.Column("id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_journal_head")),
    )
    op.create_table(
        "parties",
        sa.Column("code", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("ndc_first_year", sa.Integer(), nullable=False),
        sa.Column("ndc_last_year", sa.Integer(), nullable=False),
        sa.Column("participation_status", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("code", name=op.f("pk_parties")),
    )
    op.create_table(
        "approval_policies",
        sa.Column("party_code", sa.String(length=3), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("four_eyes", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_code"], ["parties.code"], name=op.f("fk_approval_policies_party_code_parties")
        ),
        sa.PrimaryKeyConstraint("party_code", "kind", name=op.f("pk_approval_policies")),
    )
    op.create_table(
        "authorizations",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("party_code", sa.String(length=3), nullable=False),
        sa.Column("authorization_id", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("date_of_authorization", sa.Date(), nullable=False),
        sa.Column("cooperative_approach_id", sa.String(length=6), nullable=False),
        sa.Column("authorized_quantity", sa.BigInteger(), nullable=True),
        sa.Column("metric", sa.String(length=10), nullable=False),
        sa.Column("gwp_values", sa.String(length=200), nullable=True),
        sa.Column("non_ghg_metric", sa.String(length=200), nullable=True),
        sa.Column("sectors", sa.JSON(), nullable=False),
        sa.Column("activity_types", sa.JSON(), nullable=False),
        sa.Column("purposes", sa.String(length=20), nullable=False),
        sa.Column("authorized_parties", sa.JSON(), nullable=False),
        sa.Column("authorized_entities", sa.JSON(), nullable=False),
        sa.Column("oimp_authorized", sa.String(length=2000), nullable=True),
        sa.Column("timeframe_first", sa.Integer(), nullable=True),
        sa.Column("timeframe_last", sa.Integer(), nullable=True),
        sa.Column("terms_and_conditions", sa.Text(), nullable=True),
        sa.Column("first_transfer_definition", sa.String(length=30), nullable=True),
        sa.Column("additional_information", sa.Text(), nullable=True),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["cooperative_approach_id"],
            ["cooperative_approaches.id"],
            name=op.f("fk_authorizations_cooperative_approach_id_cooperative_approaches"),
        ),
        sa.ForeignKeyConstraint(
            ["party_code"], ["parties.code"], name=op.f("fk_authorizations_party_code_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorizations")),
        sa.UniqueConstraint(
            "party_code", "authorization_id", "version", name="uq_authorizations_party_id_version"
        ),
    )
    op.create_table(
        "authorized_entities",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("identifier", sa.String(length=40), nullable=False),
        sa.Column("party_code", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country_of_incorporation", sa.String(length=3), nullable=False),
        sa.Column("identification_number", sa.String(length=100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_code"], ["parties.code"], name=op.f("fk_authorized_entities_party_code_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_authorized_entities")),
        sa.UniqueConstraint("identifier", name=op.f("uq_authorized_entities_identifier")),
        sa.UniqueConstraint("party_code", "name", name="uq_authorized_entities_party_name"),
    )
    op.create_table(
        "cooperative_approach_parties",
        sa.Column("cooperative_approach_id", sa.String(length=6), nullable=False),
        sa.Column("party_code", sa.String(length=3), nullable=False),
        sa.ForeignKeyConstraint(
            ["cooperative_approach_id"],
            ["cooperative_approaches.id"],
            name=op.f(
                "fk_cooperative_approach_parties_cooperative_approach_id_cooperative_approaches"
            ),
        ),
        sa.ForeignKeyConstraint(
            ["party_code"],
            ["parties.code"],
            name=op.f("fk_cooperative_approach_parties_party_code_parties"),
        ),
        sa.PrimaryKeyConstraint(
            "cooperative_approach_id", "party_code", name=op.f("pk_cooperative_approach_parties")
        ),
    )
    op.create_table(
        "mitigation_activities",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("identifier", sa.String(length=40), nullable=False),
        sa.Column("title", sa.String(length=300), nullable=False),
        sa.Column("host_party", sa.String(length=3), nullable=False),
        sa.Column("cooperative_approach_id", sa.String(length=6), nullable=False),
        sa.Column("sector", sa.String(length=60), nullable=False),
        sa.Column("activity_type", sa.String(length=60), nullable=True),
        sa.Column("mitigation_type", sa.String(length=60), nullable=False),
        sa.Column("metric", sa.String(length=10), nullable=False),
        sa.Column("gwp_values", sa.String(length=200), nullable=True),
        sa.Column("non_ghg_metric", sa.String(length=200), nullable=True),
        sa.Column("underlying_registry", sa.String(length=20), nullable=True),
        sa.Column("underlying_first", sa.BigInteger(), nullable=True),
        sa.Column("underlying_last", sa.BigInteger(), nullable=True),
        sa.Column("underlying_next", sa.BigInteger(), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["cooperative_approach_id"],
            ["cooperative_approaches.id"],
            name=op.f("fk_mitigation_activities_cooperative_approach_id_cooperative_approaches"),
        ),
        sa.ForeignKeyConstraint(
            ["host_party"],
            ["parties.code"],
            name=op.f("fk_mitigation_activities_host_party_parties"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_mitigation_activities")),
        sa.UniqueConstraint("identifier", name=op.f("uq_mitigation_activities_identifier")),
    )
    op.create_table(
        "party_sections",
        sa.Column("party_code", sa.String(length=3), nullable=False),
        sa.Column("registry_id", sa.String(length=5), nullable=False),
        sa.Column("next_serial", sa.BigInteger(), nullable=False),
        sa.Column("next_transaction", sa.BigInteger(), nullable=False),
        sa.Column("next_account", sa.BigInteger(), nullable=False),
        sa.Column("pending_days", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["party_code"], ["parties.code"], name=op.f("fk_party_sections_party_code_parties")
        ),
        sa.PrimaryKeyConstraint("party_code", name=op.f("pk_party_sections")),
        sa.UniqueConstraint("registry_id", name=op.f("uq_party_sections_registry_id")),
    )
    op.create_table(
        "accounts",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("identifier", sa.String(length=40), nullable=False),
        sa.Column("party_code", sa.String(length=3), nullable=False),
        sa.Column("entity_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("holder", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("container", sa.String(length=3), nullable=False),
        sa.Column("cooperative_approach_key", sa.String(length=6), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["authorized_entities.id"],
            name=op.f("fk_accounts_entity_id_authorized_entities"),
        ),
        sa.ForeignKeyConstraint(
            ["party_code"], ["parties.code"], name=op.f("fk_accounts_party_code_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_accounts")),
        sa.UniqueConstraint("identifier", name=op.f("uq_accounts_identifier")),
        sa.UniqueConstraint(
            "party_code",
            "holder",
            "kind",
            "cooperative_approach_key",
            name="uq_accounts_holder_kind",
        ),
    )
    op.create_table(
        "entity_authorizations",
        sa.Column(
            "entity_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("cooperative_approach_id", sa.String(length=6), nullable=False),
        sa.Column("date_of_authorization", sa.Date(), nullable=False),
        sa.Column("conditions", sa.Text(), nullable=True),
        sa.Column("change_and_revocation_conditions", sa.Text(), nullable=True),
        sa.Column("additional_information", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("status_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cooperative_approach_id"],
            ["cooperative_approaches.id"],
            name=op.f("fk_entity_authorizations_cooperative_approach_id_cooperative_approaches"),
        ),
        sa.ForeignKeyConstraint(
            ["entity_id"],
            ["authorized_entities.id"],
            name=op.f("fk_entity_authorizations_entity_id_authorized_entities"),
        ),
        sa.PrimaryKeyConstraint(
            "entity_id", "cooperative_approach_id", name=op.f("pk_entity_authorizations")
        ),
    )
    op.create_table(
        "holdings",
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("reserved", sa.BigInteger(), nullable=False),
        sa.CheckConstraint("quantity >= 0", name=op.f("ck_holdings_quantity_not_negative")),
        sa.CheckConstraint(
            "reserved >= 0 AND reserved <= quantity",
            name=op.f("ck_holdings_reserved_within_quantity"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_holdings_account_id_accounts")
        ),
        sa.PrimaryKeyConstraint("account_id", name=op.f("pk_holdings")),
    )
    op.create_table(
        "transactions",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("identifier", sa.String(length=40), nullable=False),
        sa.Column("party_code", sa.String(length=3), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("cancellation_purpose", sa.String(length=20), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column(
            "source_account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column(
            "destination_account_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("acquiring_party", sa.String(length=3), nullable=True),
        sa.Column("quantity", sa.BigInteger(), nullable=False),
        sa.Column("purpose", sa.String(length=2000), nullable=True),
        sa.Column("ndc_year", sa.Integer(), nullable=True),
        sa.Column(
            "using_entity_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.Column("authorization_id", sa.String(length=64), nullable=True),
        sa.Column("first_transfer", sa.Boolean(), nullable=False),
        sa.Column("initiator", sa.String(length=200), nullable=False),
        sa.Column("approver", sa.String(length=200), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("proposed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("quantity > 0", name=op.f("ck_transactions_quantity_positive")),
        sa.ForeignKeyConstraint(
            ["destination_account_id"],
            ["accounts.id"],
            name=op.f("fk_transactions_destination_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["party_code"], ["parties.code"], name=op.f("fk_transactions_party_code_parties")
        ),
        sa.ForeignKeyConstraint(
            ["source_account_id"],
            ["accounts.id"],
            name=op.f("fk_transactions_source_account_id_accounts"),
        ),
        sa.ForeignKeyConstraint(
            ["using_entity_id"],
            ["authorized_entities.id"],
            name=op.f("fk_transactions_using_entity_id_authorized_entities"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transactions")),
        sa.UniqueConstraint("identifier", name=op.f("uq_transactions_identifier")),
    )
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.create_index("ix_transactions_party_id", ["party_code", "id"], unique=False)
        batch_op.create_index("ix_transactions_status", ["status"], unique=False)

    op.create_table(
        "transaction_blocks",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column(
            "transaction_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("registry_id", sa.String(length=5), nullable=False),
        sa.Column("serial_first", sa.BigInteger(), nullable=False),
        sa.Column("serial_last", sa.BigInteger(), nullable=False),
        sa.Column("cooperative_approach_id", sa.String(length=6), nullable=False),
        sa.Column("first_transferring_party", sa.String(length=3), nullable=False),
        sa.Column("vintage", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=10), nullable=False),
        sa.Column("gwp_values", sa.String(length=200), nullable=True),
        sa.Column("non_ghg_metric", sa.String(length=200), nullable=True),
        sa.Column("non_ghg_per_unit", sa.String(length=40), nullable=True),
        sa.Column("mitigation_type", sa.String(length=60), nullable=False),
        sa.Column("sector", sa.String(length=60), nullable=False),
        sa.Column("activity_type", sa.String(length=60), nullable=True),
        sa.Column("underlying_registry", sa.String(length=20), nullable=True),
        sa.Column("underlying_first", sa.BigInteger(), nullable=True),
        sa.Column("authorization_id", sa.String(length=64), nullable=True),
        sa.Column("authorization_version", sa.Integer(), nullable=True),
        sa.Column("from_state", sa.String(length=10), nullable=True),
        sa.Column("to_state", sa.String(length=10), nullable=False),
        sa.Column("first_transfer_subtype", sa.String(length=80), nullable=True),
        sa.CheckConstraint(
            "serial_first <= serial_last", name=op.f("ck_transaction_blocks_range_ordered")
        ),
        sa.ForeignKeyConstraint(
            ["transaction_id"],
            ["transactions.id"],
            name=op.f("fk_transaction_blocks_transaction_id_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_transaction_blocks")),
    )
    with op.batch_alter_table("transaction_blocks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_transaction_blocks_serial", ["registry_id", "serial_first"], unique=False
        )
        batch_op.create_index("ix_transaction_blocks_tx", ["transaction_id"], unique=False)

    op.create_table(
        "unit_blocks",
        sa.Column(
            "id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            autoincrement=True,
            nullable=False,
        ),
        sa.Column("registry_id", sa.String(length=5), nullable=False),
        sa.Column("serial_first", sa.BigInteger(), nullable=False),
        sa.Column("serial_last", sa.BigInteger(), nullable=False),
        sa.Column("cooperative_approach_id", sa.String(length=6), nullable=False),
        sa.Column("first_transferring_party", sa.String(length=3), nullable=False),
        sa.Column("vintage", sa.Integer(), nullable=False),
        sa.Column("metric", sa.String(length=10), nullable=False),
        sa.Column("gwp_values", sa.String(length=200), nullable=True),
        sa.Column("non_ghg_metric", sa.String(length=200), nullable=True),
        sa.Column("non_ghg_per_unit", sa.String(length=40), nullable=True),
        sa.Column("mitigation_type", sa.String(length=60), nullable=False),
        sa.Column("sector", sa.String(length=60), nullable=False),
        sa.Column("activity_type", sa.String(length=60), nullable=True),
        sa.Column("mitigation_activity", sa.String(length=40), nullable=False),
        sa.Column("underlying_registry", sa.String(length=20), nullable=True),
        sa.Column("underlying_first", sa.BigInteger(), nullable=True),
        sa.Column("authorization_id", sa.String(length=64), nullable=True),
        sa.Column("authorization_version", sa.Integer(), nullable=True),
        sa.Column("state", sa.String(length=10), nullable=False),
        sa.Column("first_transferred", sa.Boolean(), nullable=False),
        sa.Column(
            "account_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "reserved_by", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True
        ),
        sa.CheckConstraint(
            "serial_first >= 1 AND serial_first <= serial_last",
            name=op.f("ck_unit_blocks_range_ordered"),
        ),
        sa.ForeignKeyConstraint(
            ["account_id"], ["accounts.id"], name=op.f("fk_unit_blocks_account_id_accounts")
        ),
        sa.ForeignKeyConstraint(
            ["reserved_by"],
            ["transactions.id"],
            name=op.f("fk_unit_blocks_reserved_by_transactions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_unit_blocks")),
    )
    with op.batch_alter_table("unit_blocks", schema=None) as batch_op:
        batch_op.create_index(
            "ix_unit_blocks_account", ["account_id", "serial_first"], unique=False
        )
        batch_op.create_index("ix_unit_blocks_first", ["registry_id", "serial_first"], unique=True)
        batch_op.create_index("ix_unit_blocks_last", ["registry_id", "serial_last"], unique=True)
        batch_op.create_index("ix_unit_blocks_reserved", ["reserved_by"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("unit_blocks", schema=None) as batch_op:
        batch_op.drop_index("ix_unit_blocks_reserved")
        batch_op.drop_index("ix_unit_blocks_last")
        batch_op.drop_index("ix_unit_blocks_first")
        batch_op.drop_index("ix_unit_blocks_account")

    op.drop_table("unit_blocks")
    with op.batch_alter_table("transaction_blocks", schema=None) as batch_op:
        batch_op.drop_index("ix_transaction_blocks_tx")
        batch_op.drop_index("ix_transaction_blocks_serial")

    op.drop_table("transaction_blocks")
    with op.batch_alter_table("transactions", schema=None) as batch_op:
        batch_op.drop_index("ix_transactions_status")
        batch_op.drop_index("ix_transactions_party_id")

    op.drop_table("transactions")
    op.drop_table("holdings")
    op.drop_table("entity_authorizations")
    op.drop_table("accounts")
    op.drop_table("party_sections")
    op.drop_table("mitigation_activities")
    op.drop_table("cooperative_approach_parties")
    op.drop_table("authorized_entities")
    op.drop_table("authorizations")
    op.drop_table("approval_policies")
    op.drop_table("parties")
    op.drop_table("journal_head")
    with op.batch_alter_table("journal", schema=None) as batch_op:
        batch_op.drop_index("ix_journal_subject")

    op.drop_table("journal")
    op.drop_table("idempotency_keys")
    op.drop_table("cooperative_approaches")
