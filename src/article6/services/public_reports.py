"""The public report of a Party: what anyone may read without signing in."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel

from article6.domain.wording import words
from article6.services.checkpoints import CheckpointView, latest_checkpoint
from article6.services.context import Registry
from article6.services.report_access import reporting_party
from article6.services.views import UtcDateTime
from article6.store import party_directory, public_ledger, replication, reports

NO_ENDORSEMENT = words(
    "the registry services referred to in paragraph 50 above do not constitute an endorsement "
    "by the secretariat or by Parties to the Paris Agreement of the quality of any mitigation "
    "outcomes involved, including with respect to the environmental integrity of those "
    "mitigation outcomes"
)
"""What the CMA's decision on the international registry (paragraph 52) clarifies, quoted as
the secretariat's MVP presentation of 14 May 2026 quotes it: every public page carries it. The
pages quote the English and, in another language, give our translation marked as unofficial:
the repository's sources hold no official translation of the decision."""


class PublicAuthorization(BaseModel):
    authorization_id: str
    version: int
    date_of_authorization: date
    cooperative_approach: str
    purposes: str
    authorized_quantity: int | None
    oimp_authorized: str | None
    first_transfer_definition: str | None
    authorized_parties: list[str]
    timeframe: str | None
    revoked: bool


class PublicFirstTransfer(BaseModel):
    transaction: str
    date: UtcDateTime
    cooperative_approach: str
    authorization_id: str | None
    vintage: int
    subtype: str
    acquiring_party: str | None
    quantity: int


class PublicHolding(BaseModel):
    cooperative_approach: str
    vintage: int
    held: int = 0
    used: int = 0
    cancelled: int = 0


class PublicParty(BaseModel):
    """A Party with a section in this registry, as anyone may see it: its public report's
    subject."""

    code: str
    name: str
    registry_id: str


class PublicReport(BaseModel):
    party: str
    name: str
    generated_at: UtcDateTime
    authorizations: list[PublicAuthorization]
    first_transfers: list[PublicFirstTransfer]
    holdings: list[PublicHolding]
    # The registry's latest signed journal head: whoever keeps a copy can later check that the
    # registry's history still passes through it.
    checkpoint: CheckpointView | None = None
    replica_lag_seconds: float | None = None
    """Read from a replica this many seconds behind the registry's database (None: read from
    the database itself)."""


def public_report(registry: Registry, party: str) -> PublicReport:
    """What anyone may read about a Party, without signing in: its authorizations, its first
    transfers and its ITMO totals per cooperative approach and vintage. No accounts, no
    entities, nothing an entity holds."""
    with reports.reading(registry.read_engine) as connection:
        lag = replication.replay_lag(connection)
        row = reporting_party(connection, party)
        authorizations = [
            PublicAuthorization(
                authorization_id=a.authorization_id,
                version=a.version,
                date_of_authorization=a.date_of_authorization,
                cooperative_approach=a.cooperative_approach_id,
                purposes=a.purposes,
                authorized_quantity=a.authorized_quantity,
                oimp_authorized=a.oimp_authorized,
                first_transfer_definition=a.first_transfer_definition,
                authorized_parties=list(a.authorized_parties),
                timeframe=f"{a.timeframe_first} - {a.timeframe_last}"
                if a.timeframe_first is not None
                else None,
                revoked=a.revoked,
            )
            for a in public_ledger.current_authorizations(connection, party)
        ]
        first_transfers = [
            PublicFirstTransfer(
                transaction=f.identifier,
                date=f.finished_at,
                cooperative_approach=f.cooperative_approach_id,
                authorization_id=f.authorization_id,
                vintage=f.vintage,
                subtype=f.first_transfer_subtype,
                acquiring_party=f.acquiring_party,
                quantity=f.quantity,
            )
            for f in public_ledger.first_transfer_summary(connection, party)
        ]
        totals: dict[tuple[str, int], PublicHolding] = {}
        for h in public_ledger.holdings_totals(connection, party):
            column = {"ITMO": "held", "used": "used", "cancelled": "cancelled"}.get(h.state)
            if column is None:
                continue
            key = (h.cooperative_approach_id, h.vintage)
            entry = totals.setdefault(
                key, PublicHolding(cooperative_approach=key[0], vintage=key[1])
            )
            setattr(entry, column, getattr(entry, column) + h.quantity)
    return PublicReport(
        party=party,
        name=row.name,
        generated_at=registry.now(),
        authorizations=authorizations,
        first_transfers=first_transfers,
        holdings=[totals[k] for k in sorted(totals)],
        checkpoint=latest_checkpoint(registry),
        replica_lag_seconds=lag,
    )


def public_parties(registry: Registry) -> list[PublicParty]:
    """The Parties with a section in this registry, by code: whose public reports exist. A Party
    only registered (no section yet) has nothing in the registry to report."""
    with reports.reading(registry.read_engine) as connection:
        rows = party_directory.parties_with_sections(connection)
    return [
        PublicParty(code=r.code, name=r.name, registry_id=r.registry_id)
        for r in rows
        if r.registry_id is not None
    ]
