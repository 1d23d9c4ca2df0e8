"""The consistency checks over the seed's world after its scenarios: this registry's AEFs are
consistent with each other; a submitted version is checked instead of the draft, and an older
one is filed obsolete."""

from __future__ import annotations

import pytest
from scenario_world import Reported

from article6.demo import world as demo
from article6.domain.checks import CommandRefused
from article6.services.aef_consistency import consistency
from article6.services.aef_versions import SubmitAEF, submit_aef


def test_the_seeds_world_is_consistent_across_every_party_section(
    reported_once: Reported,
) -> None:
    result = consistency(reported_once.registry, demo.SECRETARIAT, 2025)
    found = [(i.code, i.message) for c in result.codes for i in c.inconsistencies]
    assert found == []
    assert result.consistent and len(result.codes) == 25
    checked = {(f.party, f.source, f.filing) for f in result.submissions if f.year == 2025}
    assert checked == {
        ("XXA", "this registry (draft)", "consistent"),
        ("XXC", "this registry (draft)", "consistent"),
    }
    earlier = {f.filing for f in result.submissions if f.year < 2025}
    assert earlier == {"reference"}


def test_the_newest_submitted_version_is_checked_and_an_older_one_is_obsolete(
    reported: Reported,
) -> None:
    registry = reported.registry
    for _ in range(2):
        submit_aef(registry, demo.XXC_ADMIN, SubmitAEF(party="XXC", year=2025))
    result = consistency(registry, demo.SECRETARIAT, 2025)
    filed = [(f.party, f.version, f.source, f.filing) for f in result.submissions if f.year == 2025]
    assert filed == [
        ("XXA", "1.0", "this registry (draft)", "consistent"),
        ("XXC", "1.0", "this registry", "obsolete"),
        ("XXC", "1.1", "this registry", "consistent"),
    ]


def test_only_the_secretariat_and_registry_wide_auditors_run_the_checks(
    reported_once: Reported,
) -> None:
    for actor in (demo.XXA_ADMIN, demo.XXC_ADMIN):
        with pytest.raises(CommandRefused) as refused:
            consistency(reported_once.registry, actor, 2025)
        assert refused.value.refusals[0].check.code == "C4006"
