"""The consistency checks over the integration tests' small world, on SQLite and PostgreSQL:
XXA first transfers NDC units to XXC, XXC uses some towards its NDC, XXA cancels CORSIA units
for CORSIA (their first transfer at cancellation). Every Party section's AEF of the year
passes every code."""

from __future__ import annotations

from small_world import CORSIA, NDC, SmallWorld, selection
from test_actions import cancel, international, use

from article6.demo import SECRETARIAT
from article6.services.aef_consistency import consistency
from article6.services.context import Registry


def test_the_small_worlds_year_is_consistent(registry: Registry, world: SmallWorld) -> None:
    international(registry, world, selection(100, NDC))
    use(registry, world, 40, registry.now().year)
    cancel(registry, world, selection(30, CORSIA))
    result = consistency(registry, SECRETARIAT, registry.now().year)
    found = [(i.code, i.message) for c in result.codes for i in c.inconsistencies]
    assert found == []
    filed = {(f.party, f.filing) for f in result.submissions if f.year == result.year}
    assert filed == {("XXA", "consistent"), ("XXC", "consistent"), ("XXB", "consistent")}
