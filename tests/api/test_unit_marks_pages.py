"""The unit marks on the pages: the secretariat marks and lifts from the marks page (two steps,
CSRF, an idempotency key), the mark shows on the unit's history and on the account's blocks,
a Party's administrator sees it but has no form, and a refused form names the check."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi.testclient import TestClient
from http_world import HttpWorld, ok
from test_users_page import browser_session, form

NDC = "XXA-NDC-2025-001"


def in_section(browser: TestClient, party: str = "XXA") -> TestClient:
    chosen = form(browser, "/section", {"party": party, "next": "/marks"})
    assert chosen.status_code == 303, chosen.text
    return browser


def confirmed(browser: TestClient, path: str, data: dict[str, str]) -> httpx.Response:
    """The form as the page sends it, then Confirm on the page it opens."""
    asked = form(browser, path, data)
    assert asked.status_code == 200, asked.text
    assert "nothing is recorded until you confirm" in asked.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', asked.text)
    assert key
    return form(browser, path, {**data, "step": "confirm", "idempotency_key": key.group(1)})


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


def test_the_secretariat_marks_on_the_page_and_the_mark_shows_where_the_units_are(
    world: HttpWorld,
):
    block = amo_block(world)
    secretariat = in_section(browser_session(world.api, "secretariat.admin"))
    page = secretariat.get("/marks")
    assert page.status_code == 200 and "Mark units" in page.text
    fields = {
        "registry_id": block["registry"],
        "serial_first": str(block["first"]),
        "serial_last": str(block["first"] + 9),
        "inconsistency_code": "DR03",
        "source": "check",
        "reason": "Table 4 and the transfers disagree",
    }
    assert world.api["secretariat.admin"].get("/api/v1/unit-marks").json() == []
    done = confirmed(secretariat, "/marks", fields)
    assert done.status_code == 303
    marks = ok(world.api["secretariat.admin"].get("/api/v1/unit-marks"), 200)
    assert [(m["inconsistency_code"], m["quantity"]) for m in marks] == [("DR03", 10)]
    mark_id = marks[0]["id"]

    admin = in_section(browser_session(world.api, "xxa.admin"))
    listed = admin.get("/marks")
    assert f'data-mark="{mark_id}"' in listed.text
    assert "Mark units" not in listed.text and "/lift" not in listed.text
    history = admin.get(f"/units?q={block['registry']}-{block['first'] + 3}")
    assert history.status_code == 200
    shown = re.search(r'<dd id="unit-marks">(.*?)</dd>', history.text, re.S)
    assert shown and "Marked DR03" in shown.group(1) and f"mark {mark_id}" in shown.group(1)
    account = admin.get(f"/accounts/{world['XXA Party amo_holding']}")
    badge = re.search(r'<span class="badge marked" data-mark="\d+"[^>]*>([^<]*)', account.text)
    assert badge and badge.group(1) == (f"marked DR03: {block['first']}–{block['first'] + 9} (")

    lifted = confirmed(secretariat, f"/marks/{mark_id}/lift", {"reason": "resolved"})
    assert lifted.status_code == 303
    assert ok(world.api["secretariat.admin"].get("/api/v1/unit-marks"), 200)[0]["active"] is False
    after = admin.get(f"/units?q={block['registry']}-{block['first'] + 3}")
    assert "Was marked DR03" in after.text and "resolved" in after.text


def test_a_wrong_mark_is_refused_on_the_page_naming_the_check(world: HttpWorld):
    secretariat = in_section(browser_session(world.api, "secretariat.admin"))
    fields = {
        "registry_id": "XXA01",
        "serial_first": "9",
        "serial_last": "1",
        "inconsistency_code": "DR03",
        "reason": "r",
    }
    refused = form(secretariat, "/marks", fields)
    assert refused.status_code == 422
    assert "C2011" in refused.text and "ends before it starts" in refused.text
    assert world.api["secretariat.admin"].get("/api/v1/unit-marks").json() == []


def test_a_party_administrator_cannot_mark_even_by_posting_the_form(world: HttpWorld):
    admin = in_section(browser_session(world.api, "xxa.admin"))
    fields = {
        "registry_id": "XXA01",
        "serial_first": "1",
        "serial_last": "5",
        "inconsistency_code": "DR03",
        "reason": "r",
        "step": "confirm",
        "idempotency_key": "k",
    }
    refused = form(admin, "/marks", fields)
    assert refused.status_code == 403 and "C4002" in refused.text
    stale = admin.post("/marks", data=fields)
    assert stale.status_code == 403 and "C4011" in stale.text
    assert world.api["secretariat.admin"].get("/api/v1/unit-marks").json() == []
