"""The administration pages, from the administrator's side and the attacker's: a Party Section
Administrator adds a user, grants and revokes roles, disables and enables, records and
suspends an entity, blocks and closes accounts and sets four eyes, all in their own section;
another section's users are out of reach (C4006), an entity's representative or a Party user
is refused every administration page (C4002), four eyes with one approver is refused naming
the field (C4017), and the secretariat alone sees every section at once."""

from __future__ import annotations

import re

import httpx
import pytest
from fastapi.testclient import TestClient
from http_world import Api, HttpWorld, build_world, holdings
from sqlalchemy import delete, select
from test_who_acts import GREEN_AMO, give_green_group_a

from article6.domain.access import Role
from article6.store import schema
from article6.store.database import unit_of_work


@pytest.fixture
def sections(api: Api) -> HttpWorld:
    world = build_world(api, everyone=False)
    api.add_user("xxa.admin", "xxa.user", Role.PARTY_USER, "XXA")
    api.add_user("xxa.admin", "green.group.a", Role.ENTITY, "XXA", "XXA-E0001")
    api.add_user("xxc.admin", "xxc.user", Role.PARTY_USER, "XXC")
    return world


def browser_session(api: Api, name: str) -> TestClient:
    browser = TestClient(api.client.app, follow_redirects=False)
    signed = browser.post(
        "/sign-in",
        data={"name": name, "password": api.passwords[name], "code": api.code(name)},
    )
    assert signed.status_code == 303, signed.text
    return browser


def form(browser: TestClient, path: str, data: dict[str, str] | None = None) -> httpx.Response:
    csrf = browser.cookies.get("article6_csrf")
    assert csrf
    return browser.post(path, data={**(data or {}), "csrf_token": csrf})


def confirmed(browser: TestClient, user: str, action: str) -> httpx.Response:
    asked = form(browser, f"/users/{user}/{action}")
    assert asked.status_code == 200, asked.text
    key = re.search(r'name="idempotency_key" value="([^"]+)"', asked.text)
    assert key
    return form(
        browser, f"/users/{user}/{action}", {"step": "confirm", "idempotency_key": key.group(1)}
    )


def listed(page: httpx.Response) -> set[str]:
    return set(re.findall(r'<tr data-user="([^"]+)"', page.text))


ADMIN_PAGES = (
    "/admin",
    "/admin/entities",
    "/admin/entities/XXA-E0001",
    "/admin/accounts",
    "/admin/approval-policies",
    "/admin/overview",
    "/users/new",
    "/users/xxa.user/roles",
)


@pytest.mark.parametrize("name", ["green.group.a", "xxa.user"])
def test_an_entity_s_representative_or_a_party_user_reaches_no_administration_page(
    api: Api, sections: HttpWorld, name: str
):
    browser = browser_session(api, name)
    assert 'href="/admin"' not in browser.get("/").text
    for path in ADMIN_PAGES:
        page = browser.get(path)
        assert page.status_code == 403, path
        assert "C4002" in page.text, path
    for path, data in (
        ("/admin/approval-policies", {"kind": "use", "four_eyes": "on"}),
        (
            "/admin/entities/XXA-E0001/status",
            {"cooperative_approach": "CA0001", "status": "suspended"},
        ),
        (
            "/users/new",
            {"name": "sneaky", "display_name": "S", "password": "p" * 12, "role": "administrator"},
        ),
        ("/users/xxa.admin/disable", {"step": "confirm"}),
    ):
        refused = form(browser, path, data)
        assert refused.status_code == 403, path
        assert "C4002" in refused.text, path
    secretariat = api["secretariat.admin"]
    assert secretariat.get("/api/v1/users/sneaky").status_code == 404
    entity = secretariat.get("/api/v1/parties/XXA/entities/XXA-E0001").json()
    assert {a["status"] for a in entity["approvals"]} == {"active"}


