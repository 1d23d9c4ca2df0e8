"""The seed's four scenarios once more in the browser, on PostgreSQL: the same pages over the
other database the registry supports (row locks, constraints and the rehearsal's savepoints)."""

from __future__ import annotations

import pytest
from browser_site import SignedIn, Site
from walk import SCENARIO_WALKS

from article6.demo import world as demo
from article6.services.reads.ledger import verify_registry

pytestmark = [pytest.mark.browser, pytest.mark.postgres, pytest.mark.xdist_group("browser")]


def test_the_four_scenarios_leave_the_holdings_the_seed_expects_on_postgresql(
    postgres_site: Site, as_user_on_postgres: SignedIn
) -> None:
    for code, _title, _run, expected in demo.SCENARIOS:
        SCENARIO_WALKS[code](postgres_site, as_user_on_postgres)
        found = demo.holdings(postgres_site.registry, postgres_site.world)
        assert {name: found[name] for name in expected} == expected, code
        assert sum(found.values()) == demo.ISSUED
    assert verify_registry(postgres_site.registry) == []
