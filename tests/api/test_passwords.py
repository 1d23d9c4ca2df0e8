"""Passwords: a user changes their own with the current password and a current code, which ends
their other sessions and tokens; an administrator resets one to a temporary password that opens
nothing but the change (C4014); the policy (C4015) names the field; a wrong current password or
code is a failed sign-in (C4016, counted, throttled, journaled); a Party's administrator resets
only users of their own section (C4006); and no password is ever journaled."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient
from http_world import Api, Caller, HttpWorld, build_world

from article6.api.access_matrix import EVERYONE, RULES
from article6.cli import main
from article6.domain import totp
from article6.domain.access import Role
from article6.settings import Settings

SETTINGS = Settings()
OPEN_WHILE_OWING = {
    ("POST", "/api/v1/me/password"),
    ("DELETE", "/api/v1/session"),
    ("DELETE", "/api/v1/tokens/current"),
}


@pytest.fixture
def secretariat(api: Api) -> Caller:
    signed = api.bootstrap_secretariat()
    api.add_user("secretariat.admin", "auditor", Role.AUDITOR)
    return signed


def checks(response: httpx.Response) -> list[tuple[str, str]]:
    return [(c["check"], c["field"]) for c in response.json()["checks"]]


def change(api: Api, caller: Caller, name: str, new: str, **changes: str) -> httpx.Response:
    body = {"old_password": api.passwords[name], "new_password": new, **changes}
    if "code" not in body:
        body["code"] = api.code(name)  # the next step's: the sign-in spent this one's
    return caller.post("/api/v1/me/password", body)


def token(api: Api, name: str, password: str | None = None) -> httpx.Response:
    return api.client.post(
        "/api/v1/tokens",
        json={
            "name": name,
            "password": password or api.passwords[name],
            "code": api.code(name),
        },
    )


def journal(api: Api) -> list[dict[str, Any]]:
    reader = api.sign_in("secretariat.admin")
    return list(reader.get("/api/v1/journal?limit=500").json()["items"])


def failures(api: Api, name: str) -> list[dict[str, Any]]:
    return [
        json.loads(e["body"])
        for e in journal(api)
        if e["event"] == "SignInFailed" and e["subject"] == name
    ]


def browser_session(api: Api, name: str, password: str | None = None) -> TestClient:
    """A browser of its own, signed in through the sign-in page."""
    browser = TestClient(api.client.app, follow_redirects=False)
    signed = browser.post(
        "/sign-in",
        data={
            "name": name,
            "password": password or api.passwords[name],
            "code": api.code(name),
        },
    )
    assert signed.status_code == 303, signed.text
    return browser


# --- change -------------------------------------------------------------------------------


def test_a_change_ends_every_other_session_and_token_of_the_user(api: Api, secretariat: Caller):
    current = api["auditor"]
    other_token = api.sign_in("auditor")
    other_browser = browser_session(api, "auditor")
    assert other_browser.get("/api/v1/me").status_code == 200
    secretariat_before = api.sign_in("secretariat.admin")

    changed = change(api, current, "auditor", "a brand new passphrase")
    assert changed.status_code == 200, changed.text
    assert changed.json()["password_change_required"] is False

    assert current.get("/api/v1/me").status_code == 200  # the one that changed it stays
    assert other_token.get("/api/v1/me").status_code == 401
    assert other_browser.get("/api/v1/me").status_code == 401
    assert other_browser.get("/").headers["location"].startswith("/sign-in")
    assert secretariat_before.get("/api/v1/me").status_code == 200  # nobody else's
    assert token(api, "auditor").status_code == 401  # the old password is gone
    assert token(api, "auditor", "a brand new passphrase").status_code == 201


def test_a_wrong_current_password_or_code_counts_as_a_failed_sign_in(api: Api, secretariat: Caller):
    caller = api["auditor"]
    answers = []
    for wrong in (
        {"old_password": "not the password"},
        {"code": "000000"},
        {"code": "١٢٣٤٥٦"},
    ):
        refused = change(api, caller, "auditor", "a brand new passphrase", **wrong)
        answers.append((refused.status_code, checks(refused), refused.json()["detail"]))
    assert answers == [(403, [("C4016", "old_password")], answers[0][2])] * 3
    # the next attempt, at once, is throttled like a sign-in, the right password included
    now = totp.code_at(api.secrets["auditor"], api.clock())
    throttled = change(api, caller, "auditor", "a brand new passphrase", code=now)
    assert throttled.status_code == 429 and checks(throttled) == [("C4010", "name")]
    counted = failures(api, "auditor")
    assert [f["reason"] for f in counted] == ["password change"] * 3 + ["throttled"]
    assert [f.get("failures") for f in counted] == [1, 2, 3, None]
    assert token(api, "auditor").status_code == 201  # nothing changed


def test_wrong_current_passwords_lock_the_user_out_of_sign_in(api: Api, secretariat: Caller):
    caller = api["auditor"]
    for _ in range(SETTINGS.lock_after):
        api.clock.advance(120)  # past the throttling wait, within the token's hour
        refused = change(api, caller, "auditor", "a brand new passphrase", old_password="guess")
        assert refused.status_code in (403, 429)
    assert checks(token(api, "auditor"))[0] == ("C4010", "name")


@pytest.mark.parametrize(
    ("new", "detail"),
    [
        ("short", "at least 12 characters"),
        ("x" * 129, "at most 128 characters"),
        ("AUDITOR", "may not be the user name"),
    ],
)
def test_the_policy_names_the_field_and_changes_nothing(
    api: Api, secretariat: Caller, new: str, detail: str
):
    refused = change(api, api["auditor"], "auditor", new)
    assert refused.status_code == 422
    assert ("C4015", "new_password") in checks(refused)
    assert detail in refused.json()["detail"]
    assert failures(api, "auditor") == []  # a policy refusal checks no secret
    assert token(api, "auditor").status_code == 201  # the password did not change


def test_the_new_password_is_neither_the_user_name_nor_the_current_one(api: Api):
    api.bootstrap_secretariat()
    api.passwords["long.user.name.x"] = "p" * 12
    created = api["secretariat.admin"].post(
        "/api/v1/users",
        {"name": "long.user.name.x", "display_name": "L", "password": "p" * 12},
    )
    assert created.status_code == 201
    api.enrol("long.user.name.x")
    caller = api.sign_in("long.user.name.x")
    same = change(api, caller, "long.user.name.x", "p" * 12)
    name = change(api, caller, "long.user.name.x", "Long.User.Name.X")
    assert checks(same) == [("C4015", "new_password")]
    assert "must differ from the current" in same.json()["detail"]
    assert checks(name) == [("C4015", "new_password")]
    assert "may not be the user name" in name.json()["detail"]


def test_a_new_user_s_password_follows_the_policy_too(api: Api, secretariat: Caller):
    for password, detail in (("short", "at least 12"), ("x" * 129, "at most 128")):
        refused = secretariat.post(
            "/api/v1/users", {"name": "weak.user.a", "display_name": "W", "password": password}
        )
        assert refused.status_code == 422
        assert checks(refused) == [("C4015", "password")]
        assert detail in refused.json()["detail"]
    same_as_name = secretariat.post(
        "/api/v1/users",
        {"name": "weak.user.name", "display_name": "W", "password": "weak.user.name"},
    )
    assert checks(same_as_name) == [("C4015", "password")]


# --- reset --------------------------------------------------------------------------------


def reset(api: Api, by: Caller, path: str, key: str | None = None) -> httpx.Response:
    headers = {"Idempotency-Key": key} if key else {}
    return by.post(path, headers=headers)


def test_a_reset_forces_a_change_and_the_temporary_password_opens_nothing_else(
    api: Api, secretariat: Caller
):
    before = api["auditor"]
    reset_ = reset(api, secretariat, "/api/v1/users/auditor/password-reset")
    assert reset_.status_code == 200, reset_.text
    temporary = reset_.json()["temporary_password"]
    assert reset_.json()["user"]["password_change_required"] is True
    assert len(temporary) >= 20
    assert before.get("/api/v1/me").status_code == 401  # every session ended
    assert token(api, "auditor").status_code == 401  # the old password is gone

    signed = token(api, "auditor", temporary)
    assert signed.status_code == 201
    assert signed.json()["user"]["password_change_required"] is True
    owing = Caller(api.client, signed.json()["token"])
    wrong = []
    for rule in RULES:
        if rule.allowed is EVERYONE or (rule.method, rule.path) in OPEN_WHILE_OWING:
            continue
        path = (
            rule.path.replace("{party}", "XXA")
            .replace("{user}", "auditor")
            .replace("{year}", "2026")
        )
        for name in ("activity", "authorization_id", "entity", "account", "transaction", "unit"):
            path = path.replace("{" + name + "}", "X1")
        response = api.client.request(rule.method, path, json={}, headers=owing.headers)
        if response.status_code != 403 or checks(response) != [("C4014", "password")]:
            wrong.append(f"{rule.method} {rule.path}: {response.status_code} {response.text}")
    assert wrong == []

    api.passwords["auditor"] = temporary
    changed = change(api, owing, "auditor", "my own passphrase now")
    assert changed.status_code == 200, changed.text
    assert owing.get("/api/v1/me").json()["password_change_required"] is False
    assert token(api, "auditor", temporary).status_code == 401
    assert token(api, "auditor", "my own passphrase now").status_code == 201


def test_a_temporary_password_lapses_and_then_answers_like_a_wrong_one(
    api: Api, secretariat: Caller
):
    """A temporary password left unused past its lifetime (72 hours) opens nothing: refused as
    a wrong password would be, counted, and journaled with its own reason for the
    administrator; a new reset gives a working one."""
    temporary = reset(api, secretariat, "/api/v1/users/auditor/password-reset").json()[
        "temporary_password"
    ]
    api.clock.advance(SETTINGS.temporary_password_hours * 3600 + 60)

    lapsed = token(api, "auditor", temporary)
    wrong = token(api, "auditor", "not the password at all")

    assert lapsed.status_code == wrong.status_code == 401
    assert checks(lapsed) == checks(wrong)
    assert lapsed.json()["checks"][0]["detail"] == wrong.json()["checks"][0]["detail"]
    assert [f["reason"] for f in failures(api, "auditor")] == [
        "temporary password expired",
        "password",
    ]
    secretariat = api.sign_in("secretariat.admin")
    again = reset(api, secretariat, "/api/v1/users/auditor/password-reset").json()
    assert token(api, "auditor", again["temporary_password"]).status_code == 201


def test_the_temporary_password_is_not_the_new_password(api: Api, secretariat: Caller):
    temporary = reset(api, secretariat, "/api/v1/users/auditor/password-reset").json()[
        "temporary_password"
    ]
    api.passwords["auditor"] = temporary
    owing = Caller(api.client, token(api, "auditor", temporary).json()["token"])
    again = change(api, owing, "auditor", temporary)
    assert checks(again) == [("C4015", "new_password")]


def test_a_user_owing_a_change_can_sign_out(api: Api, secretariat: Caller):
    temporary = reset(api, secretariat, "/api/v1/users/auditor/password-reset").json()[
        "temporary_password"
    ]
    owing = Caller(api.client, token(api, "auditor", temporary).json()["token"])
    assert owing.delete("/api/v1/tokens/current").status_code == 204
    assert owing.post("/api/v1/me/password", {}).status_code == 401


def test_a_reset_lifts_a_lock(api: Api, secretariat: Caller):
    for _ in range(SETTINGS.lock_after):
        api.clock.advance(600)
        token(api, "auditor", "wrong password!")
    assert token(api, "auditor").status_code == 429
    temporary = reset(
        api, api.sign_in("secretariat.admin"), "/api/v1/users/auditor/password-reset"
    ).json()["temporary_password"]
    assert token(api, "auditor", temporary).status_code == 201


def test_a_replayed_reset_shows_no_password_and_keeps_none(api: Api, secretariat: Caller):
    path = "/api/v1/users/auditor/password-reset"
    first = reset(api, secretariat, path, key="reset-1")
    replay = reset(api, secretariat, path, key="reset-1")
    assert first.json()["temporary_password"]
    assert replay.status_code == 200
    assert replay.json()["temporary_password"] is None
    assert replay.json()["user"] == first.json()["user"]
    # the replay changed nothing: the first temporary password still works
    assert token(api, "auditor", first.json()["temporary_password"]).status_code == 201


@pytest.fixture
def sections(api: Api) -> HttpWorld:
    world = build_world(api, everyone=False)
    api.add_user("xxa.admin", "xxa.user", Role.PARTY_USER, "XXA")
    api.add_user("xxc.admin", "xxc.user", Role.PARTY_USER, "XXC")
    return world


def test_a_party_administrator_resets_only_users_of_their_own_section(
    api: Api, sections: HttpWorld
):
    xxa = api["xxa.admin"]
    api["secretariat.admin"].post(
        "/api/v1/users", {"name": "no.role.yet", "display_name": "N", "password": "p" * 12}
    )
    for path in (
        "/api/v1/parties/XXA/users/xxc.user/password-reset",
        "/api/v1/parties/XXA/users/xxc.admin/password-reset",
        "/api/v1/parties/XXA/users/secretariat.admin/password-reset",
        "/api/v1/parties/XXA/users/no.role.yet/password-reset",
        "/api/v1/parties/XXC/users/xxc.user/password-reset",
        "/api/v1/users/xxc.user/password-reset",
    ):
        refused = xxa.post(path)
        assert refused.status_code == 403, path
        assert checks(refused)[0][0] == "C4006", path
    assert api["xxc.user"].get("/api/v1/me").status_code == 200  # untouched
    assert token(api, "xxc.user").status_code == 201

    own = xxa.post("/api/v1/parties/XXA/users/xxa.user/password-reset")
    assert own.status_code == 200
    assert own.json()["temporary_password"]
    by_secretariat = api["secretariat.admin"].post(
        "/api/v1/parties/XXC/users/xxc.user/password-reset"
    )
    assert by_secretariat.status_code == 200


def test_the_journal_records_each_without_any_password(api: Api, sections: HttpWorld):
    xxa = api["xxa.admin"]
    temporary = xxa.post("/api/v1/parties/XXA/users/xxa.user/password-reset").json()[
        "temporary_password"
    ]
    api.passwords["xxa.user"] = temporary
    owing = Caller(api.client, token(api, "xxa.user", temporary).json()["token"])
    api.clock.advance(600)
    change(api, owing, "xxa.user", "first try passphrase", old_password="wrong guess 1")
    api.clock.advance(600)
    assert change(api, owing, "xxa.user", "the chosen passphrase").status_code == 200
    entries = journal(api)
    mine = [(e["event"], e["actor"]) for e in entries if e["subject"] == "xxa.user"]
    reset_at = mine.index(("PasswordReset", "xxa.admin (administrator, XXA)"))
    assert [event for event, _ in mine[reset_at:]] == [
        "PasswordReset",
        "SignedIn",
        "SignInFailed",
        "PasswordChanged",
    ]
    reasons = [
        json.loads(e["body"]).get("reason")
        for e in entries
        if e["subject"] == "xxa.user" and e["event"] == "SignInFailed"
    ]
    assert reasons == ["password change"]
    everything = json.dumps(entries)
    for secret in (temporary, "wrong guess 1", "the chosen passphrase", "first try passphrase"):
        assert secret not in everything
    assert api["secretariat.admin"].get("/api/v1/verification").json()["sound"] is True


# --- the command line -----------------------------------------------------------------------


def test_the_command_line_resets_a_password_and_prints_it_once(
    api: Api, secretariat: Caller, database_url: str
):
    result = CliRunner().invoke(
        main, ["users", "password-reset", "auditor", "--database", database_url]
    )
    assert result.exit_code == 0, result.output
    temporary = result.output.split("temporary password for auditor: ")[1].split()[0]
    signed = token(api, "auditor", temporary)
    assert signed.status_code == 201
    assert signed.json()["user"]["password_change_required"] is True
    assert temporary not in json.dumps(journal(api))
    unknown = CliRunner().invoke(
        main, ["users", "password-reset", "nobody", "--database", database_url]
    )
    assert unknown.exit_code == 1 and "C1012" in unknown.output


def test_the_command_line_unlocks_a_user(api: Api, secretariat: Caller, database_url: str):
    for _ in range(SETTINGS.lock_after):
        api.clock.advance(600)
        token(api, "auditor", "wrong password!")
    assert token(api, "auditor").status_code == 429
    result = CliRunner().invoke(main, ["users", "unlock", "auditor", "--database", database_url])
    assert result.exit_code == 0, result.output
    assert token(api, "auditor").status_code == 201


# --- the pages ------------------------------------------------------------------------------


def form(browser: TestClient, path: str, data: dict[str, str]) -> httpx.Response:
    csrf = browser.cookies.get("article6_csrf")
    assert csrf
    return browser.post(path, data={**data, "csrf_token": csrf})


def test_the_change_password_page_is_linked_and_changes_the_password(api: Api, sections: HttpWorld):
    browser = browser_session(api, "xxa.user")
    home = browser.get("/")
    assert 'href="/password"' in home.text
    page = browser.get("/password")
    assert page.status_code == 200
    assert 'name="csrf_token"' in page.text and "<script" not in page.text
    assert " on" + "click" not in page.text.lower()
    # the form without its CSRF token is refused
    stale = browser.post(
        "/password",
        data={
            "old_password": api.passwords["xxa.user"],
            "new_password": "a page chosen passphrase",
            "new_password_again": "a page chosen passphrase",
            "code": api.code("xxa.user"),
        },
    )
    assert stale.status_code == 403 and "C4011" in stale.text
    mismatch = form(
        browser,
        "/password",
        {
            "old_password": api.passwords["xxa.user"],
            "new_password": "a page chosen passphrase",
            "new_password_again": "a page chosen passphrase!",
            "code": api.code("xxa.user"),
        },
    )
    assert mismatch.status_code == 422 and "C4015" in mismatch.text
    wrong = form(
        browser,
        "/password",
        {
            "old_password": "not the password",
            "new_password": "a page chosen passphrase",
            "new_password_again": "a page chosen passphrase",
            "code": api.code("xxa.user"),
        },
    )
    assert wrong.status_code == 403 and "C4016" in wrong.text
    assert "not the password" not in wrong.text
    api.clock.advance(600)
    done = form(
        browser,
        "/password",
        {
            "old_password": api.passwords["xxa.user"],
            "new_password": "a page chosen passphrase",
            "new_password_again": "a page chosen passphrase",
            "code": api.code("xxa.user"),
        },
    )
    assert done.status_code == 200 and 'id="password-changed"' in done.text
    assert browser.get("/").status_code == 200  # this session stays
    assert token(api, "xxa.user", "a page chosen passphrase").status_code == 201


def test_a_browser_owing_a_change_sees_only_the_change_password_page(api: Api, sections: HttpWorld):
    by = api["xxa.admin"]
    temporary = reset(api, by, "/api/v1/parties/XXA/users/xxa.user/password-reset").json()[
        "temporary_password"
    ]
    browser = browser_session(api, "xxa.user", temporary)
    for path in ("/", "/accounts", "/transactions", "/section", "/reports"):
        assert browser.get(path).headers.get("location") == "/password", path
    assert browser.get("/api/v1/me").status_code == 403
    page = browser.get("/password")
    assert page.status_code == 200 and "C4014" in page.text
    api.passwords["xxa.user"] = temporary
    api.clock.advance(30)
    done = form(
        browser,
        "/password",
        {
            "old_password": temporary,
            "new_password": "chosen after reset",
            "new_password_again": "chosen after reset",
            "code": api.code("xxa.user"),
        },
    )
    assert done.status_code == 200 and 'id="password-changed"' in done.text
    assert browser.get("/").status_code == 200
    out = form(browser, "/sign-out", {})
    assert out.status_code == 303


def test_the_sign_in_page_sends_a_user_owing_a_change_to_it(api: Api, secretariat: Caller):
    temporary = reset(api, secretariat, "/api/v1/users/auditor/password-reset").json()[
        "temporary_password"
    ]
    browser = TestClient(api.client.app, follow_redirects=False)
    signed = browser.post(
        "/sign-in",
        data={"name": "auditor", "password": temporary, "code": api.code("auditor")},
    )
    assert signed.status_code == 303
    assert signed.headers["location"] == "/password"


def test_the_code_a_sign_in_used_cannot_change_the_password(api: Api, secretariat: Caller):
    """A change needs a code of its own: the sign-in's is spent."""
    code = totp.code_at(api.secrets["auditor"], api.clock())
    refused = api["auditor"].post(
        "/api/v1/me/password",
        {
            "old_password": api.passwords["auditor"],
            "new_password": "a brand new passphrase",
            "code": code,
        },
    )
    assert refused.status_code == 403 and checks(refused) == [("C4016", "old_password")]


