"""The consistency checks over the seed's world after its scenarios: this registry's AEFs are
consistent with each other, and the result fills their CARP fields."""

from __future__ import annotations

from scenario_world import Reported

from article6 import demo
from article6.reports.aef_consistency import Filing, filled_values
from article6.services.aef_consistency import consistency, run_consistency


def test_the_seeds_world_is_consistent_across_every_party_section(
    reported_once: Reported,
) -> None:
    result = consistency(reported_once.registry, demo.SECRETARIAT, 2025)
    found = [
        f"{i.code} {i.message} {[f'{r.party} {r.sheet} {r.row} {r.units}' for r in i.rows]}"
        for c in result.codes
        for i in c.inconsistencies
    ]
    assert found == []
    assert result.consistent
    assert [c.code for c in result.codes][:3] == ["II01", "II02", "II03"]
    checked = {f.party: f.filing for f in result.submissions if f.year == 2025}
    assert checked and set(checked.values()) == {Filing.CONSISTENT.value}
