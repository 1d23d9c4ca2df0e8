"""The pages of issue #17: the confirm page with the code field and what the trusted list says,
and the page of the list, driven as a browser drives them (form posts with the CSRF token).

Every test that moves units asserts conservation; refused confirmations move nothing.
"""

from __future__ import annotations

import html
import re

from fastapi.testclient import TestClient
from http_world import Api, HttpWorld, holdings, ok

from article6.app import create_app
from article6.domain.access import Role
from article6.settings import Settings

NDC = "XXA-NDC-2025-001"
HIDDEN = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def web_client(api: Api, name: str) -> TestClient:
    client = TestClient(create_app(api.registry, Settings()))
    signed = client.post(
        "/sign-in",
        data={"name": name, "password": api.passwords[name], "code": api.code(name)},
        follow_redirects=False,
    )
    assert signed.status_code == 303, signed.text
    return client


def prepare(world: HttpWorld, trusted_only: bool, signed: bool) -> None:
    admin = world.api["xxa.admin"]
    ok(
        admin.post(
            "/api/v1/parties/XXA/authorization-links",
            {
                "account": world["XXA Party mo_holding"],
                "authorization_id": NDC,
                "units": {"quantity": 1_000},
            },
        )
    )
    ok(
        admin.put(
            "/api/v1/parties/XXA/safeguards",
            {"trusted_only": trusted_only, "signed_confirmation": signed},
        ),
        200,
    )


def preview(client: TestClient, world: HttpWorld, quantity: int = 10) -> tuple[str, dict[str, str]]:
    """The confirm page of an international transfer to XXC, and its hidden fields."""
    page = client.post(
        "/actions/international-transfer",
        data={
            "csrf_token": client.cookies.get("article6_csrf"),
            "source_account": world["XXA Party amo_holding"],
            "destination_account": world["XXC Party itmo_holding"],
            "quantity": str(quantity),
            "authorization_filter": NDC,
            "step": "preview",
        },
    )
    assert page.status_code == 200, page.text
    return page.text, {k: html.unescape(v) for k, v in HIDDEN.findall(page.text)}


