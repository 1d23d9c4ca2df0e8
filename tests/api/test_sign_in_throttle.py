"""Sign-in throttling by name and by client address (C4009, C4010).

A name is slowed down and then locked whether or not a user holds it, with the very same
answers, so throttling never tells which names exist. A client address trying many names is
slowed down the same way but never locked; someone else's address stays unaffected. A
throttled or locked attempt is refused before its password is hashed, and is still journaled.
"""

from __future__ import annotations

import json
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient
from http_world import Api, Caller

from article6.domain.checks import CommandRefused
from article6.services import sign_in
from article6.services.sign_in import SignIn
from article6.services.throttle import address_key
from article6.settings import Settings

SETTINGS = Settings()
WRONG = "not the password"


@pytest.fixture
def secretariat(api: Api) -> Caller:
    return api.bootstrap_secretariat()


def from_address(api: Api, host: str) -> TestClient:
    """A client of the same app that connects from `host`."""
    return TestClient(api.client.app, client=(host, 50000))


def attempt(client: TestClient, name: str, password: str = WRONG, code: str = "123456"):
    return client.post("/api/v1/tokens", json={"name": name, "password": password, "code": code})


def answer(response: httpx.Response) -> tuple[Any, ...]:
    """Everything a client sees of a refusal."""
    problem = response.json()
    checks = [c["check"] for c in problem["checks"]]
    return response.status_code, checks, problem["detail"], response.headers.get("retry-after")


def failures_journaled(api: Api) -> list[dict[str, Any]]:
    signed = api.sign_in("secretariat.admin")
    items = signed.get("/api/v1/journal?limit=500").json()["items"]
    return [
        {"subject": e["subject"], **json.loads(e["body"])}
        for e in items
        if e["event"] == "SignInFailed"
    ]


def test_an_unknown_name_is_throttled_and_locked_exactly_like_a_users(
    api: Api, secretariat: Caller
):
    known, unknown = from_address(api, "198.51.100.1"), from_address(api, "198.51.100.2")
    seen: list[tuple[Any, ...]] = []

    def both() -> tuple[Any, ...]:
        """The same wrong attempt on a user's name and on a name nobody holds, same moment."""
        user = answer(attempt(known, "secretariat.admin"))
        nobody = answer(attempt(unknown, "no.such.user"))
        assert user == nobody
        seen.append(user)
        return user

    for _ in range(SETTINGS.throttle_after):
        assert both()[:2] == (401, ["C4009"])
    assert both() == (429, ["C4010"], "C4010 name: too many failures; try again in 1 s", "1")
    api.clock.advance(1)
    assert both()[:2] == (401, ["C4009"])
    assert both()[2] == "C4010 name: too many failures; try again in 2 s"
    while seen[-1][2] != "C4010 name: locked after repeated failures":
        api.clock.advance(600)
        both()
    assert both()[2].startswith("C4010 name: locked after repeated failures until ")
    assert int(seen[-1][3]) == SETTINGS.lock_minutes * 60  # Retry-After: when the lock lifts
    api.clock.advance(SETTINGS.lock_minutes * 60 + 1)
    # Once the lock lifts, one more failure locks the name again.
    assert both()[2] == "C4010 name: locked after repeated failures"
    refused_unchecked = 3  # two throttled attempts and one while locked
    assert len(seen) == SETTINGS.lock_after + refused_unchecked + 1


def test_a_user_reaches_the_lock_as_before(api: Api, secretariat: Caller):
    """The name's own lock-out is unchanged for a user, and the right credentials then wait."""
    elsewhere = from_address(api, "198.51.100.9")
    for _ in range(SETTINGS.lock_after):
        api.clock.advance(600)
        attempt(elsewhere, "secretariat.admin")
    right = attempt(
        api.client,
        "secretariat.admin",
        api.passwords["secretariat.admin"],
        api.code("secretariat.admin"),
    )
    assert answer(right)[:2] == (429, ["C4010"])
    assert "locked" in answer(right)[2]


def test_an_address_trying_many_names_is_slowed_down(api: Api, secretariat: Caller):
    sprayer = from_address(api, "203.0.113.7")
    for n in range(SETTINGS.address_throttle_after):
        assert attempt(sprayer, f"guess.{n}").status_code == 401
    for doubling in range(6):  # each next name waits twice as long: 1, 2, 4 … 32 s
        seconds = 2**doubling
        slowed = attempt(sprayer, f"slowed.{doubling}")
        assert answer(slowed) == (
            429,
            ["C4010"],
            f"C4010 name: too many failures; try again in {seconds} s",
            str(seconds),
        )
        api.clock.advance(seconds)
        assert attempt(sprayer, f"admitted.{doubling}").status_code == 401
    # Whoever shares the address waits too (64 s now), even with the right credentials.
    right = attempt(
        sprayer,
        "secretariat.admin",
        api.passwords["secretariat.admin"],
        api.code("secretariat.admin"),  # 30 s later
    )
    assert answer(right)[:3] == (429, ["C4010"], "C4010 name: too many failures; try again in 34 s")
    # An address is never locked: once its failures leave the window it starts afresh.
    api.clock.advance(SETTINGS.address_window_minutes * 60)
    assert attempt(sprayer, "a.later.name").status_code == 401


