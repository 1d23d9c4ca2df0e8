"""Who may read a Party's reports, and the Party they are about.

Access goes through `permits` like every other service. The AEF is the Party's: its
administrators, users and auditors (and the secretariat) read it, an entity's representative
does not; only administrators submit it. The public report needs no actor at all.
"""

from __future__ import annotations

from sqlalchemy import Connection

from article6.domain.access import Actor, Permission
from article6.domain.checks import Check, refuse
from article6.domain.wording import words
from article6.services.access import allow
from article6.store import reports
from article6.store.sections import PartyWithSection


def allow_aef_reader(actor: Actor, party: str) -> None:
    """Refuse anyone who may not read the Party's AEF, its snapshots and its submissions."""
    allow(actor, Permission.READ, party)
    if actor.entity is not None:
        raise refuse(Check.C4002, "actor", words("the AEF is the Party's; entities do not read it"))


def reporting_party(connection: Connection, code: str) -> PartyWithSection:
    """The Party a report is about, which must be one of this registry's."""
    row = reports.party(connection, code)
    if row is None:
        raise refuse(
            Check.C1001, "party", words("{code} is not a Party of this registry", code=code)
        )
    return row
