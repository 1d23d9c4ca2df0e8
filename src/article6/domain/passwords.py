"""The password policy (C4015) and temporary passwords.

Length is what makes a password hard to guess, so the policy asks for length and nothing
about character classes (NIST SP 800-63B). The upper bound keeps each argon2id hash's work
bounded whatever a client sends.
"""

from __future__ import annotations

import secrets

from article6.domain.checks import Check, Refusal
from article6.domain.wording import words

MIN_LENGTH = 12
MAX_LENGTH = 128
TEMPORARY_BYTES = 18  # 24 URL-safe characters, 144 random bits


def policy_refusals(
    password: str, user_name: str, replaced: str | None = None, field: str = "new_password"
) -> list[Refusal]:
    """What is wrong with `password` as `user_name`'s new password (none if it will do);
    `replaced` is the password it replaces, when known."""
    found = []
    if len(password) < MIN_LENGTH:
        found.append(
            Refusal(
                Check.C4015,
                field,
                words("a password has at least {min_length} characters", min_length=MIN_LENGTH),
            )
        )
    elif len(password) > MAX_LENGTH:
        found.append(
            Refusal(
                Check.C4015,
                field,
                words("a password has at most {max_length} characters", max_length=MAX_LENGTH),
            )
        )
    if password.strip().casefold() == user_name.strip().casefold():
        found.append(Refusal(Check.C4015, field, words("a password may not be the user name")))
    if replaced is not None and password == replaced:
        found.append(
            Refusal(Check.C4015, field, words("the new password must differ from the current"))
        )
    return found


def temporary_password() -> str:
    """A random password an administrator hands over once; it only lets its user choose a
    password of their own."""
    return secrets.token_urlsafe(TEMPORARY_BYTES)