def test_someone_elses_spraying_does_not_block_a_sign_in_from_another_address(
    api: Api, secretariat: Caller
):
    sprayer = from_address(api, "203.0.113.7")
    for n in range(SETTINGS.address_throttle_after + 1):
        attempt(sprayer, f"guess.{n}")
    assert attempt(sprayer, "guess.again").status_code == 429
    api.clock.advance()
    office = from_address(api, "198.51.100.20")
    signed = attempt(
        office,
        "secretariat.admin",
        api.passwords["secretariat.admin"],
        api.code("secretariat.admin"),
    )
    assert signed.status_code == 201


def test_an_ipv6_network_counts_as_one_address():
    assert address_key("2001:db8:1:2::1") == address_key("2001:db8:1:2:ffff::9")
    assert address_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert address_key("2001:db8:1:3::1") != address_key("2001:db8:1:2::1")
    assert address_key("::ffff:203.0.113.7") == address_key("203.0.113.7") == "203.0.113.7"
    assert address_key(None) is None


def test_a_refused_attempt_costs_no_password_hash(
    api: Api, secretariat: Caller, monkeypatch: pytest.MonkeyPatch
):
    """Each checked attempt hashes once, for a user's name or not (so both take as long); an
    attempt refused as throttled or locked hashes nothing."""
    hashed: list[str] = []
    real = sign_in.hasher

    class Counting:
        def hash(self, password: str) -> str:
            hashed.append("hash")
            return real().hash(password)

        def verify(self, digest: str, password: str) -> bool:
            hashed.append("verify")
            return real().verify(digest, password)

    monkeypatch.setattr(sign_in, "hasher", Counting)
    for name in ("secretariat.admin", "no.such.user"):
        for _ in range(SETTINGS.throttle_after):
            assert attempt(api.client, name).status_code == 401
        del hashed[:]
        assert attempt(api.client, name).status_code == 429
        assert hashed == []
        api.clock.advance(1)
        assert attempt(api.client, name).status_code == 401
        assert len(hashed) == 1


def test_every_failure_is_journaled_with_its_address(api: Api, secretariat: Caller):
    sprayer = from_address(api, "203.0.113.7")
    for _ in range(SETTINGS.throttle_after + 1):
        attempt(sprayer, "no.such.user")
    failures = [f for f in failures_journaled(api) if f["subject"] == "no.such.user"]
    assert [f["reason"] for f in failures] == ["unknown user"] * SETTINGS.throttle_after + [
        "throttled"
    ]
    assert {f["address"] for f in failures} == {"203.0.113.7"}


def test_the_web_sign_in_is_throttled_by_its_client_address(api: Api, secretariat: Caller):
    form = {
        "name": "secretariat.admin",
        "password": api.passwords["secretariat.admin"],
        "code": api.code("secretariat.admin"),
        "next": "/",
    }
    sprayer = from_address(api, "203.0.113.7")
    for n in range(SETTINGS.address_throttle_after):
        attempt(sprayer, f"guess.{n}")
    slowed = sprayer.post("/sign-in", data=form, follow_redirects=False)
    assert slowed.status_code == 429
    assert "try again in" in slowed.text
    signed = from_address(api, "198.51.100.20").post("/sign-in", data=form, follow_redirects=False)
    assert signed.status_code == 303


@pytest.mark.parametrize("name", ["secretariat.admin", "no.such.user"])
def test_a_burst_of_concurrent_attempts_is_throttled_like_a_sequence(
    api: Api, secretariat: Caller, name: str
):
    """Concurrent attempts on one name queue behind each other, so they see each other's
    failures: a user's name and a name nobody holds answer a burst alike."""
    command = SignIn(name=name, password=WRONG, code="123456")

    def one(host: str) -> str:
        try:
            sign_in.sign_in(api.registry, SETTINGS, command, kind="token", address=host)
        except CommandRefused as refused:
            return refused.refusals[0].check.name
        return "signed in"

    with ThreadPoolExecutor(max_workers=8) as pool:
        checks = list(pool.map(one, [f"198.51.100.{n}" for n in range(8)]))
    assert sorted(checks) == ["C4009"] * SETTINGS.throttle_after + ["C4010"] * (
        8 - SETTINGS.throttle_after
    )