def test_a_section_administrator_adds_grants_disables_and_enables_a_user(
    api: Api, sections: HttpWorld
):
    browser = browser_session(api, "xxa.admin")
    assert 'href="/admin"' in browser.get("/").text
    added = form(
        browser,
        "/users/new",
        {
            "name": "xxa.clerk",
            "display_name": "A clerk",
            "password": "a long first passphrase",
            "role": "party_user",
        },
    )
    assert added.status_code == 303, added.text
    assert added.headers["location"] == "/users/xxa.clerk/roles?done=created"
    granted = form(browser, "/users/xxa.clerk/roles/grant", {"role": "auditor"})
    assert granted.status_code == 303
    roles = browser.get("/users/xxa.clerk/roles")
    assert "Auditor of XXA" in roles.text
    assert confirmed(browser, "xxa.clerk", "disable").status_code == 303
    disabled = browser.get("/users?status=disabled")
    assert listed(disabled) == {"xxa.clerk"}
    assert confirmed(browser, "xxa.clerk", "enable").status_code == 303
    assert listed(browser.get("/users?status=disabled")) == set()
    assert listed(browser.get("/users?role=entity")) == {"green.group.a"}
    assert form(browser, "/users/xxa.clerk/roles/revoke").status_code == 303
    user = api["secretariat.admin"].get("/api/v1/users/xxa.clerk").json()
    assert user["grants"] == [] and user["disabled"] is False


def test_a_section_administrator_cannot_touch_another_section_s_users(
    api: Api, sections: HttpWorld
):
    browser = browser_session(api, "xxa.admin")
    assert "xxc.user" not in listed(browser.get("/users?section=XXC"))
    for path, data in (
        ("/users/xxc.user/disable", {}),
        ("/users/xxc.user/roles/grant", {"role": "auditor"}),
        ("/users/xxc.user/roles/revoke", {}),
        ("/users/xxc.admin/unlock", {}),
    ):
        refused = form(browser, path, data)
        assert refused.status_code == 403, path
        assert "C4006" in refused.text, path
    assert browser.get("/users/xxc.user/roles").status_code == 403
    xxc = api["secretariat.admin"].get("/api/v1/users/xxc.user").json()
    assert xxc["disabled"] is False
    assert [(g["role"], g["party"]) for g in xxc["grants"]] == [("party_user", "XXC")]


def test_the_entity_screen_records_suspends_and_reinstates(api: Api, sections: HttpWorld):
    browser = browser_session(api, "xxa.admin")
    recorded = form(
        browser,
        "/admin/entities",
        {
            "name": "Blue Carbon Ltd",
            "country_of_incorporation": "XXA",
            "identification_number": "BC-1",
            "cooperative_approach": "CA0001",
            "date_of_authorization": "2025-06-01",
        },
    )
    assert recorded.status_code == 303, recorded.text
    identifier = recorded.headers["location"].split("/")[3].split("?")[0]
    detail = browser.get(f"/admin/entities/{identifier}")
    assert detail.status_code == 200
    assert 'data-approach="CA0001" data-status="active"' in detail.text
    assert (
        form(
            browser,
            f"/admin/entities/{identifier}/status",
            {"cooperative_approach": "CA0001", "status": "suspended"},
        ).status_code
        == 303
    )
    assert 'data-status="suspended"' in browser.get(f"/admin/entities/{identifier}").text
    assert (
        form(
            browser,
            f"/admin/entities/{identifier}/status",
            {"cooperative_approach": "CA0001", "status": "active"},
        ).status_code
        == 303
    )
    representatives = browser.get("/admin/entities/XXA-E0001")
    assert "green.group.a" in representatives.text

    refused = form(browser, "/admin/entities", {"name": "", "cooperative_approach": "CA0001"})
    assert refused.status_code == 422
    assert 'id="name-error"' in refused.text


