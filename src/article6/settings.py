"""The registry's settings, read from `ARTICLE6_*` environment variables.

A small dataclass rather than a settings library. Outside development it fails closed: the
server refuses to start with the development secret or insecure cookies.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

DEVELOPMENT_SECRET = "article6-development-secret-do-not-use-in-production"


class InsecureSettings(RuntimeError):
    """A setting that is only acceptable in development was used elsewhere."""


@dataclass(frozen=True)
class Settings:
    environment: str = "development"
    secret_key: str = DEVELOPMENT_SECRET
    cookie_secure: bool = False
    session_minutes: int = 8 * 60
    token_minutes: int = 60
    max_body_bytes: int = 1024 * 1024
    throttle_after: int = 3
    lock_after: int = 10
    lock_minutes: int = 30
    # One client address (an IPv6 /64) slows down like one name after this many failed sign-ins
    # within the window, across every name it tries; it is never locked (a whole office may
    # share the address).
    address_throttle_after: int = 20
    address_window_minutes: int = 60
    issuer: str = "article6"
    # "standard" (argon2id, RFC 9106 low-memory profile) or "test" (cheapest; development only)
    password_cost: str = "standard"
    # Where signed journal checkpoints are appended (a file, or a directory for
    # journal-checkpoints.jsonl): somewhere the database's administrators cannot rewrite.
    checkpoint_path: str | None = None
    # The serve loop signs the journal's head this often (when it moved); 0 turns it off.
    checkpoint_minutes: int = 60
    # A temporary password from an administrator's reset opens the change for this long; after
    # that it is refused like a wrong password and the user needs another reset.
    temporary_password_hours: int = 72

    @property
    def development(self) -> bool:
        return self.environment == "development"

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        defaults = cls()

        def number(name: str, default: int) -> int:
            raw = env.get(f"ARTICLE6_{name}")
            return int(raw) if raw else default

        environment = env.get("ARTICLE6_ENVIRONMENT", defaults.environment)
        settings = cls(
            environment=environment,
            secret_key=env.get("ARTICLE6_SECRET_KEY", defaults.secret_key),
            cookie_secure=env.get(
                "ARTICLE6_COOKIE_SECURE", "false" if environment == "development" else "true"
            ).lower()
            in ("1", "true", "yes"),
            session_minutes=number("SESSION_MINUTES", defaults.session_minutes),
            token_minutes=number("TOKEN_MINUTES", defaults.token_minutes),
            max_body_bytes=number("MAX_BODY_BYTES", defaults.max_body_bytes),
            throttle_after=number("THROTTLE_AFTER", defaults.throttle_after),
            lock_after=number("LOCK_AFTER", defaults.lock_after),
            lock_minutes=number("LOCK_MINUTES", defaults.lock_minutes),
            address_throttle_after=number(
                "ADDRESS_THROTTLE_AFTER", defaults.address_throttle_after
            ),
            address_window_minutes=number(
                "ADDRESS_WINDOW_MINUTES", defaults.address_window_minutes
            ),
            issuer=env.get("ARTICLE6_ISSUER", defaults.issuer),
            password_cost=env.get("ARTICLE6_PASSWORD_COST", defaults.password_cost),
            checkpoint_path=env.get("ARTICLE6_CHECKPOINT_PATH") or None,
            checkpoint_minutes=number("CHECKPOINT_MINUTES", defaults.checkpoint_minutes),
            temporary_password_hours=number(
                "TEMPORARY_PASSWORD_HOURS", defaults.temporary_password_hours
            ),
        )
        settings.check()
        return settings

    def check(self) -> None:
        """Fail closed: development defaults are refused in any other environment."""
        if self.password_cost not in ("standard", "test"):
            raise InsecureSettings(
                "ARTICLE6_PASSWORD_COST is 'standard' (or 'test' in development)"
            )
        if self.development:
            return
        if self.password_cost != "standard":
            raise InsecureSettings("cheap password hashing is for tests in development only")
        if self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32:
            raise InsecureSettings(
                "set ARTICLE6_SECRET_KEY to a random value of at least 32 characters"
            )
        if not self.cookie_secure:
            raise InsecureSettings("session cookies must be Secure outside development")
