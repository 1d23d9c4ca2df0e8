"""The consistency checks over the integration tests' small world, on SQLite and PostgreSQL:
XXA first transfers NDC units to XXC, XXC uses some towards its NDC, XXA cancels CORSIA units
for CORSIA (their first transfer at cancellation), first transfers OIMP units at authorization
and at issuance and transfers some of them on to XXC. Every Party section's AEF of the year
passes every code."""

from __future__ import annotations

from small_world import CORSIA, NDC, SmallWorld, selection
from test_actions import cancel, international, link, oimp, use

from article6.demo.world import SECRETARIAT, XXA_ADMIN
from article6.domain.nomenclature import FirstTransferDefinition
from article6.services import commands as c
from article6.services import issuance
from article6.services.aef_consistency import consistency
from article6.services.context import Registry


def test_the_small_worlds_year_is_consistent(registry: Registry, world: SmallWorld) -> None:
    international(registry, world, selection(100, NDC))
    use(registry, world, 40, registry.now().year)
    cancel(registry, world, selection(30, CORSIA))
    oimp(registry, "XXA-OIMP-AUTH", FirstTransferDefinition.AUTHORISATION, authorized_parties=[])
    link(registry, world, "XXA-OIMP-AUTH", 100)
    international(registry, world, selection(40, "XXA-OIMP-AUTH"), source="XXA Party itmo_holding")
    oimp(registry, "XXA-OIMP-ISS", FirstTransferDefinition.ISSUANCE)
    issuance.issue_units(
        registry,
        XXA_ADMIN,
        c.IssueUnits(
            mitigation_activity=world.activity,
            vintage=2024,
            quantity=250,
            authorization_id="XXA-OIMP-ISS",
        ),
    )
    result = consistency(registry, SECRETARIAT, registry.now().year)
    found = [(i.code, i.message) for code in result.codes for i in code.inconsistencies]
    assert found == []
    filed = {(f.party, f.filing) for f in result.submissions if f.year == result.year}
    assert filed == {("XXA", "consistent"), ("XXC", "consistent"), ("XXB", "consistent")}
