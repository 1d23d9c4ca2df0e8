"""The tables, as SQLAlchemy Core metadata used by the repositories.

The database itself is only ever created by the Alembic migrations; a test checks that the
migrated schema and this metadata agree.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData(
    naming_convention={
        "ix": "ix_%(column_0_label)s",
        "uq": "uq_%(table_name)s_%(column_0_name)s",
        "ck": "ck_%(table_name)s_%(constraint_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)

Id = BigInteger().with_variant(Integer(), "sqlite")
Timestamp = DateTime(timezone=True)

parties = Table(
    "parties",
    metadata,
    Column("code", String(3), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("ndc_first_year", Integer, nullable=False),
    Column("ndc_last_year", Integer, nullable=False),
    Column("participation_status", String(20), nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

party_sections = Table(
    "party_sections",
    metadata,
    Column("party_code", String(3), ForeignKey("parties.code"), primary_key=True),
    Column("registry_id", String(5), nullable=False, unique=True),
    Column("next_serial", BigInteger, nullable=False),
    Column("next_transaction", BigInteger, nullable=False),
    Column("next_account", BigInteger, nullable=False),
    Column("pending_days", Integer, nullable=False),
    Column("opened_at", Timestamp, nullable=False),
    # Days an incoming transfer waits for this Party's acceptance; NULL: accepted at once.
    Column("acceptance_days", Integer),
    # The reconciliation hold (C2006), the same on every section of the registry: read by the
    # statement that numbers each transaction, so the check costs no statement of its own.
    Column("reconciliation_id", String(64)),
    Column("reconciliation_until", Timestamp),
    # open, suspended (moves no units out: C4026) or closed (since 20261202_0029); read with
    # the hold by the statement that numbers each transaction.
    Column("status", String(10), nullable=False, server_default="open"),
)

cooperative_approaches = Table(
    "cooperative_approaches",
    metadata,
    Column("id", String(6), primary_key=True),
    Column("name", String(200), nullable=False),
    Column("description", Text),
    Column("created_at", Timestamp, nullable=False),
)

cooperative_approach_parties = Table(
    "cooperative_approach_parties",
    metadata,
    Column(
        "cooperative_approach_id",
        String(6),
        ForeignKey("cooperative_approaches.id"),
        primary_key=True,
    ),
    Column("party_code", String(3), ForeignKey("parties.code"), primary_key=True),
)

mitigation_activities = Table(
    "mitigation_activities",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("identifier", String(40), nullable=False, unique=True),
    Column("title", String(300), nullable=False),
    Column("host_party", String(3), ForeignKey("parties.code"), nullable=False),
    Column(
        "cooperative_approach_id",
        String(6),
        ForeignKey("cooperative_approaches.id"),
        nullable=False,
    ),
    Column("sector", String(60), nullable=False),
    Column("activity_type", String(60)),
    Column("mitigation_type", String(60), nullable=False),
    Column("metric", String(10), nullable=False),
    Column("gwp_values", String(200)),
    Column("non_ghg_metric", String(200)),
    Column("underlying_registry", String(20)),
    Column("underlying_first", BigInteger),
    Column("underlying_last", BigInteger),
    Column("underlying_next", BigInteger),
    Column("description", Text),
    Column("recorded_at", Timestamp, nullable=False),
    Column("recorded_by", String(200), nullable=False),
)

authorized_entities = Table(
    "authorized_entities",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("identifier", String(40), nullable=False, unique=True),
    Column("party_code", String(3), ForeignKey("parties.code"), nullable=False),
    Column("name", String(200), nullable=False),
    Column("country_of_incorporation", String(3), nullable=False),
    Column("identification_number", String(100), nullable=False),
    Column("recorded_at", Timestamp, nullable=False),
    # Recorded from an imported history's Table 5: the file and its SHA-256 (else recorded here).
    Column("imported_source", String(200)),
    Column("imported_sha256", String(64)),
    UniqueConstraint("party_code", "name", name="uq_authorized_entities_party_name"),
)

entity_authorizations = Table(
    "entity_authorizations",
    metadata,
    Column("entity_id", Id, ForeignKey("authorized_entities.id"), primary_key=True),
    Column(
        "cooperative_approach_id",
        String(6),
        ForeignKey("cooperative_approaches.id"),
        primary_key=True,
    ),
    Column("date_of_authorization", Date, nullable=False),
    Column("conditions", Text),
    Column("change_and_revocation_conditions", Text),
    Column("additional_information", Text),
    Column("status", String(20), nullable=False),
    Column("status_changed_at", Timestamp, nullable=False),
)

authorizations = Table(
    "authorizations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("party_code", String(3), ForeignKey("parties.code"), nullable=False),
    Column("authorization_id", String(64), nullable=False),
    Column("version", Integer, nullable=False),
    Column("date_of_authorization", Date, nullable=False),
    Column(
        "cooperative_approach_id",
        String(6),
        ForeignKey("cooperative_approaches.id"),
        nullable=False,
    ),
    Column("authorized_quantity", BigInteger),
    Column("metric", String(10), nullable=False),
    Column("gwp_values", String(200)),
    Column("non_ghg_metric", String(200)),
    Column("sectors", JSON, nullable=False),
    Column("activity_types", JSON, nullable=False),
    Column("purposes", String(20), nullable=False),
    Column("authorized_parties", JSON, nullable=False),
    Column("authorized_entities", JSON, nullable=False),
    Column("oimp_authorized", String(2000)),
    Column("timeframe_first", Integer),
    Column("timeframe_last", Integer),
    Column("terms_and_conditions", Text),
    Column("first_transfer_definition", String(30)),
    Column("additional_information", Text),
    Column("revoked", Boolean, nullable=False),
    Column("recorded_at", Timestamp, nullable=False),
    Column("recorded_by", String(200), nullable=False),
    UniqueConstraint(
        "party_code", "authorization_id", "version", name="uq_authorizations_party_id_version"
    ),
)

accounts = Table(
    "accounts",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("identifier", String(40), nullable=False, unique=True),
    Column("party_code", String(3), ForeignKey("parties.code"), nullable=False),
    Column("entity_id", Id, ForeignKey("authorized_entities.id")),
    Column("holder", String(40), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("container", String(3), nullable=False),
    Column("cooperative_approach_key", String(6), nullable=False),
    Column("name", String(300), nullable=False),
    Column("status", String(10), nullable=False),
    Column("opened_at", Timestamp, nullable=False),
    UniqueConstraint(
        "party_code", "holder", "kind", "cooperative_approach_key", name="uq_accounts_holder_kind"
    ),
)

holdings = Table(
    "holdings",
    metadata,
    Column("account_id", Id, ForeignKey("accounts.id"), primary_key=True),
    Column("quantity", BigInteger, nullable=False),
    Column("reserved", BigInteger, nullable=False),
    CheckConstraint("quantity >= 0", name="quantity_not_negative"),
    CheckConstraint("reserved >= 0 AND reserved <= quantity", name="reserved_within_quantity"),
)

transactions = Table(
    "transactions",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("identifier", String(40), nullable=False, unique=True),
    Column("party_code", String(3), ForeignKey("parties.code"), nullable=False),
    Column("kind", String(30), nullable=False),
    Column("cancellation_purpose", String(20)),
    Column("status", String(20), nullable=False),
    Column("source_account_id", Id, ForeignKey("accounts.id")),
    Column("destination_account_id", Id, ForeignKey("accounts.id")),
    Column("acquiring_party", String(3)),
    # The Party that sent the units of an acquisition from another registry (since
    # 20261202_0017): they have no source account here, and the AEF names that Party.
    Column("transferring_party", String(3)),
    Column("quantity", BigInteger, nullable=False),
    # The purpose a cancellation names (e.g. CORSIA; AEF Table 3 field 22). Since 20261202_0019
    # the other things it held have their own columns: why a manual first transfer was recorded,
    # the A6.4 subtype of a transaction in the mechanism registry, and the other registry's
    # account a transfer between registries went to or came from.
    Column("purpose", String(2000)),
    Column("first_transfer_reason", String(2000)),
    Column("mechanism_subtype", String(100)),
    Column("counterpart", String(200)),
    Column("ndc_year", Integer),
    Column("using_entity_id", Id, ForeignKey("authorized_entities.id")),
    Column("authorization_id", String(64)),
    Column("first_transfer", Boolean, nullable=False),
    Column("initiator", String(200), nullable=False),
    # The initiating user's name, which four eyes compares (since 20261202_0013).
    Column("initiator_user", String(80)),
    Column("approver", String(200)),
    Column("reason", Text),
    Column("created_at", Timestamp, nullable=False),
    Column("proposed_at", Timestamp),
    Column("checked_at", Timestamp),
    Column("finished_at", Timestamp),
    Column("expires_at", Timestamp),
    CheckConstraint("quantity > 0", name="quantity_positive"),
)
Index("ix_transactions_party_id", transactions.c.party_code, transactions.c.id)
Index("ix_transactions_status", transactions.c.status)
Index("ix_transactions_destination_id", transactions.c.destination_account_id, transactions.c.id)
Index("ix_transactions_source_id", transactions.c.source_account_id, transactions.c.id)

transaction_blocks = Table(
    "transaction_blocks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("transaction_id", Id, ForeignKey("transactions.id"), nullable=False),
    Column("registry_id", String(5), nullable=False),
    Column("serial_first", BigInteger, nullable=False),
    Column("serial_last", BigInteger, nullable=False),
    Column("cooperative_approach_id", String(6), nullable=False),
    Column("first_transferring_party", String(3), nullable=False),
    Column("vintage", Integer, nullable=False),
    Column("metric", String(10), nullable=False),
    Column("gwp_values", String(200)),
    Column("non_ghg_metric", String(200)),
    Column("non_ghg_per_unit", String(40)),
    Column("mitigation_type", String(60), nullable=False),
    Column("sector", String(60), nullable=False),
    Column("activity_type", String(60)),
    Column("underlying_registry", String(20)),
    Column("underlying_first", BigInteger),
    Column("authorization_id", String(64)),
    Column("authorization_version", Integer),
    Column("from_state", String(10)),
    Column("to_state", String(10), nullable=False),
    Column("first_transfer_subtype", String(80)),
    CheckConstraint("serial_first <= serial_last", name="range_ordered"),
)
Index("ix_transaction_blocks_tx", transaction_blocks.c.transaction_id)
Index(
    "ix_transaction_blocks_serial",
    transaction_blocks.c.registry_id,
    transaction_blocks.c.serial_first,
)
Index(
    "ix_transaction_blocks_last", transaction_blocks.c.registry_id, transaction_blocks.c.serial_last
)

unit_blocks = Table(
    "unit_blocks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("registry_id", String(5), nullable=False),
    Column("serial_first", BigInteger, nullable=False),
    Column("serial_last", BigInteger, nullable=False),
    Column("cooperative_approach_id", String(6), nullable=False),
    Column("first_transferring_party", String(3), nullable=False),
    Column("vintage", Integer, nullable=False),
    Column("metric", String(10), nullable=False),
    Column("gwp_values", String(200)),
    Column("non_ghg_metric", String(200)),
    Column("non_ghg_per_unit", String(40)),
    Column("mitigation_type", String(60), nullable=False),
    Column("sector", String(60), nullable=False),
    Column("activity_type", String(60)),
    Column("mitigation_activity", String(40), nullable=False),
    Column("underlying_registry", String(20)),
    Column("underlying_first", BigInteger),
    Column("authorization_id", String(64)),
    Column("authorization_version", Integer),
    Column("state", String(10), nullable=False),
    Column("first_transferred", Boolean, nullable=False),
    Column("account_id", Id, ForeignKey("accounts.id"), nullable=False),
    Column("reserved_by", Id, ForeignKey("transactions.id")),
    CheckConstraint("serial_first >= 1 AND serial_first <= serial_last", name="range_ordered"),
)
Index("ix_unit_blocks_account", unit_blocks.c.account_id, unit_blocks.c.serial_first)
Index("ix_unit_blocks_account_id", unit_blocks.c.account_id, unit_blocks.c.id)
Index("ix_unit_blocks_first", unit_blocks.c.registry_id, unit_blocks.c.serial_first, unique=True)
Index("ix_unit_blocks_last", unit_blocks.c.registry_id, unit_blocks.c.serial_last, unique=True)
Index("ix_unit_blocks_reserved", unit_blocks.c.reserved_by)

journal = Table(
    "journal",
    metadata,
    Column("seq", Id, primary_key=True, autoincrement=False),
    Column("recorded_at", Timestamp, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("event", String(60), nullable=False),
    Column("party_code", String(3)),
    Column("subject", String(80)),
    Column("body", Text, nullable=False),
    Column("previous_hash", String(64), nullable=False),
    Column("hash", String(64), nullable=False, unique=True),
)
Index("ix_journal_subject", journal.c.subject)

journal_pending = Table(
    "journal_pending",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("recorded_at", Timestamp, nullable=False),
    Column("actor", String(200), nullable=False),
    Column("event", String(60), nullable=False),
    Column("party_code", String(3)),
    Column("subject", String(80)),
    Column("body", Text, nullable=False),
)

journal_head = Table(
    "journal_head",
    metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("seq", BigInteger, nullable=False),
    Column("hash", String(64), nullable=False),
)

idempotency_keys = Table(
    "idempotency_keys",
    metadata,
    Column("scope", String(200), primary_key=True),
    Column("key", String(200), primary_key=True),
    Column("request_hash", String(64), nullable=False),
    Column("outcome", Text, nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

approval_policies = Table(
    "approval_policies",
    metadata,
    Column("party_code", String(3), ForeignKey("parties.code"), primary_key=True),
    Column("kind", String(30), primary_key=True),
    Column("four_eyes", Boolean, nullable=False),
)

unit_marks = Table(
    "unit_marks",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("registry_id", String(5), nullable=False),
    Column("serial_first", BigInteger, nullable=False),
    Column("serial_last", BigInteger, nullable=False),
    Column("inconsistency_code", String(8), nullable=False),
    Column("reason", Text, nullable=False),
    Column("source", String(10), nullable=False),
    Column("marked_by", String(200), nullable=False),
    Column("marked_at", Timestamp, nullable=False),
    Column("lifted_by", String(200)),
    Column("lifted_at", Timestamp),
    Column("lift_reason", Text),
    CheckConstraint("serial_first >= 1 AND serial_first <= serial_last", name="range_ordered"),
    CheckConstraint("source IN ('check', 'hub', 'file')", name="source_known"),
)
Index("ix_unit_marks_range", unit_marks.c.registry_id, unit_marks.c.serial_first)

# The identity, reports and interoperability tables share this metadata; importing them here
# lets the migrations' comparison and the tests see every table.
from article6.store import (  # noqa: E402
    checkpoint_schema,  # noqa: F401
    identity_schema,  # noqa: F401
    initial_report_schema,  # noqa: F401
    interop_schema,  # noqa: F401
    notification_schema,  # noqa: F401
    reports_schema,  # noqa: F401
    safeguards_schema,  # noqa: F401
)