def test_an_account_holding_units_is_not_closed_and_an_empty_one_is(api: Api, sections: HttpWorld):
    browser = browser_session(api, "xxa.admin")
    holding = sections["XXA Party mo_holding"]
    held = api["xxa.admin"].get(f"/api/v1/parties/XXA/accounts/{holding}").json()["quantity"]
    assert held > 0
    refused = form(browser, f"/admin/accounts/{holding}/status", {"status": "closed"})
    assert refused.status_code == 422
    assert "C4001" in refused.text
    assert (
        form(browser, f"/admin/accounts/{holding}/status", {"status": "blocked"}).status_code == 303
    )
    page = browser.get("/admin/accounts")
    assert f'data-account="{holding}" data-status="blocked"' in page.text
    assert form(browser, f"/admin/accounts/{holding}/status", {"status": "open"}).status_code == 303
    other = form(
        browser, f"/admin/accounts/{sections['XXC Party mo_holding']}/status", {"status": "blocked"}
    )
    assert other.status_code == 403 and "C4006" in other.text


def test_four_eyes_with_one_approver_is_refused_naming_the_field(api: Api, sections: HttpWorld):
    browser = browser_session(api, "xxa.admin")
    page = browser.get("/admin/approval-policies")
    assert 'data-count="1"' in page.text
    refused = form(
        browser, "/admin/approval-policies", {"kind": "internal_transfer", "four_eyes": "on"}
    )
    assert refused.status_code == 422
    assert "C4017" in refused.text and "four eyes" in refused.text.lower()
    assert 'data-kind="internal_transfer" data-four-eyes="false"' in refused.text

    api.add_user("secretariat.admin", "xxa.second", Role.ADMINISTRATOR, "XXA")
    switched = form(
        browser, "/admin/approval-policies", {"kind": "internal_transfer", "four_eyes": "on"}
    )
    assert switched.status_code == 303
    page = browser.get("/admin/approval-policies")
    assert 'data-kind="internal_transfer" data-four-eyes="true"' in page.text


def test_only_the_secretariat_sees_every_section_at_once(api: Api, sections: HttpWorld):
    refused = browser_session(api, "xxa.admin").get("/admin/overview")
    assert refused.status_code == 403 and "C4002" in refused.text
    secretariat = browser_session(api, "secretariat.admin")
    secretariat.cookies.set("article6_section", "XXA")
    page = secretariat.get("/admin/overview")
    assert page.status_code == 200, page.text
    assert '<svg class="chart"' in page.text
    rows = dict(
        re.findall(r'<tr data-party="(XX[A-Z])" data-waiting="\d+" data-users="(\d+)"', page.text)
    )
    assert set(rows) >= {"XXA", "XXC"}
    assert int(rows["XXA"]) >= 3
    every = secretariat.get("/users?section=XXC")
    assert listed(every) == {"xxc.admin", "xxc.user"}


def test_disabling_one_of_two_approvers_under_four_eyes_warns_and_still_disables(
    api: Api, sections: HttpWorld
):
    api.add_user("secretariat.admin", "xxa.second", Role.ADMINISTRATOR, "XXA")
    browser = browser_session(api, "xxa.admin")
    policy = {"kind": "use", "four_eyes": "on"}
    assert form(browser, "/admin/approval-policies", policy).status_code == 303
    asked = form(browser, "/users/xxa.second/disable")
    assert 'id="four-eyes-warning"' in asked.text and "C4017" in asked.text
    assert 'id="four-eyes-warning"' not in form(browser, "/users/xxa.user/disable").text
    assert confirmed(browser, "xxa.second", "disable").status_code == 303
    page = browser.get("/admin/approval-policies")
    assert 'data-count="1"' in page.text


