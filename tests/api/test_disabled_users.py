"""Disabling a user: it ends every session and token of theirs at once and they sign in to
nothing until enabled again, with the roles they held. From the attacker's side: a Party
Section Administrator disables only users of their own section (C4006), nobody disables
themselves (C4018), a Party user or an entity's representative may not (C4002); each change is
journaled, and the command line does the same with clear errors, never a traceback."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from click.testing import CliRunner
from http_world import Api, HttpWorld, build_world

from article6.cli import main
from article6.domain.access import Role


@pytest.fixture
def sections(api: Api) -> HttpWorld:
    world = build_world(api, everyone=False)
    api.add_user("xxa.admin", "xxa.user", Role.PARTY_USER, "XXA")
    api.add_user("xxa.admin", "green.group.a", Role.ENTITY, "XXA", "XXA-E0001")
    api.add_user("xxc.admin", "xxc.user", Role.PARTY_USER, "XXC")
    return world


def checks(response: httpx.Response) -> list[tuple[str, str]]:
    return [(c["check"], c["field"]) for c in response.json()["checks"]]


def token(api: Api, name: str) -> httpx.Response:
    return api.client.post(
        "/api/v1/tokens",
        json={"name": name, "password": api.passwords[name], "code": api.code(name)},
    )


def journal(api: Api) -> list[dict[str, Any]]:
    reader = api.sign_in("secretariat.admin")
    return list(reader.get("/api/v1/journal?limit=500").json()["items"])


def test_disabling_ends_every_session_and_token_and_enabling_restores_the_roles(
    api: Api, sections: HttpWorld
):
    user = api["xxa.user"]
    assert user.get("/api/v1/me").status_code == 200
    disabled = api["xxa.admin"].post("/api/v1/parties/XXA/users/xxa.user/disable")
    assert disabled.status_code == 200, disabled.text
    assert disabled.json()["disabled"] is True
    assert user.get("/api/v1/me").status_code == 401  # the token it held ended now
    api.clock.advance(60)
    assert token(api, "xxa.user").status_code in (401, 403)

    enabled = api["xxa.admin"].post("/api/v1/parties/XXA/users/xxa.user/enable")
    assert enabled.status_code == 200
    assert enabled.json()["disabled"] is False
    assert [(g["role"], g["party"]) for g in enabled.json()["grants"]] == [("party_user", "XXA")]
    api.clock.advance(60)
    assert token(api, "xxa.user").status_code == 201
    events = [(e["event"], e["actor"]) for e in journal(api) if e["subject"] == "xxa.user"]
    assert ("UserDisabled", "xxa.admin (administrator, XXA)") in events
    assert ("UserEnabled", "xxa.admin (administrator, XXA)") in events


def test_a_section_administrator_cannot_disable_another_section_s_users(
    api: Api, sections: HttpWorld
):
    xxa = api["xxa.admin"]
    for path in (
        "/api/v1/parties/XXA/users/xxc.user/disable",
        "/api/v1/parties/XXA/users/xxc.admin/disable",
        "/api/v1/parties/XXA/users/secretariat.admin/disable",
        "/api/v1/parties/XXC/users/xxc.user/disable",
        "/api/v1/users/xxc.user/disable",
    ):
        refused = xxa.post(path)
        assert refused.status_code == 403, path
        assert checks(refused)[0][0] in ("C4006", "C4002"), path
    assert api["xxc.user"].get("/api/v1/me").status_code == 200  # untouched


@pytest.mark.parametrize("caller", ["xxa.user", "green.group.a"])
def test_a_party_user_or_an_entity_s_representative_disables_nobody(
    api: Api, sections: HttpWorld, caller: str
):
    refused = api[caller].post("/api/v1/parties/XXA/users/xxa.admin/disable")
    assert refused.status_code == 403
    assert checks(refused)[0][0] == "C4002"
    assert api["xxa.admin"].get("/api/v1/me").status_code == 200


def test_nobody_disables_themselves_or_a_user_twice(api: Api, sections: HttpWorld):
    own = api["xxa.admin"].post("/api/v1/parties/XXA/users/xxa.admin/disable")
    assert own.status_code == 422
    assert checks(own) == [("C4018", "user")]
    assert api["xxa.admin"].post("/api/v1/parties/XXA/users/xxa.user/disable").status_code == 200
    twice = api["xxa.admin"].post("/api/v1/parties/XXA/users/xxa.user/disable")
    assert checks(twice) == [("C4018", "user")]
    assert "already disabled" in twice.json()["checks"][0]["detail"]


def test_a_disabled_administrator_no_longer_counts_for_four_eyes(api: Api, sections: HttpWorld):
    api.add_user("secretariat.admin", "xxa.second", Role.ADMINISTRATOR, "XXA")
    policy = {"kind": "internal_transfer", "four_eyes": True}
    secretariat = api["secretariat.admin"]
    assert secretariat.post("/api/v1/users/xxa.second/disable").status_code == 200
    refused = api["xxa.admin"].post("/api/v1/parties/XXA/approval-policies", policy)
    assert refused.status_code == 422
    assert checks(refused) == [("C4017", "four_eyes")]
    assert secretariat.post("/api/v1/users/xxa.second/enable").status_code == 200
    assert api["xxa.admin"].post("/api/v1/parties/XXA/approval-policies", policy).status_code in (
        200,
        201,
    )


# --- the command line -----------------------------------------------------------------------


def run(*arguments: str) -> Any:
    return CliRunner().invoke(main, ["users", *arguments])


def test_the_command_line_lists_disables_enables_and_resets(
    api: Api, sections: HttpWorld, database_url: str
):
    listed = run("list", "--party", "XXA", "--database", database_url)
    assert listed.exit_code == 0, listed.output
    names = [line.split("\t")[0] for line in listed.stdout.splitlines()]
    assert {"xxa.admin", "xxa.user", "green.group.a"} <= set(names)
    assert "xxc.user" not in names

    assert run("disable", "xxa.user", "--database", database_url).exit_code == 0
    assert api["xxa.user"].get("/api/v1/me").status_code == 401
    disabled = run("list", "--status", "disabled", "--database", database_url)
    assert [line.split("\t")[:2] for line in disabled.stdout.splitlines()] == [
        ["xxa.user", "disabled"]
    ]
    assert run("enable", "xxa.user", "--database", database_url).exit_code == 0
    roles = run("list", "--role", "entity", "--database", database_url)
    assert [line.split("\t")[0] for line in roles.stdout.splitlines()] == ["green.group.a"]

    reset = run("reset-second-factor", "xxa.user", "--database", database_url)
    assert reset.exit_code == 0, reset.output
    detail = api["secretariat.admin"].get("/api/v1/users/xxa.user").json()
    assert detail["enrolled"] is False


def test_the_command_line_refuses_in_words_without_a_traceback(
    api: Api, sections: HttpWorld, database_url: str
):
    for arguments in (
        ("disable", "nobody"),
        ("enable", "xxa.user"),
        ("unlock", "nobody"),
        ("reset-second-factor", "nobody"),
    ):
        result = run(*arguments, "--database", database_url)
        assert result.exit_code == 1, arguments
        assert "Traceback" not in result.output
        assert result.output.startswith("refused: C"), result.output
    assert "C4018" in run("enable", "xxa.user", "--database", database_url).output


def test_the_user_lists_filter_by_section_role_and_state(api: Api, sections: HttpWorld):
    secretariat = api["secretariat.admin"]
    assert secretariat.post("/api/v1/users/xxc.user/disable").status_code == 200

    def names(caller: Any, path: str) -> set[str]:
        answer = caller.get(path)
        assert answer.status_code == 200, answer.text
        return {u["name"] for u in answer.json()}

    assert names(secretariat, "/api/v1/users?status=disabled") == {"xxc.user"}
    assert names(secretariat, "/api/v1/users?party=XXC") == {"xxc.admin", "xxc.user"}
    assert names(secretariat, "/api/v1/users?role=entity") == {"green.group.a"}
    xxa = api["xxa.admin"]
    assert names(xxa, "/api/v1/parties/XXA/users?role=party_user") == {"xxa.user"}
    assert names(xxa, "/api/v1/parties/XXA/users?status=disabled") == set()
    wrong = secretariat.get("/api/v1/users?status=asleep")
    assert wrong.status_code == 422
    assert checks(wrong)[0][1] == "status"
