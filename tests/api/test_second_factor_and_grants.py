"""The pure parts of identity: RFC 6238 codes, and who may grant which role where."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from article6.domain import totp
from article6.domain.access import Actor, Role, permits_grant

RFC_SECRET = "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"  # "12345678901234567890", RFC 6238 appendix B


@pytest.mark.parametrize(
    ("seconds", "code"),
    [(59, "287082"), (1111111109, "081804"), (1234567890, "005924"), (2000000000, "279037")],
)
def test_codes_are_rfc_6238s_test_vectors(seconds, code):
    assert totp.code_at(RFC_SECRET, datetime.fromtimestamp(seconds, UTC)) == code


def test_a_code_matches_within_one_step_and_never_twice():
    moment = datetime.fromtimestamp(1234567890, UTC)
    counter = totp.matching_counter(RFC_SECRET, "005924", moment)
    assert counter == totp.counter_at(moment)
    assert totp.matching_counter(RFC_SECRET, "005924", moment, after=counter) is None
    later = datetime.fromtimestamp(1234567890 + 30, UTC)
    assert totp.matching_counter(RFC_SECRET, "005924", later) == counter
    much_later = datetime.fromtimestamp(1234567890 + 120, UTC)
    assert totp.matching_counter(RFC_SECRET, "005924", much_later) is None
    assert totp.matching_counter(RFC_SECRET, "12345", moment) is None


@pytest.mark.parametrize(
    "code",
    ["٠٠٥٩٢٤", "۰۰۵۹۲۴", "００５９２４", "००५९२४", "⁰⁰⁵⁹²⁴", "005924\n", " 005924", "0059240"],
)
def test_only_six_ascii_digits_are_a_code(code):
    """Other scripts' digits are digits to str.isdigit() but no code: no match, no error."""
    moment = datetime.fromtimestamp(1234567890, UTC)
    assert totp.matching_counter(RFC_SECRET, code, moment) is None
    assert not totp.is_well_formed(code)


def test_a_new_secret_is_random_base32_and_its_uri_names_the_issuer():
    first, second = totp.new_secret(), totp.new_secret()
    assert first != second and len(first) == 32
    uri = totp.provisioning_uri(first, "xxa.admin")
    assert uri.startswith("otpauth://totp/article6%3Axxa.admin?secret=" + first)
    assert "issuer=article6" in uri and "digits=6" in uri and "period=30" in uri


SECRETARIAT = Actor("sec", Role.SECRETARIAT)
XXA_ADMIN = Actor("a", Role.ADMINISTRATOR, "XXA")
XXA_USER = Actor("u", Role.PARTY_USER, "XXA")


@pytest.mark.parametrize(
    ("actor", "role", "party", "entity", "check"),
    [
        (SECRETARIAT, Role.SECRETARIAT, None, None, None),
        (SECRETARIAT, Role.ADMINISTRATOR, "XXC", None, None),
        (SECRETARIAT, Role.AUDITOR, None, None, None),
        (XXA_ADMIN, Role.PARTY_USER, "XXA", None, None),
        (XXA_ADMIN, Role.ENTITY, "XXA", "XXA-E0001", None),
        (XXA_ADMIN, Role.ADMINISTRATOR, "XXC", None, "C4006"),
        (XXA_ADMIN, Role.SECRETARIAT, None, None, "C4002"),
        (XXA_ADMIN, Role.AUDITOR, None, None, "C4002"),
        (XXA_ADMIN, Role.ENTITY, "XXA", "XXC-E0001", "C4006"),
        (XXA_ADMIN, Role.ENTITY, "XXA", None, "C3005"),
        (XXA_ADMIN, Role.PARTY_USER, "XXA", "XXA-E0001", "C3005"),
        (SECRETARIAT, Role.SECRETARIAT, "XXA", None, "C4006"),
        (SECRETARIAT, Role.ADMINISTRATOR, None, None, "C4006"),
        (XXA_USER, Role.PARTY_USER, "XXA", None, "C4002"),
    ],
)
def test_who_may_grant_which_role_where(actor, role, party, entity, check):
    refusal = permits_grant(actor, role, party, entity)
    assert (refusal.check.code if refusal else None) == check
