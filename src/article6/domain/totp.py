"""Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP), the second factor of sign-in.

Pure and standard-library only, so the registry depends on no authenticator library and the
tests can compute the same codes an authenticator app shows.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import struct
from datetime import datetime
from urllib.parse import quote, urlencode

STEP_SECONDS = 30
DIGITS = 6
SECRET_BYTES = 20  # 160 bits, as RFC 4226 recommends


def new_secret() -> str:
    """A fresh random secret, base32 without padding (what authenticator apps expect)."""
    return base64.b32encode(secrets.token_bytes(SECRET_BYTES)).decode().rstrip("=")


def _key(secret: str) -> bytes:
    cleaned = secret.replace(" ", "").upper()
    return base64.b32decode(cleaned + "=" * (-len(cleaned) % 8))


def counter_at(moment: datetime) -> int:
    return int(moment.timestamp()) // STEP_SECONDS


def hotp(secret: str, counter: int) -> str:
    digest = hmac.new(_key(secret), struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return str(value % 10**DIGITS).zfill(DIGITS)


def code_at(secret: str, moment: datetime) -> str:
    """The code an authenticator shows at `moment`."""
    return hotp(secret, counter_at(moment))


def is_well_formed(code: str) -> bool:
    """Exactly `DIGITS` ASCII digits: the only codes an authenticator shows."""
    return len(code) == DIGITS and code.isascii() and code.isdigit()


def matching_counter(
    secret: str, code: str, moment: datetime, window: int = 1, after: int | None = None
) -> int | None:
    """The time step whose code is `code`, within `window` steps of `moment` and later than
    `after` (a code already used cannot be replayed); None if there is none, and for anything
    but exactly six ASCII digits (`str.isdigit` also takes Arabic-Indic, fullwidth or superscript
    digits, which are no code and which `hmac.compare_digest` refuses to compare)."""
    if not is_well_formed(code):
        return None
    now = counter_at(moment)
    for counter in range(now - window, now + window + 1):
        if after is not None and counter <= after:
            continue
        if hmac.compare_digest(hotp(secret, counter), code):
            return counter
    return None


def provisioning_uri(secret: str, account: str, issuer: str = "article6") -> str:
    """The otpauth:// URI an authenticator app scans (Key Uri Format)."""
    label = quote(f"{issuer}:{account}")
    query = urlencode(
        {
            "secret": secret,
            "issuer": issuer,
            "algorithm": "SHA1",
            "digits": DIGITS,
            "period": STEP_SECONDS,
        }
    )
    return f"otpauth://totp/{label}?{query}"
