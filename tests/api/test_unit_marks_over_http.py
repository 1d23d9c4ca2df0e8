"""Marks on unit ranges over HTTP: the secretariat marks and lifts, the refused transfer's
problem names C2010 and the consistency check, a mark's bad field names C2011, an
Idempotency-Key replays, and each reader lists the marks it may see."""

from __future__ import annotations

from typing import Any

from http_world import HttpWorld, ok

NDC = "XXA-NDC-2025-001"


def refusals(response: Any, status: int = 422) -> list[tuple[str, str]]:
    assert response.status_code == status, response.text
    return [(c["check"], c["field"]) for c in response.json()["checks"]]


def amo_block(world: HttpWorld) -> dict[str, Any]:
    xxa = world.api["xxa.admin"]
    ok(
        xxa.post(
            "/api/v1/parties/XXA/authorization-links",
            {
                "account": world["XXA Party mo_holding"],
                "authorization_id": NDC,
                "units": {"quantity": 100},
            },
        )
    )
    account = world["XXA Party amo_holding"]
    blocks = ok(xxa.get(f"/api/v1/parties/XXA/blocks?account={account}"), 200)["items"]
    return dict(blocks[0])


def test_a_marked_range_is_refused_over_http_and_moves_once_lifted(world: HttpWorld):
    block = amo_block(world)
    registry_id, first = block["registry"], block["first"]
    secretariat, xxa = world.api["secretariat.admin"], world.api["xxa.admin"]
    body = {
        "registry_id": registry_id,
        "serial_first": first,
        "serial_last": first + 9,
        "inconsistency_code": "IPC01",
        "reason": "XXC reports no acquisition of these units",
        "source": "hub",
    }
    headers = {"Idempotency-Key": "mark-once"}
    mark = ok(secretariat.post("/api/v1/unit-marks", body, headers=headers))
    assert ok(secretariat.post("/api/v1/unit-marks", body, headers=headers)) == mark
    assert (mark["source"], mark["active"], mark["quantity"]) == ("hub", True, 10)

    listed = ok(xxa.get(f"/api/v1/parties/XXA/blocks?account={block['account']}"), 200)["items"]
    shown = [(b["first"], [m["id"] for m in b["marks"]]) for b in listed]
    assert (first, [mark["id"]]) in shown
    assert all(ids == [] for serial, ids in shown if serial != first)

    transfer = {
        "source_account": world["XXA Party amo_holding"],
        "destination_account": world["XXA Green Group A amo_holding"],
        "units": {"ranges": [{"registry": registry_id, "first": first, "last": first + 4}]},
    }
    refused = xxa.post("/api/v1/parties/XXA/transfers", transfer)
    assert refusals(refused) == [("C2010", f"units:{registry_id}-{first}-{first + 4}")]
    detail = refused.json()["checks"][0]["detail"]
    assert f"consistency check IPC01 (mark {mark['id']})" in detail

    lifted = ok(
        secretariat.post(f"/api/v1/unit-marks/{mark['id']}/lift", {"reason": "resolved"}), 200
    )
    assert (lifted["active"], lifted["lift_reason"]) == (False, "resolved")
    assert ok(xxa.post("/api/v1/parties/XXA/transfers", transfer))["status"] == "completed"
    again = secretariat.post(f"/api/v1/unit-marks/{mark['id']}/lift", {"reason": "twice"})
    assert refusals(again) == [("C2011", "mark")]


def test_a_bad_mark_names_its_field_and_check(world: HttpWorld):
    secretariat = world.api["secretariat.admin"]
    body = {
        "registry_id": "XXA01",
        "serial_first": 5,
        "serial_last": 1,
        "inconsistency_code": "IPC01",
        "reason": "r",
    }
    assert refusals(secretariat.post("/api/v1/unit-marks", body)) == [("C2011", "serial_last")]
    wrong = {**body, "serial_last": 9, "inconsistency_code": "XX99", "registry_id": "A6"}
    assert sorted(refusals(secretariat.post("/api/v1/unit-marks", wrong))) == [
        ("C2011", "inconsistency_code"),
        ("C2011", "registry_id"),
    ]
    assert refusals(secretariat.post("/api/v1/unit-marks", {**body, "serial_first": 0})) == [
        ("C2011", "serial_first")
    ]
    # a source outside the list is a value of no controlled list, as everywhere
    assert refusals(secretariat.post("/api/v1/unit-marks", {**body, "source": "rumour"})) == [
        ("C1007", "source")
    ]
    xxa = world.api["xxa.admin"]
    assert refusals(xxa.post("/api/v1/unit-marks", {**body, "serial_last": 9}), 403) == [
        ("C4002", "actor")
    ]


def test_each_reader_lists_the_marks_it_may_see(world: HttpWorld):
    block = amo_block(world)
    secretariat = world.api["secretariat.admin"]
    own = ok(
        secretariat.post(
            "/api/v1/unit-marks",
            {
                "registry_id": block["registry"],
                "serial_first": block["first"],
                "serial_last": block["first"],
                "inconsistency_code": "DR03",
                "reason": "r",
            },
        )
    )
    other = ok(
        secretariat.post(
            "/api/v1/unit-marks",
            {
                "registry_id": "XXB01",
                "serial_first": 1,
                "serial_last": 9,
                "inconsistency_code": "DR03",
                "reason": "r",
            },
        )
    )
    listed = {
        name: [m["id"] for m in ok(world.api[name].get("/api/v1/unit-marks"), 200)]
        for name in ("secretariat.admin", "auditor", "xxa.auditor", "xxc.admin")
    }
    assert listed == {
        "secretariat.admin": [own["id"], other["id"]],
        "auditor": [own["id"], other["id"]],
        "xxa.auditor": [own["id"]],
        "xxc.admin": [],
    }
    page = ok(secretariat.get(f"/api/v1/unit-marks?after={own['id']}&limit=1"), 200)
    assert [m["id"] for m in page] == [other["id"]]
