"""The password policy (C4015): long enough, not too long, not the user name, not the password
it replaces; every failure is named on the field the caller gave."""

from __future__ import annotations

from article6.domain.checks import Check
from article6.domain.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    policy_refusals,
    temporary_password,
)


def details(password: str, user: str = "xxa.admin", replaced: str | None = None) -> list[str]:
    found = policy_refusals(password, user, replaced)
    assert all(r.check is Check.C4015 and r.field == "new_password" for r in found)
    return [r.detail for r in found]


def test_a_password_of_the_minimum_or_maximum_length_will_do():
    assert details("x" * MIN_LENGTH) == []
    assert details("x" * MAX_LENGTH) == []


def test_a_password_one_character_short_is_refused():
    assert details("x" * (MIN_LENGTH - 1)) == [f"a password has at least {MIN_LENGTH} characters"]
    assert MIN_LENGTH == 12


def test_a_password_one_character_too_long_is_refused():
    assert details("x" * (MAX_LENGTH + 1)) == [f"a password has at most {MAX_LENGTH} characters"]
    assert MAX_LENGTH == 128


def test_the_user_name_is_no_password_whatever_its_case_or_surrounding_spaces():
    assert details(" XXA.Administrator ", user="xxa.administrator") == [
        "a password may not be the user name"
    ]
    assert details("xxa.administrator2", user="xxa.administrator") == []


def test_a_new_password_differs_from_the_one_it_replaces():
    assert details("the same old password", replaced="the same old password") == [
        "the new password must differ from the current"
    ]
    assert details("a brand new password", replaced="the same old password") == []


def test_every_failure_is_named_at_once_on_the_field_given():
    found = policy_refusals("short", "short", "short", field="password")
    assert [(r.check, r.field) for r in found] == [(Check.C4015, "password")] * 3


def test_a_temporary_password_is_24_random_url_safe_characters():
    first, second = temporary_password(), temporary_password()
    assert len(first) == 24 and first != second
    assert policy_refusals(first, "xxa.admin") == []