def test_the_confirm_page_asks_for_a_code_bound_to_what_it_shows(world: HttpWorld):
    api = world.api
    prepare(world, trusted_only=True, signed=True)
    client = web_client(api, "xxa.user")
    page, hidden = preview(client, world)
    assert 'name="second_factor_code"' in page
    assert 'autocomplete="one-time-code"' in page
    assert 'id="confirmation-reference"' in page
    assert len(hidden["action_digest"]) == 64
    assert "is not on XXA" in page  # the trusted list: this transfer waits for approval
    assert "Waits for approval" in page
    before = holdings(api)

    wrong = client.post(
        "/actions/international-transfer",
        data={**hidden, "second_factor_code": "000000", "step": "confirm"},
    )
    assert wrong.status_code == 403
    assert 'id="second_factor_code-error"' in wrong.text and "C4021" in wrong.text
    assert holdings(api) == before

    done = client.post(
        "/actions/international-transfer",
        data={**hidden, "second_factor_code": api.code("xxa.user"), "step": "confirm"},
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    assert holdings(api) == before  # it waits: reserved, not moved
    waiting = ok(
        api["xxa.admin"].get("/api/v1/parties/XXA/transactions?status=awaiting_approval"), 200
    )
    assert [t["quantity"] for t in waiting["items"]] == [10]


def test_a_request_changed_after_the_preview_is_refused_and_moves_nothing(world: HttpWorld):
    api = world.api
    prepare(world, trusted_only=False, signed=True)
    client = web_client(api, "xxa.user")
    _page, hidden = preview(client, world, quantity=10)
    before = holdings(api)
    changed = client.post(
        "/actions/international-transfer",
        data={
            **hidden,
            "quantity": "900",
            "second_factor_code": api.code("xxa.user"),
            "step": "confirm",
        },
    )
    assert changed.status_code == 409
    assert "C4022" in changed.text
    assert holdings(api) == before
    # The preview as shown, confirmed with the next code, completes.
    done = client.post(
        "/actions/international-transfer",
        data={**hidden, "second_factor_code": api.code("xxa.user"), "step": "confirm"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    after = holdings(api)
    assert after["XXC Party itmo_holding"] == before["XXC Party itmo_holding"] + 10
    assert sum(after.values()) == sum(before.values())


def test_without_safeguards_the_confirm_page_is_as_before(world: HttpWorld):
    prepare(world, trusted_only=False, signed=False)
    client = web_client(world.api, "xxa.user")
    page, hidden = preview(client, world)
    assert "second_factor_code" not in page
    assert "action_digest" not in hidden
    assert 'id="preview-trust"' not in page


def test_the_list_page_is_kept_by_the_partys_administrators_only(world: HttpWorld):
    api = world.api
    account = world["XXC Party itmo_holding"]
    admin = web_client(api, "xxa.admin")
    shown = admin.get("/trusted-destinations")
    assert shown.status_code == 200 and 'id="no-trusted"' in shown.text
    added = admin.post(
        "/trusted-destinations",
        data={
            "csrf_token": admin.cookies.get("article6_csrf"),
            "change": "add",
            "account": account,
        },
    )
    assert added.status_code == 200 and 'id="done"' in added.text
    assert f'data-account="{account}"' in added.text
    assert 'data-effective="false"' in added.text  # the registry's delay has not passed

    user = web_client(api, "xxa.user")
    seen = user.get("/trusted-destinations").text
    assert f'data-account="{account}"' in seen and 'name="change"' not in seen
    removal = user.post(
        "/trusted-destinations",
        data={
            "csrf_token": user.cookies.get("article6_csrf"),
            "change": "remove",
            "account": account,
        },
    )
    assert removal.status_code == 403 and "C4020" in removal.text
    switched = user.post(
        "/trusted-destinations",
        data={"csrf_token": user.cookies.get("article6_csrf"), "change": "set"},
    )
    assert switched.status_code == 403
    assert [
        d["account"]
        for d in ok(api["xxa.admin"].get("/api/v1/parties/XXA/safeguards"), 200)["destinations"]
    ] == [account]


def test_an_approval_on_the_page_needs_the_code_too(world: HttpWorld):
    api = world.api
    api.add_user("secretariat.admin", "xxa.second", Role.ADMINISTRATOR, "XXA")
    prepare(world, trusted_only=True, signed=False)
    asked = ok(
        api["xxa.user"].post(
            "/api/v1/parties/XXA/international-transfers",
            {
                "source_account": world["XXA Party amo_holding"],
                "destination_account": world["XXC Party itmo_holding"],
                "units": {"quantity": 7, "authorization_id": NDC},
            },
        )
    )
    ok(
        api["xxa.admin"].put(
            "/api/v1/parties/XXA/safeguards", {"trusted_only": True, "signed_confirmation": True}
        ),
        200,
    )
    before = holdings(api)
    second = web_client(api, "xxa.second")
    inbox = second.get("/approvals").text
    assert f'id="code-{asked["record"]}"' in inbox
    csrf = second.cookies.get("article6_csrf")
    refused = second.post(f"/approvals/{asked['record']}/approve", data={"csrf_token": csrf})
    assert refused.status_code == 403 and "C4021" in refused.text
    assert holdings(api) == before
    wrong = second.post(
        f"/approvals/{asked['record']}/approve",
        data={"csrf_token": csrf, "second_factor_code": "000000"},
        follow_redirects=False,
    )
    # back on the Approvals page, the refusal in words beside this request's code field
    assert wrong.status_code == 403
    assert "<h1>Approvals</h1>" in wrong.text
    beside = re.search(
        rf'<p class="field-error" id="code-{asked["record"]}-error">(.*?)</p>', wrong.text, re.S
    )
    assert beside and "C4021" in beside.group(1) and "current second-factor code" in beside.group(1)
    assert f'aria-describedby="code-{asked["record"]}-hint code-{asked["record"]}-error"' in (
        wrong.text
    )
    assert "Traceback" not in wrong.text and "Input should" not in wrong.text
    assert holdings(api) == before
    waiting = ok(api["xxa.admin"].get("/api/v1/parties/XXA/transactions/" + asked["record"]), 200)
    assert waiting["status"] == "awaiting_approval"
    api.clock.advance()  # a fresh code for the second administrator
    approved = second.post(
        f"/approvals/{asked['record']}/approve",
        data={"csrf_token": csrf, "second_factor_code": api.code("xxa.second")},
        follow_redirects=False,
    )
    assert approved.status_code == 303, approved.text
    after = holdings(api)
    assert after["XXC Party itmo_holding"] == before["XXC Party itmo_holding"] + 7
    assert sum(after.values()) == sum(before.values())
