"""The seed's four scenarios (1a, 2a, 1b, 2b) driven purely over HTTP by the users who play
them, with holdings read back from the API after each, on SQLite and PostgreSQL."""

from __future__ import annotations

from http_world import HttpWorld, holdings, ok

from article6.demo import world as demo

CORSIA, NDC = demo.CORSIA_AUTHORIZATION, demo.NDC_AUTHORIZATION


def units(quantity: int, authorization: str | None = None) -> dict[str, object]:
    selection: dict[str, object] = {"quantity": quantity}
    if authorization:
        selection["authorization_id"] = authorization
    return selection


def scenario_1a(w: HttpWorld) -> None:
    xxa = w.api["xxa.admin"]
    ok(
        xxa.post(
            "/api/v1/parties/XXA/authorization-links",
            {
                "account": w["XXA Party mo_holding"],
                "authorization_id": CORSIA,
                "units": units(20_000),
            },
        )
    )
    cancelled = ok(
        xxa.post(
            "/api/v1/parties/XXA/cancellations",
            {
                "source_account": w["XXA Party amo_holding"],
                "purpose": "IMP",
                "purpose_text": "CORSIA",
                "units": units(10_000, CORSIA),
            },
        )
    )
    assert cancelled["transaction"]["first_transfer"] is True


def scenario_2a(w: HttpWorld) -> None:
    xxa = w.api["xxa.admin"]
    ok(
        xxa.post(
            "/api/v1/parties/XXA/authorization-links",
            {"account": w["XXA Party mo_holding"], "authorization_id": NDC, "units": units(30_000)},
        )
    )
    transfer = ok(
        xxa.post(
            "/api/v1/parties/XXA/international-transfers",
            {
                "source_account": w["XXA Party amo_holding"],
                "destination_account": w["XXC Party itmo_holding"],
                "units": units(20_000, NDC),
            },
        )
    )
    assert transfer["transaction"]["first_transfer"] is True
    arrived = w.api["xxc.admin"].get(f"/api/v1/parties/XXC/transactions/{transfer['record']}")
    assert ok(arrived, 200)["acquiring_party"] == "XXC"


def scenario_1b(w: HttpWorld) -> None:
    xxa, green = w.api["xxa.admin"], w.api["green.group.a"]
    ok(
        xxa.post(
            "/api/v1/parties/XXA/transfers",
            {
                "source_account": w["XXA Party amo_holding"],
                "destination_account": w["XXA Green Group A amo_holding"],
                "units": units(5_000, CORSIA),
            },
        )
    )
    request = ok(
        green.post(
            "/api/v1/parties/XXA/cancellations",
            {
                "source_account": w["XXA Green Group A amo_holding"],
                "purpose": "IMP",
                "purpose_text": "CORSIA",
                "units": units(5_000),
            },
        )
    )
    assert request["status"] == "awaiting_approval"
    pending = ok(green.get("/api/v1/parties/XXA/transactions?status=awaiting_approval"), 200)
    assert [t["identifier"] for t in pending["items"]] == [request["record"]]
    approved = ok(xxa.post(f"/api/v1/parties/XXA/transactions/{request['record']}/approval"), 200)
    assert approved["status"] == "completed"


def scenario_2b(w: HttpWorld) -> None:
    xxa, xxc = w.api["xxa.admin"], w.api["xxc.admin"]
    green_a, green_c = w.api["green.group.a"], w.api["green.c.entity"]
    ok(
        xxa.post(
            "/api/v1/parties/XXA/transfers",
            {
                "source_account": w["XXA Party amo_holding"],
                "destination_account": w["XXA Green Group A amo_holding"],
                "units": units(8_000, NDC),
            },
        )
    )
    request = ok(
        green_a.post(
            "/api/v1/parties/XXA/international-transfers",
            {
                "source_account": w["XXA Green Group A amo_holding"],
                "destination_account": w["XXC Green C Entity itmo_holding"],
                "units": units(8_000),
            },
        )
    )
    ok(xxa.post(f"/api/v1/parties/XXA/transactions/{request['record']}/approval"), 200)
    handover = ok(
        green_c.post(
            "/api/v1/parties/XXC/transfers",
            {
                "source_account": w["XXC Green C Entity itmo_holding"],
                "destination_account": w["XXC Party itmo_holding"],
                "units": units(3_000),
            },
        )
    )
    ok(xxc.post(f"/api/v1/parties/XXC/transactions/{handover['record']}/approval"), 200)
    ok(
        xxc.post(
            "/api/v1/parties/XXC/uses",
            {
                "source_account": w["XXC Party itmo_holding"],
                "ndc_year": 2025,
                "units": units(3_000),
            },
        )
    )


STEPS = {"1a": scenario_1a, "2a": scenario_2a, "1b": scenario_1b, "2b": scenario_2b}


def test_the_four_scenarios_over_http_leave_the_expected_holdings(world: HttpWorld):
    auditor = world.api["auditor"]
    for code, _title, _run, expected in demo.SCENARIOS:
        STEPS[code](world)
        found = holdings(world.api)
        assert {name: found.get(name) for name in expected} == expected, code
        assert ok(auditor.get("/api/v1/verification"), 200) == {"sound": True, "problems": []}
    assert sum(found.values()) == demo.ISSUED