# --- what the database keeps ---------------------------------------------------------------


def test_the_idempotency_record_of_a_new_user_cannot_confirm_a_guessed_password(
    api: Api, secretariat: Caller
):
    """A database administrator reading the idempotency record of a user's creation must not
    be able to test password guesses at SHA-256 speed: only the argon2id hash may judge one."""
    from article6.services.context import request_hash
    from article6.services.identity import CreateUser, GrantRole, UserRequest
    from article6.store import idempotency
    from article6.store.database import single_read

    password = "the new user's password"
    user = {"name": "kept.user", "display_name": "K", "password": password}
    made = secretariat.post("/api/v1/users", user, headers={"Idempotency-Key": "kept-1"})
    assert made.status_code == 201
    with single_read(api.registry.engine) as connection:
        record = idempotency.claimed(connection, "-:secretariat.admin", "kept-1")
    assert record is not None
    for guess in (password, "a wrong guess"):  # the request as sent, with a guessed password
        body = json.dumps(["CreateUser", {**user, "password": guess}], sort_keys=True)
        assert record.request_hash != hashlib.sha256(body.encode()).hexdigest()
    assert record.request_hash == request_hash("CreateUser", CreateUser(**user))
    for candidate in (password, "another password"):
        command = CreateUser(name="kept.user", display_name="K", password=candidate)
        assert "password" not in json.dumps(command.model_dump(mode="json"))
        section = UserRequest(
            action="create-in-section",
            user="kept.user",
            body={
                **command.model_dump(mode="json"),
                **GrantRole(role=Role.AUDITOR, party="XXA").model_dump(mode="json"),
            },
        )
        assert candidate not in json.dumps(section.model_dump(mode="json"))
    # the same key with another password is the same request: its first outcome
    again = secretariat.post(
        "/api/v1/users",
        {**user, "password": "another password"},
        headers={"Idempotency-Key": "kept-1"},
    )
    assert again.status_code == 201 and again.json() == made.json()
