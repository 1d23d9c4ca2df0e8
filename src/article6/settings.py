"""The registry's settings, read from `ARTICLE6_*` environment variables by pydantic-settings.

Outside development it fails closed: the server refuses to start with the development secret,
cheap password hashing or insecure cookies. A value that does not parse is refused with the
variable's name, before anything starts.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from pydantic import Field, ValidationError
from pydantic_settings import (
    BaseSettings,
    EnvSettingsSource,
    PydanticBaseSettingsSource,
    SettingsConfigDict,
)

DEVELOPMENT_SECRET = "article6-development-secret-do-not-use-in-production"
PREFIX = "ARTICLE6_"


class InsecureSettings(RuntimeError):
    """A setting that is only acceptable in development was used elsewhere."""


class InvalidSetting(ValueError):
    """An `ARTICLE6_*` variable whose value is not one the setting can take."""


def _secure_outside_development(values: dict[str, Any]) -> bool:
    return bool(values["environment"] != "development")


class Settings(BaseSettings):
    """Each field is read from `ARTICLE6_<FIELD>`; an empty variable counts as unset."""

    model_config = SettingsConfigDict(
        env_prefix=PREFIX, env_ignore_empty=True, frozen=True, extra="ignore"
    )

    environment: str = "development"
    secret_key: str = DEVELOPMENT_SECRET
    # Secure cookies unless in development, where the site is served over plain HTTP.
    cookie_secure: bool = Field(default_factory=_secure_outside_development)
    session_minutes: int = Field(default=8 * 60, ge=1)
    token_minutes: int = Field(default=60, ge=1)
    max_body_bytes: int = Field(default=1024 * 1024, ge=1)
    throttle_after: int = Field(default=3, ge=1)
    lock_after: int = Field(default=10, ge=1)
    lock_minutes: int = Field(default=30, ge=1)
    # One client address (an IPv6 /64) slows down like one name after this many failed sign-ins
    # within the window, across every name it tries; it is never locked (a whole office may
    # share the address).
    address_throttle_after: int = Field(default=20, ge=1)
    address_window_minutes: int = Field(default=60, ge=1)
    issuer: str = "article6"
    # "standard" (argon2id, RFC 9106 low-memory profile) or "test" (cheapest; development only)
    password_cost: str = "standard"
    # Where signed journal checkpoints are appended (a file, or a directory for
    # journal-checkpoints.jsonl): somewhere the database's administrators cannot rewrite.
    checkpoint_path: str | None = None
    # The serve loop signs the journal's head this often (when it moved); 0 turns it off.
    checkpoint_minutes: int = Field(default=60, ge=0)
    # A read replica (a streaming standby's URL) for the public report, statements, AEF drafts
    # and unit search, which then show how far behind it is; unset, they read the database.
    read_database_url: str | None = None
    # A temporary password from an administrator's reset opens the change for this long; after
    # that it is refused like a wrong password and the user needs another reset.
    temporary_password_hours: int = Field(default=72, ge=1)
    # The bearer token the monitoring system presents to scrape /metrics; unset, /metrics is
    # open in development only.
    metrics_token: str | None = None
    # E-mail for the notifications users choose to receive by e-mail: unset host, no e-mail
    # (notifications stay in the registry's inbox). `smtp_tls` is "starttls" (upgrade on the
    # submission port), "tls" (implicit TLS, usually port 465) or "none" (a local relay only).
    smtp_host: str | None = None
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_from: str = "registry@localhost"
    smtp_tls: str = "starttls"
    smtp_user: str | None = None
    smtp_password: str | None = None
    smtp_timeout_seconds: float = Field(default=30.0, gt=0)
    # The serve loop projects notifications from the journal and sends the e-mails due this
    # often; 0 turns it off (`article6 notifications deliver` from cron then does it).
    notification_seconds: float = Field(default=10.0, ge=0)

    @property
    def development(self) -> bool:
        return self.environment == "development"

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        """Values given in code, then the environment (the process's, or the mapping
        `from_env` was given); no dotenv or secrets files."""
        given = _GIVEN.get()
        environment = env_settings if given is None else _GivenEnvironment(settings_cls, given)
        return (init_settings, environment)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        """The settings of the process's environment (or of `environ`), checked to fail closed."""
        try:
            with _reading(environ):
                settings = cls()
        except ValidationError as error:
            raise InvalidSetting(
                "; ".join(
                    f"{PREFIX}{'_'.join(map(str, e['loc'])).upper()}: {e['msg']}"
                    for e in error.errors()
                )
            ) from None
        settings.check()
        return settings

    def check(self) -> None:
        """Fail closed: development defaults are refused in any other environment."""
        if self.password_cost not in ("standard", "test"):
            raise InsecureSettings(
                "ARTICLE6_PASSWORD_COST is 'standard' (or 'test' in development)"
            )
        if self.smtp_tls not in ("starttls", "tls", "none"):
            raise InsecureSettings("ARTICLE6_SMTP_TLS is 'starttls', 'tls' or 'none'")
        if self.development:
            return
        if self.smtp_host and self.smtp_password and self.smtp_tls == "none":
            raise InsecureSettings("an SMTP password is sent only over TLS outside development")
        if self.password_cost != "standard":
            raise InsecureSettings("cheap password hashing is for tests in development only")
        if self.secret_key == DEVELOPMENT_SECRET or len(self.secret_key) < 32:
            raise InsecureSettings(
                "set ARTICLE6_SECRET_KEY to a random value of at least 32 characters"
            )
        if not self.cookie_secure:
            raise InsecureSettings("session cookies must be Secure outside development")


_GIVEN: ContextVar[Mapping[str, str] | None] = ContextVar("article6_settings_environ", default=None)


@contextmanager
def _reading(environ: Mapping[str, str] | None) -> Iterator[None]:
    token = _GIVEN.set(environ)
    try:
        yield
    finally:
        _GIVEN.reset(token)


class _GivenEnvironment(EnvSettingsSource):
    """The environment source over a given mapping instead of the process's variables."""

    def __init__(self, settings_cls: type[BaseSettings], environ: Mapping[str, str]) -> None:
        self._environ = environ
        super().__init__(settings_cls)

    def _load_env_vars(self) -> Mapping[str, str | None]:
        return {name.lower(): value for name, value in self._environ.items() if value}