def test_a_revocation_is_confirmed_with_what_becomes_of_the_holdings(api: Api, sections: HttpWorld):
    """Revoking is final: the first step changes nothing and says the entity's units of the
    approach stay where they are and cannot move (C3005); confirming revokes, moving none."""
    give_green_group_a(sections, 100)
    before = holdings(api)
    browser = browser_session(api, "xxa.admin")
    detail = browser.get("/admin/entities/XXA-E0001")
    assert "Revoke XXA-E0001 for CA0001" in detail.text
    revoke = {"cooperative_approach": "CA0001", "status": "revoked"}
    asked = form(browser, "/admin/entities/XXA-E0001/status", revoke)
    assert asked.status_code == 200, asked.text
    shown = re.search(r'id="preview-holdings">(.*?)</dd>', asked.text, re.S)
    assert shown and "100 units of CA0001 stay in its accounts" in shown.group(1)
    assert sections[GREEN_AMO] in shown.group(1)
    assert "C3005" in asked.text
    entity = api["xxa.admin"].get("/api/v1/parties/XXA/entities/XXA-E0001").json()
    assert {a["status"] for a in entity["approvals"]} == {"active"}  # nothing changed yet
    key = re.search(r'name="idempotency_key" value="([^"]+)"', asked.text)
    assert key
    done = form(
        browser,
        "/admin/entities/XXA-E0001/status",
        {**revoke, "step": "confirm", "idempotency_key": key.group(1)},
    )
    assert done.status_code == 303, done.text
    page = browser.get(done.headers["location"])
    assert 'data-approach="CA0001" data-status="revoked"' in page.text
    assert "Revoked for good" in page.text
    assert holdings(api) == before  # a revocation moves no unit
    out = api["green.group.a"].post(
        "/api/v1/parties/XXA/transfers",
        {
            "source_account": sections[GREEN_AMO],
            "destination_account": sections["XXA Party amo_holding"],
            "units": {"quantity": 5},
        },
    )
    assert out.status_code == 422 and out.json()["checks"][0]["check"] == "C3005"
    again = form(browser, "/admin/entities/XXA-E0001/status", {**revoke, "step": "confirm"})
    assert again.status_code == 422 and "C3005" in again.text and "final" in again.text
    assert sum(holdings(api).values()) == sum(before.values())


def test_the_secretariat_grants_and_revokes_a_registry_wide_role_on_the_roles_page(
    api: Api, sections: HttpWorld
):
    # A section's administrator is offered none, and a forged post is refused in words.
    admin = browser_session(api, "xxa.admin")
    assert 'id="grant-wide-form"' not in admin.get("/users/xxa.user/roles").text
    forged = form(admin, "/users/xxa.user/roles/grant", {"scope": "registry", "role": "auditor"})
    assert forged.status_code == 403 and "C4002" in forged.text
    assert "only the secretariat grants registry-wide roles" in forged.text

    secretariat = browser_session(api, "secretariat.admin")
    secretariat.cookies.set("article6_section", "XXA")
    page = secretariat.get("/users/xxa.user/roles")
    assert 'id="grant-wide-form"' in page.text
    assert '<option value="auditor">Auditor</option>' in page.text
    granted = form(
        secretariat, "/users/xxa.user/roles/grant", {"scope": "registry", "role": "auditor"}
    )
    assert granted.status_code == 303, granted.text
    page = secretariat.get(granted.headers["location"])
    assert "Auditor (registry-wide)" in page.text and "Party user of XXA" in page.text
    user = api["secretariat.admin"].get("/api/v1/users/xxa.user").json()
    assert {(g["role"], g["party"]) for g in user["grants"]} == {
        ("party_user", "XXA"),
        ("auditor", None),
    }

    # Nobody grants or revokes their own role (C4028), beside the registry-wide field.
    own = form(
        secretariat,
        "/users/secretariat.admin/roles/grant",
        {"scope": "registry", "role": "auditor"},
    )
    assert own.status_code == 403, own.status_code
    beside = re.search(r'<p class="field-error" id="wide-role-error">(.*?)</p>', own.text, re.S)
    assert beside and "C4028" in beside.group(1) and "their own roles" in beside.group(1)
    assert 'id="wide-role" name="role" required aria-describedby="wide-role-error"' in own.text
    me = api["secretariat.admin"].get("/api/v1/users/secretariat.admin").json()
    assert [(g["role"], g["party"]) for g in me["grants"]] == [("secretariat", None)]

    revoked = form(secretariat, "/users/xxa.user/roles/revoke", {"scope": "registry"})
    assert revoked.status_code == 303, revoked.text
    assert (
        "holds no registry-wide role any more" in secretariat.get(revoked.headers["location"]).text
    )
    user = api["secretariat.admin"].get("/api/v1/users/xxa.user").json()
    assert [(g["role"], g["party"]) for g in user["grants"]] == [("party_user", "XXA")]


