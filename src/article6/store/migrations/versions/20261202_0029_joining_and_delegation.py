"""Joining and delegation: a Party's request to join, enrolment links, an entity's application
with its documents, the action kinds a Party delegates to the secretariat (and the transactions
done under them), and a section's status.

Revision ID: 20261202_0029
Revises: 20261202_0025
Create Date: 2026-12-02

Every existing section stays open; no action is delegated, so from here on the secretariat acts
in a Party's section only once that Party delegates.
"""

import sqlalchemy as sa
from alembic import op

revision = "20261202_0029"
down_revision = "20261202_0027"
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.add_column(
        "party_sections",
        sa.Column("status", sa.String(length=10), nullable=False, server_default="open"),
    )
    op.create_table(
        "joining_requests",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("party_code", sa.String(length=3), nullable=False),
        sa.Column("party_name", sa.String(length=200), nullable=False),
        sa.Column("ndc_first_year", sa.Integer(), nullable=False),
        sa.Column("ndc_last_year", sa.Integer(), nullable=False),
        sa.Column("focal_point_name", sa.String(length=200), nullable=False),
        sa.Column("focal_point_email", sa.String(length=254), nullable=False),
        sa.Column("administrators", sa.Text(), nullable=False),
        sa.Column("terms_version", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("submitted_at", WHEN, nullable=False),
        sa.Column("reviewed_by", sa.String(length=200), nullable=True),
        sa.Column("reviewed_at", WHEN, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'opened', 'declined')",
            name=op.f("ck_joining_requests_status_known"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_joining_requests")),
    )
    op.create_table(
        "enrolment_links",
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("user_name", sa.String(length=80), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("expires_at", WHEN, nullable=False),
        sa.Column("used_at", WHEN, nullable=True),
        sa.PrimaryKeyConstraint("token_hash", name=op.f("pk_enrolment_links")),
    )
    op.create_table(
        "delegations",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("party_code", sa.String(length=3), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("delegated_by", sa.String(length=200), nullable=False),
        sa.Column("delegated_at", WHEN, nullable=False),
        sa.Column("revoked_by", sa.String(length=200), nullable=True),
        sa.Column("revoked_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["party_code"], ["parties.code"], name=op.f("fk_delegations_party_code_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_delegations")),
    )
    op.create_index("ix_delegations_party_code", "delegations", ["party_code", "kind"])
    op.create_table(
        "delegated_transactions",
        sa.Column("transaction", sa.String(length=40), nullable=False),
        sa.Column("delegation_id", ID, nullable=False),
        sa.ForeignKeyConstraint(
            ["delegation_id"],
            ["delegations.id"],
            name=op.f("fk_delegated_transactions_delegation_id_delegations"),
        ),
        sa.PrimaryKeyConstraint("transaction", name=op.f("pk_delegated_transactions")),
    )
    op.create_table(
        "entity_applications",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("party_code", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("country_of_incorporation", sa.String(length=3), nullable=False),
        sa.Column("identification_number", sa.String(length=100), nullable=False),
        sa.Column("cooperative_approach", sa.String(length=6), nullable=False),
        sa.Column("contact_email", sa.String(length=254), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("submitted_at", WHEN, nullable=False),
        sa.Column("reviewed_by", sa.String(length=200), nullable=True),
        sa.Column("reviewed_at", WHEN, nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("entity", sa.String(length=20), nullable=True),
        sa.CheckConstraint(
            "status IN ('pending', 'approved', 'declined')",
            name=op.f("ck_entity_applications_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["party_code"], ["parties.code"], name=op.f("fk_entity_applications_party_code_parties")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_applications")),
    )
    op.create_table(
        "entity_documents",
        sa.Column("id", ID, autoincrement=True, nullable=False),
        sa.Column("application_id", ID, nullable=False),
        sa.Column("file_name", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["application_id"],
            ["entity_applications.id"],
            name=op.f("fk_entity_documents_application_id_entity_applications"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_entity_documents")),
    )


def downgrade() -> None:
    op.drop_table("entity_documents")
    op.drop_table("entity_applications")
    op.drop_table("delegated_transactions")
    op.drop_index("ix_delegations_party_code", table_name="delegations")
    op.drop_table("delegations")
    op.drop_table("enrolment_links")
    op.drop_table("joining_requests")
    with op.batch_alter_table("party_sections") as batch:
        batch.drop_column("status")
