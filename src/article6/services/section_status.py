"""Suspending, reopening and closing a Party's section (the secretariat's, as it opened it).

A suspended section keeps its holdings but no units leave it and it records no new transaction
(C4026, checked where a transaction is numbered and where one waiting is approved); units sent
to it from elsewhere are still credited, so nothing in flight is lost. A closed section does
nothing; it is closed only when its holding accounts hold no units, so closing never strands or
destroys units. Each change is one journal entry."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import Connection

from article6.domain.access import Actor, Permission
from article6.domain.checks import Check, refuse
from article6.domain.wording import words
from article6.services.access import allow, section_of
from article6.services.context import Registry, execute
from article6.services.journal import log
from article6.services.views import Receipt
from article6.store import sections
from article6.store.database import unit_of_work


class SectionStatusChange(BaseModel):
    """A section's new status and why."""

    party: str = Field(pattern="^[A-Z]{3}$")
    status: Literal["open", "suspended", "closed"]
    reason: str = Field(min_length=1, max_length=2000)


class SectionStanding(BaseModel):
    """What the confirm page shows before a change: the section's status now and the units its
    holding accounts hold (closing is refused while any are held)."""

    party: str
    status: str
    held: int


def standing(registry: Registry, actor: Actor, party: str) -> SectionStanding:
    """The section's status and holdings, for the secretariat that changes it (C4002)."""
    allow(actor, Permission.REGISTRY_SETUP, None)
    with unit_of_work(registry.engine, read_only=True) as connection:
        section = section_of(connection, actor, party)
        held = sections.units_held(connection, section.party_code)
    return SectionStanding(party=section.party_code, status=section.status, held=held)


def change_section_status(
    registry: Registry,
    actor: Actor,
    command: SectionStatusChange,
    idempotency_key: str | None = None,
) -> Receipt:
    allow(actor, Permission.REGISTRY_SETUP, None)

    def handle(connection: Connection, registry: Registry, actor: Actor) -> Receipt:
        section = section_of(connection, actor, command.party, lock=True)
        party = section.party_code
        if section.status == "closed":
            raise refuse(
                Check.C4026, "status", words("{party}'s section is closed for good", party=party)
            )
        if command.status == "closed":
            held = sections.units_held(connection, party)
            if held:
                raise refuse(
                    Check.C4026,
                    "status",
                    words(
                        "{party}'s section still holds {held:,} units: they are transferred, "
                        "used or cancelled before it closes",
                        party=party,
                        held=held,
                    ),
                )
        sections.set_status(connection, party, command.status)
        log(
            connection,
            registry,
            actor,
            "SectionStatusChanged",
            party,
            party,
            {"from": section.status, "to": command.status, "reason": command.reason},
        )
        return Receipt(command="ChangeSectionStatus", record=party, status=command.status)

    return execute(registry, actor, command, handle, Receipt, idempotency_key)
