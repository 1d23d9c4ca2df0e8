"""Sign-in: password (argon2id) and a TOTP code give a session or a bearer token; failures are
throttled, then locked; sessions need their CSRF token; tokens can be revoked; and every
sign-in, failure, enrolment and role change is journaled."""

from __future__ import annotations

import pytest
from http_world import Api, Caller

from article6.domain import totp
from article6.domain.access import Role
from article6.settings import Settings


@pytest.fixture
def secretariat(api: Api) -> Caller:
    return api.bootstrap_secretariat()


def attempt(api: Api, name: str, password: str | None = None, code: str | None = None):
    return api.client.post(
        "/api/v1/tokens",
        json={
            "name": name,
            "password": password or api.passwords[name],
            "code": code or api.code(name),
        },
    )


def the_check(response) -> dict[str, str]:
    """The one numbered check a refused request names in its problem details."""
    assert response.headers["content-type"] == "application/problem+json"
    [check] = response.json()["checks"]
    return check


NOT_ACCEPTED = "the name, password or second-factor code was not accepted"


def events(api: Api, *names: str) -> list[str]:
    entries = api["secretariat.admin"].get("/api/v1/journal?limit=500").json()["items"]
    return [e["event"] for e in entries if e["event"] in names]


def test_enrolment_shows_the_otpauth_uri_and_a_qr_code(api: Api, secretariat: Caller):
    api.passwords["new.user"] = "a long enough password"
    secretariat.post(
        "/api/v1/users",
        {"name": "new.user", "display_name": "New", "password": "a long enough password"},
    )
    started = api.client.post(
        "/api/v1/enrolment", json={"name": "new.user", "password": "a long enough password"}
    )
    assert started.status_code == 201
    body = started.json()
    assert body["otpauth_uri"].startswith("otpauth://totp/article6%3Anew.user?secret=")
    assert body["secret"] in body["otpauth_uri"]
    assert body["qr_svg"].startswith("<svg")


def test_a_user_cannot_sign_in_before_enrolling_a_second_factor(api: Api, secretariat: Caller):
    secretariat.post(
        "/api/v1/users", {"name": "new.user", "display_name": "N", "password": "x" * 12}
    )
    refused = api.client.post(
        "/api/v1/tokens", json={"name": "new.user", "password": "x" * 12, "code": "000000"}
    )
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"
    assert refused.json()["checks"][0]["check"] == "C4009"


def test_a_wrong_code_or_password_is_refused_with_the_same_answer(api: Api, secretariat: Caller):
    wrong_code = attempt(api, "secretariat.admin", code="000000")
    wrong_password = attempt(api, "secretariat.admin", password="not the password")
    unknown = api.client.post(
        "/api/v1/tokens", json={"name": "nobody", "password": "whatever1234", "code": "123456"}
    )
    assert wrong_code.status_code == wrong_password.status_code == unknown.status_code == 401
    assert (
        wrong_code.json()["detail"] == wrong_password.json()["detail"] == unknown.json()["detail"]
    )
    for refused in (wrong_code, wrong_password, unknown):
        check = the_check(refused)
        assert (check["check"], check["field"], check["detail"]) == ("C4009", "name", NOT_ACCEPTED)
    assert events(api, "SignInFailed").count("SignInFailed") == 3


def test_a_code_is_accepted_only_once(api: Api, secretariat: Caller):
    code = api.code("secretariat.admin")
    first = attempt(api, "secretariat.admin", code=code)
    api.clock.advance(1)  # still within the same 30-second step
    replay = api.client.post(
        "/api/v1/tokens",
        json={
            "name": "secretariat.admin",
            "password": api.passwords["secretariat.admin"],
            "code": code,
        },
    )
    assert first.status_code == 201
    assert first.json()["user"]["name"] == "secretariat.admin"
    assert replay.status_code == 401
    assert (the_check(replay)["check"], the_check(replay)["field"]) == ("C4009", "name")
    assert the_check(replay)["detail"] == NOT_ACCEPTED


def test_repeated_failures_are_throttled_then_locked(api: Api, secretariat: Caller):
    settings = Settings()
    for _ in range(settings.throttle_after):
        wrong = attempt(api, "secretariat.admin", password="wrong password!")
        assert wrong.status_code == 401
        assert the_check(wrong)["check"] == "C4009"
    api.clock.advance(0)
    throttled = api.client.post(
        "/api/v1/tokens",
        json={
            "name": "secretariat.admin",
            "password": api.passwords["secretariat.admin"],
            "code": totp.code_at(api.secrets["secretariat.admin"], api.clock()),
        },
    )
    assert throttled.status_code == 429
    assert (the_check(throttled)["check"], the_check(throttled)["field"]) == ("C4010", "name")
    assert the_check(throttled)["detail"] == "too many failures; try again in 1 s"
    assert throttled.headers["retry-after"] == "1"
    for _ in range(settings.lock_after - settings.throttle_after):
        api.clock.advance(600)
        attempt(api, "secretariat.admin", password="wrong password!")
    locked = attempt(api, "secretariat.admin")  # the right password and code, but locked
    assert locked.status_code == 429
    assert (the_check(locked)["check"], the_check(locked)["field"]) == ("C4010", "name")
    assert the_check(locked)["detail"].startswith("locked after repeated failures until ")
    assert int(locked.headers["retry-after"]) <= settings.lock_minutes * 60
    api.clock.advance(settings.lock_minutes * 60 + 30)
    unlocked = attempt(api, "secretariat.admin")
    assert unlocked.status_code == 201
    assert unlocked.json()["user"]["name"] == "secretariat.admin"


