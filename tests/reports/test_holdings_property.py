"""Property: Table 4 at the end of a year equals, per block attributes, what the Party acquired
minus what it transferred out, used or cancelled that year (Table 3), however units moved
before and after the year end, and whenever the snapshot is taken."""

from __future__ import annotations

import shutil
import uuid
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scenario_world import Clock

from article6.demo.world import SECRETARIAT, XXA_ADMIN, XXC_ADMIN
from article6.domain.accounts import CancellationPurpose
from article6.domain.checks import CommandRefused
from article6.domain.nomenclature import MitigationType, Purpose, Sector
from article6.services import (
    authorizations,
    cooperative_approaches,
    issuance,
    mitigation_activities,
    parties,
    units,
)
from article6.services import commands as c
from article6.services.aef_versions import open_aef
from article6.services.context import Registry
from article6.services.reads import ledger
from article6.store.database import make_engine

SIGN = {
    "Authorization": 1,
    "Acquisition": 1,
    "Transfer": -1,
    "Use": -1,
    "Cancellation": -1,
    "Voluntary Cancellation": -1,
}
OPERATIONS = st.sampled_from(
    ["xxa_first_transfer", "xxa_transfer", "xxa_use", "xxc_transfer", "xxc_use", "xxc_cancel"]
)


def small_registry(path: Path, clock: Clock) -> tuple[Registry, dict[str, str]]:
    registry = Registry(make_engine(f"sqlite:///{path}"), clock)
    for code in ("XXA", "XXC"):
        parties.register_party(
            registry,
            SECRETARIAT,
            c.RegisterParty(code=code, name=code, ndc_first_year=2021, ndc_last_year=2030),
        )
    cooperative_approaches.register_cooperative_approach(
        registry,
        SECRETARIAT,
        c.RegisterCooperativeApproach(id="CA0001", name="A", participating_parties=["XXA", "XXC"]),
    )
    activity = mitigation_activities.record_mitigation_activity(
        registry,
        XXA_ADMIN,
        c.RecordMitigationActivity(
            title="Wind",
            cooperative_approach="CA0001",
            sector=Sector.ENERGY_GENERATION,
            mitigation_type=MitigationType.EMISSION_REDUCTIONS,
        ),
    )
    authorizations.record_authorization(
        registry,
        XXA_ADMIN,
        c.RecordAuthorization(
            authorization_id="XXA-NDC-1",
            date_of_authorization=date(2025, 1, 2),
            cooperative_approach="CA0001",
            sectors=[Sector.ENERGY_GENERATION],
            purposes=Purpose.NDC,
        ),
    )
    accounts: dict[str, str] = {}
    for party, actor in (("XXA", XXA_ADMIN), ("XXC", XXC_ADMIN)):
        for account in ledger.accounts(registry, actor, party):
            accounts[f"{party} {account.kind}"] = account.identifier
    for vintage in (2023, 2024):
        issuance.issue_units(
            registry,
            XXA_ADMIN,
            c.IssueUnits(mitigation_activity=activity.record, vintage=vintage, quantity=300),
        )
    units.link_authorization(
        registry,
        XXA_ADMIN,
        c.LinkAuthorization(
            account=accounts["XXA mo_holding"],
            authorization_id="XXA-NDC-1",
            units=c.UnitSelection(quantity=600),
        ),
    )
    return registry, accounts


def perform(registry: Registry, accounts: dict[str, str], operation: str, quantity: int) -> None:
    units_ = c.UnitSelection(quantity=quantity)
    if operation == "xxa_first_transfer":
        units.transfer_internationally(
            registry,
            XXA_ADMIN,
            c.TransferInternationally(
                source_account=accounts["XXA amo_holding"],
                destination_account=accounts["XXC itmo_holding"],
                units=units_,
            ),
        )
    elif operation in ("xxa_transfer", "xxc_transfer"):
        mine, other = ("XXA", "XXC") if operation == "xxa_transfer" else ("XXC", "XXA")
        units.transfer_internationally(
            registry,
            XXA_ADMIN if mine == "XXA" else XXC_ADMIN,
            c.TransferInternationally(
                source_account=accounts[f"{mine} itmo_holding"],
                destination_account=accounts[f"{other} itmo_holding"],
                units=units_,
            ),
        )
    elif operation in ("xxa_use", "xxc_use"):
        party = operation[:3].upper()
        units.use_towards_ndc(
            registry,
            XXA_ADMIN if party == "XXA" else XXC_ADMIN,
            c.UseTowardsNDC(
                source_account=accounts[f"{party} itmo_holding"], ndc_year=2025, units=units_
            ),
        )
    else:
        units.cancel_units(
            registry,
            XXC_ADMIN,
            c.CancelUnits(
                source_account=accounts["XXC itmo_holding"],
                purpose=CancellationPurpose.VOLUNTARY,
                units=units_,
            ),
        )


def table(registry: Registry, party: str, number: int) -> list[list[object]]:
    actor = XXA_ADMIN if party == "XXA" else XXC_ADMIN
    with open_aef(registry, actor, party, 2025) as document:
        return [list(row) for row in document.tables[number - 1].rows]


@settings(
    max_examples=6,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    steps=st.lists(
        st.tuples(OPERATIONS, st.integers(1, 150), st.booleans()), min_size=1, max_size=8
    )
)
def test_year_end_holdings_are_acquisitions_minus_departures(
    steps: list[tuple[str, int, bool]],
    tmp_path_factory: pytest.TempPathFactory,
    sqlite_template: Path,
) -> None:
    path = tmp_path_factory.mktemp("property") / f"{uuid.uuid4().hex}.db"
    shutil.copy(sqlite_template, path)
    clock = Clock(datetime(2025, 3, 1, tzinfo=UTC))
    registry, accounts = small_registry(path, clock)
    # Steps of 2025 first, then those of 2026 (after the year end, before the snapshot).
    for index, (operation, quantity, next_year) in enumerate(sorted(steps, key=lambda s: s[2])):
        clock.now = datetime(2026 if next_year else 2025, 6, 1, tzinfo=UTC) + timedelta(hours=index)
        try:
            perform(registry, accounts, operation, quantity)
        except CommandRefused:
            continue
    clock.now = datetime(2027, 1, 10, tzinfo=UTC)

    for party in ("XXA", "XXC"):
        expected: Counter[tuple[object, ...]] = Counter()
        for row in table(registry, party, 3):
            sign = SIGN.get(row[1], 0)
            if row[1] == "First transfer":
                # Only a first transfer to another Party moves units out; at use or
                # cancellation the Use or Cancellation row that follows does.
                sign = -1 if row[2] == "First transfer to another Party" else 0
            if sign:
                expected[(row[3], row[4], row[5], row[18])] += sign * int(row[15])
        held: Counter[tuple[object, ...]] = Counter()
        for row in table(registry, party, 4):
            held[(row[0], row[1], row[2], row[15])] += int(row[12])
        assert +expected == held, party
        assert all(value >= 0 for value in expected.values())
    assert ledger.verify_registry(registry) == []
    registry.engine.dispose()
