"""Quantity and serial ranges that disagree move nothing (issue 17, item 3): quantity 500 with
the range 80001-80010 is refused with C1005 naming both fields; when they agree the range
moves. (The web form and its preview: tests/e2e/test_public_and_reports_in_browser.py.)"""

from __future__ import annotations

import pytest
from http_world import Api, HttpWorld, build_world, holdings, ok


@pytest.fixture
def world(api: Api) -> HttpWorld:
    return build_world(api, everyone=False)


def transfer(world: HttpWorld, units: dict[str, object]) -> dict[str, object]:
    return {
        "source_account": world["XXA Party mo_holding"],
        "destination_account": world["XXA Green Group A mo_holding"],
        "units": units,
    }


RANGE = {"registry": "XXA01", "first": 80_001, "last": 80_010}


def test_quantity_500_with_a_range_of_10_units_is_refused_naming_both_fields(world: HttpWorld):
    before = holdings(world.api)
    xxa = world.api["xxa.admin"]
    response = xxa.post(
        "/api/v1/parties/XXA/transfers", transfer(world, {"quantity": 500, "ranges": [RANGE]})
    )
    assert response.status_code == 422, response.text
    checks = response.json()["checks"]
    assert [(c["check"], c["field"]) for c in checks] == [
        ("C1005", "units.quantity"),
        ("C1005", "units.ranges"),
    ]
    assert "(500)" in checks[0]["detail"] and "(10)" in checks[0]["detail"]
    assert holdings(world.api) == before
    assert sum(holdings(world.api).values()) == sum(before.values())


def test_a_quantity_that_agrees_with_its_range_moves_that_range(world: HttpWorld):
    before = holdings(world.api)
    xxa = world.api["xxa.admin"]
    done = ok(
        xxa.post(
            "/api/v1/parties/XXA/transfers", transfer(world, {"quantity": 10, "ranges": [RANGE]})
        )
    )
    moved = done["transaction"]
    assert moved["quantity"] == 10
    assert [(r["first"], r["last"]) for r in moved["ranges"]] == [(80_001, 80_010)]
    after = holdings(world.api)
    assert after["XXA Party mo_holding"] == before["XXA Party mo_holding"] - 10
    assert after["XXA Green Group A mo_holding"] == before["XXA Green Group A mo_holding"] + 10
    assert sum(after.values()) == sum(before.values())
