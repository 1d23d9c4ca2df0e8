"""Tables of the interoperability protocol, on the registry's one `metadata`.

Every registry (and the hub) has its identity and peers, an outbox written in the same
transaction as the state change it announces, and an inbox that remembers each message id.
Registries record their transfers with other registries; the hub records the transactions it
coordinated, its register of which registry holds which units, reconciliation runs, and the
administrative requests its operators signed.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from article6.store.schema import Id, Timestamp, metadata

interop_identity = Table(
    "interop_identity",
    metadata,
    Column("registry_id", String(8), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("private_key", Text, nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

interop_peers = Table(
    "interop_peers",
    metadata,
    Column("registry_id", String(8), primary_key=True),
    Column("role", String(20), nullable=False),
    Column("public_key", String(64), nullable=False),
    Column("base_url", String(300), nullable=False),
    Column("issuer_codes", Text, nullable=False),
    # The codes its Party sections number transactions under (the hub's directory only).
    Column("section_codes", Text, nullable=False, server_default="[]"),
    Column("status", String(20), nullable=False),
    Column("added_at", Timestamp, nullable=False),
)

outbox = Table(
    "outbox",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("message_id", String(64), nullable=False, unique=True),
    Column("message_type", String(40), nullable=False),
    Column("to_registry", String(8), nullable=False),
    Column("in_reply_to", String(64)),
    Column("body", Text, nullable=False),
    Column("status", String(20), nullable=False),
    Column("attempts", Integer, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("next_attempt_at", Timestamp, nullable=False),
    Column("expires_at", Timestamp),
    Column("delivered_at", Timestamp),
    Column("last_error", Text),
)
Index("ix_outbox_status", outbox.c.status, outbox.c.next_attempt_at)

inbox = Table(
    "inbox",
    metadata,
    Column("message_id", String(64), primary_key=True),
    Column("from_registry", String(8), nullable=False),
    Column("message_type", String(40), nullable=False),
    Column("sent_at", Timestamp, nullable=False),
    Column("received_at", Timestamp, nullable=False),
    Column("outcome", Text, nullable=False),
)

external_transfers = Table(
    "external_transfers",
    metadata,
    Column("transaction_id", String(40), primary_key=True),
    Column("direction", String(3), nullable=False),
    Column("counterpart_registry", String(8), nullable=False),
    Column("local_account", String(40), nullable=False),
    Column("counterpart_account", String(40), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("status", String(20), nullable=False),
    Column("expires_at", Timestamp, nullable=False),
    Column("proposal", Text, nullable=False),
    Column("local_transaction", String(40)),
    Column("reason", Text),
    Column("created_at", Timestamp, nullable=False),
    Column("updated_at", Timestamp, nullable=False),
    Column("last_query_at", Timestamp),
)
Index("ix_external_transfers_status", external_transfers.c.status)

# Where an external transfer awaiting the Party's approval will go: the proposal is built and
# sent to the hub only when a second person approves (`external_transfers` then records it).
external_requests = Table(
    "external_requests",
    metadata,
    Column("transaction_id", Id, ForeignKey("transactions.id"), primary_key=True),
    Column("acquiring_registry", String(8), nullable=False),
    Column("acquiring_account", String(40), nullable=False),
)

hub_transactions = Table(
    "hub_transactions",
    metadata,
    Column("transaction_id", String(40), primary_key=True),
    Column("transferring_registry", String(8), nullable=False),
    Column("acquiring_registry", String(8), nullable=False),
    Column("status", String(20), nullable=False),
    Column("quantity", BigInteger, nullable=False),
    Column("expires_at", Timestamp, nullable=False),
    Column("proposal", Text, nullable=False),
    Column("evaluation", Text, nullable=False),
    Column("created_at", Timestamp, nullable=False),
    Column("finished_at", Timestamp),
)
Index("ix_hub_transactions_status", hub_transactions.c.status)

hub_unit_locations = Table(
    "hub_unit_locations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("originating_registry", String(8), nullable=False),
    Column("serial_first", BigInteger, nullable=False),
    Column("serial_last", BigInteger, nullable=False),
    Column("registry_id", String(8), nullable=False),
    Column("state", String(20), nullable=False),
    Column("transaction_id", String(40)),
)
Index(
    "ix_hub_unit_locations_serial",
    hub_unit_locations.c.originating_registry,
    hub_unit_locations.c.serial_first,
)

hub_reconciliations = Table(
    "hub_reconciliations",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("reconciliation_id", String(64), nullable=False),
    Column("registry_id", String(8), nullable=False),
    Column("phase", String(20), nullable=False),
    Column("status", String(20), nullable=False),
    Column("discrepancies", Text, nullable=False),
    Column("started_at", Timestamp, nullable=False),
    Column("finished_at", Timestamp),
    UniqueConstraint("reconciliation_id", "registry_id", name="uq_hub_reconciliations_run"),
)

hub_operator_requests = Table(
    "hub_operator_requests",
    metadata,
    Column("nonce", String(64), primary_key=True),
    Column("operator", String(64), nullable=False),
    Column("method", String(10), nullable=False),
    Column("path", String(300), nullable=False),
    Column("signed_at", Timestamp, nullable=False),
    Column("received_at", Timestamp, nullable=False),
)

# Pulls from the Article 6.4 mechanism registry (migration 20261202_0032): a registry keeps
# each query it sent and what became of its answer, verified (the attested answer, kept as the
# cached copy) or refused (the checks that refused it); the hub keeps each query it forwarded,
# so it forwards an answer only to the registry that asked, once.
mechanism_pulls = Table(
    "mechanism_pulls",
    metadata,
    Column("id", Id, primary_key=True, autoincrement=True),
    Column("query_id", String(64), nullable=False, unique=True),
    Column("requesting_registry", String(8), nullable=False),
    Column("party", String(3)),
    Column("query", Text, nullable=False),
    Column("requested_by", String(200), nullable=False),
    Column("requested_at", Timestamp, nullable=False),
    Column("status", String(12), nullable=False),
    Column("answer", Text),
    Column("checks", Text),
    Column("answered_at", Timestamp),
    Column("fetched_at", Timestamp),
    CheckConstraint(
        "status IN ('requested', 'verified', 'refused', 'forwarded', 'answered')",
        name="status_known",
    ),
    Index("ix_mechanism_pulls_party", "party", "id"),
)
