"""A small registry for the integration tests, and the few observations they share.

Three Parties (XXA, XXC, XXB) in one cooperative approach, an authorized entity on each side,
one mitigation activity of XXA, an NDC and a CORSIA (OIMP, first transfer at use or
cancellation) authorization, 1,000 MOs issued to XXA and some of them linked:

    XXA Party mo_holding   serials    1 -  500  MO
    XXA Party amo_holding  serials  501 -  700  AMO under CORSIA
                           serials  701 - 1000  AMO under NDC
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import pytest
from sqlalchemy import func, select

from article6.demo.world import GREEN_C_ENTITY, GREEN_GROUP_A, SECRETARIAT, XXA_ADMIN, XXC_ADMIN
from article6.domain.access import Actor, Role
from article6.domain.checks import CommandRefused
from article6.domain.filters import BlockFilter
from article6.domain.nomenclature import (
    ActivityType,
    FirstTransferDefinition,
    MitigationType,
    Purpose,
    Sector,
)
from article6.services import (
    authorizations,
    authorized_entities,
    cooperative_approaches,
    issuance,
    mitigation_activities,
    parties,
    units,
)
from article6.services import commands as c
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.services.reads.views import AccountView, BlockView
from article6.services.views import Receipt
from article6.store import account_register, journal
from article6.store.database import unit_of_work
from article6.store.schema import metadata

__all__ = [
    "APPROACH",
    "CORSIA",
    "GREEN_C_ENTITY",
    "GREEN_GROUP_A",
    "NDC",
    "SECRETARIAT",
    "XXA_ADMIN",
    "XXA_AUDITOR",
    "XXA_SECOND_ADMIN",
    "XXA_USER",
    "XXB_ADMIN",
    "XXC_ADMIN",
    "SmallWorld",
    "account_of",
    "block_rows",
    "build_small_world",
    "holdings",
    "journal_count",
    "record_authorization",
    "selection",
    "snapshot",
]

APPROACH = "CA0001"
NDC = "XXA-NDC-1"
CORSIA = "XXA-CORSIA-1"

XXA_SECOND_ADMIN = Actor("xxa.second", Role.ADMINISTRATOR, "XXA")
XXA_USER = Actor("xxa.user", Role.PARTY_USER, "XXA")
XXA_AUDITOR = Actor("xxa.auditor", Role.AUDITOR, "XXA")
XXB_ADMIN = Actor("xxb.admin", Role.ADMINISTRATOR, "XXB")


@dataclass
class SmallWorld:
    """Account identifiers by `<Party> <holder> <kind>`, as in the demo."""

    accounts: dict[str, str] = field(default_factory=dict)
    activity: str = ""

    def __getitem__(self, name: str) -> str:
        return self.accounts[name]


def selection(
    quantity: int | None = None,
    authorization: str | None = None,
    ranges: list[tuple[int, int]] | None = None,
    registry: str = "XXA01",
    vintage: int | None = None,
) -> c.UnitSelection:
    return c.UnitSelection(
        quantity=quantity,
        authorization_id=authorization,
        vintage=vintage,
        ranges=[c.SerialRange(registry=registry, first=f, last=la) for f, la in ranges]
        if ranges is not None
        else None,
    )


def record_authorization(registry: Registry, **fields: Any) -> Receipt:
    """Record (or, for a known ID, change) an authorization of XXA for solar energy."""
    values: dict[str, Any] = {
        "date_of_authorization": date(2025, 4, 1),
        "cooperative_approach": APPROACH,
        "sectors": [Sector.ENERGY_GENERATION],
        "activity_types": [ActivityType.SOLAR],
        **fields,
    }
    return authorizations.record_authorization(registry, XXA_ADMIN, c.RecordAuthorization(**values))


def build_small_world(registry: Registry, issued: int = 1000, link: bool = True) -> SmallWorld:
    for code in ("XXA", "XXC", "XXB"):
        parties.register_party(
            registry,
            SECRETARIAT,
            c.RegisterParty(
                code=code, name=f"Party {code}", ndc_first_year=2021, ndc_last_year=2030
            ),
        )
    cooperative_approaches.register_cooperative_approach(
        registry,
        SECRETARIAT,
        c.RegisterCooperativeApproach(
            id=APPROACH, name="Clean energy", participating_parties=["XXA", "XXC", "XXB"]
        ),
    )
    for actor, name, country in (
        (XXA_ADMIN, "Green Group A", "XXA"),
        (XXC_ADMIN, "Green C Entity", "XXC"),
    ):
        authorized_entities.record_authorized_entity(
            registry,
            actor,
            c.RecordAuthorizedEntity(
                name=name,
                country_of_incorporation=country,
                identification_number=f"{country}-1",
                cooperative_approach=APPROACH,
                date_of_authorization=date(2025, 3, 1),
            ),
        )
    activity = mitigation_activities.record_mitigation_activity(
        registry,
        XXA_ADMIN,
        c.RecordMitigationActivity(
            title="Solar park",
            cooperative_approach=APPROACH,
            sector=Sector.ENERGY_GENERATION,
            activity_type=ActivityType.SOLAR,
            mitigation_type=MitigationType.EMISSION_REDUCTIONS,
        ),
    ).record
    record_authorization(
        registry, authorization_id=NDC, purposes=Purpose.NDC, authorized_parties=["XXC"]
    )
    record_authorization(
        registry,
        authorization_id=CORSIA,
        purposes=Purpose.OIMP,
        oimp_authorized="CORSIA",
        first_transfer_definition=FirstTransferDefinition.USE_OR_CANCELLATION,
    )
    world = SmallWorld(activity=activity)
    for party, actor in (("XXA", XXA_ADMIN), ("XXC", XXC_ADMIN), ("XXB", XXB_ADMIN)):
        for account in ledger.accounts(registry, actor, party):
            holder = "Party" if account.holder == "PARTY" else account.entity_name
            world.accounts[f"{party} {holder} {account.kind}"] = account.identifier
    if issued:
        issuance.issue_units(
            registry,
            XXA_ADMIN,
            c.IssueUnits(mitigation_activity=activity, vintage=2024, quantity=issued),
        )
    if link:
        for authorization, quantity in ((NDC, 300), (CORSIA, 200)):
            units.link_authorization(
                registry,
                XXA_ADMIN,
                c.LinkAuthorization(
                    account=world["XXA Party mo_holding"],
                    authorization_id=authorization,
                    units=selection(quantity),
                ),
            )
    journal.seal(registry.engine)  # a world copied as a template carries no pending entry
    return world


def holdings(registry: Registry, parties: tuple[str, ...] = ("XXA", "XXC", "XXB")) -> dict:
    """Every non-empty account as `<Party> <holder> <kind>` -> (quantity, reserved)."""
    found = {}
    for party in parties:
        for account in ledger.accounts(registry, SECRETARIAT, party):
            if account.quantity or account.reserved:
                holder = "Party" if account.holder == "PARTY" else account.entity_name
                found[f"{party} {holder} {account.kind}"] = (account.quantity, account.reserved)
    return found


def party_of(registry: Registry, identifier: str) -> str:
    """The Party whose section holds the account."""
    with unit_of_work(registry.engine, read_only=True) as connection:
        found = account_register.account(connection, identifier)
    assert found is not None, f"{identifier} is not an account"
    return str(found.party_code)


def account_view(registry: Registry, identifier: str) -> AccountView:
    """The account as its Party's section shows it to the secretariat."""
    return ledger.account(registry, SECRETARIAT, party_of(registry, identifier), identifier)