def forget_account(api: Api, identifier: str) -> None:
    """A section from before a kind of account existed: the account is not there (removed
    underneath, as an older section would lack it), for the administrator to open."""
    with unit_of_work(api.registry.engine) as connection:
        found = connection.execute(
            select(schema.accounts.c.id).where(schema.accounts.c.identifier == identifier)
        ).scalar_one()
        connection.execute(delete(schema.holdings).where(schema.holdings.c.account_id == found))
        connection.execute(delete(schema.accounts).where(schema.accounts.c.id == found))


def test_an_administrator_opens_an_account_shown_first_then_journaled(
    api: Api, sections: HttpWorld
):
    before = holdings(api)
    forget_account(api, sections["XXA Party op_cancellation"])
    browser = browser_session(api, "xxa.admin")
    page = browser.get("/admin/accounts")
    assert 'id="open-account"' in page.text and '<option value="op_cancellation">' in page.text
    wanted = {"kind": "op_cancellation", "cooperative_approach": "CA0001", "holder": "PARTY"}
    asked = form(browser, "/admin/accounts", wanted)
    assert asked.status_code == 200, asked.text
    number = re.search(r'id="preview-account">([^<]+)<', asked.text)
    assert number and number.group(1).startswith("XXA01-")
    assert "The Party XXA" in asked.text
    listed_now = api["xxa.admin"].get("/api/v1/parties/XXA/accounts").json()
    assert number.group(1) not in {a["identifier"] for a in listed_now}  # nothing kept yet
    key = re.search(r'name="idempotency_key" value="([^"]+)"', asked.text)
    assert key
    done = form(
        browser, "/admin/accounts", {**wanted, "step": "confirm", "idempotency_key": key.group(1)}
    )
    assert done.status_code == 303, done.text
    assert number.group(1) in done.headers["location"]
    shown = browser.get(done.headers["location"])
    assert f"Account {number.group(1)} is opened" in shown.text
    assert f'data-account="{number.group(1)}" data-status="open"' in shown.text
    journal = api["xxa.admin"].get("/api/v1/parties/XXA/journal").json()["items"]
    assert any(e["event"] == "AccountOpened" and e["subject"] == number.group(1) for e in journal)
    assert sum(holdings(api).values()) == sum(before.values())

    # Refused in words beside the field, nothing opened (C4029).
    again = form(browser, "/admin/accounts", {**wanted, "step": "confirm"})
    assert again.status_code == 422 and 'id="kind-error"' in again.text
    assert "already has this kind of account" in again.text
    for fields, field in (
        ({**wanted, "holder": "XXA-E0001"}, "kind"),
        (
            {"kind": "itmo_holding", "cooperative_approach": "", "holder": "PARTY"},
            "cooperative_approach",
        ),
        (
            {"kind": "mo_holding", "cooperative_approach": "CA0001", "holder": "PARTY"},
            "cooperative_approach",
        ),
        (
            {"kind": "itmo_holding", "cooperative_approach": "CA0001", "holder": "XXC-E0001"},
            "holder",
        ),
    ):
        refused = form(browser, "/admin/accounts", fields)
        assert refused.status_code == 422, (fields, refused.status_code)
        assert "C4029" in refused.text and f'id="{field}-error"' in refused.text, fields
    other = browser_session(api, "xxa.user")
    assert form(other, "/admin/accounts", wanted).status_code == 403