def test_an_administrator_unlocks_a_locked_user(api: Api, secretariat: Caller):
    api.add_user("secretariat.admin", "auditor", Role.AUDITOR)
    for _ in range(Settings().lock_after):
        api.clock.advance(600)
        attempt(api, "auditor", password="wrong password!")
    locked = attempt(api, "auditor")
    assert locked.status_code == 429
    assert (the_check(locked)["check"], the_check(locked)["field"]) == ("C4010", "name")
    secretariat = api.sign_in("secretariat.admin")  # the first token expired meanwhile
    unlocked = secretariat.post("/api/v1/users/auditor/unlock")
    assert unlocked.status_code == 200
    assert (unlocked.json()["name"], unlocked.json()["locked_until"]) == ("auditor", None)
    signed = attempt(api, "auditor")
    assert signed.status_code == 201
    assert signed.json()["user"]["name"] == "auditor"
    assert "UserUnlocked" in events(api, "UserUnlocked")


def test_a_revoked_token_no_longer_works(api: Api, secretariat: Caller):
    assert secretariat.get("/api/v1/me").status_code == 200
    assert secretariat.delete("/api/v1/tokens/current").status_code == 204
    refused = secretariat.get("/api/v1/me")
    assert refused.status_code == 401
    assert refused.headers["www-authenticate"].startswith("Bearer")
    check = the_check(refused)
    assert (check["check"], check["field"]) == ("C4009", "authorization")
    assert check["detail"] == "the token is unknown, expired or revoked"


def test_a_token_expires(api: Api, secretariat: Caller):
    api.clock.advance(Settings().token_minutes * 60 + 1)
    expired = secretariat.get("/api/v1/me")
    assert expired.status_code == 401
    assert (the_check(expired)["check"], the_check(expired)["field"]) == (
        "C4009",
        "authorization",
    )
    assert the_check(expired)["detail"] == "the token is unknown, expired or revoked"


def test_a_browser_session_is_an_httponly_cookie_and_needs_its_csrf_token(
    api: Api, secretariat: Caller
):
    signed = api.client.post(
        "/api/v1/session",
        json={
            "name": "secretariat.admin",
            "password": api.passwords["secretariat.admin"],
            "code": api.code("secretariat.admin"),
        },
    )
    assert signed.status_code == 201
    cookie = signed.headers["set-cookie"]
    assert "article6_session=" in cookie and "HttpOnly" in cookie and "SameSite=strict" in cookie
    csrf = signed.json()["csrf_token"]
    assert api.client.get("/api/v1/me").json()["name"] == "secretariat.admin"
    party = {"code": "XXA", "name": "Party XXA", "ndc_first_year": 2021, "ndc_last_year": 2030}
    forged = api.client.post("/api/v1/parties", json=party)
    assert forged.status_code == 403
    assert forged.json()["checks"][0]["check"] == "C4011"
    assert api.client.get("/api/v1/parties").json() == []
    sent = api.client.post("/api/v1/parties", json=party, headers={"X-CSRF-Token": csrf})
    assert sent.status_code == 201
    assert [p["code"] for p in api.client.get("/api/v1/parties").json()] == ["XXA"]
    out = api.client.delete("/api/v1/session", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    api.client.cookies.clear()
    signed_out = api.client.get("/api/v1/me")
    assert signed_out.status_code == 401
    assert (the_check(signed_out)["check"], the_check(signed_out)["field"]) == (
        "C4009",
        "authorization",
    )


def test_sign_ins_failures_enrolments_and_role_changes_are_journaled(api: Api, secretariat: Caller):
    api.add_user("secretariat.admin", "auditor", Role.AUDITOR)
    attempt(api, "auditor", password="wrong password!")
    revoked = secretariat.delete("/api/v1/users/auditor/role")
    assert revoked.status_code == 200
    assert (revoked.json()["name"], revoked.json()["grants"]) == ("auditor", [])
    journal = secretariat.get("/api/v1/journal?limit=500").json()["items"]
    seen = {e["event"] for e in journal}
    assert {
        "UserCreated",
        "RoleGranted",
        "TotpEnrolmentStarted",
        "TotpEnrolled",
        "SignedIn",
        "SignInFailed",
        "RoleRevoked",
    } <= seen
    assert not any(api.passwords["auditor"] in e["body"] for e in journal)
    assert not any(api.secrets["auditor"] in e["body"] for e in journal)
    assert secretariat.get("/api/v1/verification").json()["sound"] is True


def test_settings_fail_closed_outside_development():
    from article6.settings import InsecureSettings

    with pytest.raises(InsecureSettings):
        Settings.from_env({"ARTICLE6_ENVIRONMENT": "production"})
    with pytest.raises(InsecureSettings):
        Settings.from_env(
            {
                "ARTICLE6_ENVIRONMENT": "production",
                "ARTICLE6_SECRET_KEY": "k" * 40,
                "ARTICLE6_PASSWORD_COST": "test",
            }
        )
    production = Settings.from_env(
        {"ARTICLE6_ENVIRONMENT": "production", "ARTICLE6_SECRET_KEY": "k" * 40}
    )
    assert production.cookie_secure is True


def test_creating_a_user_honours_the_idempotency_key(api: Api, secretariat: Caller):
    user = {"name": "new.user", "display_name": "New", "password": "a long enough password"}
    key = {"Idempotency-Key": "new-user-1"}
    first = secretariat.post("/api/v1/users", user, headers=key)
    again = secretariat.post("/api/v1/users", user, headers=key)
    assert first.status_code == again.status_code == 201
    assert first.json() == again.json()
    other = secretariat.post("/api/v1/users", {**user, "name": "other.user"}, headers=key)
    assert other.status_code == 409
    assert other.json()["checks"][0]["check"] == "C1010"
    # the installer's secretariat and this one, once
    assert events(api, "UserCreated") == ["UserCreated", "UserCreated"]
