"""What the administration pages read: a section's approval policies with the people who may
approve, and the secretariat's overview across sections (holdings by Party and state, requests
waiting, the reconciliation hold, users). Reads only; the commands they lead to are the
services' own (`parties.set_approval_policy`, `user_status`, `accounts`, ...)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime

from pydantic import BaseModel

from article6.domain.access import Actor, Permission, Role
from article6.domain.checks import Check, refuse
from article6.domain.filters import TransactionFilter
from article6.domain.transactions import TransactionKind, TransactionStatus
from article6.domain.wording import words
from article6.services import directory, identity
from article6.services.access import allow
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.services.views import UtcDateTime
from article6.store import approval_policies, reconciliation, sections
from article6.store import identity as identity_store
from article6.store.database import unit_of_work

POLICY_KINDS = (
    TransactionKind.INTERNAL_TRANSFER,
    TransactionKind.INTERNATIONAL_TRANSFER,
    TransactionKind.EXTERNAL_TRANSFER,
    TransactionKind.USE,
    TransactionKind.CANCELLATION,
)
"""The kinds of movement a Party user asks for, each of which may wait for a second person."""


class PolicyView(BaseModel):
    kind: TransactionKind
    four_eyes: bool


class SectionPolicies(BaseModel):
    party: str
    approvers: list[str]
    policies: list[PolicyView]


def section_policies(registry: Registry, actor: Actor, party: str) -> SectionPolicies:
    """The section's four-eyes choice per kind, and who may approve (C4017 needs two)."""
    allow(actor, Permission.ADMINISTER, party)
    with unit_of_work(registry.engine, read_only=True) as connection:
        return SectionPolicies(
            party=party,
            approvers=identity_store.approvers_in(connection, party),
            policies=[
                PolicyView(
                    kind=kind,
                    four_eyes=approval_policies.four_eyes(connection, party, kind.value),
                )
                for kind in POLICY_KINDS
            ],
        )


class SectionSummary(BaseModel):
    party: str
    name: str
    registry_id: str
    held: dict[str, int]
    waiting: int
    users: int
    disabled_users: int
    on_hold: str | None
    status: str = "open"


class Overview(BaseModel):
    sections: list[SectionSummary]
    hold: str | None
    hold_until: UtcDateTime | None


def overview(registry: Registry, actor: Actor, now: datetime) -> Overview:
    """Every section at a glance, for the secretariat only (C4002)."""
    if actor.role is not Role.SECRETARIAT:
        raise refuse(Check.C4002, "actor", words("only the secretariat sees every section at once"))
    waiting = TransactionFilter(status=TransactionStatus.AWAITING_APPROVAL)
    people = identity.list_users(registry, actor, None)
    summaries = []
    for party in directory.parties_list(registry, actor):
        if party.registry_id is None:
            continue
        held: dict[str, int] = defaultdict(int)
        for h in ledger.holdings(registry, actor, party.code):
            held[h.state] += h.quantity
        pending = ledger.transactions(registry, actor, party.code, waiting, limit=500).items
        members = [u for u in people if any(g.party == party.code for g in u.grants)]
        with unit_of_work(registry.engine, read_only=True) as connection:
            hold = reconciliation.section_hold(connection, party.code)
            section = sections.section(connection, party.code)
        summaries.append(
            SectionSummary(
                party=party.code,
                name=party.name,
                registry_id=party.registry_id,
                held=dict(held),
                waiting=sum(1 for t in pending if t.party == party.code),
                users=len(members),
                disabled_users=sum(1 for u in members if u.disabled),
                on_hold=hold.reconciliation_id if hold and hold.in_force(now) else None,
                status=section.status if section else "open",
            )
        )
    with unit_of_work(registry.engine, read_only=True) as connection:
        current = reconciliation.in_force(connection, now)
    return Overview(
        sections=summaries,
        hold=current.reconciliation_id if current else None,
        hold_until=current.until_utc if current else None,
    )
