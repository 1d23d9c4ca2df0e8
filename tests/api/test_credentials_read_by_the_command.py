"""The commands that move units read the caller's credentials in their own transaction
(`services.presented_credentials`), not before it, and once a process has met them, beside
the command's first read while the command runs as the Actor it expects. From the attacker's
side: every credential another request refuses is refused here with the same check and nothing
changed (no unit moved, no journal entry, no idempotency key taken), whether the process has
met them before or not; a token or role taken away between two requests is taken away for the
second; an invalid body does not get past the credentials first."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest
from http_world import Api, Caller, HttpWorld, build_world, holdings

from article6.domain.access import Role

TRANSFER = "/api/v1/parties/XXA/transfers"
CONFIRMED_ROUTES = (
    "/api/v1/parties/XXA/transfers",
    "/api/v1/parties/XXA/international-transfers",
    "/api/v1/parties/XXA/external-transfers",
    "/api/v1/parties/XXA/uses",
    "/api/v1/parties/XXA/cancellations",
    "/api/v1/parties/XXA/transactions/X1/approval",
)


@pytest.fixture
def world(api: Api) -> HttpWorld:
    world = build_world(api)
    api.add_user("xxa.admin", "xxa.second", Role.ADMINISTRATOR, "XXA")
    return world


def transfer(world: HttpWorld, quantity: int = 3) -> dict[str, Any]:
    return {
        "source_account": world["XXA Party mo_holding"],
        "destination_account": world["XXA Green Group A mo_holding"],
        "units": {"quantity": quantity},
    }


def checks(response: httpx.Response) -> list[tuple[str, str]]:
    return [(c["check"], c["field"]) for c in response.json()["checks"]]


def journal_length(api: Api) -> int:
    """The section's journal entries (its users' sign-ins are the registry's, not XXA's)."""
    page = api["secretariat.admin"].get("/api/v1/journal?party=XXA&limit=500").json()
    return len(page["items"])


def bearer(token: str, key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Idempotency-Key": key}


def refused_with_nothing_changed(
    api: Api,
    world: HttpWorld,
    refused: httpx.Response,
    expected: tuple[int, tuple[str, str]],
    before: dict[str, int],
    entries: int,
    key: str,
) -> None:
    """The refusal any request meets for these credentials; no unit moved, no journal entry;
    the idempotency key not taken: the Party's administrator's transfer under it runs."""
    status, check = expected
    assert refused.status_code == status, refused.text
    assert checks(refused) == [check]
    assert holdings(api) == before
    assert journal_length(api) == entries
    done = api.client.post(
        TRANSFER, json=transfer(world), headers=bearer(api["xxa.admin"].token, key)
    )
    assert done.status_code == 201, done.text
    after = holdings(api)
    assert after["XXA Party mo_holding"] == before["XXA Party mo_holding"] - 3
    assert after["XXA Green Group A mo_holding"] == before["XXA Green Group A mo_holding"] + 3
    assert sum(after.values()) == sum(before.values())


def no_credentials(api: Api) -> dict[str, str]:
    return {}


def unknown_token(api: Api) -> dict[str, str]:
    return {"Authorization": "Bearer not-a-token-anyone-was-given"}


def signed_out_token(api: Api) -> dict[str, str]:
    caller = api.sign_in("xxa.second")
    assert caller.delete("/api/v1/tokens/current").status_code in (200, 204)
    return caller.headers


def expired_token(api: Api) -> dict[str, str]:
    caller = api.sign_in("xxa.second")
    api.clock.advance(timedelta(days=2).total_seconds())
    for name in ("secretariat.admin", "xxa.admin", "xxc.admin"):  # theirs expired too
        api.sign_in(name)
    return caller.headers


def disabled_user(api: Api) -> dict[str, str]:
    caller = api["xxa.second"]
    disabled = api["xxa.admin"].post("/api/v1/parties/XXA/users/xxa.second/disable")
    assert disabled.status_code == 200, disabled.text
    return caller.headers


def password_reset(api: Api) -> dict[str, str]:
    reset = api["xxa.admin"].post("/api/v1/parties/XXA/users/xxa.second/password-reset")
    assert reset.status_code in (200, 201), reset.text
    temporary = reset.json()["temporary_password"]
    signed_in = api.client.post(
        "/api/v1/tokens",
        json={"name": "xxa.second", "password": temporary, "code": api.code("xxa.second")},
    )
    assert signed_in.status_code == 201, signed_in.text
    return {"Authorization": f"Bearer {signed_in.json()['token']}"}


def another_section(api: Api) -> dict[str, str]:
    return api["xxc.admin"].headers


def browser_session(api: Api, name: str) -> str:
    """A session cookie for `name`, kept by the client; its CSRF token."""
    session = api.client.post(
        "/api/v1/session",
        json={"name": name, "password": api.passwords[name], "code": api.code(name)},
    )
    assert session.status_code == 201, session.text
    csrf: str = session.json()["csrf_token"]
    return csrf


def session_without_csrf(api: Api) -> dict[str, str]:
    browser_session(api, "xxa.second")
    return {}  # the cookie rides in the client; no X-CSRF-Token header


SPOILED: list[tuple[Callable[[Api], dict[str, str]], int, tuple[str, str]]] = [
    (no_credentials, 401, ("C4009", "authorization")),
    (unknown_token, 401, ("C4009", "authorization")),
    (signed_out_token, 401, ("C4009", "authorization")),
    (expired_token, 401, ("C4009", "authorization")),
    (disabled_user, 401, ("C4009", "authorization")),
    (password_reset, 403, ("C4014", "password")),
    (another_section, 403, ("C4006", "party")),
    (session_without_csrf, 403, ("C4011", "X-CSRF-Token")),
]


@pytest.mark.parametrize(
    ("spoil", "status", "check"), SPOILED, ids=lambda v: getattr(v, "__name__", "")
)
def test_credentials_any_request_refuses_are_refused_before_the_transfer_with_nothing_changed(
    api: Api,
    world: HttpWorld,
    spoil: Callable[[Api], dict[str, str]],
    status: int,
    check: tuple[str, str],
):
    headers = spoil(api)
    before, entries = holdings(api), journal_length(api)
    key = uuid.uuid4().hex

    refused = api.client.post(
        TRANSFER, json=transfer(world), headers={**headers, "Idempotency-Key": key}
    )

    api.client.cookies.clear()
    refused_with_nothing_changed(api, world, refused, (status, check), before, entries, key)


def sign_out(api: Api, caller: Caller) -> None:
    assert caller.delete("/api/v1/tokens/current").status_code in (200, 204)


def disable(api: Api, caller: Caller) -> None:
    disabled = api["xxa.admin"].post("/api/v1/parties/XXA/users/xxa.second/disable")
    assert disabled.status_code == 200, disabled.text


def take_the_role(api: Api, caller: Caller) -> None:
    taken = api["xxa.admin"].delete("/api/v1/parties/XXA/users/xxa.second/role")
    assert taken.status_code in (200, 204), taken.text


def reset_the_password(api: Api, caller: Caller) -> None:
    reset = api["xxa.admin"].post("/api/v1/parties/XXA/users/xxa.second/password-reset")
    assert reset.status_code in (200, 201), reset.text


def let_it_expire(api: Api, caller: Caller) -> None:
    api.clock.advance(timedelta(days=2).total_seconds())
    for name in ("secretariat.admin", "xxa.admin", "xxc.admin"):
        api.sign_in(name)


TAKEN_AWAY: list[tuple[Callable[[Api, Caller], None], int, tuple[str, str]]] = [
    (sign_out, 401, ("C4009", "authorization")),
    (disable, 401, ("C4009", "authorization")),
    (take_the_role, 403, ("C4006", "party")),
    (reset_the_password, 401, ("C4009", "authorization")),
    (let_it_expire, 401, ("C4009", "authorization")),
]


@pytest.mark.parametrize(
    ("take", "status", "check"), TAKEN_AWAY, ids=lambda v: getattr(v, "__name__", "")
)
def test_credentials_the_process_expects_are_refused_once_taken_away_with_nothing_changed(
    api: Api,
    world: HttpWorld,
    take: Callable[[Api, Caller], None],
    status: int,
    check: tuple[str, str],
):
    """The process has met these credentials (a transfer went through with them) and runs the
    next command as the Actor it expects, reading them beside its first read: taken away in
    between, they are refused as on any request, and what the command did meanwhile is undone."""
    caller = api.sign_in("xxa.second")
    for _ in range(2):
        done = caller.post(TRANSFER, transfer(world), headers={"Idempotency-Key": uuid.uuid4().hex})
        assert done.status_code == 201, done.text
    take(api, caller)
    before, entries = holdings(api), journal_length(api)
    key = uuid.uuid4().hex

    refused = api.client.post(TRANSFER, json=transfer(world), headers=bearer(caller.token, key))

    refused_with_nothing_changed(api, world, refused, (status, check), before, entries, key)


def test_a_session_the_process_expects_is_refused_without_its_csrf_token(
    api: Api, world: HttpWorld
):
    csrf = {"X-CSRF-Token": browser_session(api, "xxa.second")}
    for _ in range(2):
        headers = {**csrf, "Idempotency-Key": uuid.uuid4().hex}
        done = api.client.post(TRANSFER, json=transfer(world), headers=headers)
        assert done.status_code == 201, done.text
    before = holdings(api)

    refused = api.client.post(
        TRANSFER, json=transfer(world), headers={"Idempotency-Key": uuid.uuid4().hex}
    )

    assert refused.status_code == 403, refused.text
    assert checks(refused) == [("C4011", "X-CSRF-Token")]
    api.client.cookies.clear()
    assert holdings(api) == before


def test_a_role_taken_away_between_two_transfers_is_taken_away_for_the_second(
    api: Api, world: HttpWorld
):
    second = api["xxa.second"]
    first = second.post(TRANSFER, transfer(world), headers={"Idempotency-Key": uuid.uuid4().hex})
    assert first.status_code == 201, first.text
    taken = api["xxa.admin"].delete("/api/v1/parties/XXA/users/xxa.second/role")
    assert taken.status_code in (200, 204), taken.text
    before = holdings(api)

    again = second.post(TRANSFER, transfer(world), headers={"Idempotency-Key": uuid.uuid4().hex})

    assert again.status_code == 403, again.text
    assert checks(again) == [("C4006", "party")]
    assert holdings(api) == before


def test_a_signed_out_token_gets_no_replay_of_its_earlier_outcome(api: Api, world: HttpWorld):
    """The idempotency key's earlier outcome is returned only to credentials that still
    stand: they are read before the key is looked at."""
    caller = api.sign_in("xxa.second")
    key = uuid.uuid4().hex
    first = api.client.post(TRANSFER, json=transfer(world), headers=bearer(caller.token, key))
    assert first.status_code == 201, first.text
    assert caller.delete("/api/v1/tokens/current").status_code in (200, 204)

    replayed = api.client.post(TRANSFER, json=transfer(world), headers=bearer(caller.token, key))

    assert replayed.status_code == 401
    assert checks(replayed) == [("C4009", "authorization")]


@pytest.mark.parametrize("route", CONFIRMED_ROUTES)
def test_an_invalid_body_does_not_get_past_the_credentials_first(
    api: Api, world: HttpWorld, route: str
):
    """The body is checked before the command reads the credentials; an invalid one is
    refused for its credentials first (401, 403), as on every other route, and only then
    as invalid (422)."""
    stranger = api.client.post(route, json={}, headers=unknown_token(api))
    outsider = api.client.post(route, json={}, headers=another_section(api))
    member = api.client.post(route, json={}, headers=api["xxa.admin"].headers)

    assert (stranger.status_code, checks(stranger)) == (401, [("C4009", "authorization")])
    assert (outsider.status_code, checks(outsider)) == (403, [("C4006", "party")])
    assert member.status_code in (404, 422), member.text  # the approval has no body: X1 unknown
