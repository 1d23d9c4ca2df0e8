"""The second factor's codes are the standard ones: the RFC 4226 and RFC 6238 test vectors
come out of `hotp` and `code_at`, a code is good for one step either side of now and never
again once used, and the provisioning URI says what an authenticator app needs."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from article6.domain import totp

# The RFC's shared secret "12345678901234567890" in base32, as an authenticator stores it.
RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


def at(seconds: int) -> datetime:
    return datetime.fromtimestamp(seconds, UTC)


@pytest.mark.parametrize(
    ("counter", "code"),
    list(
        enumerate(
            [
                "755224",
                "287082",
                "359152",
                "969429",
                "338314",
                "254676",
                "287922",
                "162583",
                "399871",
                "520489",
            ]
        )
    ),
)
def test_hotp_gives_the_rfc_4226_codes(counter: int, code: str) -> None:
    assert totp.hotp(RFC_SECRET, counter) == code


@pytest.mark.parametrize(
    ("seconds", "code"),
    [
        (59, "287082"),
        (1111111109, "081804"),
        (1111111111, "050471"),
        (1234567890, "005924"),
        (2000000000, "279037"),
        (20000000000, "353130"),
    ],
)
def test_the_code_at_a_moment_is_the_rfc_6238_code_of_its_30_second_step(
    seconds: int, code: str
) -> None:
    assert totp.code_at(RFC_SECRET, at(seconds)) == code


def test_a_step_is_30_seconds_from_the_epoch() -> None:
    assert totp.counter_at(at(0)) == 0
    assert totp.counter_at(at(29)) == 0
    assert totp.counter_at(at(30)) == 1
    assert totp.counter_at(at(89)) == 2


def test_a_secret_is_read_whatever_its_case_spacing_or_padding() -> None:
    spaced = " ".join(RFC_SECRET[i : i + 4] for i in range(0, len(RFC_SECRET), 4)).lower()
    assert totp.hotp(spaced, 1) == "287082"
    unpadded = base64.b32encode(b"12345678901234567890123").decode().rstrip("=")
    assert len(unpadded) % 8 != 0
    assert totp.hotp(unpadded, 0) == reference_hotp(b"12345678901234567890123", 0)


def reference_hotp(key: bytes, counter: int) -> str:
    """RFC 4226 section 5.3, written out once more from the RFC's own steps."""
    digest = hmac.new(key, counter.to_bytes(8, "big"), hashlib.sha1).digest()
    offset = digest[19] & 0xF
    number = int.from_bytes(digest[offset : offset + 4], "big") & 0x7FFFFFFF
    return f"{number % 1_000_000:06d}"


def test_a_new_secret_is_160_random_bits_in_base32_without_padding() -> None:
    secret = totp.new_secret()
    assert len(secret) == 32 and "=" not in secret
    assert len(base64.b32decode(secret)) == totp.SECRET_BYTES == 20
    assert totp.new_secret() != secret


@pytest.mark.parametrize(
    ("code", "well_formed"),
    [
        ("123456", True),
        ("12345", False),
        ("1234567", False),
        ("12345a", False),
        ("١٢٣٤٥٦", False),  # Arabic-Indic digits: `isdigit`, but no code
        ("", False),
    ],
)
def test_only_six_ascii_digits_are_a_code(code: str, well_formed: bool) -> None:
    assert totp.is_well_formed(code) is well_formed


def test_a_code_matches_its_own_step_and_one_step_either_side() -> None:
    now = at(1111111111)  # step 37037037
    step = totp.counter_at(now)
    for offset in (-1, 0, 1):
        code = totp.hotp(RFC_SECRET, step + offset)
        assert totp.matching_counter(RFC_SECRET, code, now) == step + offset
    for offset in (-2, 2):
        code = totp.hotp(RFC_SECRET, step + offset)
        assert totp.matching_counter(RFC_SECRET, code, now) is None


def test_a_wider_window_admits_more_steps() -> None:
    now = at(1111111111)
    step = totp.counter_at(now)
    code = totp.hotp(RFC_SECRET, step - 2)
    assert totp.matching_counter(RFC_SECRET, code, now, window=2) == step - 2


def test_a_used_step_and_every_earlier_one_is_refused() -> None:
    now = at(1111111111)
    step = totp.counter_at(now)
    current = totp.hotp(RFC_SECRET, step)
    assert totp.matching_counter(RFC_SECRET, current, now, after=step - 1) == step
    assert totp.matching_counter(RFC_SECRET, current, now, after=step) is None
    following = totp.hotp(RFC_SECRET, step + 1)
    assert totp.matching_counter(RFC_SECRET, following, now, after=step) == step + 1


def test_a_malformed_code_matches_nothing() -> None:
    now = at(1111111111)
    code = totp.code_at(RFC_SECRET, now)
    assert totp.matching_counter(RFC_SECRET, code + "0", now) is None
    assert totp.matching_counter(RFC_SECRET, "０" * 6, now) is None


def test_the_provisioning_uri_names_the_issuer_account_and_parameters() -> None:
    uri = totp.provisioning_uri("ABCDEFGH", "xxa.admin")
    parts = urlsplit(uri)
    assert (parts.scheme, parts.netloc, parts.path) == ("otpauth", "totp", "/article6%3Axxa.admin")
    assert parse_qs(parts.query) == {
        "secret": ["ABCDEFGH"],
        "issuer": ["article6"],
        "algorithm": ["SHA1"],
        "digits": ["6"],
        "period": ["30"],
    }
    other = urlsplit(totp.provisioning_uri("ABCDEFGH", "xxa.admin", issuer="Registry XXA"))
    assert other.path == "/Registry%20XXA%3Axxa.admin"
    assert parse_qs(other.query)["issuer"] == ["Registry XXA"]