def blocks_of(registry: Registry, identifier: str, limit: int = 500) -> list[BlockView]:
    """Up to `limit` of the account's blocks, in serial order, as its Party's section shows
    them to the secretariat."""
    only = BlockFilter(account=identifier)
    page = ledger.blocks(registry, SECRETARIAT, party_of(registry, identifier), only, limit=limit)
    return sorted(page.items, key=lambda b: b.first)


def account_of(registry: Registry, identifier: str) -> list[tuple[int, int, str, bool]]:
    """The account's blocks as (first, last, state, reserved)."""
    blocks = blocks_of(registry, identifier)
    return [(b.first, b.last, b.state, b.reserved_by is not None) for b in blocks]


def snapshot(registry: Registry) -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table, order-independent: a refused command must leave this equal.
    The journal is sealed first: the sealer may still be chaining an earlier command's entry."""
    journal.seal(registry.engine)
    with unit_of_work(registry.engine, read_only=True) as connection:
        return {
            table.name: sorted((tuple(row) for row in connection.execute(select(table))), key=repr)
            for table in metadata.sorted_tables
        }


def block_rows(registry: Registry) -> tuple[int, int]:
    """How many rows unit_blocks and transaction_blocks have."""
    from article6.store.schema import transaction_blocks, unit_blocks

    with unit_of_work(registry.engine, read_only=True) as connection:
        return (
            connection.execute(select(func.count()).select_from(unit_blocks)).scalar_one(),
            connection.execute(select(func.count()).select_from(transaction_blocks)).scalar_one(),
        )


def journal_count(registry: Registry) -> int:
    from article6.store.schema import journal as journal_table

    journal.seal(registry.engine)
    with unit_of_work(registry.engine, read_only=True) as connection:
        return int(connection.execute(select(func.count()).select_from(journal_table)).scalar_one())


def refused(registry: Registry, command: Callable[[], Any]) -> list[tuple[str, str]]:
    """Run a command that must be refused; return its (code, field)s. Nothing may change."""
    before = snapshot(registry)
    with pytest.raises(CommandRefused) as raised:
        command()
    assert snapshot(registry) == before
    return [(r.check.code, r.field) for r in raised.value.refusals]
